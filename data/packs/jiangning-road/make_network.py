#!/usr/bin/env python3
"""Build the illustrative Jiangning Road (江宁路街道) demo pack.

Run from anywhere:  python data/packs/jiangning-road/make_network.py

It writes, next to itself:

    network.osm          the hand-drawn pedestrian network (OSM XML 0.6)
    boundary.geojson     the sub-district outline (the union of the four grids)
    grids.geojson        the four grids (网格)
    compounds.geojson    residential compounds / lane neighbourhoods
    facilities.geojson   service facilities (with the service centre's rooms)
    pois.geojson         heritage sites, creative parks, parks, shops, landmarks

and then checks what it wrote (connectivity, containment, distances, codes,
slugs, opening hours) and stops with a non-zero exit status if anything is off.

Everything here is ILLUSTRATIVE. The street network is drawn by hand from
public knowledge of which streets exist and in which order they cross one
another (street descriptions, addresses and house numbers); it is NOT copied
or derived from OpenStreetMap or any other map database. Streets are drawn as
straight lines on a slightly rotated grid, lanes (弄) inside the blocks are
generated from a simple pattern, and positions may be off by 100 m or more.

Only the Python standard library and shapely are used; the output is
deterministic (no randomness, stable ordering).
"""
import json
import math
import re
import sys
from pathlib import Path
from xml.sax.saxutils import quoteattr

from shapely.geometry import LineString, Point, Polygon
from shapely.ops import nearest_points, substring, unary_union

HERE = Path(__file__).resolve().parent
STANDARD = HERE / ".." / ".." / "standards" / "shanghai-2016.json"

# --------------------------------------------------------------------------------------------
# Local plane: metres east (x) and north (y) of the Changde Road / Beijing West Road corner.
# --------------------------------------------------------------------------------------------
LON0, LAT0 = 121.4466, 31.2272
M_PER_DEG_LAT = 110950.0
M_PER_DEG_LON = 111320.0 * math.cos(math.radians(31.235))


def lonlat(x, y):
    return [round(LON0 + x / M_PER_DEG_LON, 7), round(LAT0 + y / M_PER_DEG_LAT, 7)]


def tan(deg):
    return math.tan(math.radians(deg))


def ew_line(y0, angle, x_from=-1500.0, x_to=1800.0):
    """A west-to-east guide line through (0, y0), rising ``angle`` degrees to the east."""
    return LineString([(x_from, y0 + x_from * tan(angle)), (x_to, y0 + x_to * tan(angle))])


def ns_line(x_beijing, bearing_west, t_from=-800.0, t_to=3000.0):
    """A south-to-north guide line from its crossing with Beijing West Road, leaning west."""
    x0, y0 = x_beijing, x_beijing * tan(17)
    dx, dy = -math.sin(math.radians(bearing_west)), math.cos(math.radians(bearing_west))
    return LineString([(x0 + t_from * dx, y0 + t_from * dy), (x0 + t_to * dx, y0 + t_to * dy)])


def ns_line_through(point, bearing_west, t_from=-800.0, t_to=1500.0):
    x0, y0 = point
    dx, dy = -math.sin(math.radians(bearing_west)), math.cos(math.radians(bearing_west))
    return LineString([(x0 + t_from * dx, y0 + t_from * dy), (x0 + t_to * dx, y0 + t_to * dy)])


def at_x(line, x):
    """The point of ``line`` (running west to east) at abscissa x."""
    (x1, y1), (x2, y2) = line.coords[0], line.coords[-1]
    return (x, y1 + (y2 - y1) * (x - x1) / (x2 - x1))


def cross(a, b):
    """The single crossing point of two lines, as (x, y)."""
    p = a.intersection(b)
    if p.is_empty and a.distance(b) < 1e-6:   # touching at an end point, lost to rounding
        p = nearest_points(a, b)[0]
    if p.geom_type != "Point":
        raise SystemExit(f"expected one crossing, got {p.geom_type}")
    return (p.x, p.y)


# --------------------------------------------------------------------------------------------
# Guide lines. Order of the streets is what public sources give:
#   along Xikang Road (S->N): Nanjing W, Nanyang, Beijing W, Xinzha, Kangding, Changping, Yuyao,
#     Haifang, Anyuan, Xinhui, Changshou, Putuo, Aomen, Yichang, then Suzhou Creek;
#   along Changshou Road (E->W): creek (Changshou Road Bridge), Changhua, Jiangning, Shaanxi N,
#     Xikang, Changde, Jiaozhou, Yejiazhai, Anyuan;
#   Haifang Road runs from Yuyao Road to West Suzhou Road (Puji Road Bridge); Tongle Fang sits in
#     the triangle of Xikang, Yuyao and Haifang roads; Anyuan Road runs from West Suzhou Road to
#     Changshou Road and is the Jing'an/Putuo boundary; West Suzhou Road follows the creek from
#     Taixing Road round to Xikang Road.
# Wuding Road is placed between Xinzha and Kangding roads (an assumption).
# --------------------------------------------------------------------------------------------
G = {}
G["北京西路"] = ew_line(0, 17)
G["新闸路"] = ew_line(190, 16)
G["武定路"] = ew_line(380, 15)
G["康定路"] = ew_line(560, 14)
G["昌平路"] = ew_line(760, 13)
G["余姚路"] = ew_line(980, 12)
G["新丰路"] = ew_line(1150, 11)
G["新会路"] = ew_line(1440, 10)
G["长寿路"] = ew_line(1560, 10)
G["澳门路"] = ew_line(1770, 9)
G["宜昌路"] = ew_line(1940, 7)

G["胶州路"] = ns_line(-330, 10)
G["常德路"] = ns_line(0, 11)
G["西康路"] = ns_line(360, 10)
G["陕西北路"] = ns_line(690, 12)
G["江宁路"] = ns_line(930, 19)
G["泰兴路"] = ns_line(1230, 9)
G["昌化路"] = ns_line_through(at_x(G["长寿路"], 610), 12)
G["叶家宅路"] = ns_line_through(at_x(G["长寿路"], -820), 6)

# Haifang Road: from a point on Yuyao Road (west of Xikang Road) it climbs at 22° to Xikang Road,
# then runs at 14° to the creek.
_haifang_v = at_x(G["余姚路"], -120)
_haifang_k = cross(LineString([_haifang_v, (_haifang_v[0] + 900, _haifang_v[1] + 900 * tan(22))]), G["西康路"])
G["海防路"] = LineString([_haifang_v, _haifang_k, (_haifang_k[0] + 1200, _haifang_k[1] + 1200 * tan(14))])

# Anyuan Road: straight from the creek to west of Jiaozhou Road, then north-west to Changshou Road.
_anyuan = ew_line(1330, 10, -900, 1500)
_anyuan_bend = _anyuan.coords[0]
_anyuan_join = at_x(G["长寿路"], -1100)
G["安远路"] = LineString([_anyuan_join, _anyuan_bend, _anyuan.coords[-1]])

# West Suzhou Road along the creek bank, from Taixing Road north, then west to Xikang Road.
_taixing_end = cross(G["泰兴路"], ew_line(1100, 0))
_xikang_end = cross(G["西康路"], ew_line(2185, 0))
G["西苏州路"] = LineString([
    _taixing_end, (1063, 1240), (1018, 1400), (972, 1580), (930, 1760), (862, 1910),
    (735, 2020), (540, 2085), (320, 2125), (120, 2158), _xikang_end,
])
# The riverside walk (苏州河滨河步道) west of Xikang Road, where there is no bank road.
G["苏州河滨河步道"] = LineString([_xikang_end, (-250, 2175), (-520, 2140), (-800, 2090), (-1000, 2060)])
# Suzhou Creek itself (for the boundary): 25 m off West Suzhou Road, on the water side.
CREEK_EDGE = G["西苏州路"].offset_curve(-25)

# --------------------------------------------------------------------------------------------
# Streets: guide line cut between two ends (("x", value) = at abscissa, or another street name).
# --------------------------------------------------------------------------------------------
STREETS = [
    # name, name:en, highway, start, end
    ("北京西路", "Beijing West Road", "primary", ("x", -650), ("x", 1500)),
    ("新闸路", "Xinzha Road", "secondary", ("x", -650), ("x", 1450)),
    ("武定路", "Wuding Road", "tertiary", ("x", -650), "泰兴路"),
    ("康定路", "Kangding Road", "tertiary", ("x", -650), "江宁路"),
    ("昌平路", "Changping Road", "tertiary", ("x", -650), "江宁路"),
    ("余姚路", "Yuyao Road", "tertiary", ("x", -650), "西康路"),
    ("海防路", "Haifang Road", "tertiary", None, "西苏州路"),
    ("新丰路", "Xinfeng Road", "residential", "常德路", "西康路"),
    ("安远路", "Anyuan Road", "secondary", None, "西苏州路"),
    ("新会路", "Xinhui Road", "residential", "常德路", "江宁路"),
    ("长寿路", "Changshou Road", "primary", ("x", -1100), "西苏州路"),
    ("澳门路", "Aomen Road", "secondary", "常德路", "西苏州路"),
    ("宜昌路", "Yichang Road", "tertiary", "常德路", "江宁路"),
    ("胶州路", "Jiaozhou Road", "tertiary", ("y", -70), "长寿路"),
    ("常德路", "Changde Road", "secondary", ("y", -70), "苏州河滨河步道"),
    ("西康路", "Xikang Road", "secondary", ("y", -70), "西苏州路"),
    ("陕西北路", "Shaanxi North Road", "tertiary", ("y", -70), "澳门路"),
    ("江宁路", "Jiangning Road", "secondary", ("y", -70), "西苏州路"),
    ("泰兴路", "Taixing Road", "tertiary", ("y", -70), "西苏州路"),
    ("昌化路", "Changhua Road", "tertiary", "安远路", "西苏州路"),
    ("叶家宅路", "Yejiazhai Road", "tertiary", "长寿路", "苏州河滨河步道"),
    ("西苏州路", "West Suzhou Road", "residential", None, None),
    ("苏州河滨河步道", "Suzhou Creek Riverside Walk", "footway", None, None),
]
EN = {name: en for name, en, *_ in STREETS}


def _end_point(guide, end):
    if end is None:
        return None
    if isinstance(end, tuple):
        axis, value = end
        probe = LineString([(value, -5000), (value, 5000)]) if axis == "x" else LineString([(-5000, value), (5000, value)])
        return cross(guide, probe)
    return cross(guide, G[end])


def trimmed(name, start, end):
    guide = G[name]
    a, b = _end_point(guide, start), _end_point(guide, end)
    s0 = guide.project(Point(a)) if a else 0.0
    s1 = guide.project(Point(b)) if b else guide.length
    part = substring(guide, min(s0, s1), max(s0, s1))
    coords = list(part.coords)
    # use the exact crossing points as end points so that shared nodes coincide
    if a:
        coords[0 if s0 <= s1 else -1] = a
    if b:
        coords[-1 if s0 <= s1 else 0] = b
    return LineString(coords)


STREET_LINES = {name: trimmed(name, start, end) for name, _, _, start, end in STREETS}


def meet(a, b):
    return cross(G[a], G[b])


# --------------------------------------------------------------------------------------------
# House numbers (illustrative): 0.6 numbers per metre from a reference point; east-west streets
# count westwards (odd numbers on the south side), north-south streets count northwards (odd
# numbers on the west side).
# --------------------------------------------------------------------------------------------
NUMBERING = {
    "北京西路": ("泰兴路", 660), "新闸路": ("江宁路", 1000), "武定路": ("常德路", 880),
    "康定路": ("江宁路", 1), "昌平路": ("江宁路", 1), "余姚路": ("西康路", 1), "新丰路": ("西康路", 1),
    "海防路": ("西苏州路", 1), "安远路": ("西苏州路", 1), "长寿路": ("西苏州路", 1), "澳门路": ("西苏州路", 1),
    "宜昌路": ("江宁路", 1), "新会路": ("江宁路", 1),
    "常德路": ("北京西路", 370), "西康路": ("新闸路", 259), "陕西北路": ("北京西路", 400),
    "江宁路": ("北京西路", 370), "泰兴路": ("北京西路", 300), "胶州路": ("余姚路", 728),
    "叶家宅路": ("长寿路", 1), "昌化路": ("安远路", 1), "西苏州路": ("泰兴路", 1),
}
EAST_WEST = {"北京西路", "新闸路", "武定路", "康定路", "昌平路", "余姚路", "新丰路", "海防路", "安远路",
             "长寿路", "澳门路", "宜昌路", "新会路"}
RATE = 0.6


def _unit(line, s):
    """Unit tangent of ``line`` at distance s."""
    p = line.interpolate(max(0.0, s - 1.0))
    q = line.interpolate(min(line.length, s + 1.0))
    d = math.hypot(q.x - p.x, q.y - p.y)
    return ((q.x - p.x) / d, (q.y - p.y) / d)


def _forward(street):
    """+1 if the street's numbers grow along its drawn direction, -1 otherwise."""
    line = STREET_LINES[street]
    (x1, y1), (x2, y2) = line.coords[0], line.coords[-1]
    if street in EAST_WEST:
        return 1 if x2 < x1 else -1   # numbers grow westwards
    return 1 if y2 > y1 else -1       # numbers grow northwards


def house_number(street, point, side):
    ref_street, n0 = NUMBERING[street]
    line = STREET_LINES[street]
    s_ref = line.project(Point(meet(street, ref_street) if ref_street != street else line.coords[0]))
    s = line.project(Point(point))
    n = max(1, int(round(n0 + RATE * (s - s_ref) * _forward(street))))
    odd = side in ("south", "west")
    if (n % 2 == 1) != odd:
        n += 1
    return n


def side_point(street, s, side, offset):
    """The point ``offset`` metres off ``street`` at distance s, on compass ``side``."""
    line = STREET_LINES[street]
    p = line.interpolate(s)
    ux, uy = _unit(line, s)
    left = (-uy, ux)   # left of the drawing direction
    want = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0)}[side]
    sign = 1 if left[0] * want[0] + left[1] * want[1] > 0 else -1
    return (p.x + sign * left[0] * offset, p.y + sign * left[1] * offset)


def between(street, a, b, frac, side, offset=18.0):
    """A point on ``side`` of ``street``, ``frac`` of the way from its crossing with a to b."""
    line = STREET_LINES[street]
    sa, sb = line.project(Point(meet(street, a))), line.project(Point(meet(street, b)))
    return side_point(street, sa + (sb - sa) * frac, side, offset)


def by_number(street, number, offset=18.0):
    """Where house ``number`` of ``street`` is (side from its parity)."""
    ref_street, n0 = NUMBERING[street]
    line = STREET_LINES[street]
    s_ref = line.project(Point(meet(street, ref_street)))
    s = s_ref + (number - n0) / RATE * _forward(street)
    if street in EAST_WEST:
        side = "south" if number % 2 else "north"
    else:
        side = "west" if number % 2 else "east"
    return side_point(street, s, side, offset)


# --------------------------------------------------------------------------------------------
# Blocks and their lanes (弄). A block is the quadrilateral between two east-west streets (S, N)
# and two north-south streets (W, E). Lanes run from S to N; branch lanes (支弄) join them.
# --------------------------------------------------------------------------------------------
class Block:
    def __init__(self, key, w, e, s, n, style="lilong", east_ok=True, branches=True, grid=None, se=None):
        self.key, self.w, self.e, self.s, self.n = key, w, e, s, n
        self.style, self.east_ok, self.branches, self.grid = style, east_ok, branches, grid
        self.sw, self.se = meet(w, s), meet(*(se or (e, s)))
        self.ne, self.nw = meet(e, n), meet(w, n)

    def at(self, u, v):
        sx = self.sw[0] + (self.se[0] - self.sw[0]) * u
        sy = self.sw[1] + (self.se[1] - self.sw[1]) * u
        nx = self.nw[0] + (self.ne[0] - self.nw[0]) * u
        ny = self.nw[1] + (self.ne[1] - self.nw[1]) * u
        return (sx + (nx - sx) * v, sy + (ny - sy) * v)

    @property
    def width(self):
        return (math.dist(self.sw, self.se) + math.dist(self.nw, self.ne)) / 2

    @property
    def height(self):
        return (math.dist(self.sw, self.nw) + math.dist(self.se, self.ne)) / 2


BLOCKS = [
    # Grid 2 (south-west)
    Block("a1", "胶州路", "常德路", "北京西路", "新闸路", "estate", grid="grid-2"),
    Block("a2", "胶州路", "常德路", "新闸路", "武定路", grid="grid-2"),
    Block("a3", "胶州路", "常德路", "武定路", "康定路", grid="grid-2"),
    Block("b1", "常德路", "西康路", "北京西路", "新闸路", "estate", grid="grid-2"),
    Block("b2", "常德路", "西康路", "新闸路", "武定路", grid="grid-2"),
    Block("b3", "常德路", "西康路", "武定路", "康定路", grid="grid-2"),
    # Grid 1 (south-east)
    Block("c1", "西康路", "陕西北路", "北京西路", "新闸路", "estate", grid="grid-1"),
    Block("c2", "西康路", "陕西北路", "新闸路", "武定路", grid="grid-1"),
    Block("c3", "西康路", "陕西北路", "武定路", "康定路", grid="grid-1"),
    Block("d1", "陕西北路", "江宁路", "北京西路", "新闸路", "estate", grid="grid-1"),
    Block("d2", "陕西北路", "江宁路", "新闸路", "武定路", grid="grid-1"),
    Block("d3", "陕西北路", "江宁路", "武定路", "康定路", grid="grid-1"),
    Block("e1", "江宁路", "泰兴路", "北京西路", "新闸路", "estate", grid="grid-1"),
    Block("e2", "江宁路", "泰兴路", "新闸路", "武定路", grid="grid-1"),
    # Grid 3 (north-west)
    Block("a4", "胶州路", "常德路", "康定路", "昌平路", grid="grid-3"),
    Block("a5", "胶州路", "常德路", "昌平路", "余姚路", "estate", grid="grid-3"),
    Block("a6", "胶州路", "常德路", "余姚路", "安远路", grid="grid-3"),
    Block("b4", "常德路", "西康路", "康定路", "昌平路", grid="grid-3"),
    Block("b5", "常德路", "西康路", "昌平路", "余姚路", grid="grid-3"),
    Block("b6", "常德路", "西康路", "余姚路", "新丰路", "mixed", grid="grid-3"),
    Block("b7", "常德路", "西康路", "新丰路", "安远路", "estate", grid="grid-3"),
    # Grid 4 (north-east)
    Block("c4", "西康路", "陕西北路", "康定路", "昌平路", grid="grid-4"),
    Block("c5", "西康路", "陕西北路", "昌平路", "海防路", grid="grid-4"),
    Block("c6", "西康路", "陕西北路", "海防路", "安远路", "estate", grid="grid-4"),
    Block("d4", "陕西北路", "江宁路", "康定路", "昌平路", "mixed", grid="grid-4"),
    Block("d5", "陕西北路", "江宁路", "昌平路", "海防路", grid="grid-4"),
    Block("d6", "陕西北路", "江宁路", "海防路", "安远路", "estate", grid="grid-4"),
    Block("f1", "江宁路", "西苏州路", "武定路", "海防路", east_ok=False, grid="grid-4", se=("泰兴路", "武定路")),
    Block("f2", "江宁路", "西苏州路", "海防路", "安远路", east_ok=False, grid="grid-4"),
    # North of Anyuan Road (Putuo District): drawn more sparsely, for walks across the boundary.
    Block("p1", "胶州路", "常德路", "安远路", "长寿路", "estate", branches=False),
    Block("p2", "常德路", "西康路", "安远路", "新会路", "estate", branches=False),
    Block("p3", "西康路", "陕西北路", "安远路", "新会路", "estate", branches=False),
    Block("p4", "陕西北路", "江宁路", "安远路", "新会路", "estate", branches=False),
    Block("p5", "常德路", "西康路", "新会路", "长寿路", "estate", branches=False),
    Block("p6", "西康路", "陕西北路", "新会路", "长寿路", "estate", branches=False),
    Block("p8", "江宁路", "昌化路", "安远路", "长寿路", "estate", branches=False),
    Block("p9", "昌化路", "西苏州路", "安远路", "长寿路", "estate", east_ok=False, branches=False),
    Block("p10", "常德路", "西康路", "长寿路", "澳门路", "estate", branches=False),
    Block("p11", "西康路", "陕西北路", "长寿路", "澳门路", "estate", branches=False),
    Block("p12", "江宁路", "昌化路", "长寿路", "澳门路", "estate", branches=False),
    Block("p13", "昌化路", "西苏州路", "长寿路", "澳门路", "estate", east_ok=False, branches=False),
    Block("p14", "常德路", "西康路", "澳门路", "宜昌路", "estate", branches=False),
    Block("p15", "西康路", "江宁路", "澳门路", "宜昌路", "estate", branches=False),
]
BLOCK = {b.key: b for b in BLOCKS}


def jitter(*keys, span=0.06):
    """A deterministic number in [-span, span] from the given keys."""
    h = 0
    for k in keys:
        for ch in str(k):
            h = (h * 131 + ord(ch)) % 1000003
    return ((h % 1001) / 1000.0 * 2 - 1) * span


WAYS = []   # (name, name_en, highway, LineString)


def lane_name(block, u, used):
    s_pt = block.at(u, 0.0)
    number = house_number(block.s, s_pt, "north")
    while (block.s, number) in used:
        number += 2
    used.add((block.s, number))
    return f"{block.s}{number}弄", f"Lane {number}, {EN[block.s]}", number


def make_lanes():
    used = set()
    for block in BLOCKS:
        width, height = block.width, block.height
        n_lanes = max(1, round(width / (80 if block.branches else 140)))
        through_hw = {"lilong": "footway", "estate": "service", "mixed": "living_street"}[block.style]
        us = []
        for k in range(n_lanes):
            u = (k + 0.5) / n_lanes + jitter(block.key, k, span=0.18 / n_lanes)
            if not block.east_ok:
                u *= 0.85
            us.append(u)
        n_rows = max(1, round(height / 62)) if block.branches else 0
        tops = []
        for k, u in enumerate(us):
            name, name_en, number = lane_name(block, u, used)
            # about one lane in four of the old lanes is a dead end (死弄堂)
            dead_end = block.style == "lilong" and n_lanes > 1 and number % 8 == 2
            top = 0.72 if dead_end else 1.0
            tops.append(top)
            WAYS.append((name, name_en, through_hw, LineString([block.at(u, 0.0), block.at(u, top)])))
            for j in range(n_rows):
                v = (j + 1) / (n_rows + 1) + jitter(block.key, k, j, span=0.25 / (n_rows + 1))
                if v >= top - 0.04 or (k > 0 and v >= tops[k - 1] - 0.04):
                    continue
                left = block.at(us[k - 1], v) if k > 0 else block.at(0.0, v)
                WAYS.append((f"{name}支弄", f"Branch of {name_en}", "footway", LineString([left, block.at(u, v)])))
                if k == len(us) - 1 and block.east_ok and (j % 2 == 0 or n_lanes == 1):
                    WAYS.append((f"{name}支弄", f"Branch of {name_en}", "footway",
                                 LineString([block.at(u, v), block.at(1.0, v)])))
    # Lanes known by their number in public sources.
    special = [
        # street, between, and, fraction, into side, length, name, name:en
        ("江宁路", "康定路", "昌平路", 0.30, "west", 85, "江宁路673弄", "Lane 673, Jiangning Road"),
        ("常德路", "武定路", "康定路", 0.52, "west", 110, "常德路633弄", "Lane 633, Changde Road"),
        ("武定路", "常德路", "胶州路", 0.30, "north", 70, "武定路930弄", "Lane 930, Wuding Road"),
    ]
    for street, a, b, frac, side, length, name, name_en in special:
        start = between(street, a, b, frac, side, offset=0.0)
        end = between(street, a, b, frac, side, offset=length)
        WAYS.append((name, name_en, "footway", LineString([start, end])))


# --------------------------------------------------------------------------------------------
# Noding: every crossing or touching of two ways becomes a shared node.
# --------------------------------------------------------------------------------------------
MERGE_M = 3.0


class Nodes:
    def __init__(self, tol=0.05):
        self.tol, self.cells, self.coords = tol, {}, []

    def get(self, x, y):
        cx, cy = round(x / self.tol), round(y / self.tol)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for nid in self.cells.get((cx + dx, cy + dy), ()):
                    px, py = self.coords[nid - 1]
                    if math.hypot(px - x, py - y) <= self.tol:
                        return nid
        self.coords.append((x, y))
        nid = len(self.coords)
        self.cells.setdefault((cx, cy), []).append(nid)
        return nid


def build_network():
    from shapely import STRtree

    ways = [(name, EN.get(name, name), hw, STREET_LINES[name]) for name, _, hw, _, _ in STREETS] + WAYS
    geoms = [w[3] for w in ways]
    tree = STRtree(geoms)
    splits = [[] for _ in ways]
    for i, a in enumerate(geoms):
        for j in sorted(int(k) for k in tree.query(a.buffer(0.5))):
            if j == i:
                continue
            b = geoms[j]
            if j > i:
                inter = a.intersection(b)
                for p in getattr(inter, "geoms", [inter]) if not inter.is_empty else []:
                    if p.geom_type != "Point":
                        raise SystemExit(f"ways {ways[i][0]} and {ways[j][0]} overlap along a line")
                    splits[i].append((p.x, p.y))
                    splits[j].append((p.x, p.y))
            # end points lying on another way (T-junctions) join it at exactly that point
            for end in (a.coords[0], a.coords[-1]):
                if b.distance(Point(end)) < 0.01:
                    splits[j].append(end)
    nodes = Nodes()
    raw = []
    for (name, name_en, hw, line), extra in zip(ways, splits):
        points = [(line.project(Point(p)), p) for p in list(line.coords) + extra]
        points.sort(key=lambda item: item[0])
        raw.append((name, name_en, hw, [nodes.get(x, y) for _, (x, y) in points]))
    # Junctions closer than MERGE_M (two lanes meeting a street from both sides a little apart, a
    # lane ending next to a crossing) become one node; the earlier node (streets come first) stays.
    keep = {}
    cells = {}
    for nid, (x, y) in enumerate(nodes.coords, start=1):
        cx, cy = int(x // MERGE_M), int(y // MERGE_M)
        target = nid
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for other in cells.get((cx + dx, cy + dy), ()):
                    ox, oy = nodes.coords[other - 1]
                    if math.hypot(ox - x, oy - y) < MERGE_M and keep[other] < target:
                        target = keep[other]
        keep[nid] = target
        cells.setdefault((cx, cy), []).append(nid)
    merged = Nodes()
    renumber = {}
    out = []
    for name, name_en, hw, refs in raw:
        new_refs = []
        for r in refs:
            r = keep[r]
            if r not in renumber:
                renumber[r] = merged.get(*nodes.coords[r - 1])
            if not new_refs or new_refs[-1] != renumber[r]:
                new_refs.append(renumber[r])
        if len(new_refs) >= 2:
            out.append((name, name_en, hw, new_refs))
    return merged, out


#: Illustrative barriers for the barrier-free walking profile: every STEPS_EVERY-th branch lane is a
#: short flight of steps, and every KERB_EVERY-th lane entrance on a main street has a raised kerb.
STEPS_EVERY, KERB_EVERY = 25, 12
MAIN_STREETS = ("primary", "secondary", "tertiary")


def illustrative_barriers(ways):
    """``(steps way ids, raised-kerb node ids)``: made up, so the barrier-free map shows a difference."""
    branches = [wid for wid, (name, _, hw, _) in enumerate(ways, start=1)
                if hw == "footway" and name.endswith("支弄")]
    steps = set(branches[4::STEPS_EVERY])
    on_main = {n for _, _, hw, refs in ways if hw in MAIN_STREETS for n in refs}
    entrances = sorted({end for wid, (_, _, hw, refs) in enumerate(ways, start=1) if hw == "footway"
                        and wid not in steps for end in (refs[0], refs[-1]) if end in on_main})
    return steps, set(entrances[2::KERB_EVERY])


def write_osm(nodes, ways, path):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<osm version="0.6" generator="lifecircle make_network.py">']
    steps, kerbs = illustrative_barriers(ways)
    used = sorted({n for *_, refs in ways for n in refs})
    for nid in used:
        lon, lat = lonlat(*nodes.coords[nid - 1])
        if nid in kerbs:
            lines.append(f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">'
                         '<tag k="barrier" v="kerb"/><tag k="kerb" v="raised"/></node>')
            continue
        lines.append(f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for wid, (name, name_en, hw, refs) in enumerate(ways, start=1):
        lines.append(f'  <way id="{wid}" version="1">')
        lines.extend(f'    <nd ref="{r}"/>' for r in refs)
        lines.append(f'    <tag k="highway" v={quoteattr("steps" if wid in steps else hw)}/>')
        lines.append(f'    <tag k="name" v={quoteattr(name)}/>')
        lines.append(f'    <tag k="name:en" v={quoteattr(name_en)}/>')
        lines.append('  </way>')
    lines.append('</osm>')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(used), len(ways)


# --------------------------------------------------------------------------------------------
# Grids and boundary. Dividing lines: Xikang Road (west/east) and Kangding Road, continued east
# along Jiangning Road and Wuding Road (south/north).
# --------------------------------------------------------------------------------------------
def creek_between(p, q):
    """The creek edge from the point nearest p to the point nearest q."""
    s0, s1 = CREEK_EDGE.project(Point(p)), CREEK_EDGE.project(Point(q))
    part = substring(CREEK_EDGE, min(s0, s1), max(s0, s1))
    coords = list(part.coords)
    return coords if s0 <= s1 else coords[::-1]


def make_grids():
    A, E = meet("胶州路", "北京西路"), meet("胶州路", "安远路")
    xb, xk, xa = meet("西康路", "北京西路"), meet("西康路", "康定路"), meet("西康路", "安远路")
    jk = meet("胶州路", "康定路")
    tb, tw = meet("泰兴路", "北京西路"), meet("泰兴路", "武定路")
    jw, jkd = meet("江宁路", "武定路"), meet("江宁路", "康定路")
    c_end = _taixing_end
    d_end = cross(G["安远路"], G["西苏州路"])
    creek = creek_between(c_end, d_end)
    g1 = Polygon([xb, tb, tw, jw, jkd, xk])
    g2 = Polygon([A, xb, xk, jk])
    g3 = Polygon([jk, xk, xa, E])
    g4 = Polygon([xk, jkd, jw, tw, c_end, *creek, d_end, xa])
    grids = [
        ("grid-1", "第一网格（北京西路–新闸路片区）", "Grid 1 (Beijing West Road – Xinzha Road area)", g1),
        ("grid-2", "第二网格（常德路–武定路片区）", "Grid 2 (Changde Road – Wuding Road area)", g2),
        ("grid-3", "第三网格（昌平路–余姚路片区）", "Grid 3 (Changping Road – Yuyao Road area)", g3),
        ("grid-4", "第四网格（海防路–蒋家巷片区）", "Grid 4 (Haifang Road – Jiangjia Lane area)", g4),
    ]
    boundary = unary_union([g for *_, g in grids])
    return grids, boundary


def polygon_geojson(poly):
    ring = [lonlat(x, y) for x, y in poly.exterior.coords]
    if Polygon(ring).exterior.is_ccw is False:
        ring = ring[::-1]
    return {"type": "Polygon", "coordinates": [ring]}


# --------------------------------------------------------------------------------------------
# Places. Positions come from the street geometry above, so they stay consistent with it.
# --------------------------------------------------------------------------------------------
NOTE_ZH = "（示意数据：位置、地址、电话、容量与开放时间均为根据公开信息推测的近似值，非实地调查。）"
NOTE_EN = " (Illustrative: position, address, phone, capacity and hours are approximations, not survey data.)"


def address(street, point, side=None):
    if side is None:
        line = STREET_LINES[street]
        s = line.project(Point(point))
        p = line.interpolate(s)
        if street in EAST_WEST:
            side = "north" if point[1] > p.y else "south"
        else:
            side = "east" if point[0] > p.x else "west"
    n = house_number(street, point, side)
    return f"静安区{street}{n}号", f"No. {n} {EN[street]}, Jing'an District"


def street_place(street, a, b, frac, side, offset=18.0):
    p = between(street, a, b, frac, side, offset)
    zh, en = address(street, p, side)
    return p, zh, en


# Compounds: (code, name, name_en, block, u, v, households, population, aged 60+, aged 0-3, address)
COMPOUNDS = [
    # grid 2
    ("hengde-li", "恒德里", "Hengde Li", "a3", 0.80, 0.62, 451, 1081, 457, 16, "常德路633弄"),
    ("xiude-fang", "修德坊", "Xiude Fang", "a3", 0.30, 0.40, 329, 771, 331, 11, "武定路930弄"),
    ("zhongle-li", "众乐里", "Zhongle Li", "a2", 0.45, 0.50, 771, 1814, 753, 29, None),
    ("jiaozhou-xinzha-apartments", "胶州路新闸路公寓", "Jiaozhou–Xinzha Road Apartments",
     "a1", 0.40, 0.55, 1241, 3149, 982, 70, None),
    ("changde-beijing-apartments", "常德路北京西路公寓", "Changde–Beijing West Road Apartments",
     "b1", 0.55, 0.50, 1410, 3572, 1072, 82, None),
    ("wuding-fang", "武定坊", "Wuding Fang", "b2", 0.50, 0.55, 846, 2021, 827, 32, None),
    ("jurong-li", "句容里", "Jurong Li", "b3", 0.40, 0.45, 733, 1739, 714, 28, None),
    # grid 1
    ("beijing-xilu-estate", "北京西路小区", "Beijing West Road Estate", "c1", 0.50, 0.50, 1297, 3243, 1072, 68, None),
    ("lianbao-li", "联宝里", "Lianbao Li", "c2", 0.45, 0.50, 808, 1927, 771, 33, None),
    ("kangding-estate", "康定路小区", "Kangding Road Estate", "c3", 0.50, 0.55, 1081, 2613, 968, 53, None),
    ("jiangning-apartments", "江宁路公寓", "Jiangning Road Apartments", "d1", 0.45, 0.50, 1166, 2867, 893, 66, None),
    ("yongle-li", "永乐里", "Yongle Li", "d2", 0.50, 0.50, 714, 1711, 700, 27, None),
    ("sanle-li", "三乐里", "Sanle Li", "d3", 0.45, 0.55, 649, 1532, 634, 24, None),
    ("tongan-li", "通安里", "Tong'an Li", "e1", 0.50, 0.60, 884, 2134, 799, 40, None),
    ("jingyuan", "景苑", "Jingyuan Residences", "e2", 0.55, 0.50, 1203, 2961, 1034, 62, None),
    # grid 3
    ("youyi-cun", "又一村", "Youyi Cun", "a4", 0.50, 0.50, 771, 1861, 743, 30, None),
    ("jiaozhou-teachers-apartments", "胶州路728号公寓", "No. 728 Jiaozhou Road Apartments",
     "a6", 0.18, 0.16, 150, 395, 141, 8, "胶州路728号"),
    ("tianhe-estate", "天河小区", "Tianhe Estate", "a6", 0.60, 0.60, 1034, 2538, 902, 54, None),
    ("yuyao-estate", "余姚路小区", "Yuyao Road Estate", "a5", 0.50, 0.50, 1109, 2726, 959, 56, None),
    ("xinan-li", "新安里", "Xin'an Li", "b5", 0.60, 0.45, 677, 1617, 649, 25, None),
    ("changping-apartments", "昌平路公寓", "Changping Road Apartments", "b4", 0.45, 0.55, 996, 2406, 827, 51, None),
    ("xinfeng-estate", "新丰路小区", "Xinfeng Road Estate", "b7", 0.50, 0.50, 959, 2331, 818, 48, None),
    # grid 4
    ("wenyu-li", "文余里", "Wenyu Li", "d4", 0.70, 0.55, 395, 921, 385, 14, "江宁路673弄"),
    ("sanxing-fang", "三星坊", "Sanxing Fang", "d5", 0.50, 0.50, 827, 1974, 827, 30, None),
    ("shaanxi-beilu-xincun", "陕西北路新村", "Shaanxi North Road New Village",
     "c5", 0.50, 0.50, 921, 2209, 884, 37, None),
    ("anyuan-estate", "安远路小区", "Anyuan Road Estate", "c6", 0.50, 0.50, 1053, 2576, 921, 52, None),
    ("jiangning-haifang-apartments", "江宁路海防路公寓", "Jiangning–Haifang Road Apartments",
     "d6", 0.50, 0.50, 949, 2303, 940, 39, None),
    ("jiangjia-xiang", "蒋家巷", "Jiangjia Lane", "f1", 0.55, 0.82, 1081, 2585, 1137, 39, None),
    ("haifang-cun", "海防村", "Haifang Village", "f2", 0.55, 0.50, 978, 2331, 1015, 35, None),
    ("west-suzhou-road-estate", "西苏州路小区", "West Suzhou Road Estate", "f1", 0.65, 0.45, 714, 1711, 752, 25, None),
    ("north-kangding-estate", "康定路北小区", "North Kangding Road Estate", "c4", 0.50, 0.50, 884, 2106, 808, 36, None),
    ("haifang-li", "海防里", "Haifang Li", "f1", 0.22, 0.55, 583, 1391, 602, 21, None),
]

ROOMS = [
    # code, name, name_en, kind, capacity, floor, bookable, approval, description, description_en
    ("exhibition-hall", "展示厅", "Exhibition hall", "exhibition_hall", 60, "1F", False, False,
     "社区历史与红色资源展示，兼作临时展览。", "Community history and red-heritage displays; also used for temporary exhibitions."),
    ("studio", "创作工作室", "Studio", "studio", 20, "2F", False, False,
     "书画、手工与非遗体验工作室，按课程表开放。", "Calligraphy, crafts and intangible-heritage workshop, open to the class timetable."),
    ("lecture-hall", "报告厅", "Lecture hall", "lecture_hall", 120, "3F", True, True,
     "党课、讲座与居民议事会场地，预约需经工作人员审核。",
     "Venue for lectures, Party classes and residents' councils; bookings are checked by staff."),
    ("reading-area", "阅读区", "Reading area", "reading_area", 40, "2F", False, False,
     "社区图书馆分馆阅读区，提供报刊与少儿读物。", "Reading area of the community library branch, with newspapers and children's books."),
    ("representatives-window", "人大代表联络窗口", "People's Congress representatives' window",
     "representatives_window", 8, "1F", False, False,
     "区人大代表定期接待居民，收集意见建议。", "District People's Congress representatives meet residents here on set days."),
    ("meeting-room", "会议室", "Meeting room", "meeting_room", 20, "3F", True, False,
     "居民自治组织、楼组和社团可预约使用。", "Bookable by residents' groups, building committees and clubs."),
    ("performance-stage", "演艺舞台", "Performance stage", "performance_stage", 150, "1F", True, True,
     "社区文艺团队排练与演出，预约需审核。", "Rehearsals and shows by community arts groups; bookings need staff approval."),
    ("baby-care", "母婴室", "Baby care room", "baby_care", 4, "1F", False, False,
     "哺乳与婴儿护理空间。", "Nursing and baby-changing room."),
    ("children-centre", "儿童服务中心", "Children's service centre", "children_centre", 30, "2F", False, False,
     "课后看护、亲子活动与儿童友好议事。", "After-school care, parent–child activities and a children's council."),
    ("classroom", "多功能教室", "Classroom", "classroom", 30, "3F", True, False,
     "老年大学教学点与兴趣课堂，可预约。", "Senior-university teaching point and hobby classes; bookable."),
    ("volunteer-centre", "志愿服务站", "Volunteer service centre", "volunteer_centre", 15, "1F", False, False,
     "志愿者招募、登记与服务对接。", "Volunteer sign-up, registration and matching."),
    ("science-centre", "科普馆", "Science centre", "science_centre", 40, "2F", False, False,
     "面向青少年和老人的科普展示与体验。", "Popular-science displays and hands-on exhibits for children and seniors."),
    ("service-station", "综合服务站", "Service station", "service_station", 10, "1F", False, False,
     "政策咨询、代办与便民服务。", "Policy advice, help with paperwork and everyday services."),
]


def facility(code, name, name_en, category, where, operator, phone, capacity, unit, hours, desc, desc_en,
             services=(), rooms=(), exceptions=(), addr=None):
    point, zh, en = where
    if addr:
        zh, en = addr
    return {
        "code": code, "name": name, "name_en": name_en, "category": category, "services": list(services),
        "address": zh, "address_en": en, "operator": operator, "phone": phone, "email": "", "website": "",
        "capacity": capacity, "capacity_unit": unit, "opening_hours": hours,
        "hours_exceptions": list(exceptions),
        "description": desc + NOTE_ZH, "description_en": desc_en + NOTE_EN, "illustrative": True,
        "rooms": [
            {"code": c, "name": n, "name_en": ne, "kind": k, "capacity": cap, "floor": fl, "bookable": bk,
             "requires_approval": ap, "description": d, "description_en": de}
            for c, n, ne, k, cap, fl, bk, ap, d, de in rooms
        ],
        "_xy": point,
    }


def make_facilities():
    S = street_place
    F = []
    F.append(facility(
        "jinglin-community-center", "静邻之家·江宁路街道社区党群服务中心",
        "Home for Jingan Neighborhood – Jiangning Road Community Party-masses Service Center",
        "community_center", S("陕西北路", "新闸路", "武定路", 0.5, "east", 22), "江宁路街道党工委",
        "021-6253 0001", 400, "people", "Mo-Su 08:30-20:00",
        "街道一站式党群服务阵地，设展示厅、报告厅、阅读区、人大代表联络窗口、演艺舞台、母婴室、儿童服务中心、"
        "志愿服务站、科普馆等功能空间，会议室、教室、报告厅和舞台可网上预约。",
        "The sub-district's one-stop Party-masses service centre, with an exhibition hall, lecture hall, reading "
        "area, representatives' window, performance stage, baby care room, children's centre, volunteer station "
        "and science centre; the meeting room, classroom, lecture hall and stage can be booked online.",
        services=["children_centre", "library", "volunteer_center"], rooms=ROOMS,
        exceptions=[
            {"date": "2026-01-01", "opening_hours": "09:00-12:00", "reason": "元旦 New Year's Day (morning only)"},
            {"date": "2026-02-17", "opening_hours": "", "reason": "春节 Spring Festival (closed)"},
        ]))
    F.append(facility(
        "senior-service-center", "江宁路街道综合为老服务中心", "Jiangning Road Integrated Senior Service Centre",
        "senior_service_center", S("江宁路", "新闸路", "武定路", 0.45, "west", 20), "江宁路街道（委托社会组织运营）",
        "021-6253 0102", 60, "places", "Mo-Su 08:00-18:00",
        "街道综合为老服务枢纽：日间照料（30个托位）、助餐（堂吃与送餐）、康复护理、家庭照护指导、"
        "养老顾问与长护险咨询。",
        "The sub-district's hub for older people: day care (30 places), meals (dine-in and delivery), "
        "rehabilitation, carer coaching, an ageing-care adviser and long-term-care insurance advice.",
        services=["senior_day_care", "senior_meals"]))
    F.append(facility(
        "happiness-mini-canteen", "幸福小食堂（常德路）", "Happiness Mini Canteen (Changde Road)",
        "senior_meals", S("常德路", "新闸路", "武定路", 0.55, "east", 18), "江宁路街道·社区为老服务社",
        "021-6253 0215", 120, "meals_per_day", "Mo-Sa 07:30-18:30",
        "嵌入式“小而美”为老服务点：微型日托（12个托位）、助餐、健康检测和社交活动，"
        "午餐11:00–12:30供应，可为行动不便老人送餐。",
        "A small neighbourhood senior point: micro day care (12 places), meals, health checks and social "
        "activities; lunch is served 11:00–12:30 and delivered to residents who cannot come.",
        services=["senior_day_care"]))
    F.append(facility(
        "care-home-changping", "江宁路街道长者照护之家", "Jiangning Road Elderly Care Home",
        "senior_care_home", S("昌平路", "胶州路", "常德路", 0.45, "north", 20), "社会化专业养老机构（示意）",
        "021-6272 0311", 36, "places", "24/7",
        "嵌入式短期和中期住养（36张床位），设认知障碍照护专区，兼设日间照料（10个托位），"
        "提供喘息服务和康复护理。",
        "Short- and medium-term residential care (36 beds) with a dementia-care unit, plus day care "
        "(10 places), respite stays and rehabilitation.",
        services=["senior_day_care"]))
    F.append(facility(
        "brain-health-workstation", "江宁路街道脑健康工作站", "Jiangning Road Brain Health Workstation",
        "health_station", S("常德路", "昌平路", "余姚路", 0.5, "west", 18), "江宁路街道社区卫生服务中心",
        "021-6272 0320", 15, "people", "Mo-Fr 08:30-16:30",
        "面向60岁以上居民的认知障碍早筛（记忆量表、AD8问卷）、随访与转诊，开展认知训练小组和照护者支持。",
        "Early screening for cognitive impairment for residents aged 60+ (memory scales, AD8 questionnaire), "
        "follow-up and referral, cognitive-training groups and support for family carers."))
    for i, (code, name, name_en, where, cap) in enumerate([
        ("senior-canteen-yuyao", "余姚路长者食堂", "Yuyao Road Senior Canteen",
         S("余姚路", "胶州路", "常德路", 0.55, "south", 18), 300),
        ("senior-canteen-haifang", "海防路长者食堂", "Haifang Road Senior Canteen",
         S("海防路", "陕西北路", "江宁路", 0.5, "north", 18), 350),
    ]):
        F.append(facility(
            code, name, name_en, "senior_meals", where, "社区餐饮企业（示意）", f"021-6255 04{21 + i}",
            cap, "meals_per_day", "Mo-Su 10:30-13:00,16:30-18:30",
            "长者食堂，堂吃与送餐，60岁以上老人享受助餐补贴。",
            "Senior canteen with dine-in and delivery; residents aged 60+ get a meal subsidy."))
    for i, (code, name, name_en, where) in enumerate([
        ("breakfast-jiaozhou", "胶州路早餐点", "Jiaozhou Road Breakfast Point",
         S("胶州路", "新闸路", "武定路", 0.45, "east", 16)),
        ("breakfast-jiangning", "江宁路早餐点", "Jiangning Road Breakfast Point",
         S("江宁路", "昌平路", "海防路", 0.5, "east", 16)),
    ]):
        F.append(facility(
            code, name, name_en, "breakfast", where, "品牌早餐连锁（示意）", f"021-6255 05{31 + i}",
            150, "meals_per_day", "Mo-Su 06:00-10:00",
            "便民早餐点，供应大饼油条、粢饭与豆浆，老年人凭卡享受助餐优惠。",
            "Neighbourhood breakfast point (flatbread, fried dough sticks, rice rolls, soy milk); seniors get "
            "the meal-assistance discount with their card.",
            services=["senior_meals"]))
    activity = [
        ("senior-activity-beijing", "北京居民区老年活动室", "Beijing Neighbourhood Senior Activity Room",
         S("泰兴路", "北京西路", "新闸路", 0.5, "west", 18)),
        ("senior-activity-lianbao", "联宝里老年活动室", "Lianbao Li Senior Activity Room",
         S("西康路", "武定路", "康定路", 0.4, "east", 18)),
        ("senior-activity-zhongle", "众乐里老年活动室", "Zhongle Li Senior Activity Room",
         S("武定路", "胶州路", "常德路", 0.75, "south", 18)),
        ("senior-activity-jiaozhou", "胶州路老年活动室", "Jiaozhou Road Senior Activity Room",
         S("胶州路", "北京西路", "新闸路", 0.5, "east", 18)),
        ("senior-activity-hengde", "恒德里老年活动室", "Hengde Li Senior Activity Room",
         S("常德路", "武定路", "康定路", 0.3, "east", 18)),
        ("senior-activity-youyi", "又一村老年活动室", "Youyi Cun Senior Activity Room",
         S("胶州路", "昌平路", "余姚路", 0.5, "east", 18)),
        ("senior-activity-xinan", "新安居民区老年活动室", "Xin'an Neighbourhood Senior Activity Room",
         S("余姚路", "常德路", "西康路", 0.35, "north", 16)),
        ("senior-activity-sanxing", "三星坊老年活动室", "Sanxing Fang Senior Activity Room",
         S("昌平路", "西康路", "陕西北路", 0.4, "north", 18)),
    ]
    for i, (code, name, name_en, where) in enumerate(activity):
        F.append(facility(
            code, name, name_en, "senior_activity", where, "居民区党总支", f"021-6253 06{11 + i}",
            40 + 5 * (i % 3), "people", "Mo-Fr 08:30-11:30,13:30-16:30; Sa 09:00-11:30",
            "居民区老年活动室：棋牌、阅报、健身操和兴趣小组。",
            "Neighbourhood activity room for seniors: chess and cards, newspapers, exercise and hobby groups."))
    infant = [
        ("baby-care-grandparents", "江宁路街道宝宝屋（隔代照料）", "Jiangning Road Baby House (Grandparent Care)",
         S("新闸路", "西康路", "陕西北路", 0.5, "north", 18),
         "面向1–3岁婴幼儿及祖辈照料者：隔代照料指导、科学育儿讲座和亲子游戏。",
         "For children aged 1–3 and the grandparents who look after them: coaching for grandparent carers, "
         "parenting talks and play sessions.", 20),
        ("baby-care-language", "婴幼儿语言发展指导站", "Infant Language Development Station",
         S("武定路", "常德路", "西康路", 0.5, "north", 18),
         "面向1–3岁婴幼儿：语言发展评估、绘本共读和家长指导。",
         "For children aged 1–3: language-development checks, shared picture-book reading and parent coaching.",
         15),
        ("baby-care-family-support", "家庭照护支持中心", "Family Care Support Centre",
         S("康定路", "常德路", "西康路", 0.5, "north", 18),
         "面向1–3岁婴幼儿家庭：家庭照护支持、入户指导和育儿咨询。",
         "For families with children aged 1–3: family care support, home visits and parenting advice.", 25),
        ("baby-care-jiangjia-lane", "蒋家巷亲子早教点", "Jiangjia Lane Parent–Child Early Learning Point",
         S("海防路", "江宁路", "西苏州路", 0.45, "south", 22),
         "位于蒋家巷居民区，面向1–3岁婴幼儿：亲子早教、感统游戏和家长课堂。",
         "In the Jiangjia Lane neighbourhood, for children aged 1–3: parent–child early learning, sensory play "
         "and parent classes.", 20),
        ("baby-care-hourly", "社区托育点（临时托/计时托）", "Community Childcare Point (Hourly and Temporary Care)",
         S("北京西路", "江宁路", "泰兴路", 0.45, "north", 20),
         "面向1–3岁婴幼儿：临时托和计时托，按小时预约，满足家长临时照护需求。",
         "For children aged 1–3: temporary and hourly care booked by the hour for parents who need it at short "
         "notice.", 30),
    ]
    for i, (code, name, name_en, where, desc, desc_en, cap) in enumerate(infant):
        F.append(facility(
            code, name, name_en, "infant_care", where, "江宁路街道·普惠托育机构（示意）", f"021-6253 07{21 + i}",
            cap, "places", "Mo-Fr 08:00-17:30", desc, desc_en))
    F.append(facility(
        "health-center", "江宁路街道社区卫生服务中心", "Jiangning Road Community Health Service Centre",
        "health_center", S("西康路", "昌平路", "余姚路", 0.45, "west", 20), "静安区卫生健康委员会",
        "021-6272 0800", 200, "people", "Mo-Fr 08:00-16:30; Sa,Su 08:00-11:30",
        "全科门诊、家庭医生签约、慢病管理、预防接种、康复和中医服务。",
        "General practice, family-doctor contracts, chronic-disease care, vaccination, rehabilitation and "
        "traditional Chinese medicine."))
    for i, (code, name, name_en, where) in enumerate([
        ("health-station-xinzha", "新闸路社区卫生服务站", "Xinzha Road Community Health Station",
         S("新闸路", "江宁路", "泰兴路", 0.5, "south", 18)),
        ("health-station-jiangning", "江宁路北社区卫生服务站", "North Jiangning Road Community Health Station",
         S("江宁路", "海防路", "安远路", 0.45, "east", 18)),
    ]):
        F.append(facility(
            code, name, name_en, "health_station", where, "江宁路街道社区卫生服务中心", f"021-6272 08{11 + i}",
            30, "people", "Mo-Fr 08:00-16:00; Sa 08:00-11:30",
            "社区卫生服务站：家庭医生门诊、配药、血压血糖测量和健康咨询。",
            "Community health station: family-doctor clinic, prescriptions, blood pressure and sugar checks, "
            "health advice."))
    F.append(facility(
        "volunteer-center", "江宁路街道志愿者服务中心", "Jiangning Road Volunteer Service Centre",
        "volunteer_center", S("新闸路", "常德路", "西康路", 0.45, "north", 18), "江宁路街道团工委、社区志愿者协会",
        "021-6253 0900", 50, "people", "Mo-Fr 09:00-17:00; Sa 09:00-12:00",
        "志愿者招募培训、服务项目对接和“时间银行”积分。",
        "Volunteer recruitment and training, matching with service projects and a time-bank scheme."))
    F.append(facility(
        "market-kangding", "康定菜场", "Kangding Fresh Market",
        "market", (by_number("西康路", 520), *address("西康路", by_number("西康路", 520), "east")),
        "菜场经营管理公司（示意）", "021-6255 1001", 60, "people", "Mo-Su 06:00-19:00",
        "标准化菜市场，蔬菜、肉禽、水产与熟食摊位，设便民修补服务点。",
        "Standardised fresh market with vegetable, meat, fish and deli stalls, and a small repairs counter.",
        addr=("静安区西康路520号", "No. 520 Xikang Road, Jing'an District")))
    F.append(facility(
        "market-yuekang", "跃康菜场", "Yuekang Fresh Market",
        "market", (by_number("西康路", 770), *address("西康路", by_number("西康路", 770), "east")),
        "菜场经营管理公司（示意）", "021-6255 1002", 50, "people", "Mo-Su 06:00-19:00",
        "社区菜市场，蔬菜、肉禽、水产和粮油。", "Neighbourhood fresh market: vegetables, meat, fish, rice and oil.",
        addr=("静安区西康路770号", "No. 770 Xikang Road, Jing'an District")))
    F.append(facility(
        "lening-book-station", "乐宁24小时城市书房", "Lening 24-hour City Book Station",
        "library", S("昌平路", "常德路", "西康路", 0.55, "south", 16), "静安区图书馆（合作运营）",
        "021-6255 1200", 40, "seats", "24/7",
        "24小时自助开放的城市书房，与区图书馆通借通还，夜间刷卡入内。",
        "A self-service city book station open around the clock; loans and returns work with the district "
        "library, and entry at night is by library card."))
    return F


POIS = []


def poi(code, name, name_en, kind, point, addr, addr_en, desc, desc_en, hours="", designation="", website=""):
    POIS.append({
        "code": code, "name": name, "name_en": name_en, "kind": kind, "address": addr, "address_en": addr_en,
        "description": desc, "description_en": desc_en, "opening_hours": hours,
        "heritage_designation": designation, "website": website, "illustrative": True, "_xy": point,
    })


def make_pois():
    jn673 = between("江宁路", "康定路", "昌平路", 0.30, "west", 70)
    poi("cpc-secretariat-site", "中共中央秘书处机关旧址（纪念馆）",
        "Former Office of the CPC Central Secretariat (Memorial)", "heritage", jn673,
        "静安区江宁路673弄10号", "No. 10, Lane 673 Jiangning Road, Jing'an District",
        "1927–1931年中共中央秘书处租用的石库门（原戈登路文余里），周恩来、邓小平等曾在此阅办文件；"
        "2023年作为纪念馆开放，紧邻静安MOHO。位置为示意。",
        "The shikumen house (then Wenyu Li, Gordon Road) rented by the CPC Central Secretariat in 1927–1931, "
        "where Zhou Enlai and Deng Xiaoping read and handled documents; opened as a memorial in 2023, next to "
        "Jing'an MOHO. Position is approximate.",
        hours="Tu-Su 09:00-16:30")
    poi("special-action-section-site", "中共中央特科机关旧址", "Former Office of the CPC Special Action Section",
        "heritage", between("武定路", "常德路", "胶州路", 0.30, "north", 62),
        "静安区武定路930弄14号（原修德坊6号）", "No. 14, Lane 930 Wuding Road (formerly No. 6 Xiude Fang), Jing'an District",
        "1928年11月至1931年4月中共中央特科的秘密工作地点，位于弄堂尽头的红砖新式里弄住宅，目前仍为民居，"
        "外部可参观。位置为示意。",
        "Secret working place of the CPC Special Action Section (Zhongyang Teke) from November 1928 to April 1931: "
        "a red-brick lane house at the end of a dead-end lane, still lived in; it can be seen from outside. "
        "Position is approximate.")
    poi("nie-er-residence", "聂耳旧居（恒德里）", "Nie Er's Former Residence (Hengde Li)", "heritage",
        between("常德路", "武定路", "康定路", 0.52, "west", 100),
        "静安区常德路633弄65号", "No. 65, Lane 633 Changde Road, Jing'an District",
        "人民音乐家聂耳1932年前后居住于恒德里65号（明月歌剧社所租），墙上有纪念浮雕与介绍。"
        "公开资料记载聂耳在上海还有其他住处（如虹口公平路），此处为静安境内一处。位置为示意。",
        "The composer Nie Er lived at No. 65 Hengde Li around 1932 (rented by the Bright Moon Song and Dance "
        "Troupe); a relief and a plaque mark the house. Public sources record other Shanghai homes of his "
        "(e.g. Gongping Road, Hongkou); this is the one in Jing'an. Position is approximate.")
    poi("ohel-rachel-synagogue", "拉结会堂", "Ohel Rachel Synagogue", "heritage", by_number("陕西北路", 500),
        "静安区陕西北路500号", "No. 500 Shaanxi North Road, Jing'an District",
        "1920年由塞法迪犹太人建造的犹太会堂，现位于市教育委员会大院内，一般不对外开放。位置为示意。",
        "Synagogue built by Sephardic Jews in 1920, now inside the compound of the Shanghai Municipal Education "
        "Commission and not normally open to visitors. Position is approximate.",
        designation="上海市优秀历史建筑")
    poi("creative-park-800-show", "800秀创意园", "800 Show Creative Park", "creative_park", by_number("常德路", 800, 35),
        "静安区常德路800号", "No. 800 Changde Road, Jing'an District",
        "原新安电机厂厂房改建的创意园区，位于常德路昌平路口，举办发布会、展览和演出。",
        "Former Xin'an electrical-machinery works at Changde and Changping roads, now a creative park for "
        "launches, exhibitions and shows.", hours="Mo-Su 10:00-22:00")
    poi("creative-park-u-yao55", "U-YAO55创意园", "U-YAO55", "creative_park", by_number("余姚路", 55, 30),
        "静安区余姚路55号（推测）", "No. 55 Yuyao Road (assumed), Jing'an District",
        "余姚路上的小型创意办公园区。中文名称与门牌根据英文名推测，待核实。",
        "Small creative office park on Yuyao Road. The Chinese name and house number are inferred from the "
        "English name and need checking.")
    poi("creative-park-shankangli", "陕康里（新业坊）", "Surpass Space Shankangli", "creative_park",
        between("陕西北路", "武定路", "康定路", 0.88, "west", 28),
        "静安区陕西北路康定路口", "Shaanxi North Road at Kangding Road, Jing'an District",
        "由原建材市场改造的街区式更新项目，新旧建筑错落，保留锡克教堂等老建筑元素，有咖啡、餐饮与设计商店。",
        "Street-block renewal of a former building-materials market at Shaanxi North and Kangding roads, mixing "
        "old buildings (including a former Sikh temple) with new ones; cafés, restaurants and design shops.",
        hours="Mo-Su 10:00-22:00")
    poi("creative-park-quban", "Quban北京西路园区", "Quban West Beijing Road", "creative_park",
        between("北京西路", "西康路", "陕西北路", 0.5, "north", 30),
        "静安区北京西路（西康路–陕西北路段，示意）", "Beijing West Road between Xikang and Shaanxi North roads (approximate)",
        "北京西路沿线的创意办公园区。中文名称与位置未能核实，此处为示意。",
        "Creative office park on Beijing West Road. Its Chinese name and exact location could not be verified; "
        "shown here approximately.")
    poi("creative-park-m-mali", "M+马利创意园", "M+ Mali Creative Park", "creative_park",
        between("西康路", "海防路", "新丰路", 0.8, "west", 30),
        "静安区西康路新丰路口", "Xikang Road at Xinfeng Road, Jing'an District",
        "原马利颜料厂生产车间旧址改建的创意园区，与同乐坊相邻。",
        "Creative park in the former workshops of the century-old Marie (Mali) paint works, next to Tongle Fang.")
    poi("creative-park-tongle-fang", "同乐坊", "Tongle Fang", "creative_park",
        (meet("西康路", "余姚路")[0] - 90, meet("西康路", "余姚路")[1] + 10),
        "静安区余姚路60号", "No. 60 Yuyao Road, Jing'an District",
        "西康路、余姚路和海防路围合的三角地带，弄堂工厂改造的创意产业集聚区（2005年首批市级创意产业集聚区之一）。",
        "Lane factories in the triangle of Xikang, Yuyao and Haifang roads, turned into one of Shanghai's first "
        "creative-industry clusters (2005).")
    poi("creative-park-crea-infinity", "创享塔", "CREA-INFINITY", "creative_park",
        (G["叶家宅路"].interpolate(G["叶家宅路"].project(Point(cross(G["叶家宅路"], G["苏州河滨河步道"]))) - 90).x + 25,
         G["叶家宅路"].interpolate(G["叶家宅路"].project(Point(cross(G["叶家宅路"], G["苏州河滨河步道"]))) - 90).y),
        "普陀区叶家宅路100号", "No. 100 Yejiazhai Road, Putuo District",
        "苏州河宝成湾畔的原上海被服厂旧址（普陀区文物保护点）改建的创意园区。注意：位于普陀区，"
        "在江宁路街道边界以西约500米，按简报列入。",
        "Creative park in the former Shanghai clothing works by the Baocheng bend of Suzhou Creek. Note: it is "
        "in Putuo District, about 500 m west of the sub-district boundary; listed because the brief names it.")
    moho = between("江宁路", "康定路", "昌平路", 0.65, "west", 30)
    poi("jingan-moho", "静安MOHO", "Jing'an MOHO", "landmark", moho,
        "静安区江宁路（康定路–昌平路段）", "Jiangning Road between Kangding and Changping roads, Jing'an District",
        "2023年初开业的商业街区（约8万平方米），有书店、生活方式品牌和艺术空间，紧邻中共中央秘书处机关旧址纪念馆。",
        "Shopping quarter opened in early 2023 (about 80,000 m²) with a bookshop, lifestyle brands and art "
        "spaces, next to the CPC Central Secretariat memorial.", hours="Mo-Su 10:00-22:00")
    poi("park-riverside-green", "苏州河滨河绿地（西苏州路段）", "Suzhou Creek Riverside Green (West Suzhou Road)",
        "park", (CREEK_EDGE.interpolate(CREEK_EDGE.project(Point(1000, 1450))).x - 14,
                 CREEK_EDGE.interpolate(CREEK_EDGE.project(Point(1000, 1450))).y),
        "静安区西苏州路沿线", "Along West Suzhou Road, Jing'an District",
        "苏州河岸线贯通后的滨河步道与绿地，可散步、跑步和观景。",
        "Riverside walk and green strip opened up along Suzhou Creek; for walking, running and views.",
        hours="24/7")
    poi("park-changping-pocket", "昌平路口袋花园", "Changping Road Pocket Garden", "park",
        between("昌平路", "陕西北路", "江宁路", 0.5, "south", 20),
        "静安区昌平路（陕西北路–江宁路段）", "Changping Road between Shaanxi North and Jiangning roads",
        "街角口袋花园，设座椅、健身器材和儿童游戏角。", "Corner pocket garden with benches, exercise equipment and a play corner.",
        hours="Mo-Su 06:00-22:00")
    poi("park-kangding-corner", "康定路街角绿地", "Kangding Road Corner Green", "park",
        between("康定路", "胶州路", "常德路", 0.3, "north", 18),
        "静安区康定路胶州路口", "Kangding Road at Jiaozhou Road", "街角绿地与休憩座椅。", "Corner green with benches.",
        hours="24/7")
    poi("shop-haifang-repairs", "海防路便民修补点", "Haifang Road Repairs Corner", "shop",
        between("海防路", "西康路", "陕西北路", 0.5, "south", 14),
        "静安区海防路（西康路–陕西北路段）", "Haifang Road between Xikang and Shaanxi North roads",
        "修鞋、配钥匙、缝补等便民服务摊点。", "Shoe repair, key cutting and mending.", hours="Mo-Sa 08:00-17:00")
    poi("shop-xikang-convenience", "西康路社区便利店", "Xikang Road Convenience Store", "shop",
        between("西康路", "新闸路", "武定路", 0.5, "west", 14),
        "静安区西康路（新闸路–武定路段）", "Xikang Road between Xinzha and Wuding roads",
        "24小时便利店，可代收快递、缴费。", "24-hour convenience store; parcel pick-up and bill payment.", hours="24/7")
    poi("shop-jiangning-bakery", "江宁路糕团点心店", "Jiangning Road Cake and Dumpling Shop", "shop",
        between("江宁路", "北京西路", "新闸路", 0.5, "east", 14),
        "静安区江宁路（北京西路–新闸路段）", "Jiangning Road between Beijing West and Xinzha roads",
        "本帮糕团、馄饨和生煎的街坊小店。", "Neighbourhood shop for Shanghai rice cakes, wontons and pan-fried buns.",
        hours="Mo-Su 06:30-19:00")


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def feature(props, point):
    return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": lonlat(*point)}}


def dump(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def nearest_lane(point, ways):
    best = None
    for name, _, _, line in ways:
        if not name.endswith("弄") or name.endswith("支弄"):
            continue
        d = line.distance(Point(point))
        if best is None or d < best[0]:
            best = (d, name)
    return best[1]


def main():
    make_lanes()
    nodes, ways = build_network()
    n_nodes, n_ways = write_osm(nodes, ways, HERE / "network.osm")
    grids, boundary = make_grids()
    if boundary.geom_type != "Polygon":
        raise SystemExit("the grids do not form one polygon")
    dump(HERE / "boundary.geojson", {
        "type": "Feature",
        "properties": {"code": "jiangning-road", "name": "江宁路街道", "name_en": "Jiangning Road Sub-district",
                       "illustrative": True},
        "geometry": polygon_geojson(boundary),
    })
    dump(HERE / "grids.geojson", {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code, "name": name, "name_en": name_en},
         "geometry": polygon_geojson(poly)} for code, name, name_en, poly in grids
    ]})
    compounds = []
    for code, name, name_en, block, u, v, hh, pop, old, baby, addr in COMPOUNDS:
        point = BLOCK[block].at(u, v)
        if addr is None:
            addr = nearest_lane(point, WAYS)
        compounds.append(feature({
            "code": code, "name": name, "name_en": name_en, "address": f"静安区{addr}", "households": hh,
            "population": pop, "aged_60_plus": old, "aged_0_3": baby, "illustrative": True,
        }, point))
    dump(HERE / "compounds.geojson", {"type": "FeatureCollection", "features": compounds})
    facilities = make_facilities()
    dump(HERE / "facilities.geojson", {"type": "FeatureCollection", "features": [
        feature({k: v for k, v in f.items() if k != "_xy"}, f["_xy"]) for f in facilities
    ]})
    make_pois()
    dump(HERE / "pois.geojson", {"type": "FeatureCollection", "features": [
        feature({k: v for k, v in p.items() if k != "_xy"}, p["_xy"]) for p in POIS
    ]})
    problems = self_check(nodes, ways, grids, boundary, compounds, facilities)
    print(f"network.osm: {n_nodes} nodes, {n_ways} ways; boundary {boundary.area / 1e6:.2f} km²; "
          f"{len(compounds)} compounds ({sum(c['properties']['population'] for c in compounds)} people); "
          f"{len(facilities)} facilities; {len(POIS)} points of interest")
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("self-check passed")


# --------------------------------------------------------------------------------------------
# Self-check
# --------------------------------------------------------------------------------------------
HOURS = re.compile(
    r"^(24/7|(?:(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?(?:,(?:Mo|Tu|We|Th|Fr|Sa|Su)"
    r"(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)* (?:off|\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*))"
    r"(?:; (?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?(?:,(?:Mo|Tu|We|Th|Fr|Sa|Su)"
    r"(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)* (?:off|\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*))*)$")
CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ROOM_KINDS = {"exhibition_hall", "studio", "lecture_hall", "reading_area", "representatives_window",
              "meeting_room", "performance_stage", "baby_care", "children_centre", "classroom",
              "volunteer_centre", "science_centre", "service_station", "dining_room", "activity_room",
              "care_room", "other"}
POI_KINDS = {"heritage", "creative_park", "park", "book_station", "shop", "market", "landmark"}
OUTSIDE_OK = {"creative-park-crea-infinity"}


def self_check(nodes, ways, grids, boundary, compounds, facilities):
    problems = []
    # connectivity (union-find over way node sequences)
    parent = {}

    def find(a):
        parent.setdefault(a, a)
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for name, _, _, refs in ways:
        if len(refs) < 2:
            problems.append(f"way with fewer than two nodes: {name}")
        if len(set(refs)) != len(refs) and not (refs[0] == refs[-1] and len(set(refs)) == len(refs) - 1):
            problems.append(f"way {name} passes a node twice")
        for a, b in zip(refs, refs[1:]):
            parent[find(a)] = find(b)
    roots = {find(n) for *_, refs in ways for n in refs}
    if len(roots) != 1:
        problems.append(f"network has {len(roots)} connected parts")
    # near misses: a way end within 1 m of another way it does not share a node with
    lines = [(refs, LineString([nodes.coords[r - 1] for r in refs])) for *_, refs in ways]
    for refs, line in lines:
        for end_ref in (refs[0], refs[-1]):
            end = Point(nodes.coords[end_ref - 1])
            for other_refs, other in lines:
                if end_ref not in other_refs and other.distance(end) < 1.0:
                    problems.append(f"dangling end near a way at {lonlat(end.x, end.y)}")
    net = unary_union([line for _, line in lines])
    # grids partition the boundary
    total = sum(poly.area for *_, poly in grids)
    if abs(total - boundary.area) > 1.0:
        problems.append("grids overlap")
    for code, _, _, poly in grids:
        if not poly.is_valid:
            problems.append(f"{code} is not a valid polygon")
    # codes, slugs, hours, positions
    slugs = {row["slug"] for row in json.loads(STANDARD.read_text(encoding="utf-8"))["rows"]}

    def place(where, code, xy, limit, inside=True):
        if not CODE.match(code):
            problems.append(f"{where}: code '{code}' is not a lowercase slug")
        p = Point(xy)
        d = net.distance(p)
        if d > limit:
            problems.append(f"{where} {code}: {d:.0f} m from the network (limit {limit} m)")
        if inside:
            if not boundary.contains(p):
                problems.append(f"{where} {code}: outside the boundary")
            hits = [g for g, _, _, poly in grids if poly.contains(p)]
            if len(hits) != 1:
                problems.append(f"{where} {code}: in {len(hits)} grids")

    seen = set()
    for c in compounds:
        code = c["properties"]["code"]
        if code in seen:
            problems.append(f"duplicate compound {code}")
        seen.add(code)
        xy = ((c["geometry"]["coordinates"][0] - LON0) * M_PER_DEG_LON,
              (c["geometry"]["coordinates"][1] - LAT0) * M_PER_DEG_LAT)
        place("compound", code, xy, 80)
        props = c["properties"]
        if not props["aged_60_plus"] <= props["population"] or not props["aged_0_3"] <= props["population"]:
            problems.append(f"compound {code}: age groups exceed the population")
    seen = set()
    for f in facilities:
        if f["code"] in seen:
            problems.append(f"duplicate facility {f['code']}")
        seen.add(f["code"])
        place("facility", f["code"], f["_xy"], 100)
        for slug in [f["category"], *f["services"]]:
            if slug not in slugs:
                problems.append(f"facility {f['code']}: unknown slug {slug}")
        if f["capacity_unit"] not in {"places", "seats", "meals_per_day", "people"}:
            problems.append(f"facility {f['code']}: capacity unit {f['capacity_unit']}")
        if not HOURS.match(f["opening_hours"]):
            problems.append(f"facility {f['code']}: opening_hours {f['opening_hours']!r}")
        rooms = set()
        for r in f["rooms"]:
            if r["kind"] not in ROOM_KINDS or not CODE.match(r["code"]) or r["code"] in rooms:
                problems.append(f"facility {f['code']}: bad room {r['code']}")
            rooms.add(r["code"])
    seen = set()
    for p in POIS:
        if p["code"] in seen:
            problems.append(f"duplicate poi {p['code']}")
        seen.add(p["code"])
        place("poi", p["code"], p["_xy"], 100, inside=p["code"] not in OUTSIDE_OK)
        if p["kind"] not in POI_KINDS:
            problems.append(f"poi {p['code']}: kind {p['kind']}")
        if p["opening_hours"] and not HOURS.match(p["opening_hours"]):
            problems.append(f"poi {p['code']}: opening_hours {p['opening_hours']!r}")
    # the planning story: day care and meals in three grids, no day care in one
    for code, _, _, poly in grids:
        cats = set()
        for f in facilities:
            if poly.contains(Point(f["_xy"])):
                cats.update([f["category"], *f["services"]])
        print(f"  {code}: day care {'yes' if 'senior_day_care' in cats else 'NO'}, "
              f"meals {'yes' if 'senior_meals' in cats else 'NO'}, "
              f"activity rooms {sum(1 for f in facilities if f['category'] == 'senior_activity' and poly.contains(Point(f['_xy'])))}")
    return problems


if __name__ == "__main__":
    main()
