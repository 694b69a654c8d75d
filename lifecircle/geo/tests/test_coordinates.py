"""WGS84 ↔ GCJ-02 ↔ BD-09 against published reference points, both ways, and round trips."""

import itertools

import pytest

from lifecircle.geo.coordinates import BD09, GCJ02, WGS84, from_wgs84, parse_system, to_wgs84
from lifecircle.geo.distance import haversine_m

# (lon, lat) pairs. WGS84 → GCJ-02: the test vectors shared by every port of eviltransform
# (github.com/googollee/eviltransform, Shanghai, Shenzhen, Beijing).
WGS_GCJ = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
]
# WGS84 → BD-09: the example answer of Baidu's own conversion service (geoconv v1, from=1 to=5).
WGS_BD = [((114.21892734521, 29.575429778924), (114.23074871003, 29.579084787368))]
# GCJ-02 → BD-09: Alibaba Cloud's address service documentation (TransferCoord example, Hangzhou).
GCJ_BD = [((120.026268, 30.279164), (120.032768, 30.285238))]


def distance(a, b):
    return float(haversine_m(a[0], a[1], b[0], b[1]))


@pytest.mark.parametrize("wgs, gcj", WGS_GCJ)
def test_wgs84_gcj02_published_pairs_both_ways(wgs, gcj):
    assert distance(from_wgs84(*wgs, GCJ02), gcj) < 0.01
    assert distance(to_wgs84(*gcj, GCJ02), wgs) < 0.01


@pytest.mark.parametrize("wgs, bd", WGS_BD)
def test_wgs84_bd09_published_pair_both_ways(wgs, bd):
    # Baidu's service adds its own sub-metre noise to the published algorithm.
    assert distance(from_wgs84(*wgs, BD09), bd) < 1
    assert distance(to_wgs84(*bd, BD09), wgs) < 1


@pytest.mark.parametrize("gcj, bd", GCJ_BD)
def test_gcj02_bd09_published_pair(gcj, bd):
    wgs = to_wgs84(*gcj, GCJ02)
    assert distance(from_wgs84(*wgs, BD09), bd) < 1
    assert distance(to_wgs84(*bd, BD09), wgs) < 1


def test_the_shift_is_real_in_shanghai():
    """Without conversion an Amap or Baidu point lands hundreds of metres off."""
    wgs = (121.4449613, 31.2312717)
    assert 400 < distance(from_wgs84(*wgs, GCJ02), wgs) < 700
    assert 800 < distance(from_wgs84(*wgs, BD09), wgs) < 1300


@pytest.mark.parametrize("system", [GCJ02, BD09])
def test_round_trips_agree_to_a_millimetre_across_china(system):
    for lon, lat in itertools.product((75.5, 87.6, 104.1, 113.3, 121.47, 126.6), (18.3, 23.1, 31.23, 39.9, 45.8)):
        back = to_wgs84(*from_wgs84(lon, lat, system), system)
        assert distance(back, (lon, lat)) < 0.001, (system, lon, lat)


def test_outside_china_gcj02_is_wgs84_and_bd09_still_shifts():
    helsinki = (24.9384, 60.1699)
    assert from_wgs84(*helsinki, GCJ02) == helsinki
    assert to_wgs84(*helsinki, GCJ02) == helsinki  # prcoords' own inverse moves it ~1 km
    bd = from_wgs84(*helsinki, BD09)
    assert distance(bd, helsinki) > 500
    assert distance(to_wgs84(*bd, BD09), helsinki) < 0.001


@pytest.mark.parametrize("text, system", [
    ("WGS84", WGS84), ("wgs-84", WGS84), ("EPSG:4326", WGS84), ("GCJ-02", GCJ02), ("高德", GCJ02),
    ("Amap", GCJ02), ("腾讯", GCJ02), ("BD-09", BD09), ("baidu", BD09), ("百度", BD09),
])
def test_system_names(text, system):
    assert parse_system(text) == system


def test_unknown_system_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown coordinate system 'CGCS2000'.*GCJ-02"):
        parse_system("CGCS2000")
