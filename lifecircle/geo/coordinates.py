"""Chinese map coordinate systems: WGS84, GCJ-02 and BD-09, converted to and from WGS84.

Maps published in China must shift their coordinates: Amap (高德), Tencent and Google's China
maps use GCJ-02 (the "Mars" coordinates), Baidu uses BD-09, a further shift of GCJ-02. The shift is
300–600 m in Shanghai, enough to put a compound on the wrong street, so every coordinate a
sub-district office copies from one of these maps must be converted before it meets OpenStreetMap
(WGS84).

The transforms are those of the public-domain ``prcoords`` library (pinned). Its forward transforms
(WGS84 → GCJ-02 → BD-09) are the published algorithm; the inverses iterate the forward transform to
a fixed point (prcoords' "bored" functions), so a round trip agrees to millimetres, not the metres
of the one-step inverse many libraries use.

Outside China GCJ-02 *is* WGS84 (the Chinese maps do not shift foreign places), and BD-09 is the
Baidu shift applied to WGS84. prcoords' iterative inverse forgets this and shifts foreign points by
about a kilometre, so this module decides inside/outside itself, with prcoords' own box around
China (which also takes in parts of its neighbours, as every GCJ-02 implementation does).

Coordinates here are ``(lon, lat)`` in degrees, the GeoJSON order; prcoords works in (lat, lon).
"""

from __future__ import annotations

import warnings

import prcoords

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
SYSTEMS = (WGS84, GCJ02, BD09)
#: How each system is written for people.
LABELS = {WGS84: "WGS84", GCJ02: "GCJ-02", BD09: "BD-09"}

#: The spellings a planner might use for each system (compared lower-case, spaces/dashes/underscores removed).
ALIASES = {
    WGS84: ("wgs84", "wgs", "epsg4326", "4326", "gps", "osm", "openstreetmap", "天地图", "地球坐标"),
    GCJ02: ("gcj02", "gcj", "amap", "gaode", "高德", "tencent", "qq", "腾讯", "火星坐标", "国测局", "mars"),
    BD09: ("bd09", "bd09ll", "bd", "baidu", "百度", "百度坐标"),
}


def parse_system(text) -> str:
    """The coordinate system named by ``text`` (``"GCJ-02"``, ``"Amap"``, ``"百度"``, …).

    Raises
    ------
    ValueError
        The name is none of WGS84, GCJ-02 or BD-09 (nor an alias); the message lists them.
    """
    key = "".join(ch for ch in str(text or "").lower() if ch not in " -_:.")
    for system, names in ALIASES.items():
        if key in names:
            return system
    raise ValueError(f"unknown coordinate system {text!r}: use WGS84 (GPS, OpenStreetMap), "
                     "GCJ-02 (Amap/高德, Tencent/腾讯) or BD-09 (Baidu/百度)")


def in_china(lon: float, lat: float) -> bool:
    """Whether the Chinese shifts apply at (lon, lat) degrees (prcoords' box around China)."""
    return prcoords.sanity_in_china_p(prcoords.Coords(lat, lon))


def to_wgs84(lon: float, lat: float, system: str) -> tuple[float, float]:
    """Convert (lon, lat) degrees in ``system`` to WGS84; exact to millimetres (iterative inverse)."""
    system = parse_system(system)
    if system == WGS84:
        return float(lon), float(lat)
    point = prcoords.Coords(float(lat), float(lon))
    if system == BD09:
        point = prcoords.bd_gcj_bored(point)
    if in_china(point.lon, point.lat):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # prcoords warns about its own first guess near the box edge
            point = prcoords.gcj_wgs_bored(point)
    return point.lon, point.lat


def from_wgs84(lon: float, lat: float, system: str) -> tuple[float, float]:
    """Convert WGS84 (lon, lat) degrees to ``system``: the forward, published transforms."""
    system = parse_system(system)
    point = prcoords.Coords(float(lat), float(lon))
    if system == WGS84:
        return point.lon, point.lat
    if in_china(point.lon, point.lat):
        point = prcoords.wgs_gcj(point, False)
    if system == BD09:
        point = prcoords.gcj_bd(point)
    return point.lon, point.lat
