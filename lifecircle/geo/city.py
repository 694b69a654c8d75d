"""Walking accessibility for a whole city, one area at a time, on a Dask cluster.

``lifecircle geo city-accessibility CITY.osm.pbf --areas ... --origins ... --out DIR`` answers,
for every origin (compound, building or grid point) and every category of a
walking standard, the distance to the nearest facility and how many facilities
(and how much capacity) lie within each tier's walking distance; then sums
this per area as population-weighted coverage.

Invariants:

* **One task per area, carrying only that area's piece of the city.** A task
  holds the area's origins, the facilities and the streets of its *halo*
  (the area grown by the reach plus the snapping distance),
  never the whole city graph. :mod:`lifecircle.geo.areas` argues why that
  halo makes each area's figures equal to one whole-city run.
* **Every origin is answered by exactly one area**: the first area (in input
  order) whose polygon covers it. Origins outside every area are counted,
  listed in ``outside-areas.csv`` and not computed.
* **Finished results are never lost or half-written.** Each area's result is
  one Parquet file, written beside its destination and renamed into place
  as soon as the area finishes, with a fingerprint of the area's inputs in
  its metadata. A rerun with the same output folder skips every area whose
  file carries the same fingerprint and computes the rest, so a killed or
  interrupted run resumes where it stopped, and changed inputs (a new
  facility) recompute only the areas they touch. A failed area leaves the
  others' files in place.
* **A lost worker loses no area.** Dask keeps each task's inputs at the
  scheduler until it finishes, so a task on a worker that dies (killed,
  out of memory) runs again on another; only after repeated deaths is the
  area reported as failed (rerun to retry it).
* **Memory per worker is bounded** by the area's size, not the city's, and
  by Dask's ``memory_limit`` (a worker above it is restarted and its area
  retried); each task reports its worker's peak memory, and the run
  reports the largest per worker.
* Bad input (an area outside the extract, an area file without polygons,
  a scheduler that cannot be reached, an output folder holding another
  run's areas) is refused before anything is computed or written.

Output folder::

    DIR/origins/area=CODE.parquet   one GeoParquet file per area: a dataset of every origin
    DIR/summary.csv, summary.parquet  per area x category x tier: population covered and share
    DIR/run.json                      parameters, per-area timings, workers' peak memory, warnings
    DIR/outside-areas.csv             origins no area covers (only when there are some)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import socket
import sys
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .accessibility import accessibility
from .areas import EdgeIndex, grow_polygon, polygon_halo_graph
from .errors import GeoError, InputError
from .graph import WalkGraph
from .snapping import DEFAULT_MAX_SNAP_M, snap_points
from .standard import read_standard
from .walking import LIFE_CIRCLE_MINUTES

#: Tiers of the life circle, in minutes of walking.
TIERS = LIFE_CIRCLE_MINUTES
ORIGIN_DIR = "origins"
SUMMARY_COLUMNS = ["area_code", "area_name", "category", "tier_minutes", "threshold_m", "required_tier",
                   "origins", "origins_off_network", "population", "covered_population", "share"]


class ClusterError(GeoError):
    """The Dask cluster cannot be reached or started."""


class CityRunError(GeoError):
    """Some areas failed; the others' results are saved and a rerun retries only the failed ones."""


# ------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class WalkingStandard:
    """Categories of a walking standard and the distance each must be within.

    ``thresholds_m`` are the tiers' distances (5, 10, 15 minutes), the
    largest threshold of any category of that tier, as in the platform.
    """

    categories: tuple[str, ...]
    category_tier: dict
    thresholds_m: tuple[float, ...]
    code: str = ""

    @classmethod
    def read(cls, path) -> "WalkingStandard":
        """A standard file like ``data/standards/shanghai-2016.json`` (``rows`` of slug, tier_minutes, threshold_m)."""
        standard = read_standard(path)
        return cls(tuple(sorted(standard.category_tiers)), dict(standard.category_tiers),
                   tuple(standard.tiers[t] for t in TIERS), str(standard.code))


@dataclass(eq=False)
class CityAreas:
    """Named area polygons (lon/lat), in the order that breaks ties on shared borders."""

    codes: list[str]
    names: list[str]
    polygons: list
    population: list  # per area, or None: spread over grid origins

    def __len__(self):
        return len(self.codes)

    @classmethod
    def from_geojson(cls, path) -> "CityAreas":
        """A FeatureCollection of (Multi)Polygons; ``code``/``id`` and ``name`` properties are used when present."""
        import shapely

        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except OSError as exc:
            raise InputError(f"cannot read the areas ({exc.strerror or exc})", path) from None
        except ValueError as exc:
            raise InputError(f"not a GeoJSON file ({exc})", path) from None
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise InputError("expected a GeoJSON FeatureCollection of area polygons", path)
        codes, names, polygons, population = [], [], [], []
        for i, feature in enumerate(features):
            props = feature.get("properties") or {}
            try:
                geom = shapely.geometry.shape(feature.get("geometry"))
            except Exception as exc:  # shapely raises several types for malformed geometry
                raise InputError(f"feature {i}: malformed geometry ({exc})", path) from None
            if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
                raise InputError(f"feature {i}: is a {geom.geom_type}, not a (Multi)Polygon", path)
            code = str(props.get("code", props.get("id", feature.get("id", i + 1))))
            codes.append(code)
            names.append(str(props.get("name", code)))
            polygons.append(shapely.make_valid(geom))
            population.append(_number_or_none(props.get("population")))
        if not codes:
            raise InputError("holds no area polygons", path)
        return cls._checked(codes, names, polygons, population, path)

    @classmethod
    def from_osm_admin_level(cls, osm_path, admin_level: int) -> "CityAreas":
        """Every ``boundary=administrative`` relation of ``admin_level`` in the extract whose outline closes."""
        import osmium
        import shapely

        wkb = osmium.geom.WKBFactory()
        codes, names, polygons = [], [], []
        processor = (osmium.FileProcessor(osm_path).with_areas()
                     .with_filter(osmium.filter.EntityFilter(osmium.osm.AREA))
                     .with_filter(osmium.filter.TagFilter(("admin_level", str(admin_level)))))
        try:
            for area in processor:
                if area.from_way() or area.tags.get("boundary") != "administrative":
                    continue
                codes.append(f"r{area.orig_id()}")
                names.append(area.tags.get("name", codes[-1]))
                polygons.append(shapely.from_wkb(wkb.create_multipolygon(area)))
        except RuntimeError as exc:
            raise InputError(f"cannot read OSM data ({exc})", osm_path) from None
        if not codes:
            raise InputError(f"has no administrative boundary of admin_level={admin_level} whose outline is "
                             "complete in the extract", osm_path)
        return cls._checked(codes, names, polygons, [None] * len(codes), osm_path)

    @classmethod
    def _checked(cls, codes, names, polygons, population, path):
        seen = set()
        for code in codes:
            if code in seen:
                raise InputError(f"area code {code!r} is used twice", path)
            seen.add(code)
        return cls(codes, names, polygons, population)


@dataclass(eq=False)
class Points:
    """Origins or facilities: ``id``, ``lon``, ``lat`` and named value columns."""

    id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    values: dict = field(default_factory=dict)

    def take(self, index) -> "Points":
        return Points(self.id[index], self.lon[index], self.lat[index],
                      {k: v[index] for k, v in self.values.items()})

    @staticmethod
    def concat(parts: list["Points"]) -> "Points":
        keys = set.intersection(*(set(p.values) for p in parts))
        return Points(np.concatenate([p.id for p in parts]), np.concatenate([p.lon for p in parts]),
                      np.concatenate([p.lat for p in parts]),
                      {k: np.concatenate([p.values[k] for p in parts]) for k in keys})


def origins_from_csv(path) -> Points:
    """Origins from a CSV with ``lon``, ``lat`` and optional ``id``, ``population`` (default 1 each)."""
    from .tables import read_points

    table = read_points(path, optional_numeric=("population",))
    population = table.get("population", np.ones(table["lon"].size))
    return Points(table["id"], table["lon"], table["lat"], {"population": population})


def origins_from_buildings(osm_path) -> Points:
    """One origin per closed ``building=*`` way of the extract, at the mean of its corners, population 1."""
    import osmium

    ids, lon, lat = [], [], []
    processor = osmium.FileProcessor(osm_path).with_locations().with_filter(osmium.filter.KeyFilter("building"))
    try:
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way) or len(obj.nodes) < 4 or obj.nodes[0].ref != obj.nodes[-1].ref:
                continue
            points = [(n.lon, n.lat) for n in list(obj.nodes)[:-1] if n.location.valid()]
            if points:
                ids.append(f"w{obj.id}")
                lon.append(sum(p[0] for p in points) / len(points))
                lat.append(sum(p[1] for p in points) / len(points))
    except RuntimeError as exc:
        raise InputError(f"cannot read OSM data ({exc})", osm_path) from None
    if not ids:
        raise InputError("holds no closed building outlines to use as origins", osm_path)
    return Points(np.array(ids, dtype=object), np.array(lon), np.array(lat), {"population": np.ones(len(ids))})


def origins_on_grid(areas: CityAreas, spacing_m: float) -> Points:
    """A regular grid of points ``spacing_m`` apart inside the areas.

    An area with a ``population`` spreads it evenly over its grid points;
    otherwise each point counts 1.
    """
    import shapely

    from .distance import LocalProjection

    if not spacing_m > 0:
        raise InputError(f"grid spacing must be positive metres, got {spacing_m}")
    parts = []
    for code, polygon, population in zip(areas.codes, areas.polygons, areas.population):
        x0, y0, x1, y1 = polygon.bounds
        projection = LocalProjection((x0 + x1) / 2, (y0 + y1) / 2)
        (px0, px1), (py0, py1) = projection.forward(np.array([x0, x1]), np.array([y0, y1]))
        gx, gy = np.meshgrid(np.arange(px0 + spacing_m / 2, px1, spacing_m), np.arange(py0 + spacing_m / 2, py1, spacing_m))
        lon, lat = projection.inverse(gx.ravel(), gy.ravel())
        inside = shapely.contains_xy(polygon, lon, lat)
        lon, lat = lon[inside], lat[inside]
        weight = np.full(lon.size, 1.0 if population is None else population / max(lon.size, 1))
        ids = np.array([f"{code}:{i}" for i in range(lon.size)], dtype=object)
        parts.append(Points(ids, lon, lat, {"population": weight}))
    return Points.concat(parts)


def facilities_from_osm(osm_path, mapping_path) -> Points:
    """Facilities tagged in the extract, categorised by the tag mapping (``data/osm/tag-categories.json``)."""
    from .pois import read_facilities, read_mapping

    found = read_facilities(osm_path, read_mapping(mapping_path))
    capacity = [_number_or_none(f.tags.get("capacity")) or 0.0 for f in found]
    return Points(np.array([f.code for f in found], dtype=object), np.array([f.lon for f in found], dtype=float),
                  np.array([f.lat for f in found], dtype=float),
                  {"category": np.array([f.category for f in found], dtype=object),
                   "capacity": np.array(capacity, dtype=float)})


def facilities_from_csv(path) -> Points:
    """Facilities from a CSV with ``lon``, ``lat``, ``category`` and optional ``id``, ``capacity`` (default 0)."""
    from .tables import read_points

    table = read_points(path, required=("category",), optional_numeric=("capacity",))
    return Points(table["id"], table["lon"], table["lat"],
                  {"category": table["category"], "capacity": table.get("capacity", np.zeros(table["lon"].size))})


def _number_or_none(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) and number >= 0 else None


# -------------------------------------------------------------- area tasks
@dataclass(eq=False)
class AreaJob:
    """Everything one area's task needs, and nothing more: it is what travels to a worker."""

    code: str
    name: str
    graph: WalkGraph | None  # the halo's streets; None when the halo has none
    origins: Points
    facilities: Points
    categories: tuple[str, ...]
    category_tier: dict
    thresholds_m: tuple[float, ...]
    reach_m: float
    max_snap_m: float

    def fingerprint(self) -> str:
        """A digest of every input: equal fingerprints mean equal results."""
        digest = hashlib.blake2b(digest_size=16)
        params = [self.code, self.name, list(self.categories), sorted(self.category_tier.items()),
                  list(self.thresholds_m), self.reach_m, self.max_snap_m]
        digest.update(json.dumps(params, ensure_ascii=False).encode())
        if self.graph is not None:
            for key in ("node_lon", "node_lat", "edge_u", "edge_v", "edge_length", "geom_offsets", "geom_lon",
                        "geom_lat"):
                digest.update(np.ascontiguousarray(getattr(self.graph, key)).tobytes())
        for points in (self.origins, self.facilities):
            digest.update("\x1f".join(map(str, points.id)).encode())
            digest.update(np.ascontiguousarray(points.lon).tobytes() + np.ascontiguousarray(points.lat).tobytes())
            for key in sorted(points.values):
                column = points.values[key]
                digest.update(("\x1f".join(map(str, column)).encode() if column.dtype == object
                               else np.ascontiguousarray(column).tobytes()))
        return digest.hexdigest()


@dataclass(eq=False)
class CityPlan:
    """The areas' jobs, built one at a time (so the driver never holds every area's subgraph)."""

    graph: WalkGraph
    areas: CityAreas
    origins: Points
    facilities: Points
    standard: WalkingStandard
    reach_m: float
    max_snap_m: float
    origin_area: np.ndarray  # area index of each origin, -1 outside every area
    warnings: list[str]

    @classmethod
    def build(cls, graph: WalkGraph, areas: CityAreas, origins: Points, facilities: Points,
              standard: WalkingStandard, reach_m: float | None = None,
              max_snap_m: float = DEFAULT_MAX_SNAP_M) -> "CityPlan":
        """Check the inputs against each other and assign every origin to one area.

        Raises
        ------
        InputError
            An area lies wholly outside the street network, the reach is
            below the largest threshold, or nothing is left to compute.
        """
        import shapely

        reach = float(max(standard.thresholds_m) if reach_m is None else reach_m)
        if reach < max(standard.thresholds_m):
            raise InputError(f"the reach ({reach:g} m) must be at least the largest threshold "
                             f"({max(standard.thresholds_m):g} m)")
        warnings = []
        g_lon0, g_lat0, g_lon1, g_lat1 = graph.bounds
        extract = shapely.box(g_lon0, g_lat0, g_lon1, g_lat1)
        outside = [f"{c} ({n})" if n != c else c for c, n, p in zip(areas.codes, areas.names, areas.polygons)
                   if not shapely.intersects(p, extract)]
        if outside:
            raise InputError(
                f"{len(outside)} area(s) lie outside the street network of the extract "
                f"(extent {g_lon0:.4f},{g_lat0:.4f},{g_lon1:.4f},{g_lat1:.4f}): {', '.join(outside[:10])}"
                + (" ..." if len(outside) > 10 else "") + "; check the area file matches the city")
        origin_area = assign_to_areas(areas.polygons, origins.lon, origins.lat)
        n_outside = int((origin_area < 0).sum())
        if n_outside == origin_area.size:
            raise InputError(f"none of the {origin_area.size} origins lies inside any area")
        if n_outside:
            warnings.append(f"{n_outside} of {origin_area.size} origins lie outside every area and were not "
                            "computed (listed in outside-areas.csv)")
        known = np.isin(facilities.values["category"].astype(str), list(standard.categories))
        if not known.all():
            dropped = sorted(set(facilities.values["category"][~known].astype(str)))
            warnings.append(f"{int((~known).sum())} facilities have categories the standard does not list and "
                            f"were left out: {', '.join(dropped[:10])}")
            facilities = facilities.take(np.flatnonzero(known))
        return cls(graph, areas, origins, facilities, standard, reach, float(max_snap_m), origin_area, warnings)

    def jobs(self) -> Iterator[AreaJob]:
        """Each area's job, in area order: its streets and facilities within reach plus snapping distance."""
        import shapely

        edges = EdgeIndex(self.graph)
        order = np.argsort(self.origin_area, kind="stable")
        starts = np.searchsorted(self.origin_area[order], np.arange(len(self.areas) + 1))
        f = self.facilities
        for i, (code, name, polygon) in enumerate(zip(self.areas.codes, self.areas.names, self.areas.polygons)):
            halo = grow_polygon(polygon, self.reach_m + self.max_snap_m)
            graph = polygon_halo_graph(edges, halo)
            x0, y0, x1, y1 = halo.bounds
            seen = np.flatnonzero((f.lon >= x0) & (f.lon <= x1) & (f.lat >= y0) & (f.lat <= y1))
            seen = seen[shapely.contains_xy(halo, f.lon[seen], f.lat[seen])]
            yield AreaJob(code, name, graph if graph.n_edges else None,
                          self.origins.take(order[starts[i]:starts[i + 1]]), f.take(seen),
                          self.standard.categories, dict(self.standard.category_tier),
                          self.standard.thresholds_m, self.reach_m, self.max_snap_m)


def assign_to_areas(polygons, lon, lat) -> np.ndarray:
    """Index of the first polygon covering each point (borders included), -1 for none."""
    import shapely

    tree = shapely.STRtree(polygons)
    point_index, area_index = tree.query(shapely.points(np.column_stack((lon, lat))), predicate="intersects")
    first = np.full(np.asarray(lon).size, len(polygons), dtype=np.int64)
    np.minimum.at(first, point_index, area_index)
    first[first == len(polygons)] = -1
    return first


def compute_area(job: AreaJob) -> tuple[bytes, dict]:
    """Run one area: its GeoParquet file (bytes) and its report (timings, memory, coverage rows).

    This is the Dask task: it reads nothing but ``job`` and writes nothing;
    the driver stores what it returns.
    """
    started, started_cpu = time.perf_counter(), time.process_time()
    o, f = job.origins, job.facilities
    n_cat, n_thr = len(job.categories), len(job.thresholds_m)
    messages = []
    if job.graph is None or o.lon.size == 0:
        nearest = np.full((o.lon.size, n_cat), np.nan)
        count = np.zeros((o.lon.size, n_cat, n_thr), np.int32)
        capacity = np.zeros((o.lon.size, n_cat, n_thr), np.float32)
        on_network = np.zeros(o.lon.size, bool)
        if job.graph is None and o.lon.size:
            messages.append(f"area {job.code}: no walkable street in or within {job.reach_m + job.max_snap_m:.0f} m "
                            f"of it; its {o.lon.size} origins are reported as off the network")
        nodes = 0 if job.graph is None else job.graph.n_nodes
        facilities_on_network = 0
    else:
        origin_snap = snap_points(job.graph, o.lon, o.lat, job.max_snap_m)
        facility_snap = snap_points(job.graph, f.lon, f.lat, job.max_snap_m)
        result = accessibility(job.graph, origin_snap, facility_snap, f.values["category"].astype(str),
                               job.thresholds_m, capacity=f.values["capacity"], max_distance_m=job.reach_m,
                               category_names=list(job.categories))
        nearest, count, capacity, on_network = result.nearest_m, result.count, result.capacity, result.origin_ok
        nodes, facilities_on_network = job.graph.n_nodes, int(facility_snap.ok.sum())
        if (~on_network).any():
            messages.append(f"area {job.code}: {int((~on_network).sum())} origins are more than "
                            f"{job.max_snap_m:.0f} m from any walkable street and were not placed")
    summary = _coverage_rows(job, nearest, on_network, o.values["population"])
    report = {
        "area_code": job.code, "area_name": job.name, "origins": int(o.lon.size),
        "origins_on_network": int(on_network.sum()), "facilities_in_halo": int(f.lon.size),
        "facilities_on_network": facilities_on_network, "halo_nodes": int(nodes),
        "fingerprint": job.fingerprint(), "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - started_cpu, "worker": f"{socket.gethostname()}:{os.getpid()}",
        "worker_peak_mb": peak_memory_mb(), "messages": messages, "summary": summary,
    }
    table = _origin_table(job, nearest, count, capacity, on_network)
    return _parquet_bytes(table, {"lifecircle": report}), report


def peak_memory_mb() -> float:
    """This process's peak resident memory in MB.

    ``VmHWM`` belongs to the process image alone; ``ru_maxrss`` (the
    fallback off Linux) can carry over the peak of the process that
    started this one.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _coverage_rows(job: AreaJob, nearest, on_network, population) -> list[list]:
    """Per category and tier: population within the tier's distance of one facility (off-network counts as not covered)."""
    population = np.asarray(population, dtype=np.float64)
    total = float(population.sum())
    rows = []
    for c, category in enumerate(job.categories):
        for tier, threshold in zip(TIERS, job.thresholds_m):
            covered = float(population[on_network & (nearest[:, c] <= threshold)].sum())
            rows.append([job.code, job.name, category, tier, threshold, job.category_tier[category] == tier,
                         int(population.size), int((~on_network).sum()), total, covered,
                         covered / total if total > 0 else None])
    return rows


def _origin_table(job: AreaJob, nearest, count, capacity, on_network):
    import pyarrow as pa
    import shapely

    o = job.origins
    off = ~on_network
    columns = {
        "origin_id": pa.array(o.id.astype(str)),
        "area_code": pa.array(np.full(o.lon.size, job.code)).dictionary_encode(),
        "lon": pa.array(o.lon), "lat": pa.array(o.lat),
        "population": pa.array(np.asarray(o.values["population"], dtype=np.float64)),
        "on_network": pa.array(on_network),
    }
    for c, category in enumerate(job.categories):
        columns[f"{category}_nearest_m"] = pa.array(nearest[:, c], mask=~np.isfinite(nearest[:, c]))
        for t, threshold in enumerate(job.thresholds_m):
            columns[f"{category}_count_{threshold:g}m"] = pa.array(count[:, c, t], mask=off)
        for t, threshold in enumerate(job.thresholds_m):
            columns[f"{category}_capacity_{threshold:g}m"] = pa.array(capacity[:, c, t], mask=off)
    columns["geometry"] = pa.array(shapely.to_wkb(shapely.points(o.lon, o.lat)) if o.lon.size else [],
                                   type=pa.binary())
    return pa.table(columns)


def _parquet_bytes(table, metadata: dict) -> bytes:
    import pyarrow.parquet as pq

    geo = {"version": "1.1.0", "primary_column": "geometry",
           "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}}}  # no crs: OGC:CRS84 lon/lat
    meta = {b"geo": json.dumps(geo).encode(), **{k.encode(): json.dumps(v, ensure_ascii=False).encode()
                                                 for k, v in metadata.items()}}
    table = table.replace_schema_metadata(meta)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


# ------------------------------------------------- one network, one task
@dataclass(eq=False)
class NetworkJob:
    """One whole network's accessibility, as the platform computes a sub-district: a Dask task too.

    ``pair_facility`` / ``pair_category`` / ``pair_capacity`` list each
    (facility, category) it offers, so a facility counts once per category.
    """

    key: str
    graph: WalkGraph
    origin_lon: np.ndarray
    origin_lat: np.ndarray
    facility_lon: np.ndarray
    facility_lat: np.ndarray
    pair_facility: np.ndarray
    pair_category: list
    pair_capacity: list
    thresholds_m: list
    category_names: list
    max_distance_m: float | None = None


@dataclass(eq=False)
class NetworkResult:
    """What :func:`measure_network` found: the accessibility result and the points it could not place."""

    result: object  # AccessibilityResult
    origin_far_index: np.ndarray
    origin_far_m: np.ndarray
    facility_far_index: np.ndarray
    facility_far_m: np.ndarray
    seconds: float
    worker: str
    worker_peak_mb: float


def measure_network(job: NetworkJob, progress: bool = False) -> NetworkResult:
    """Snap the origins and facilities of ``job`` and measure accessibility on its whole graph."""
    started = time.perf_counter()
    origins = snap_points(job.graph, job.origin_lon, job.origin_lat)
    places = snap_points(job.graph, job.facility_lon, job.facility_lat)
    result = accessibility(job.graph, origins, places.take(np.asarray(job.pair_facility, dtype=np.int64)),
                           job.pair_category, thresholds_m=job.thresholds_m, capacity=job.pair_capacity,
                           max_distance_m=job.max_distance_m, category_names=job.category_names,
                           progress=progress)
    return NetworkResult(result, origins.far_index, origins.far_distance_m, places.far_index, places.far_distance_m,
                         time.perf_counter() - started, f"{socket.gethostname()}:{os.getpid()}", peak_memory_mb())


# ------------------------------------------------------------------ storage
class OutputFolder:
    """The run's folder: one Parquet file per area, written atomically, read back for resuming."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self.origin_dir = os.path.join(self.path, ORIGIN_DIR)

    def area_path(self, code: str) -> str:
        return os.path.join(self.origin_dir, f"area={urllib.parse.quote(code, safe='')}.parquet")

    @contextmanager
    def locked(self):
        """Hold the folder for one run: a second run on it at the same time is refused."""
        import fcntl

        os.makedirs(self.path, exist_ok=True)
        with open(os.path.join(self.path, ".lock"), "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError("another run is writing to this folder; wait for it or use another folder",
                                 self.path) from None
            yield

    def prepare(self, codes: list[str]) -> None:
        """Create the folder; refuse one holding areas this run does not have (they would mix into the dataset)."""
        os.makedirs(self.origin_dir, exist_ok=True)
        wanted = {os.path.basename(self.area_path(c)) for c in codes}
        for name in os.listdir(self.origin_dir):
            if name.startswith(".lifecircle-") and name.endswith(".tmp"):
                os.unlink(os.path.join(self.origin_dir, name))  # left by an interrupted write
        foreign = sorted(n for n in os.listdir(self.origin_dir) if n.endswith(".parquet") and n not in wanted)
        if foreign:
            raise InputError(f"holds results of {len(foreign)} area(s) this run does not have "
                             f"({', '.join(foreign[:5])}); use a new output folder", self.path)

    def finished_report(self, code: str, fingerprint: str) -> dict | None:
        """The stored report of ``code`` if its file is complete and was made from the same inputs."""
        import pyarrow.parquet as pq

        path = self.area_path(code)
        if not os.path.exists(path):
            return None
        try:
            report = json.loads(pq.read_schema(path).metadata[b"lifecircle"])
        except Exception:  # unreadable or foreign file: compute the area again
            return None
        return report if report.get("fingerprint") == fingerprint else None

    def write_area(self, code: str, data: bytes) -> None:
        from .tables import atomic_write

        with atomic_write(self.area_path(code), "wb") as f:
            f.write(data)


# ----------------------------------------------------------------- running
def connect(scheduler: str | None = None, workers: int | None = None, memory_limit="auto",
            timeout_s: float = 10.0):
    """A Dask client: of the scheduler at ``scheduler``, or of a new local cluster of ``workers`` processes.

    Returns ``(client, cluster)``; ``cluster`` is ``None`` for a remote scheduler.
    Close both when done (:func:`close`).

    Raises
    ------
    ClusterError
        Dask is not installed, or the scheduler cannot be reached.
    """
    try:
        import logging

        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError("city-scale runs need Dask: pip install 'lifecircle[city]' "
                           "(dask and distributed 2026.8.0, pyarrow 26.0.1)") from None
    if scheduler:
        try:
            return Client(scheduler, timeout=f"{timeout_s}s", set_as_default=False), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); is it running, and is "
                               "the address tcp://HOST:PORT?") from None
    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                           dashboard_address=None, silence_logs=logging.ERROR)
    return Client(cluster, set_as_default=False), cluster


def close(client, cluster) -> None:
    client.close()
    if cluster is not None:
        cluster.close()


def stream(client, function, jobs: Iterable, bar=None,
           window: int | None = None) -> Iterator[tuple[object, object, BaseException | None]]:
    """Run ``function(job)`` on the cluster for each ``(key, job)``; yield ``(key, result, error)`` as each ends.

    With ``client=None`` the jobs run here, one after another.

    At most ``window`` tasks (default: twice the workers) are in flight, so
    neither the driver nor the scheduler holds every job at once. A task
    whose worker dies is rerun by Dask; one that dies too often, raises, or
    is cancelled (the client lost its scheduler) comes back with its
    ``error`` set and the others go on.
    """
    if client is None:  # in this process, one area after another: tests and tiny cities
        for key, job in jobs:
            try:
                result = function(job)
            except Exception as exc:  # reported per area, like a failed task on a cluster
                yield key, None, exc
            else:
                yield key, result, None
            if bar is not None:
                bar.update(1)
        return

    import warnings

    from dask.distributed import as_completed

    window = window or max(2 * len(client.scheduler_info(n_workers=-1).get("workers", {})), 2)
    jobs = iter(jobs)
    keys = {}

    def submit(count):
        futures = []
        for key, job in jobs:
            with warnings.catch_warnings():  # an area's streets are a few MB: fine to send with the task
                warnings.filterwarnings("ignore", message=".*large graph.*")
                future = client.submit(function, job, pure=False)
            keys[future.key] = key
            futures.append(future)
            if len(futures) >= count:
                break
        return futures

    first = submit(window)
    if not first:
        return
    finished = as_completed(first, loop=client.loop)
    for future in finished:
        key = keys.pop(future.key)
        if future.status == "finished":
            yield key, future.result(), None
        elif future.status == "error":
            yield key, None, future.exception()
        else:  # cancelled (the client lost its scheduler): no exception of its own, but not done either
            yield key, None, ClusterError(f"the cluster gave the task up ({future.status})")
        if bar is not None:
            bar.update(1)
        finished.update(submit(window - finished.count()))


def progress_bar(total: int, what: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=what, unit=f" {what[:-1]}", file=sys.stderr)


@dataclass
class CityRun:
    """What a run did: per-area reports, areas skipped as already done, failures, warnings."""

    out: str
    reports: list[dict]
    computed: list[str]
    skipped: list[str]
    failed: dict
    warnings: list[str]
    seconds: float

    def worker_peaks_mb(self) -> dict:
        """The largest peak memory each worker reported (MB), over the areas it computed in this run."""
        peaks = {}
        for report in self.reports:
            if report["area_code"] in self.computed:
                peaks[report["worker"]] = max(peaks.get(report["worker"], 0.0), report["worker_peak_mb"])
        return peaks


def run_city(plan: CityPlan, out, client, progress: bool = True) -> CityRun:
    """Compute every area of ``plan`` not already finished in ``out``, on ``client``'s cluster (``None``: here).

    Each finished area is written as soon as it arrives. Raises
    :class:`CityRunError` after the run if any area failed (the rest are saved).
    """
    folder = OutputFolder(out)
    with folder.locked():
        return _run_city(plan, folder, client, progress)


def _run_city(plan: CityPlan, folder: "OutputFolder", client, progress: bool) -> CityRun:
    started = time.perf_counter()
    folder.prepare(plan.areas.codes)
    warnings = list(plan.warnings)
    reports, skipped = {}, []

    bar = progress_bar(len(plan.areas), "areas") if progress else None

    def pending():
        for job in plan.jobs():
            done = folder.finished_report(job.code, job.fingerprint())
            if done is None:
                yield job.code, job
                continue
            reports[job.code] = done
            skipped.append(job.code)
            if bar is not None:
                bar.update(1)

    computed, failed = [], {}
    try:
        for code, result, error in stream(client, compute_area, pending(), bar=bar):
            if error is not None:
                failed[code] = _explain(error)
                continue
            data, report = result
            folder.write_area(code, data)
            reports[code] = report
            computed.append(code)
    finally:
        if bar is not None:
            bar.close()
    for code in plan.areas.codes:
        for message in reports.get(code, {}).get("messages", []):
            warnings.append(message)
    run = CityRun(folder.path, [reports[c] for c in plan.areas.codes if c in reports], computed, skipped, failed,
                  warnings, time.perf_counter() - started)
    _write_run_files(plan, folder, run)
    if failed:
        raise CityRunError(
            f"{len(failed)} of {len(plan.areas)} areas failed: "
            + "; ".join(f"{c}: {m}" for c, m in list(failed.items())[:5])
            + f". The {len(reports)} finished areas are saved; run the same command again to compute the rest.")
    return run


def _explain(error: BaseException) -> str:
    if type(error).__name__ == "KilledWorker":
        return ("its worker died every time it was tried (out of memory? killed?); "
                "see the worker logs, or give workers more memory")
    return f"{type(error).__name__}: {error}"


def _write_run_files(plan: CityPlan, folder: OutputFolder, run: CityRun) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .tables import atomic_write, write_csv, write_json

    rows = [row for report in run.reports for row in report["summary"]]
    write_csv(os.path.join(folder.path, "summary.csv"), SUMMARY_COLUMNS,
              [[("" if v is None else f"{v:.4f}") if k == "share" else v for k, v in zip(SUMMARY_COLUMNS, r)]
               for r in rows])
    table = pa.table({k: [r[i] for r in rows] for i, k in enumerate(SUMMARY_COLUMNS)})
    with atomic_write(os.path.join(folder.path, "summary.parquet"), "wb") as f:
        pq.write_table(table, f)
    outside = np.flatnonzero(plan.origin_area < 0)
    outside_path = os.path.join(folder.path, "outside-areas.csv")
    if outside.size:
        write_csv(outside_path, ["origin_id", "lon", "lat"],
                  [[plan.origins.id[i], plan.origins.lon[i], plan.origins.lat[i]] for i in outside])
    elif os.path.exists(outside_path):
        os.unlink(outside_path)
    write_json(os.path.join(folder.path, "run.json"), {
        "standard": plan.standard.code, "categories": list(plan.standard.categories),
        "thresholds_m": list(plan.standard.thresholds_m), "reach_m": plan.reach_m, "max_snap_m": plan.max_snap_m,
        "areas": len(plan.areas), "computed": run.computed, "skipped": run.skipped, "failed": run.failed,
        "seconds": run.seconds, "worker_peak_mb": run.worker_peaks_mb(), "warnings": run.warnings,
        "area_reports": [{k: v for k, v in r.items() if k != "summary"} for r in run.reports],
    })


def read_results(out):
    """The run's origin dataset as one pyarrow Table (every area's file)."""
    import pyarrow.dataset as ds

    return ds.dataset(os.path.join(os.fspath(out), ORIGIN_DIR), format="parquet").to_table()


# ------------------------------------------------------------- command line
DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "data")
DEFAULT_STANDARD = os.path.join(DATA, "standards", "shanghai-2016.json")
DEFAULT_MAPPING = os.path.join(DATA, "osm", "tag-categories.json")


def add_parser(sub) -> None:
    """Register ``city-accessibility`` (alias ``city``) on the geo command line's subparsers."""
    p = sub.add_parser("city-accessibility", aliases=["city"],
                       help="a whole city, area by area on Dask: GeoParquet per origin + per-area coverage")
    p.add_argument("osm", help="OSM extract of the city (.osm.pbf)")
    p.add_argument("--areas", required=True,
                   help="GeoJSON of area polygons (code, name, population properties), or admin:LEVEL for the "
                        "extract's administrative boundaries of that level")
    p.add_argument("--origins", required=True,
                   help="CSV with lon,lat[,id,population]; 'buildings' (building outlines of the extract); or "
                        "'grid:METRES' (a regular grid inside the areas)")
    p.add_argument("--facilities", action="append", default=[],
                   help="'osm' (tagged in the extract, via --mapping) or a CSV with lon,lat,category[,id,capacity]; "
                        "repeatable (default: osm)")
    p.add_argument("--mapping", default=DEFAULT_MAPPING, help="OSM tag -> category rules (data/osm/tag-categories.json)")
    p.add_argument("--standard", default=DEFAULT_STANDARD,
                   help="walking standard: categories and tier distances (data/standards/shanghai-2016.json)")
    p.add_argument("--out", required=True, help="output folder (a rerun with the same folder resumes)")
    p.add_argument("--scheduler", help="address of a running Dask scheduler, tcp://HOST:8786 (default: a local "
                                       "cluster of this machine's cores)")
    p.add_argument("--scheduler-timeout", type=float, default=10.0, help="seconds to wait for the scheduler (10)")
    p.add_argument("--workers", type=int, help="local cluster: worker processes (default: one per core)")
    p.add_argument("--worker-memory", default="auto",
                   help="local cluster: memory limit per worker, e.g. 4GB (default: RAM / workers)")
    p.add_argument("--reach-m", type=float,
                   help="nearest distances are reported up to this far (default: the largest tier distance)")
    p.add_argument("--max-snap-m", type=float, default=DEFAULT_MAX_SNAP_M)
    p.add_argument("--graph", help="walking graph built before from the same extract (build-graph), to save "
                                   "reading the streets again")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=_command)


def _option_number(value: str, kind):
    """The number after the colon of ``admin:10`` or ``grid:200``."""
    name, _, number = value.partition(":")
    try:
        return kind(number)
    except ValueError:
        raise InputError(f"{value!r}: expected {name}:{'LEVEL' if kind is int else 'METRES'} with a number") from None


def _command(args) -> int:
    from .osm import load_network

    standard = WalkingStandard.read(args.standard)
    if args.areas.startswith("admin:"):
        areas = CityAreas.from_osm_admin_level(args.osm, _option_number(args.areas, int))
    else:
        areas = CityAreas.from_geojson(args.areas)
    if args.origins == "buildings":
        origins = origins_from_buildings(args.osm)
    elif args.origins.startswith("grid:"):
        origins = origins_on_grid(areas, _option_number(args.origins, float))
    else:
        origins = origins_from_csv(args.origins)
    sources = args.facilities or ["osm"]
    facilities = Points.concat([facilities_from_osm(args.osm, args.mapping) if s == "osm" else facilities_from_csv(s)
                                for s in sources])
    graph = WalkGraph.load(args.graph) if args.graph else load_network(args.osm, progress=not args.quiet)
    plan = CityPlan.build(graph, areas, origins, facilities, standard, args.reach_m, args.max_snap_m)
    client, cluster = connect(args.scheduler, args.workers, args.worker_memory, args.scheduler_timeout)
    try:
        run = run_city(plan, args.out, client, progress=not args.quiet)
    finally:
        close(client, cluster)
    for message in run.warnings:
        print(f"warning: {message}", file=sys.stderr)
    peaks = run.worker_peaks_mb()
    print(f"{args.out}: {len(areas)} areas ({len(run.computed)} computed, {len(run.skipped)} already done) in "
          f"{run.seconds:.1f} s; {origins.lon.size} origins x {len(standard.categories)} categories"
          + (f"; peak memory per worker {max(peaks.values()):.0f} MB" if peaks else ""), file=sys.stderr)
    print(f"origins: {os.path.join(args.out, ORIGIN_DIR)}/ (GeoParquet)  per-area coverage: "
          f"{os.path.join(args.out, 'summary.csv')}", file=sys.stderr)
    return 0
