"""Which pack files are optional, and where a pack's standard may come from."""
import json
import shutil
from pathlib import Path

import pytest

from lifecircle.community.packs import PackError, load_pack, read_pack
from lifecircle.directory.models import PointOfInterest, Standard

MINI = Path(__file__).parent / "packs" / "mini"
SHIPPED = Path(__file__).resolve().parents[3] / "data" / "standards" / "shanghai-2016.json"


@pytest.fixture
def pack(tmp_path):
    """The mini pack kept somewhere else, whose pack.json names its standard as given."""
    folder = tmp_path / "somewhere" / "pack"
    shutil.copytree(MINI, folder)

    def with_standard(name):
        manifest = json.loads((folder / "pack.json").read_text())
        manifest["standard"] = name
        (folder / "pack.json").write_text(json.dumps(manifest))
        return folder

    return with_standard


def test_a_pack_kept_anywhere_finds_a_shipped_standard_by_its_name(pack):
    assert read_pack(pack("shanghai-2016.json")).standard["code"]
    # The form the shipped packs used (relative to data/packs/NAME) still works from anywhere.
    assert read_pack(pack("../../standards/shanghai-2016.json")).standard["code"]


def test_a_standard_inside_the_pack_is_used(pack):
    folder = pack("standard.json")
    own = json.loads(SHIPPED.read_text())
    own["version"] = "own-1"
    (folder / "standard.json").write_text(json.dumps(own))
    assert read_pack(folder).standard["version"] == "own-1"


@pytest.mark.parametrize("name", ["../outside.json", "/etc/hostname", "link.json"])
def test_the_standard_cannot_point_outside_the_pack_or_the_shipped_standards(pack, name):
    folder = pack(name)
    outside = folder.parent / "outside.json"
    outside.write_text(SHIPPED.read_text())
    (folder / "link.json").symlink_to(outside)
    with pytest.raises(PackError, match=f"standard '{name}' is neither a file in the pack nor one of the shipped"):
        read_pack(folder)


@pytest.mark.django_db
def test_points_of_interest_are_optional(pack):
    folder = pack("shanghai-2016.json")
    (folder / "pois.geojson").unlink()
    load_pack(folder)
    assert not PointOfInterest.objects.exists() and Standard.objects.exists()


@pytest.mark.parametrize("required", ["pack.json", "grids.geojson", "compounds.geojson", "facilities.geojson"])
def test_the_required_files_are_required(pack, required):
    folder = pack("shanghai-2016.json")
    (folder / required).unlink()
    with pytest.raises(PackError, match=f"{required}: file is missing"):
        read_pack(folder)
