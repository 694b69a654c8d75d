import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lifecircle.accessibility.models import CompoundAccess
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility
from lifecircle.geo.tests.test_pois import FIXTURE, MAPPING

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def osm_file(tmp_path):
    load_pack(MINI)
    path = tmp_path / "pois.osm"
    path.write_text(FIXTURE)
    return path


def test_import_inside_the_boundary_and_again_idempotently(osm_file, capsys):
    call_command("import_osm_facilities", str(osm_file), "--subdistrict", "mini")
    assert "Imported 3 facilities" in capsys.readouterr().out  # the market lies outside the boundary
    baby = Facility.objects.get(code="osm-n1")
    assert (baby.name, baby.category.slug, baby.capacity, baby.opening_hours) == ("宝宝屋", "infant_care", 20, "Mo-Fr 08:00-17:00")
    assert "OpenStreetMap" in baby.description
    # The new care home is now part of every compound's results.
    assert CompoundAccess.objects.filter(category__slug="senior_care_home", nearest_m__isnull=False).count() == 3
    call_command("import_osm_facilities", str(osm_file), "--subdistrict", "mini")
    assert Facility.objects.filter(code__startswith="osm-").count() == 3
    call_command("import_osm_facilities", str(osm_file), "--subdistrict", "mini", "--everywhere")
    assert Facility.objects.get(code="osm-w20").name_en == "Market"


def test_dry_run_writes_nothing(osm_file, capsys):
    call_command("import_osm_facilities", str(osm_file), "--subdistrict", "mini", "--dry-run")
    assert "Would import 3 facilities" in capsys.readouterr().out
    assert not Facility.objects.filter(code__startswith="osm-").exists()


def test_mapping_to_an_unknown_category_changes_nothing(osm_file, tmp_path):
    mapping = json.loads(MAPPING.read_text())
    mapping["rules"].append({"tags": {"amenity": "spa"}, "category": "spa"})
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(mapping))
    with pytest.raises(CommandError, match=r"categories \['spa'\] do not exist"):
        call_command("import_osm_facilities", str(osm_file), "--subdistrict", "mini", "--mapping", str(path))
    assert not Facility.objects.filter(code__startswith="osm-").exists()


def test_broken_file_is_a_clear_error(osm_file, tmp_path):
    broken = tmp_path / "broken.osm"
    broken.write_text(FIXTURE[:400])
    with pytest.raises(CommandError, match="broken.osm"):
        call_command("import_osm_facilities", str(broken), "--subdistrict", "mini")
    with pytest.raises(CommandError, match="no sub-district"):
        call_command("import_osm_facilities", str(osm_file), "--subdistrict", "nowhere")
