"""Make a data pack for any sub-district from real sources, in one go.

Input: an OpenStreetMap extract (PBF or XML, any size), the sub-district's boundary (an OSM
relation id in the extract, or a GeoJSON file), and optionally grids (GeoJSON) and the staff's
spreadsheets of compounds and facilities (see :mod:`.spreadsheets`). Output: a pack folder that
``load_pack`` accepts as written (the format is in data/packs/README.md).

Invariants:

- **All or nothing.** Every input is read and checked first; the pack is written into a temporary
  folder beside the target, checked with :func:`.packs.read_pack` like any pack, and only then
  moved into place. Any problem (a bad file, a rejected row) raises :class:`MakePackError`
  listing every problem with its file and row, and leaves the target as it was. With
  ``skip_rejected`` the pack is written without the rejected rows, which are still listed.
- **Streaming.** The extract is read in one pass with pyosmium (two more to assemble a relation
  boundary) and never held in memory: only objects tagged with a key the pack needs reach Python,
  and only those near the sub-district are kept. Memory is pyosmium's node-location index (about
  8–16 bytes per node of the file) plus what lies in the sub-district.
- **Nothing silent.** What is clipped, dropped, matched or shifted is counted in the report
  (:attr:`Report.lines`), which is also written into the pack as ``make_pack-report.txt``.

The walking network is the extract's walkable ways (:func:`lifecircle.geo.osm.is_walkable`) that
touch the boundary grown by ``buffer_m`` metres, kept whole with their nodes and tags. The default
buffer is the standard's largest walking threshold (1000 m in Shanghai's 2016 guideline): any walk
between two places in the sub-district that is short enough to count stays within that distance
of it, so clipping changes no result that the standard judges.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from lifecircle.directory import hours
from lifecircle.geo.coordinates import LABELS, WGS84, parse_system, to_wgs84
from lifecircle.geo.distance import LocalProjection, haversine_m
from lifecircle.geo.errors import GeoError
from lifecircle.geo.osm import is_walkable, relation_polygon
from lifecircle.geo.pois import read_mapping
from lifecircle.geography import feature_collection, point_feature, polygon_from_geojson

from . import packs, spreadsheets

DEFAULT_MAPPING = Path(settings.PROJECT_DIR) / "data" / "osm" / "tag-categories.json"
DEFAULT_POI_MAPPING = Path(settings.PROJECT_DIR) / "data" / "osm" / "tag-poi-kinds.json"
DEFAULT_STANDARD = "shanghai-2016.json"
#: A spreadsheet place must lie in the boundary (give or take this much, for points drawn on it): one
#: outside is in no grid, and is most often a coordinate in the wrong system.
BOUNDARY_TOLERANCE_M = 1.0
#: A staff facility and an OSM one of the same category and name this close are the same place.
SAME_PLACE_M = 150.0
OSM_CREDIT = "© OpenStreetMap contributors, ODbL 1.0"


class MakePackError(ValueError):
    """Nothing was written; ``problems`` lists every file, row or feature and the reason."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("no pack was written:\n" + "\n".join(f"  - {p}" for p in self.problems))


@dataclass
class Report:
    folder: Path
    lines: list = field(default_factory=list)
    rejected: list = field(default_factory=list)

    def add(self, line):
        self.lines.append(line)

    def text(self):
        parts = list(self.lines)
        if self.rejected:
            parts.append(f"{len(self.rejected)} spreadsheet rows were rejected and left out:")
            parts += [f"  - {r}" for r in self.rejected]
        return "\n".join(parts)


@dataclass
class Source:
    """A spreadsheet and the coordinate system it declares (None when it has no coordinates)."""

    path: Path
    system: str | None = None


def make_pack(folder, *, osm, boundary, subdistrict, boundary_system=WGS84, grids=None, grids_system=WGS84,
              compounds: Source | None = None, facilities: Source | None = None, buffer_m=None,
              mapping=DEFAULT_MAPPING, poi_mapping=DEFAULT_POI_MAPPING, standard=DEFAULT_STANDARD,
              skip_rejected=False, replace=False):
    """Write a pack for one sub-district into ``folder``; return the :class:`Report`.

    Parameters
    ----------
    folder
        Where the pack goes. It must not exist (or be empty) unless ``replace``.
    osm
        OpenStreetMap extract (``.osm.pbf``, ``.osm``, …) covering the sub-district and its buffer.
    boundary
        An OSM relation id (int, or digits) of a boundary/multipolygon relation in ``osm``, or the
        path of a GeoJSON Polygon/MultiPolygon (a geometry, Feature, or one-feature collection).
    subdistrict
        ``code``, ``name``, ``city``, ``district`` and optionally ``name_en``, ``data_notice``.
    boundary_system, grids_system
        Coordinate system of the boundary and grids GeoJSON (WGS84, GCJ-02, BD-09).
    grids
        GeoJSON of the grids (网格), Polygons with ``code`` and ``name``; default one grid, the whole
        sub-district.
    compounds, facilities
        Staff spreadsheets, each with its declared coordinate system.
    buffer_m
        Metres of walking network kept around the boundary; default the standard's largest threshold.
    mapping, poi_mapping
        OSM tag → service category, and → point-of-interest kind (JSON rules).
    standard
        A shipped standard's file name (data/standards) or the path of a standard file, copied in.
    skip_rejected
        Write the pack without rejected spreadsheet rows (still listed) instead of writing nothing.
    replace
        Replace an existing pack in ``folder`` (only once the new one is complete and checked).

    Raises
    ------
    MakePackError
        Listing every problem; nothing was written.
    """
    folder = Path(folder)
    problems = []
    _check_target(folder, replace, problems)
    osm = Path(osm)
    if not osm.is_file():
        problems.append(f"{osm}: no such OSM file")
    standard_path, standard_data = _read_standard(standard, problems)
    categories = {row["slug"] for row in standard_data.get("rows", [])}
    if buffer_m is None:
        buffer_m = max((row.get("threshold_m", 0) for row in standard_data.get("rows", [])), default=1000)
    if not 0 <= float(buffer_m) <= 20000:
        problems.append(f"buffer {buffer_m} m: must be between 0 and 20000 metres")
    for key in ("code", "name", "city", "district"):
        if not subdistrict.get(key):
            problems.append(f"the sub-district needs a {key}")
    try:
        rules = read_mapping(mapping)
        poi_rules = read_mapping(poi_mapping)
    except GeoError as exc:
        problems.append(str(exc))
        rules, poi_rules = [], []
    unknown = sorted({rule.category for rule in rules} - categories) if categories else []
    if unknown:
        problems.append(f"{mapping}: categories {', '.join(unknown)} are not in the standard {standard_path.name}")

    sheets = _read_sheets(compounds, facilities, standard_data, problems)
    polygon = _read_boundary(boundary, boundary_system, osm, problems) if osm.is_file() else None
    grid_features = _read_grids(grids, grids_system, problems) if grids else None
    if problems:
        raise MakePackError(problems)

    report = Report(folder)
    grown = _grow(polygon, float(buffer_m))
    wanted = [row for sheet in sheets.values() for row in sheet.rows if row.lon is None]
    created = next((p for p in reversed(folder.parents) if not p.exists()), None)  # removed again on failure
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        found = _read_extract(osm, work / "network.osm", polygon, grown, rules, poi_rules, bool(wanted))
        report.add(f"Network: {found.ways} walkable ways of {osm.name} within {float(buffer_m):.0f} m of the "
                   f"boundary (kept whole; {found.ways_outside} walkable ways further away left out).")
        osm_facilities = _osm_facilities(found, report)
        pois = _osm_pois(found, report)
        compound_rows = _place_rows(sheets.get("compounds"), "compound", found, polygon, report)
        facility_rows = _place_rows(sheets.get("facilities"), "facility", found, polygon, report)
        report.rejected = [r for sheet in sheets.values() for r in sheet.rejected]
        for sheet in sheets.values():
            for note in sheet.notes:
                report.add(note)
        if report.rejected and not skip_rejected:
            raise MakePackError([str(r) for r in report.rejected]
                                + ["(fix these rows, or pass --skip-rejected to write the pack without them)"])
        facility_features = _merge_facilities(osm_facilities, facility_rows, report)
        compound_features = [_sheet_feature(row, "compound") for row in compound_rows]
        if grid_features is None:
            grid_features = [{"type": "Feature", "geometry": _geojson(polygon),
                              "properties": {"code": "grid-1", "name": f"{subdistrict['name']}（全街道）",
                                             "name_en": "Whole sub-district"}}]
            report.add("Grids: none given, so one grid covers the whole sub-district.")
        else:
            report.add(f"Grids: {len(grid_features)}.")
        report.add(f"Compounds: {len(compound_features)}. Facilities: {len(facility_features)}. "
                   f"Points of interest: {len(pois)}.")
        _write(work, subdistrict, standard_path, polygon, grid_features, compound_features,
               facility_features, pois, report)
        try:
            packs.read_pack(work)
        except packs.PackError as exc:
            raise MakePackError([f"the pack made does not pass load_pack's checks: {p}" for p in exc.problems])
        os.chmod(work, 0o755)  # mkdtemp makes it private; a pack is shared like any folder
        _move_into_place(work, folder)
    except BaseException:
        shutil.rmtree(created or work, ignore_errors=True)
        raise
    return report


# ------------------------------------------------------------------------------------ inputs
def _check_target(folder, replace, problems):
    if folder.exists() and not folder.is_dir():
        problems.append(f"{folder}: exists and is not a folder")
    elif folder.is_dir() and any(folder.iterdir()) and not replace:
        problems.append(f"{folder}: already holds files; choose a new folder or replace it (--replace)")
    if folder.parent.exists() and not folder.parent.is_dir():
        problems.append(f"{folder.parent}: is not a folder to write the pack in")


def _read_standard(standard, problems):
    shipped = packs.standards_folder()
    path = Path(standard)
    if not path.is_file() and (shipped / path.name).is_file() and path.parent == Path("."):
        path = shipped / path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("rows"), list):
            raise ValueError("it has no 'rows'")
    except (OSError, ValueError, AttributeError) as exc:
        available = ", ".join(sorted(p.name for p in shipped.glob("*.json")))
        problems.append(f"standard {standard}: cannot be read ({exc}); shipped standards: {available}")
        return path, {}
    return path, data


def _read_sheets(compounds, facilities, standard_data, problems):
    sheets = {}
    spellings = spreadsheets.category_spellings(standard_data.get("rows", []))
    for kind, source in (("compounds", compounds), ("facilities", facilities)):
        if source is None:
            continue
        try:
            if kind == "compounds":
                sheets[kind] = spreadsheets.read_compounds(source.path, source.system)
            else:
                sheets[kind] = spreadsheets.read_facilities(source.path, spellings, source.system)
        except spreadsheets.SpreadsheetError as exc:
            problems.append(str(exc))
    return sheets


def _read_boundary(boundary, system, osm, problems):
    if isinstance(boundary, int) or str(boundary).strip().lstrip("r").isdigit():
        relation_id = int(str(boundary).strip().lstrip("r"))
        try:
            return relation_polygon(osm, relation_id)
        except GeoError as exc:
            problems.append(f"boundary: {exc}")
            return None
    path = Path(boundary)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        geometry = _single_geometry(data)
        geometry = _convert_geometry(geometry, parse_system(system))
        return polygon_from_geojson(geometry)
    except FileNotFoundError:
        problems.append(f"boundary {boundary}: neither an OSM relation id nor an existing GeoJSON file")
    except (OSError, ValueError, TypeError, KeyError) as exc:
        problems.append(f"boundary {path.name}: {exc}")
    return None


def _single_geometry(data):
    if not isinstance(data, dict):
        raise ValueError("not GeoJSON")
    if data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise ValueError(f"holds {len(features)} features; the boundary must be exactly one polygon")
        data = features[0]
    if data.get("type") == "Feature":
        data = data.get("geometry")
    return data


def _convert_geometry(geometry, system):
    """A GeoJSON Polygon/MultiPolygon with every position converted from ``system`` to WGS84."""
    if system == WGS84 or not isinstance(geometry, dict):
        return geometry

    def convert(value):
        if isinstance(value, list) and value and isinstance(value[0], (int, float)):
            return list(to_wgs84(value[0], value[1], system))
        return [convert(item) for item in value] if isinstance(value, list) else value

    return {**geometry, "coordinates": convert(geometry.get("coordinates"))}


def _read_grids(path, system, problems):
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        system = parse_system(system)
    except (OSError, ValueError) as exc:
        problems.append(f"grids {path.name}: {exc}")
        return None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        problems.append(f"grids {path.name}: not a GeoJSON FeatureCollection")
        return None
    features, codes = [], set()
    for index, feature in enumerate(data.get("features") or []):
        props = dict((feature or {}).get("properties") or {})
        code = str(props.get("code") or props.get("编号") or f"grid-{index + 1}")
        name = props.get("name") or props.get("名称") or props.get("网格名称") or f"第{index + 1}网格"
        where = f"grids {path.name}, feature {index} ({code})"
        if code in codes:
            problems.append(f"{where}: duplicate code '{code}'")
            continue
        codes.add(code)
        geometry = _convert_geometry((feature or {}).get("geometry"), system)
        try:
            polygon_from_geojson(geometry)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"code": code, "name": name, "name_en": props.get("name_en", "")}})
    if not features and not problems:
        problems.append(f"grids {path.name}: holds no grid")
    return features


def _grow(polygon, buffer_m):
    import shapely

    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    projection = LocalProjection.around([min_lon, max_lon], [min_lat, max_lat])
    grown = projection.transform_geometry(projection.transform_geometry(polygon).buffer(buffer_m), inverse=True)
    shapely.prepare(grown)
    return grown


# ------------------------------------------------------------------------- the extract
@dataclass
class _Found:
    ways: int = 0
    ways_outside: int = 0
    facilities: list = field(default_factory=list)  # (osm code, lon, lat, category, tags, inside)
    pois: list = field(default_factory=list)
    places: list = field(default_factory=list)  # address/name candidates: (code, lon, lat, tags)


def _read_extract(osm, network_path, polygon, grown, rules, poi_rules, want_places):
    """One streaming pass over the extract: the network (written), facilities, POIs, addresses."""
    import osmium
    import shapely

    inside = polygon
    shapely.prepare(inside)
    bounds = min_lon, min_lat, max_lon, max_lat = grown.bounds
    keys = {"highway"} | {key for rule in [*rules, *poi_rules] for key in rule.tags}
    if want_places:
        keys |= {"addr:street", "addr:full", "addr:housenumber", "name"}
    found = _Found()

    def near(lon, lat):
        return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat

    def place(obj):
        """(lon, lat) of a node, or the mean of a closed way's nodes; None if unusable or far."""
        if obj.is_node():
            if not obj.location.valid():
                return None
            lon, lat = obj.location.lon, obj.location.lat
        else:
            if len(obj.nodes) < 4 or obj.nodes[0].ref != obj.nodes[-1].ref:
                return None
            points = [(n.lon, n.lat) for n in list(obj.nodes)[:-1] if n.location.valid()]
            if not points:
                return None
            lon = sum(p[0] for p in points) / len(points)
            lat = sum(p[1] for p in points) / len(points)
        return (lon, lat) if near(lon, lat) else None

    kept_ways, locations = [], {}
    try:
        processor = (osmium.FileProcessor(str(osm), osmium.osm.NODE | osmium.osm.WAY).with_locations()
                     .with_filter(osmium.filter.KeyFilter(*sorted(keys))))
        for obj in processor:
            if obj.is_node() and not (obj.location.valid() and near(obj.location.lon, obj.location.lat)):
                continue  # most of a city's tagged nodes: far away, and cheap to tell
            tags = obj.tags
            if obj.is_way() and "highway" in tags and is_walkable(tags):
                if _touches(obj, grown, bounds, near):
                    refs = [node.ref for node in obj.nodes]
                    kept_ways.append((obj.id, refs, {tag.k: tag.v for tag in tags}))
                    locations.update((node.ref, (node.lon, node.lat)) for node in obj.nodes if node.location.valid())
                else:
                    found.ways_outside += 1
                continue
            at = place(obj)  # before the rules: most objects lie elsewhere in the city
            if at is None:
                continue
            tags = {tag.k: tag.v for tag in tags}  # the rules test many keys: a dict answers faster
            category = next((r.category for r in rules if r.matches(tags)), None)
            kind = None if category else next((r.category for r in poi_rules if r.matches(tags)), None)
            code = f"osm-{obj.type_str()}{obj.id}"
            if category or kind:
                target = found.facilities if category else found.pois
                target.append((code, at[0], at[1], category or kind, tags, bool(shapely.contains_xy(inside, *at))))
            if want_places and ("addr:street" in tags or "addr:full" in tags or "name" in tags):
                found.places.append((code, at[0], at[1], tags))
    except RuntimeError as exc:  # libosmium reports a broken file this way
        raise MakePackError([f"{osm.name}: cannot read OSM data ({exc})"]) from None
    found.ways = len(kept_ways)
    if not kept_ways:
        raise MakePackError([f"{osm.name}: no walkable way lies within the boundary and its buffer; "
                             "is the extract for this place?"])
    _write_network(network_path, kept_ways, locations)
    return found


def _write_network(path, ways, locations):
    """The kept ways, with their tags, and their nodes' locations, as sorted OSM XML.

    Written from what the one pass collected rather than by re-reading the extract for the nodes:
    the id sets that would take cost memory in proportion to the spread of node ids in the whole
    extract (about 512 KB per 4 million ids touched), not to the sub-district.
    """
    import osmium
    from osmium.osm.mutable import Node, Way

    with osmium.SimpleWriter(str(path), overwrite=True) as writer:
        for node_id in sorted(locations):
            writer.add_node(Node(id=node_id, version=1, location=locations[node_id]))
        for way_id, refs, tags in sorted(ways, key=lambda way: way[0]):
            writer.add_way(Way(id=way_id, version=1, nodes=refs, tags=tags))


def _touches(way, grown, bounds, near):
    """Whether a way touches the grown boundary (a long way may cross it with no vertex inside)."""
    import shapely

    points = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    if not points:
        return False
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    min_lon, min_lat, max_lon, max_lat = bounds
    if max(lons) < min_lon or min(lons) > max_lon or max(lats) < min_lat or min(lats) > max_lat:
        return False
    if any(near(lon, lat) and shapely.contains_xy(grown, lon, lat) for lon, lat in points):
        return True
    return len(points) > 1 and bool(shapely.intersects(grown, shapely.LineString(points)))


def _osm_facilities(found, report):
    features, outside, hours_dropped = [], 0, []
    for code, lon, lat, category, tags, inside in found.facilities:
        if not inside:
            outside += 1
            continue
        name = tags.get("name:zh") or tags.get("name") or f"{category} ({code})"
        props = {**_osm_place(code, name, tags, hours_dropped), "category": category,
                 "phone": tags.get("phone") or tags.get("contact:phone", ""), "operator": tags.get("operator", "")[:200]}
        if tags.get("capacity", "").isdigit():
            props["capacity"] = int(tags["capacity"])
        features.append(point_feature(lon, lat, props))
    report.add(f"OSM facilities: {len(features)} inside the boundary through the tag mapping"
               + (f"; {outside} more in the walking buffer outside it were left out" if outside else "") + ".")
    _report_hours(report, hours_dropped, "facilities")
    return features


def _osm_pois(found, report):
    features, unnamed, hours_dropped = [], 0, []
    for code, lon, lat, kind, tags, inside in found.pois:
        name = tags.get("name:zh") or tags.get("name")
        if inside and not name:
            unnamed += 1
        elif inside:
            features.append(point_feature(lon, lat, {
                **_osm_place(code, name, tags, hours_dropped), "kind": kind,
                "heritage_designation": tags.get("heritage:operator", "")}))
    report.add(f"Points of interest from OSM: {len(features)} inside the boundary"
               + (f"; {unnamed} without a name left out" if unnamed else "") + ".")
    _report_hours(report, hours_dropped, "points of interest")
    return features


def _osm_place(code, name, tags, hours_dropped):
    """The properties every place from OSM has; hours lifecircle cannot read are dropped and noted."""
    opening = tags.get("opening_hours", "")
    try:
        hours.parse(opening)
    except hours.HoursError:
        hours_dropped.append(code)
        opening = ""
    return {"code": code, "name": name, "name_en": tags.get("name:en", ""), "address": _osm_address(tags),
            "opening_hours": opening, "website": tags.get("website", "")[:200], "description": OSM_CREDIT}


def _report_hours(report, dropped, what):
    if dropped:
        report.add(f"OSM opening hours of {what} not understood, left empty: {', '.join(dropped)}.")


def _osm_address(tags):
    if tags.get("addr:full"):
        return tags["addr:full"]
    return " ".join(filter(None, (tags.get("addr:street"), tags.get("addr:housenumber"))))


# ----------------------------------------------------------------------- spreadsheet rows
def _place_rows(sheet, prefix, found, polygon, report):
    """The sheet's rows that end with a WGS84 position inside the boundary; the others rejected."""
    if sheet is None:
        return []
    import shapely

    near_boundary = _grow(polygon, BOUNDARY_TOLERANCE_M)
    placed, matched = [], []
    # Only places in the sub-district: a compound's address elsewhere in the city is another place.
    index = _PlaceIndex([p for p in found.places if shapely.contains_xy(near_boundary, p[1], p[2])])
    codes = {}
    for row in sheet.rows:
        if row.lon is None:
            hit, reason = index.match(row.values)
            if hit is None:
                sheet.rejected.append(spreadsheets.Rejected(row.file, row.row, reason))
                continue
            row.lon, row.lat = hit[1], hit[2]
            matched.append(f"row {row.row} → {hit[0]}")
        elif not shapely.contains_xy(near_boundary, row.lon, row.lat):
            sheet.rejected.append(spreadsheets.Rejected(row.file, row.row, (
                f"lies outside the sub-district ({row.lon:.6f}, {row.lat:.6f} in WGS84, about "
                f"{_metres_outside(polygon, row.lon, row.lat):.0f} m away); check the coordinates and that the "
                f"sheet's coordinate system ({LABELS[sheet.system]}) is the map they were copied from")))
            continue
        code = row.stable_code(prefix)
        if code in codes:
            sheet.rejected.append(spreadsheets.Rejected(row.file, row.row, f"same code as row {codes[code]} ('{code}')"))
            continue
        codes[code] = row.row
        row.values["code"] = code
        placed.append(row)
    if sheet.system and sheet.system != WGS84:
        report.add(f"{sheet.file}: coordinates converted from {LABELS[sheet.system]} to WGS84.")
    if matched:
        report.add(f"{sheet.file}: rows without coordinates placed at the OSM object with their address "
                   f"or name ({len(matched)}): {', '.join(matched)}.")
    return placed


def _metres_outside(polygon, lon, lat):
    import shapely

    projection = LocalProjection(lon, lat)
    return projection.transform_geometry(polygon).distance(shapely.Point(0.0, 0.0))


def _normal(text):
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    return "".join(ch for ch in text if ch.isalnum() and ch != "号")


class _PlaceIndex:
    """OSM objects near the sub-district by normalised address and name, to place rows without coordinates."""

    def __init__(self, places):
        self.addresses, self.names = [], {}
        for code, lon, lat, tags in places:
            for address in self._addresses(tags):
                self.addresses.append((address, (code, lon, lat)))
            for key in ("name", "name:zh", "name:en"):
                if tags.get(key):
                    self.names.setdefault(_normal(tags[key]), []).append((code, lon, lat))

    @staticmethod
    def _addresses(tags):
        found = []
        if tags.get("addr:full"):
            found.append(_normal(tags["addr:full"]))
        street, number = tags.get("addr:street"), tags.get("addr:housenumber")
        if street and number:
            found += [_normal(street + number), _normal(number + street)]
        return [a for a in found if a]

    def match(self, values):
        address = _normal(values.get("address"))
        if address:
            # The sheet may prefix the city and district (上海市静安区…); the OSM address ends it.
            hits = _distinct([place for key, place in self.addresses if address.endswith(key) or key.endswith(address)])
            if len(hits) == 1:
                return hits[0], None
            if len(hits) > 1:
                return None, (f"no coordinates, and the address '{values['address']}' fits {len(hits)} OSM places "
                              f"({', '.join(h[0] for h in hits[:5])}); add 经度/纬度 (longitude/latitude)")
        hits = _distinct(self.names.get(_normal(values.get("name")), []))
        if len(hits) == 1:
            return hits[0], None
        what = f"address '{values.get('address', '')}' or name '{values['name']}'"
        if hits:
            return None, f"no coordinates, and the name fits {len(hits)} OSM places; add 经度/纬度 (longitude/latitude)"
        return None, f"no coordinates, and no OSM object in the sub-district has the {what}; add 经度/纬度 (longitude/latitude)"


def _distinct(places, within_m=50.0):
    """Places that are not the same spot twice (an address on a building and on its entrance)."""
    kept = []
    for place in places:
        if all(haversine_m(place[1], place[2], other[1], other[2]) > within_m for other in kept):
            kept.append(place)
    return kept


def _sheet_feature(row, kind):
    props = {key: value for key, value in row.values.items() if key not in ("notes",)}
    if kind == "facility":
        props.setdefault("capacity_unit", "places")
    return point_feature(row.lon, row.lat, props)


def _merge_facilities(osm_features, rows, report):
    """OSM facilities and the staff's; a staff row replaces the OSM facility it describes."""
    staff = [_sheet_feature(row, "facility") for row in rows]
    replaced = []
    kept = []
    for feature in osm_features:
        props, (lon, lat) = feature["properties"], feature["geometry"]["coordinates"]
        twin = next((s for s in staff if s["properties"]["category"] == props["category"]
                     and _normal(s["properties"]["name"]) == _normal(props["name"])
                     and haversine_m(lon, lat, *s["geometry"]["coordinates"]) <= SAME_PLACE_M), None)
        if twin is None:
            kept.append(feature)
        else:
            replaced.append(f"{props['code']} by '{twin['properties']['name']}'")
    if replaced:
        report.add(f"OSM facilities replaced by the staff's spreadsheet (same category and name within "
                   f"{SAME_PLACE_M:.0f} m): {', '.join(replaced)}.")
    return kept + staff


# ---------------------------------------------------------------------------------- output
def _geojson(polygon):
    import shapely

    return json.loads(shapely.to_geojson(polygon))


def _write(work, subdistrict, standard_path, polygon, grids, compounds, facilities, pois, report):
    shipped = packs.standards_folder()
    if standard_path.resolve().parent == shipped.resolve():
        standard_name = standard_path.name
    else:
        standard_name = "standard.json"
        shutil.copyfile(standard_path, work / standard_name)
    manifest = {
        "format": packs.PACK_FORMAT,
        "subdistrict": {key: value for key, value in subdistrict.items() if value not in (None, "")},
        "standard": standard_name,
        "network_attribution": OSM_CREDIT,
    }
    files = {
        "pack.json": manifest,
        "boundary.geojson": {"type": "Feature", "geometry": _geojson(polygon),
                             "properties": {"code": subdistrict["code"], "name": subdistrict["name"]}},
        "grids.geojson": feature_collection(grids),
        "compounds.geojson": feature_collection(compounds),
        "facilities.geojson": feature_collection(facilities),
        "pois.geojson": feature_collection(pois),
    }
    for name, data in files.items():
        (work / name).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (work / "make_pack-report.txt").write_text(report.text() + "\n", encoding="utf-8")


def _move_into_place(work, folder):
    if folder.exists():
        old = folder.with_name(f".{folder.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
        os.replace(work, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, folder)
