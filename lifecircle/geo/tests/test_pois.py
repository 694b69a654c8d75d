from pathlib import Path

import pytest

from lifecircle.geo.errors import InputError, OSMError
from lifecircle.geo.pois import read_facilities, read_mapping

DATA = Path(__file__).parent / "data"
MAPPING = Path(__file__).resolve().parents[3] / "data" / "osm" / "tag-categories.json"

FIXTURE = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
  <node id="1" lat="31.2300" lon="121.4400"><tag k="amenity" v="childcare"/><tag k="name" v="宝宝屋"/>
    <tag k="capacity" v="20"/><tag k="opening_hours" v="Mo-Fr 08:00-17:00"/></node>
  <node id="2" lat="31.2310" lon="121.4410"><tag k="amenity" v="social_facility"/>
    <tag k="social_facility" v="nursing_home"/><tag k="social_facility:for" v="senior"/></node>
  <node id="3" lat="31.2320" lon="121.4420"><tag k="amenity" v="social_facility"/>
    <tag k="social_facility:for" v="senior"/></node>
  <node id="4" lat="31.2330" lon="121.4430"><tag k="amenity" v="bench"/></node>
  <node id="10" lat="31.2400" lon="121.4500"/>
  <node id="11" lat="31.2400" lon="121.4510"/>
  <node id="12" lat="31.2410" lon="121.4510"/>
  <node id="13" lat="31.2410" lon="121.4500"/>
  <way id="20"><nd ref="10"/><nd ref="11"/><nd ref="12"/><nd ref="13"/><nd ref="10"/>
    <tag k="amenity" v="marketplace"/><tag k="name:en" v="Market"/></way>
  <way id="21"><nd ref="10"/><nd ref="11"/><tag k="amenity" v="library"/></way>
</osm>
"""


@pytest.fixture
def fixture_file(tmp_path):
    path = tmp_path / "pois.osm"
    path.write_text(FIXTURE)
    return path


def test_tags_map_to_categories_first_rule_wins(fixture_file):
    found = {f.code: f for f in read_facilities(fixture_file, read_mapping(MAPPING))}
    assert {code: f.category for code, f in found.items()} == {
        "osm-n1": "infant_care", "osm-n2": "senior_care_home", "osm-n3": "senior_service_center", "osm-w20": "market",
    }  # the bench is not a service, and an open way (21) is not a place
    assert found["osm-n1"].tags == {"name": "宝宝屋", "capacity": "20", "opening_hours": "Mo-Fr 08:00-17:00"}
    market = found["osm-w20"]
    assert (market.lon, market.lat) == pytest.approx((121.4505, 31.2405))


def test_real_extract_has_libraries_and_clinics():
    found = read_facilities(DATA / "Helsinki.osm.pbf", read_mapping(MAPPING))
    categories = {f.category for f in found}
    assert {"library", "health_station", "community_center", "market"} <= categories
    assert sum(f.category == "library" for f in found) == 7  # 5 nodes and 2 outlines in this extract
    for place in found:
        assert 24.8 < place.lon < 25.1 and 60.1 < place.lat < 60.3


def test_bad_mapping_and_bad_files(tmp_path, fixture_file):
    bad = tmp_path / "mapping.json"
    bad.write_text('{"rules": [{"tags": {}, "category": "x"}]}')
    with pytest.raises(InputError, match="rule 0 needs non-empty 'tags'"):
        read_mapping(bad)
    with pytest.raises(InputError, match="cannot read the tag mapping"):
        read_mapping(tmp_path / "missing.json")
    empty = tmp_path / "empty.osm"
    empty.write_text("")
    with pytest.raises(OSMError, match="empty"):
        read_facilities(empty, read_mapping(MAPPING))
    broken = tmp_path / "broken.osm"
    broken.write_text(FIXTURE[:400])
    with pytest.raises(OSMError):
        read_facilities(broken, read_mapping(MAPPING))
