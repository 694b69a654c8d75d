"""Command line for the geo engine: ``python -m lifecircle.geo COMMAND ...``.

Commands:

``build-graph IN.osm.pbf OUT.npz [--boundary AREA.geojson|RELATION_ID] [--buffer-m 500]``
    Read OpenStreetMap data into a walking graph; says what it left out
    (islands, ways cut at the extract's edge) and what looks wrong (no
    footways, a boundary the streets do not cover: refused).
``geojson GRAPH.npz OUT.geojson``
    Export the graph's streets for a map.
``accessibility GRAPH.npz --origins O.csv --facilities F.csv --out R.csv [--standard S.json]``
    Nearest facility per category and counts within each life-circle tier.
``coverage GRAPH.npz --origins O.csv --facilities F.csv --out C.csv [--gaps G.csv]``
    Population share within reach per group and category, and the gap list.
``isochrone GRAPH.npz LON LAT [--out I.geojson]``
    Walking isochrones around a point.
``city-accessibility CITY.osm.pbf --areas A.geojson|admin:10 --origins O.csv|buildings|grid:200 --out DIR``
    A whole city area by area on Dask (:mod:`lifecircle.geo.city`).

Distances: by default the 5-, 10- and 15-minute tiers are the distances of
the walking standard (``--standard FILE``, default the shipped
``data/standards/shanghai-2016.json``: 300, 500 and 1,000 m), exactly as the
platform uses them; coverage judges each category against its own row of the
standard. ``--minutes`` (at a ``--profile`` speed) or ``--distances-m``
replace the standard. Every command prints the distances it used.

Walking profiles: ``--walk barrier-free`` (or ``elderly``) walks the graph's
profile of that name (built from ``data/osm/walking-profiles.json`` by
``build-graph``) and prints what the map data leaves unknown to it; a graph
saved before walking profiles is refused for them with a message to rebuild.

Point CSVs need ``lon`` and ``lat`` columns (``id`` optional); facilities
also ``category`` (``capacity`` optional); for coverage, origins also need
``population`` and ``group``. Errors in input print one line naming the
file and the problem, and exit with status 2. Origins or facilities that
look shifted (GCJ-02/BD-09 coordinates declared as WGS84) or lie far from
the streets are reported as warnings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

from .errors import BoundaryError, GeoError
from .snapping import DEFAULT_MAX_SNAP_M
from .standard import DEFAULT_STANDARD, read_standard
from .walking import DEFAULT_PROFILE, SPEED_PROFILES_M_PER_MIN, minutes_to_metres, speed_m_per_min


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stdout = open(os.devnull, "w")
        return 0
    except GeoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lifecircle.geo",
                                     description="Walking-network tools for the 15-minute life circle.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build-graph", help="read OpenStreetMap data into a walking graph (.npz)")
    p.add_argument("osm", help="OSM file: .osm.pbf, .osm, .osm.bz2, ...")
    p.add_argument("out", help="graph file to write (.npz)")
    p.add_argument("--boundary", help="study area: a GeoJSON (Multi)Polygon file, or an OSM relation id in the file")
    p.add_argument("--buffer-m", type=float, default=500.0, help="keep streets this far beyond the boundary (500)")
    p.add_argument("--keep-islands", action="store_true", help="keep street fragments cut off from the main network")
    p.add_argument("--min-street-coverage", type=float, default=None, metavar="SHARE",
                   help="with --boundary: least share of its area within 200 m of a street (default 0.5; "
                        "0 turns the check off)")
    _add_quiet(p)
    p.set_defaults(run=_build_graph)

    p = sub.add_parser("geojson", help="export a graph's streets as GeoJSON")
    p.add_argument("graph")
    p.add_argument("out")
    p.set_defaults(run=_geojson)

    for name, run, text in (("accessibility", _accessibility, "nearest facility and counts within reach"),
                            ("coverage", _coverage, "population coverage per group and the gap list")):
        p = sub.add_parser(name, help=text)
        p.add_argument("graph")
        p.add_argument("--origins", required=True, help="CSV with lon,lat[,id]"
                       + (",population,group" if name == "coverage" else ""))
        p.add_argument("--facilities", required=True, help="CSV with lon,lat,category[,id,capacity]")
        p.add_argument("--out", required=True, help="CSV to write")
        p.add_argument("--far", help="CSV listing points too far from any street to snap")
        p.add_argument("--max-snap-m", type=float, default=DEFAULT_MAX_SNAP_M)
        _add_thresholds(p)
        _add_quiet(p)
        if name == "coverage":
            p.add_argument("--gaps", help="CSV listing each origin lacking a category within reach")
            p.add_argument("--category-minutes", action="append", default=[], metavar="CATEGORY=MIN",
                           help="walking time for one category (repeatable); others use their row of the "
                                "standard, or the largest distance")
        p.set_defaults(run=run)

    p = sub.add_parser("isochrone", help="walking isochrones around a point (GeoJSON)")
    p.add_argument("graph")
    p.add_argument("lon", type=float)
    p.add_argument("lat", type=float)
    p.add_argument("--out", help="GeoJSON file to write (default: standard output)")
    p.add_argument("--max-snap-m", type=float, default=DEFAULT_MAX_SNAP_M)
    _add_thresholds(p)
    p.set_defaults(run=_isochrone)

    from .city import add_parser as add_city_parser

    add_city_parser(sub)
    return parser


def _add_thresholds(p):
    p.add_argument("--standard", default=str(DEFAULT_STANDARD), metavar="FILE",
                   help="walking standard whose tier distances are used (default: the shipped Shanghai 2016 "
                        "guideline, 300/500/1000 m)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--minutes", type=float, nargs="+",
                       help="walking times at the --profile speed instead of the standard's distances")
    group.add_argument("--distances-m", type=float, nargs="+", help="walking distances in metres instead")
    p.add_argument("--walk", default="standard", metavar="PROFILE",
                   help="walking profile of the graph: standard (default), elderly or barrier-free")
    p.add_argument("--profile", default=DEFAULT_PROFILE,
                   help=f"walking speed: {', '.join(f'{k} ({v:g} m/min)' for k, v in SPEED_PROFILES_M_PER_MIN.items())}"
                        " or a number in m/min")


def _add_quiet(p):
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def _profile(args):
    try:
        return float(args.profile)
    except ValueError:
        return args.profile


def _distances(args) -> np.ndarray:
    """The distances to use, after saying on standard error which they are and where they come from."""
    if args.distances_m:
        distances = np.sort(np.asarray(args.distances_m, dtype=np.float64))
        source = "given with --distances-m"
    elif args.minutes:
        distances = np.sort(minutes_to_metres(args.minutes, _profile(args)))
        source = (f"{', '.join(f'{m:g}' for m in sorted(args.minutes))} min at "
                  f"{speed_m_per_min(_profile(args)):g} m/min, given with --minutes")
    else:
        standard = _standard(args)
        distances = np.array(list(standard.tiers.values()), dtype=np.float64)
        source = standard.describe()
    print(f"distances: {', '.join(f'{d:g} m' for d in distances)} ({source})", file=sys.stderr)
    return distances


def _standard(args):
    """The walking standard, unless --minutes or --distances-m replace it."""
    if args.minutes or args.distances_m:
        return None
    if getattr(args, "standard_read", None) is None:
        args.standard_read = read_standard(args.standard)
    return args.standard_read


# ------------------------------------------------------------------- commands
def _build_graph(args):
    from .osm import build_network

    boundary = None
    if args.boundary:
        boundary = int(args.boundary) if args.boundary.isdigit() else _read_boundary(args.boundary)
    build = build_network(args.osm, boundary=boundary, buffer_m=args.buffer_m,
                          largest_component=not args.keep_islands, progress=not args.quiet,
                          min_street_coverage=args.min_street_coverage)
    graph = build.graph
    graph.save(args.out)
    total_km = float(graph.edge_length.astype(np.float64).sum()) / 1000.0
    print(f"{args.out}: {graph.n_nodes} nodes, {graph.n_edges} edges, {total_km:.1f} km of walkable street",
          file=sys.stderr)
    for warning in build.warnings:
        print(f"warning: {args.osm}: {warning}", file=sys.stderr)
    for note in build.profile_warnings:
        print(f"note (walking profiles {', '.join(graph.profile_names[1:])}): {note}", file=sys.stderr)


def _geojson(args):
    from .graph import WalkGraph
    from .tables import write_json

    write_json(args.out, WalkGraph.load(args.graph).to_geojson())


def _load_inputs(args, origin_columns=(), origin_numeric=()):
    from .graph import WalkGraph
    from .snapping import snap_points
    from .tables import read_points

    graph = _walked(WalkGraph.load(args.graph), args)
    origins = read_points(args.origins, required=origin_columns, numeric=origin_numeric)
    facilities = read_points(args.facilities, required=("category",), optional_numeric=("capacity",))
    o_snap = snap_points(graph, origins["lon"], origins["lat"], args.max_snap_m, source=args.origins)
    f_snap = snap_points(graph, facilities["lon"], facilities["lat"], args.max_snap_m, source=args.facilities)
    _report_far(args, origins, o_snap, args.origins, facilities, f_snap, args.facilities)
    _report_shifted(graph, ((args.origins, origins, "origins"), (args.facilities, facilities, "facilities")))
    return graph, origins, facilities, o_snap, f_snap


def _walked(graph, args):
    """The graph walked with ``--walk`` (ProfileError when it has no such profile), saying what is unknown."""
    from .profiles import TagAudit

    walked = graph.for_profile(args.walk)
    if walked.profile != "standard":
        print(f"walking profile: {walked.profile}", file=sys.stderr)
        for note in TagAudit.from_dict(walked.tag_audit).warnings:
            print(f"note: {note}", file=sys.stderr)
    return walked


def _report_shifted(graph, tables):
    """Warn about points that look shifted or lie far from the streets (see quality.coordinate_check)."""
    from .quality import coordinate_check

    for path, table, what in tables:
        message = coordinate_check(graph, table["lon"], table["lat"]).message(what)
        if message:
            print(f"warning: {path}: {message}", file=sys.stderr)


def _report_far(args, origins, o_snap, o_path, facilities, f_snap, f_path):
    from .tables import write_csv

    rows = [(path, table["id"][i], f"{d:.1f}")
            for path, table, snap in ((o_path, origins, o_snap), (f_path, facilities, f_snap))
            for i, d in zip(snap.far_index, snap.far_distance_m)]
    if rows:
        print(f"warning: {len(rows)} point(s) are more than {args.max_snap_m:.0f} m from any walkable street "
              f"and were not placed" + (f"; listed in {args.far}" if args.far else " (use --far FILE to list them)"),
              file=sys.stderr)
    if args.far:
        write_csv(args.far, ["file", "id", "distance_to_street_m"], rows)


def _accessibility(args):
    from .accessibility import accessibility
    from .tables import format_metres, write_csv

    graph, origins, facilities, o_snap, f_snap = _load_inputs(args)
    thresholds = _distances(args)
    result = accessibility(graph, o_snap, f_snap, facilities["category"], thresholds,
                           capacity=facilities.get("capacity"), progress=not args.quiet)
    header = ["id", "lon", "lat"]
    for c in result.categories:
        header.append(f"{c}_nearest_m")
        header += [f"{c}_count_{t:g}m" for t in thresholds]
        if result.capacity is not None:
            header += [f"{c}_capacity_{t:g}m" for t in thresholds]
    rows = []
    for i in range(len(o_snap)):
        row = [origins["id"][i], origins["lon"][i], origins["lat"][i]]
        for c in range(len(result.categories)):
            row.append(format_metres(result.nearest_m[i, c]))
            row += result.count[i, c].tolist() if result.origin_ok[i] else [""] * thresholds.size
            if result.capacity is not None:
                row += ([f"{x:g}" for x in result.capacity[i, c]] if result.origin_ok[i]
                        else [""] * thresholds.size)
        rows.append(row)
    write_csv(args.out, header, rows)
    print(f"{args.out}: {len(rows)} origins x {len(result.categories)} categories", file=sys.stderr)


def _coverage(args):
    from .accessibility import nearest_facilities
    from .coverage import coverage
    from .tables import format_metres, write_csv

    graph, origins, facilities, o_snap, f_snap = _load_inputs(
        args, origin_columns=("population", "group"), origin_numeric=("population",))
    categories = sorted(set(facilities["category"].tolist()))
    default = float(_distances(args)[-1])
    standard = _standard(args)
    per_category = {c: (standard.categories.get(c, default) if standard else default) for c in categories}
    if standard is not None and any(c not in standard.categories for c in categories):
        print(f"note: categories not in the standard are judged at {default:g} m: "
              f"{', '.join(c for c in categories if c not in standard.categories)}", file=sys.stderr)
    for item in args.category_minutes:
        name, _, value = item.partition("=")
        if name not in per_category:
            raise ValueError(f"--category-minutes {item!r}: no facility has category {name!r}")
        per_category[name] = float(minutes_to_metres(float(value), _profile(args)))
    nearest = nearest_facilities(graph, o_snap, f_snap, facilities["category"], progress=not args.quiet)
    result = coverage(nearest, categories, origins["population"], origins["group"], per_category)
    write_csv(args.out, ["group", "category", "threshold_m", "population", "covered_population", "share"],
              [[r["group"], r["category"], r["threshold_m"], f"{r['population']:g}",
                f"{r['covered_population']:g}", "" if r["share"] is None else f"{r['share']:.4f}"]
               for r in result.share_records()])
    if args.gaps:
        write_csv(args.gaps, ["origin_id", "group", "category", "distance_m", "shortfall_m"],
                  [[origins["id"][i], origins["group"][i], result.categories[c],
                    format_metres(d), format_metres(s)]
                   for i, c, d, s in zip(result.gap_origin, result.gap_category,
                                         result.gap_distance_m, result.gap_shortfall_m)])
    print(f"{args.out}: {len(result.groups)} groups x {len(categories)} categories; "
          f"{result.gap_origin.size} gaps", file=sys.stderr)


def _isochrone(args):
    from .graph import WalkGraph
    from .isochrones import isochrones
    from .tables import write_json

    fc = isochrones(_walked(WalkGraph.load(args.graph), args), args.lon, args.lat, distances_m=_distances(args),
                    max_snap_m=args.max_snap_m, profile=_profile(args))
    if args.out:
        write_json(args.out, fc)
    else:
        json.dump(fc, sys.stdout, separators=(",", ":"))
        sys.stdout.write("\n")


def _read_boundary(path):
    """A (Multi)Polygon from a GeoJSON file: a geometry, a Feature, or a FeatureCollection (unioned)."""
    import shapely

    if not os.path.exists(path):
        raise BoundaryError("no such file", path)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError(f"not a GeoJSON file ({exc})", path) from exc
    if not isinstance(data, dict):
        raise BoundaryError("not a GeoJSON object", path)
    if data.get("type") == "FeatureCollection":
        geometries = [feat.get("geometry") for feat in data.get("features", [])]
    elif data.get("type") == "Feature":
        geometries = [data.get("geometry")]
    else:
        geometries = [data]
    try:
        shapes = [shapely.geometry.shape(g) for g in geometries if g]
    except Exception as exc:  # shapely raises several types for malformed geometry
        raise BoundaryError(f"malformed GeoJSON geometry ({exc})", path) from exc
    polygons = [s for s in shapes if s.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        raise BoundaryError("contains no Polygon or MultiPolygon", path)
    return shapely.union_all(polygons)
