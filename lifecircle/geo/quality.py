"""Checks that catch data which would silently change the answers.

Each check measures one thing, returns it as numbers with a sentence a
planner understands, and says whether the evidence is strong enough to
refuse the data. Callers decide what to do; the thresholds are here, named
and documented, so every caller applies the same ones.

* :func:`pedestrian_share` -- how much of a network is built for walkers.
  A car-only export (osmnx's ``network_type="drive"``) has no footways,
  paths or steps: walks then follow carriageways and miss every shortcut.
* :func:`street_coverage` -- how much of a study area lies near a walkable
  street. A network of another area (Puxi's streets for a Pudong boundary)
  snaps every home to its edge or nowhere.
* :func:`coordinate_check` -- whether points (homes, facilities) sit where
  the streets are, or are shifted. Chinese map services publish coordinates
  in GCJ-02 (Amap, Tencent) or BD-09 (Baidu), which lie some 500 m (in
  Shanghai) from the WGS84 coordinates OpenStreetMap uses; data declared as
  WGS84 but taken from them moves every point by the same few hundred metres.

Thresholds (module constants, in metres and shares):

* ``MIN_PEDESTRIAN_SHARE`` = 0.05 -- warn when under 5 % of the street
  length is footway, path, steps, pedestrian street, crossing, corridor,
  living street or track.
* ``STREET_REACH_M`` = 200 and ``MIN_STREET_COVERAGE`` = 0.5 -- refuse a
  boundary when less than half of its area lies within 200 m of a walkable
  street; warn under ``WARN_STREET_COVERAGE`` = 0.8.
* ``FAR_POINT_M`` = 150 -- a point this far from every walkable street is
  "far"; warn when ``WARN_FAR_SHARE`` = 25 % of the points are far, and
  call the evidence *strong* (refuse unless told otherwise) at
  ``REFUSE_FAR_SHARE`` = 50 %.
* A coordinate system is *suggested* when converting the points from it
  brings at least ``SUGGEST_CLOSER_SHARE`` = 60 % of them closer to a
  street, lowers their median distance (the lowest median wins) and leaves
  fewer than ``WARN_FAR_SHARE`` of them far, and
  the evidence is *strong* when at least ``STRONG_CLOSER_SHARE`` = 70 % get
  closer and the median distance at least halves. Fewer than ``MIN_POINTS``
  = 8 points are never judged.

How well this works depends on the network: where streets are sparse a
shift of 500 m leaves most points far from any street and the check is
sure; in a dense network of footpaths (every 50 m) a shifted point is still
near *some* path, the difference shrinks to a few metres, and the check can
only warn. The warning is worded for that: it names the fitting coordinate
system and the figures, not a certainty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import coordinates
from .distance import METRES_PER_DEGREE, LocalProjection
from .graph import WalkGraph

MIN_PEDESTRIAN_SHARE = 0.05
STREET_REACH_M = 200.0
MIN_STREET_COVERAGE = 0.5
WARN_STREET_COVERAGE = 0.8
FAR_POINT_M = 150.0
WARN_FAR_SHARE = 0.25
REFUSE_FAR_SHARE = 0.5
SUGGEST_CLOSER_SHARE = 0.6
STRONG_CLOSER_SHARE = 0.7
MIN_POINTS = 8
#: At most this many sample points are laid over a boundary (the spacing grows for large areas).
_MAX_SAMPLES = 40_000


# --------------------------------------------------------------- pedestrian
@dataclass(frozen=True)
class PedestrianShare:
    """How much of a network is built for people on foot.

    ``ways`` counts the distinct OSM ways tagged footway, path, steps,
    pedestrian, crossing, corridor, living street or track;
    ``length_m`` is their length and ``share`` their share of all
    ``total_length_m``.
    """

    ways: int
    length_m: float
    total_length_m: float

    @property
    def share(self) -> float:
        return self.length_m / self.total_length_m if self.total_length_m > 0 else 0.0

    @property
    def lacking(self) -> bool:
        """Whether the network looks like a car-only export."""
        return self.share < MIN_PEDESTRIAN_SHARE

    @property
    def message(self) -> str:
        return (f"only {self.ways} footway, path, steps or pedestrian way(s) ({self.share:.1%} of "
                f"{self.total_length_m / 1000:.1f} km): this looks like a network for cars (such as an osmnx "
                "'drive' export); walks will follow carriageways and miss footpaths and shortcuts. Use an "
                "OpenStreetMap extract with all highways (osmnx: network_type='walk' or 'all')")


def pedestrian_share(graph: WalkGraph) -> PedestrianShare:
    """Count the ways built for walkers in ``graph`` and their share of its length (metres)."""
    from .osm import PEDESTRIAN_HIGHWAYS

    pedestrian = np.array([h in PEDESTRIAN_HIGHWAYS for h in graph.highways], dtype=bool)
    on_foot = pedestrian[graph.edge_highway] if graph.n_edges else np.zeros(0, dtype=bool)
    length = graph.edge_length.astype(np.float64)
    return PedestrianShare(ways=int(np.unique(graph.edge_way[on_foot]).size),
                           length_m=float(length[on_foot].sum()), total_length_m=float(length.sum()))


# ------------------------------------------------------------ street coverage
@dataclass(frozen=True)
class StreetCoverage:
    """How much of a study area lies within ``reach_m`` of a walkable street.

    The area is sampled on a square lattice ``spacing_m`` apart; ``share`` is
    the share of the ``samples`` within ``reach_m`` metres of an edge.
    """

    share: float
    samples: int
    spacing_m: float
    reach_m: float

    @property
    def thin(self) -> bool:
        """Whether enough of the area lacks streets to mention it."""
        return self.share < WARN_STREET_COVERAGE

    @property
    def message(self) -> str:
        return (f"only {self.share:.0%} of the boundary area lies within {self.reach_m:.0f} m of a walkable "
                "street in this network; homes in the rest are placed on distant streets or not at all")

    def refusal(self, least: float) -> str:
        return (f"only {self.share:.0%} of the boundary area lies within {self.reach_m:.0f} m of a walkable "
                f"street (at least {least:.0%} is needed): the street network does not cover the boundary. "
                "Is it an extract of another area, or cut too small?")


def street_coverage(graph: WalkGraph, polygon, reach_m: float = STREET_REACH_M,
                    spacing_m: float = 50.0) -> StreetCoverage:
    """Share of ``polygon``'s area within ``reach_m`` metres of an edge of ``graph``.

    Parameters
    ----------
    polygon
        A shapely (Multi)Polygon in lon/lat degrees.
    reach_m
        Metres from a street that count as served.
    spacing_m
        Lattice spacing in metres; grown for large areas so that at most
        40,000 points are tested.
    """
    import shapely

    from .snapping import SegmentIndex

    lon_span, lat_span = (np.array(polygon.bounds[0::2]), np.array(polygon.bounds[1::2]))
    projection = LocalProjection.around(lon_span, lat_span)
    local = projection.transform_geometry(polygon)
    if local.area <= 0 or graph.n_edges == 0:
        return StreetCoverage(0.0, 0, spacing_m, reach_m)
    spacing = max(spacing_m, float(np.sqrt(local.area / _MAX_SAMPLES)))
    min_x, min_y, max_x, max_y = local.bounds
    xs = np.arange(min_x + spacing / 2, max_x, spacing)
    ys = np.arange(min_y + spacing / 2, max_y, spacing)
    x, y = (a.ravel() for a in np.meshgrid(xs, ys))
    shapely.prepare(local)
    inside = shapely.contains_xy(local, x, y)
    if not inside.any():  # a sliver thinner than the spacing: test its centre
        point = local.representative_point()
        x, y, inside = np.array([point.x]), np.array([point.y]), np.array([True])
    lon, lat = projection.inverse(x[inside], y[inside])
    distance = _distance_to_street(SegmentIndex.for_graph(graph), lon, lat, reach_m)
    return StreetCoverage(float(np.mean(distance <= reach_m)), int(lon.size), spacing, reach_m)


def _distance_to_street(index, lon, lat, reach_m):
    """Metres to the nearest street, exact up to ``reach_m`` (``inf`` beyond it).

    A street sample lies on its segment, so a sample within ``reach_m`` proves
    a street within reach; none within ``reach_m`` plus half a spacing proves
    there is none. Only the points in between are measured exactly.
    """
    qx, qy = index.projection.forward(lon, lat)
    bound = (reach_m + index.spacing / 2) * index.distortion + 0.01
    sample_d, _ = index.tree.query(np.column_stack((qx, qy)), k=1, distance_upper_bound=bound)
    distance = np.where(sample_d <= reach_m, sample_d, np.inf)
    unsure = np.flatnonzero((sample_d > reach_m) & np.isfinite(sample_d))
    if unsure.size:
        distance[unsure] = index.nearest(lon[unsure], lat[unsure])[2]
    return distance


# ----------------------------------------------------------- coordinate check
def _to_wgs84(system):
    """A vectorised conversion to WGS84 from ``system`` (one of :mod:`lifecircle.geo.coordinates`)."""

    def convert(lon, lat):
        pairs = [coordinates.to_wgs84(x, y, system) for x, y in zip(lon.tolist(), lat.tolist())]
        return np.array([x for x, _ in pairs]), np.array([y for _, y in pairs])

    return convert


#: Coordinate systems a point set may really be in, each with its conversion to WGS84. Both are
#: defined only over China, where Chinese map services publish them.
CHINESE_SYSTEMS = {
    "GCJ-02": ("Amap (高德), Tencent and most Chinese map services", _to_wgs84(coordinates.GCJ02)),
    "BD-09": ("Baidu maps", _to_wgs84(coordinates.BD09)),
}


@dataclass(frozen=True)
class Conversion:
    """What converting the points from ``system`` to WGS84 would do."""

    system: str
    used_by: str
    median_distance_m: float
    far_share: float
    closer_share: float


@dataclass
class CoordinateReport:
    """Whether points sit where the streets are, or look shifted.

    Attributes
    ----------
    points
        Points checked.
    far_share
        Share farther than ``far_m`` metres from every walkable street.
    median_distance_m
        Median metres from a point to its nearest street.
    mean_offset_east_m, mean_offset_north_m
        The mean vector from the points to their nearest street, metres.
    consistency
        Length of the mean of the unit vectors from each point to its
        street: 0 when they point every way (as they should), 1 when all
        point the same way (the points are shifted as a whole).
    conversions
        For each Chinese coordinate system, what converting from it would do
        (empty outside China).
    suggestion
        The conversion that fits, if any (a :class:`Conversion`).
    strong
        Whether the evidence is strong enough to refuse the data.
    """

    points: int
    far_m: float
    far_share: float
    median_distance_m: float
    mean_offset_east_m: float
    mean_offset_north_m: float
    consistency: float
    conversions: list = field(default_factory=list)
    suggestion: Conversion | None = None
    strong: bool = False

    @property
    def worrying(self) -> bool:
        """Whether a planner should look at these coordinates."""
        return (self.suggestion is not None or self.far_share >= WARN_FAR_SHARE) and self.points >= MIN_POINTS

    @property
    def mean_offset_m(self) -> float:
        return float(np.hypot(self.mean_offset_east_m, self.mean_offset_north_m))

    def message(self, what: str = "points") -> str:
        """The finding in plain words (English), naming ``what`` was checked; "" when nothing is wrong."""
        if not self.worrying:
            return ""
        text = (f"{self.far_share:.0%} of the {self.points} {what} are more than {self.far_m:.0f} m from any "
                f"walkable street (median {self.median_distance_m:.0f} m)")
        if self.consistency >= 0.5 and self.mean_offset_m >= 50:
            text += (f", and the streets lie on average {self.mean_offset_m:.0f} m to the "
                     f"{_compass(self.mean_offset_east_m, self.mean_offset_north_m)} of them "
                     f"(consistency {self.consistency:.2f})")
        s = self.suggestion
        if s is not None:
            text += (f". They look like {s.system} coordinates (used by {s.used_by}) declared as WGS84: "
                     f"converting them from {s.system} brings {s.closer_share:.0%} of them closer to a street "
                     f"(median {self.median_distance_m:.0f} m → {s.median_distance_m:.0f} m). "
                     f"Convert them to WGS84 before loading, or check the source")
        else:
            text += ". Check that the coordinates are WGS84 longitude/latitude and that the street network " \
                    "covers the same area"
        return text


def coordinate_check(graph: WalkGraph, lon, lat, far_m: float = FAR_POINT_M,
                     systems: dict | None = None) -> CoordinateReport:
    """Check whether points lie where the streets of ``graph`` are, or look shifted.

    Parameters
    ----------
    lon, lat
        Point coordinates, degrees, as declared (WGS84).
    far_m
        Metres from every street beyond which a point is "far".
    systems
        ``{name: (who uses it, convert)}`` where ``convert(lon, lat)``
        returns WGS84 arrays; default :data:`CHINESE_SYSTEMS`, tried only
        when all points lie in China.

    Returns
    -------
    CoordinateReport
        The numbers and, via :meth:`CoordinateReport.message`, a sentence.
    """
    from .snapping import snap_points

    lon = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    lat = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    if lon.size == 0:
        return CoordinateReport(0, far_m, 0.0, 0.0, 0.0, 0.0, 0.0)
    snap = snap_points(graph, lon, lat, max_snap_m=np.inf)
    distance = snap.offset_m
    kx = METRES_PER_DEGREE * np.cos(np.radians(lat))
    east = (snap.street_lon - lon) * kx
    north = (snap.street_lat - lat) * METRES_PER_DEGREE
    norm = np.hypot(east, north)
    moved = norm > 1.0  # points on a street have no direction to it
    consistency = 0.0
    if moved.sum() >= 2:
        consistency = float(np.hypot((east[moved] / norm[moved]).mean(), (north[moved] / norm[moved]).mean()))
    report = CoordinateReport(
        points=int(lon.size), far_m=far_m, far_share=float(np.mean(distance > far_m)),
        median_distance_m=float(np.median(distance)), mean_offset_east_m=float(east.mean()),
        mean_offset_north_m=float(north.mean()), consistency=consistency)

    if systems is None:
        in_china = all(coordinates.in_china(x, y) for x, y in zip(lon.tolist(), lat.tolist()))
        systems = CHINESE_SYSTEMS if in_china else {}
    for name, (used_by, convert) in systems.items():
        c_lon, c_lat = convert(lon, lat)
        c_distance = snap_points(graph, c_lon, c_lat, max_snap_m=np.inf).offset_m
        report.conversions.append(Conversion(
            system=name, used_by=used_by, median_distance_m=float(np.median(c_distance)),
            far_share=float(np.mean(c_distance > far_m)), closer_share=float(np.mean(c_distance < distance))))
    fitting = [c for c in report.conversions
               if c.closer_share >= SUGGEST_CLOSER_SHARE and c.median_distance_m < report.median_distance_m
               and c.far_share < WARN_FAR_SHARE]
    if fitting and report.points >= MIN_POINTS:
        best = report.suggestion = min(fitting, key=lambda c: c.median_distance_m)
        report.strong = (best.closer_share >= STRONG_CLOSER_SHARE
                         and best.median_distance_m <= report.median_distance_m / 2)
    report.strong = report.points >= MIN_POINTS and (report.strong or report.far_share >= REFUSE_FAR_SHARE)
    return report


def _compass(east: float, north: float) -> str:
    names = ["east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east"]
    return names[int(np.round(np.degrees(np.arctan2(north, east)) / 45.0)) % 8]
