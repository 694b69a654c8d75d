"""compute_accessibility --all: every sub-district on a Dask cluster of worker processes."""
import json
import shutil
import sys

import pytest
from django.core.management import CommandError, call_command

from lifecircle.accessibility.models import CompoundAccess, ComputeRun
from lifecircle.community.models import SubDistrict
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI, STANDARD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_subdistricts(tmp_path):
    """The mini pack twice, under two codes: nothing may assume one sub-district."""
    first = load_pack(MINI)
    folder = tmp_path / "pack"
    shutil.copytree(MINI, folder)
    manifest = json.loads((folder / "pack.json").read_text())
    manifest["standard"] = str(STANDARD)
    manifest["subdistrict"].update(code="mini-two", name="第二街道")
    (folder / "pack.json").write_text(json.dumps(manifest))
    return first, load_pack(folder)


def stored():
    return {(a.compound.subdistrict.code, a.compound.code, a.category.slug):
            (a.nearest_m, a.count_5, a.count_10, a.count_15, a.capacity_15)
            for a in CompoundAccess.objects.select_related("compound__subdistrict", "category")}


def test_all_on_two_worker_processes_stores_what_one_by_one_stores(two_subdistricts, capsys):
    one_by_one = stored()  # loading each pack computed it in this process
    assert {key[0] for key in one_by_one} == {"mini", "mini-two"}
    CompoundAccess.objects.all().delete()
    runs_before = ComputeRun.objects.count()
    call_command("compute_accessibility", "--all", "--workers", "2", "--no-progress")
    assert stored() == one_by_one
    assert ComputeRun.objects.count() == runs_before + 2
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["sub-district", "name", "compounds"]
    rows = {line.split()[0]: line for line in table[2:]}
    assert set(rows) == {"mini", "mini-two"}
    # Compound a alone has the senior canteen within 300 m: 1 of 3 compounds, by population 1000 of 2300.
    assert "第二街道" in rows["mini-two"] and " 3 " in rows["mini"]


def test_a_subdistrict_without_network_is_reported_and_the_others_stored(two_subdistricts, capsys):
    SubDistrict.objects.create(code="bare", name="空街道", city="上海市", district="静安区")
    CompoundAccess.objects.all().delete()
    with pytest.raises(CommandError, match="1 of 3 sub-districts were not computed"):
        call_command("compute_accessibility", "--all", "--workers", "1", "--no-progress")
    out = capsys.readouterr().out
    assert "bare" in out and "not computed: 空街道 has no pedestrian network" in out
    assert {key[0] for key in stored()} == {"mini", "mini-two"}


def test_unreachable_scheduler_changes_nothing(two_subdistricts, monkeypatch):
    from lifecircle.geo import city

    real_connect = city.connect
    monkeypatch.setattr(city, "connect", lambda scheduler, workers: real_connect(scheduler, workers, timeout_s=2))
    before = stored()
    with pytest.raises(CommandError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        call_command("compute_accessibility", "--all", "--scheduler", "tcp://127.0.0.1:9", "--no-progress")
    assert stored() == before


def test_missing_dask_says_how_to_install_it(two_subdistricts, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if dask were not installed
    with pytest.raises(CommandError, match=r"pip install 'lifecircle\[city\]'"):
        call_command("compute_accessibility", "--all", "--no-progress")


def test_scheduler_without_all_is_refused(two_subdistricts):
    with pytest.raises(CommandError, match="need --all"):
        call_command("compute_accessibility", "--scheduler", "tcp://127.0.0.1:8786")
