"""Load a data pack (a folder of plain files describing one sub-district) into the database.

The whole pack is read and checked before anything is written, and the writes run in one
transaction, so a bad file leaves the database exactly as it was. Objects are matched by code:
loading the same pack twice changes nothing the second time. The format is described in
data/packs/README.md.

Nothing that would change the answers passes in silence. Refused unless the caller says otherwise:
compounds or facilities outside the boundary or in no grid (``keep_outside``), and places whose
coordinates look shifted, as GCJ-02/BD-09 data declared as WGS84 does (``accept_offsets``). Always
refused: a street network that does not cover the boundary. Reported as warnings
(``subdistrict.pack_warnings``): street islands left out, ways cut at the extract's edge, a network
without footways, a boundary partly without streets, places that may be shifted.
"""
import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from shapely.geometry import Point
from shapely.prepared import prep

from lifecircle.directory import hours
from lifecircle.directory.models import (
    Facility, HoursException, PointOfInterest, Room, ServiceCategory, Standard, StandardRow, check_languages,
)
from lifecircle.geo import quality
from lifecircle.geo.errors import GeoError
from lifecircle.geo.graph import WalkGraph
from lifecircle.geography import check_lon_lat, polygon_from_geojson

from . import networks
from .models import Compound, Grid, SubDistrict

PACK_FORMAT = 1


class PackError(ValueError):
    """A pack that cannot be loaded; ``problems`` lists every place and reason found."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("the pack was not loaded, nothing was changed:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class Pack:
    """A pack read from disk and checked: plain dicts ready to be written."""

    folder: Path
    subdistrict: dict
    boundary: dict | None
    standard: dict
    grids: list = field(default_factory=list)
    compounds: list = field(default_factory=list)
    facilities: list = field(default_factory=list)
    pois: list = field(default_factory=list)
    network: WalkGraph | None = None
    network_path: Path | None = None
    network_attribution: str = ""
    warnings: list = field(default_factory=list)


class _Checker:
    """Collects problems with their file and feature, so one run reports all of them."""

    def __init__(self):
        self.problems = []

    def fail(self, where, reason):
        self.problems.append(f"{where}: {reason}")

    def read_json(self, path):
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)
        except FileNotFoundError:
            self.fail(path.name, "file is missing")
        except json.JSONDecodeError as exc:
            self.fail(path.name, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
        except UnicodeDecodeError:
            self.fail(path.name, "not UTF-8 text")
        return None

    def features(self, path, geometry_types):
        """The features of a GeoJSON FeatureCollection, each as (where, properties, geometry)."""
        data = self.read_json(path)
        if data is None:
            return []
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list
        ):
            self.fail(path.name, "not a GeoJSON FeatureCollection")
            return []
        result, seen = [], set()
        for index, feature in enumerate(data["features"]):
            props = (feature or {}).get("properties") or {}
            code = props.get("code")
            where = f"{path.name}, feature {index}" + (f" ({code})" if code else "")
            geometry = (feature or {}).get("geometry") or {}
            if not code or not isinstance(code, str):
                self.fail(where, "has no 'code'")
                continue
            if code in seen:
                self.fail(where, f"duplicate code '{code}'")
                continue
            seen.add(code)
            if not props.get("name"):
                self.fail(where, "has no 'name'")
                continue
            if geometry.get("type") not in geometry_types:
                self.fail(where, f"geometry must be {' or '.join(geometry_types)}, not {geometry.get('type')}")
                continue
            if geometry["type"] == "Point":
                try:
                    coords = geometry.get("coordinates") or []
                    if len(coords) < 2:
                        raise ValueError("a Point needs [longitude, latitude]")
                    geometry = {"type": "Point", "coordinates": list(check_lon_lat(*coords[:2]))}
                except ValueError as exc:
                    self.fail(where, str(exc))
                    continue
            else:
                try:
                    polygon_from_geojson(geometry)
                except ValueError as exc:
                    self.fail(where, str(exc))
                    continue
            result.append((where, props, geometry))
        return result

    def opening_hours(self, where, text):
        try:
            hours.parse(text)
        except hours.HoursError as exc:
            self.fail(where, f"opening_hours: {exc}")

    def count(self, where, props, name):
        value = props.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(where, f"'{name}' must be a whole number ≥ 0, not {value!r}")
            return None
        return value


def read_pack(folder, keep_outside=False, accept_offsets=False):
    """Read and check every file of the pack in ``folder``; raise PackError listing all problems.

    ``keep_outside`` accepts compounds and facilities outside the boundary or in no grid (they get
    no grid); ``accept_offsets`` accepts places whose coordinates look shifted. Both stay warnings.
    """
    folder = Path(folder)
    check = _Checker()
    if not folder.is_dir():
        raise PackError([f"{folder}: not a folder"])
    manifest = check.read_json(folder / "pack.json") or {}
    if manifest and manifest.get("format") != PACK_FORMAT:
        check.fail("pack.json", f"format must be {PACK_FORMAT}, not {manifest.get('format')!r}")
    subdistrict = manifest.get("subdistrict") or {}
    for key in ("code", "name", "city", "district"):
        if manifest and not subdistrict.get(key):
            check.fail("pack.json", f"subdistrict has no '{key}'")

    standard = {}
    if manifest.get("standard"):
        standard_path = resolve_standard(folder, manifest["standard"])
        if standard_path is None:
            check.fail("pack.json", f"standard {manifest['standard']!r} is neither a file in the pack nor one of "
                       f"the shipped standards ({', '.join(sorted(p.name for p in standards_folder().glob('*.json')))})")
        else:
            standard = check.read_json(standard_path) or {}
            _check_standard(check, standard_path.name, standard)
    elif manifest:
        check.fail("pack.json", "names no 'standard' file")
    slugs = {row.get("slug") for row in standard.get("rows", [])}

    boundary = None
    if (folder / "boundary.geojson").exists():
        data = check.read_json(folder / "boundary.geojson")
        if data is not None:
            geometry = data.get("geometry") if data.get("type") == "Feature" else data
            try:
                polygon_from_geojson(geometry)
                boundary = geometry
            except ValueError as exc:
                check.fail("boundary.geojson", str(exc))

    grids = check.features(folder / "grids.geojson", ("Polygon", "MultiPolygon"))
    compounds = check.features(folder / "compounds.geojson", ("Point",))
    for where, props, _ in compounds:
        population = check.count(where, props, "population")
        for part in ("households", "aged_60_plus", "aged_0_3"):
            value = check.count(where, props, part)
            if part != "households" and value is not None and population is not None and value > population:
                check.fail(where, f"'{part}' ({value}) exceeds the population ({population})")

    facilities = check.features(folder / "facilities.geojson", ("Point",))
    capacity_units = {choice for choice, _ in Facility.CapacityUnit.choices}
    room_kinds = {choice for choice, _ in Room.Kind.choices}
    for where, props, _ in facilities:
        if props.get("category") not in slugs:
            check.fail(where, f"unknown category '{props.get('category')}'")
        for slug in props.get("services") or []:
            if slug not in slugs:
                check.fail(where, f"unknown service category '{slug}'")
        check.count(where, props, "capacity")
        if props.get("capacity_unit", "places") not in capacity_units:
            check.fail(where, f"unknown capacity_unit '{props.get('capacity_unit')}'")
        check.opening_hours(where, props.get("opening_hours"))
        # What the service finder filters on; all optional.
        if props.get("eligibility", "anyone") not in Facility.Eligibility.values:
            check.fail(where, f"unknown eligibility '{props.get('eligibility')}'")
        if props.get("cost", "") not in ("", *Facility.Cost.values):
            check.fail(where, f"unknown cost '{props.get('cost')}'")
        if props.get("languages") is not None and check_languages(props["languages"]):
            check.fail(where, f"languages {props['languages']!r}: codes must be among {', '.join(Facility.LANGUAGES)}")
        if props.get("last_checked") is not None and not _is_iso_date(props["last_checked"]):
            check.fail(where, f"last_checked {props['last_checked']!r} is not YYYY-MM-DD")
        for exception in props.get("hours_exceptions") or []:
            check.opening_hours(f"{where}, exception {exception.get('date')}", exception.get("opening_hours"))
            if not _is_iso_date(exception.get("date")):
                check.fail(where, f"hours exception date {exception.get('date')!r} is not YYYY-MM-DD")
        room_codes = set()
        for room in props.get("rooms") or []:
            room_where = f"{where}, room {room.get('code')}"
            if not room.get("code") or room["code"] in room_codes:
                check.fail(room_where, "room has no code or a duplicate one")
            room_codes.add(room.get("code"))
            if room.get("kind") not in room_kinds:
                check.fail(room_where, f"unknown room kind '{room.get('kind')}'")
            check.count(room_where, room, "capacity")

    pois = check.features(folder / "pois.geojson", ("Point",)) if (folder / "pois.geojson").exists() else []
    poi_kinds = {choice for choice, _ in PointOfInterest.Kind.choices}
    for where, props, _ in pois:
        if props.get("kind") not in poi_kinds:
            check.fail(where, f"unknown kind '{props.get('kind')}'")
        check.opening_hours(where, props.get("opening_hours"))

    network = None
    warnings = []
    network_path = folder / "network.osm"
    if network_path.exists():
        try:
            build = networks.read_osm(network_path, boundary)
            network = build.graph
            _check_network(check, warnings, build)
        except GeoError as exc:
            check.fail("network.osm", str(exc))
    _check_places(check, warnings, boundary, grids, {"compounds.geojson": compounds,
                                                     "facilities.geojson": facilities}, keep_outside)
    if network is not None:
        _check_coordinates(check, warnings, network, {"compounds.geojson": compounds,
                                                      "facilities.geojson": facilities, "pois.geojson": pois},
                           accept_offsets)
    if check.problems:
        raise PackError(check.problems)
    return Pack(
        folder=folder, subdistrict=subdistrict, boundary=boundary, standard=standard,
        grids=grids, compounds=compounds, facilities=facilities, pois=pois,
        network=network, network_path=network_path, network_attribution=manifest.get("network_attribution")
        or networks.OSM_ATTRIBUTION, warnings=warnings,
    )


def _percent(share):
    return f"{share:.0%}"


def _check_network(check, warnings, build):
    """Refuse a network that does not cover the boundary; warn of what was left out or is lacking."""
    coverage = build.street_coverage
    if coverage is not None and coverage.share < quality.MIN_STREET_COVERAGE:
        check.fail("network.osm", gettext(
            "only %(share)s of the sub-district's area lies within %(reach)d m of a walkable street (at least "
            "%(least)s is needed): the street network does not cover the boundary. Is it an extract of another "
            "area, or cut too small?") % {"share": _percent(coverage.share), "reach": coverage.reach_m,
                                          "least": _percent(quality.MIN_STREET_COVERAGE)})
    elif coverage is not None and coverage.thin:
        warnings.append("network.osm: " + gettext(
            "only %(share)s of the sub-district's area lies within %(reach)d m of a walkable street; homes in "
            "the rest are placed on distant streets or not at all") % {
            "share": _percent(coverage.share), "reach": coverage.reach_m})
    if build.islands:
        places = "; ".join(gettext("%(metres).0f m near %(lat).5f, %(lon).5f") % {
            "metres": i.length_m, "lat": i.lat, "lon": i.lon} for i in build.islands[:3])
        warnings.append("network.osm: " + gettext(
            "%(n)d piece(s) of street with %(km).1f km in all are cut off from the main network and were left "
            "out (largest: %(places)s); places there are attached to the nearest street of the main network") % {
            "n": len(build.islands), "km": build.islands_length_m / 1000, "places": places})
    if build.ways_cut:
        warnings.append("network.osm: " + gettext(
            "%(n)d way(s) run out of the extract (some of their nodes are missing); they were kept up to the "
            "missing nodes") % {"n": build.ways_cut})
    walk = build.pedestrian
    if walk.lacking:
        warnings.append("network.osm: " + gettext(
            "only %(ways)d footway, path, steps or pedestrian way(s) (%(share)s of %(km).1f km of street): this "
            "looks like a network for cars (such as an osmnx 'drive' export), so walks follow carriageways and "
            "miss footpaths and shortcuts. Use an OpenStreetMap extract with all highways") % {
            "ways": walk.ways, "share": _percent(walk.share), "km": walk.total_length_m / 1000})


def _check_places(check, warnings, boundary, grids, files, keep_outside):
    """Compounds and facilities must lie inside the boundary and in a grid, unless ``keep_outside``."""
    area = prep(polygon_from_geojson(boundary)) if boundary else None
    shapes = [prep(polygon_from_geojson(geometry)) for _, _, geometry in grids]
    outside = 0
    for features in files.values():
        for where, _, geometry in features:
            point = Point(geometry["coordinates"])
            if area is not None and not area.covers(point):
                reason = gettext("lies outside the sub-district boundary")
            elif not any(shape.covers(point) for shape in shapes):
                reason = gettext("lies in no grid")
            else:
                continue
            outside += 1
            if keep_outside:
                warnings.append(f"{where}: {reason}; " + gettext(
                    "loaded without a grid: grid figures leave it out, the sub-district's include it"))
            else:
                check.fail(where, reason)
    if outside and not keep_outside:
        check.fail("pack", gettext(
            "%(n)d compound(s) or facility(ies) lie outside the boundary or in no grid. Fix their positions or the "
            "grids, or load them without a grid with --keep-outside") % {"n": outside})


def _check_coordinates(check, warnings, graph, files, accept_offsets):
    """Places far from every street, or shifted as a whole (GCJ-02/BD-09 declared as WGS84)."""
    for filename, features in files.items():
        if len(features) < quality.MIN_POINTS:
            continue
        lon, lat = zip(*(geometry["coordinates"] for _, _, geometry in features))
        report = quality.coordinate_check(graph, lon, lat)
        if not report.worrying:
            continue
        text = coordinate_message(report)
        if report.strong and not accept_offsets:
            check.fail(filename, text + " " + gettext(
                "If the coordinates are right after all, load with --accept-offsets."))
        else:
            warnings.append(f"{filename}: {text}")


def coordinate_message(report):
    """A planner's sentence for a ``quality.CoordinateReport`` that is worrying."""
    text = gettext("%(far)s of the %(n)d places are more than %(metres)d m from any walkable street (median "
                   "%(median)d m)") % {"far": _percent(report.far_share), "n": report.points,
                                       "metres": report.far_m, "median": report.median_distance_m}
    if report.consistency >= 0.5 and report.mean_offset_m >= 50:
        text += gettext(", and the streets lie on average %(east)+.0f m east and %(north)+.0f m north of them") % {
            "east": report.mean_offset_east_m, "north": report.mean_offset_north_m}
    s = report.suggestion
    who = {"GCJ-02": gettext("Amap (高德), Tencent and most Chinese map services"),
           "BD-09": gettext("Baidu maps")}.get(s.system, s.used_by) if s else ""
    if s is None:
        return text + ". " + gettext("Check that the coordinates are WGS84 longitude/latitude and that the street "
                                     "network covers the same area.")
    return text + ". " + gettext(
        "They look like %(system)s coordinates (used by %(who)s) declared as WGS84: converting them from "
        "%(system)s brings %(closer)s of them closer to a street (median %(before)d m → %(after)d m). Convert "
        "them to WGS84 before loading, or check the source.") % {
        "system": s.system, "who": who, "closer": _percent(s.closer_share),
        "before": report.median_distance_m, "after": s.median_distance_m}


def standards_folder():
    """The shipped walking standards (data/standards)."""
    return Path(settings.PROJECT_DIR) / "data" / "standards"


def resolve_standard(folder, name):
    """The standard file a pack's ``standard`` names, or None if it is not allowed or not there.

    ``name`` is looked up in the pack, then among the shipped standards by its file name, so a pack
    kept anywhere finds ``"shanghai-2016.json"`` (and older packs' ``"../../standards/…"``). The
    file must lie inside the pack or the shipped standards: a pack cannot read other files.
    """
    folder, shipped = Path(folder).resolve(), standards_folder().resolve()
    for candidate in ((folder / name).resolve(), (shipped / Path(name).name).resolve()):
        if candidate.is_file() and (candidate.is_relative_to(folder) or candidate.parent == shipped):
            return candidate
    return None


def _is_iso_date(value):
    try:
        datetime.date.fromisoformat(value)
        return True
    except (TypeError, ValueError):
        return False


def _check_standard(check, name, standard):
    for key in ("code", "version", "title", "source", "rows"):
        if key not in standard:
            check.fail(name, f"has no '{key}'")
    groups = {choice for choice, _ in ServiceCategory.Group.choices}
    seen = set()
    for index, row in enumerate(standard.get("rows") or []):
        where = f"{name}, row {index} ({row.get('slug')})"
        if not row.get("slug") or row["slug"] in seen:
            check.fail(where, "has no slug or a duplicate one")
        seen.add(row.get("slug"))
        if row.get("group") not in groups:
            check.fail(where, f"unknown group '{row.get('group')}'")
        if row.get("tier_minutes") not in (5, 10, 15):
            check.fail(where, "tier_minutes must be 5, 10 or 15")
        if not isinstance(row.get("threshold_m"), int) or not 50 <= row["threshold_m"] <= 5000:
            check.fail(where, "threshold_m must be a whole number of metres between 50 and 5000")
        if not row.get("source"):
            check.fail(where, "must cite its source")


@transaction.atomic
def load_pack(folder, keep_outside=False, accept_offsets=False):
    """Read, check and write the pack in ``folder``; return the SubDistrict. All or nothing.

    The options are those of :func:`read_pack`; what was accepted with a warning is listed in the
    returned sub-district's ``pack_warnings``.
    """
    pack = read_pack(folder, keep_outside=keep_outside, accept_offsets=accept_offsets)
    categories = _write_standard(pack.standard)
    info = pack.subdistrict
    subdistrict, _ = SubDistrict.objects.update_or_create(
        code=info["code"],
        defaults={
            "name": info["name"], "name_en": info.get("name_en", ""), "city": info["city"],
            "district": info["district"], "boundary": pack.boundary,
            "illustrative": bool(info.get("illustrative")),
            "data_notice": "\n".join(filter(None, [info.get("data_notice"), info.get("data_notice_en")])),
        },
    )
    grid_shapes = []
    for _, props, geometry in pack.grids:
        grid, _ = Grid.objects.update_or_create(
            subdistrict=subdistrict, code=props["code"],
            defaults={"name": props["name"], "name_en": props.get("name_en", ""), "boundary": geometry},
        )
        grid_shapes.append((prep(polygon_from_geojson(geometry)), grid))

    def grid_at(geometry):
        point = Point(geometry["coordinates"])
        return next((grid for shape, grid in grid_shapes if shape.covers(point)), None)

    for _, props, geometry in pack.compounds:
        lon, lat = geometry["coordinates"]
        Compound.objects.update_or_create(
            subdistrict=subdistrict, code=props["code"],
            defaults={
                "name": props["name"], "name_en": props.get("name_en", ""), "lon": lon, "lat": lat,
                "grid": grid_at(geometry), "address": props.get("address", ""),
                "households": props.get("households"), "population": props.get("population"),
                "aged_60_plus": props.get("aged_60_plus"), "aged_0_3": props.get("aged_0_3"),
                "illustrative": bool(props.get("illustrative")),
            },
        )
    for _, props, geometry in pack.facilities:
        facility, _ = Facility.objects.update_or_create(
            subdistrict=subdistrict, code=props["code"],
            defaults={
                **_place_fields(props, geometry), "grid": grid_at(geometry),
                "category": categories[props["category"]], "operator": props.get("operator", ""),
                "phone": props.get("phone", ""), "email": props.get("email", ""),
                "capacity": props.get("capacity"), "capacity_unit": props.get("capacity_unit", "places"),
                "eligibility": props.get("eligibility", "anyone"), "cost": props.get("cost", ""),
                "languages": props.get("languages") or [], "last_checked": props.get("last_checked"),
            },
        )
        facility.services.set([categories[slug] for slug in props.get("services") or []])
        for exception in props.get("hours_exceptions") or []:
            HoursException.objects.update_or_create(
                facility=facility, date=exception["date"],
                defaults={"opening_hours": exception.get("opening_hours", ""), "reason": exception.get("reason", "")},
            )
        for room in props.get("rooms") or []:
            Room.objects.update_or_create(
                facility=facility, code=room["code"],
                defaults={
                    "name": room.get("name", room["code"]), "name_en": room.get("name_en", ""),
                    "kind": room["kind"], "capacity": room.get("capacity"), "floor": room.get("floor", ""),
                    "bookable": bool(room.get("bookable")), "requires_approval": bool(room.get("requires_approval")),
                    "description": room.get("description", ""), "description_en": room.get("description_en", ""),
                },
            )
    if pack.network is not None:
        networks.save_network(subdistrict, pack.network, pack.network_path, pack.network_attribution)
    for _, props, geometry in pack.pois:
        PointOfInterest.objects.update_or_create(
            subdistrict=subdistrict, code=props["code"],
            defaults={
                **_place_fields(props, geometry), "grid": grid_at(geometry), "kind": props["kind"],
                "heritage_designation": props.get("heritage_designation", ""),
            },
        )
    subdistrict.pack_warnings = pack.warnings
    return subdistrict


def _place_fields(props, geometry):
    lon, lat = geometry["coordinates"]
    return {
        "name": props["name"], "name_en": props.get("name_en", ""), "lon": lon, "lat": lat,
        "address": props.get("address", ""), "address_en": props.get("address_en", ""),
        "description": props.get("description", ""), "description_en": props.get("description_en", ""),
        "opening_hours": props.get("opening_hours", ""), "website": props.get("website", ""),
        "illustrative": bool(props.get("illustrative")),
    }


def _write_standard(standard):
    """Create the categories and, unless that version exists already, the standard version."""
    categories = {}
    for row in standard["rows"]:
        categories[row["slug"]], _ = ServiceCategory.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"], "name_en": row.get("name_en", ""), "group": row["group"],
                "color": row.get("color", "#3366cc"),
            },
        )
    version, created = Standard.objects.get_or_create(
        code=standard["code"], version=standard["version"],
        defaults={"title": standard["title"], "source": standard["source"], "notes": standard.get("notes", "")},
    )
    if created:
        StandardRow.objects.bulk_create(
            StandardRow(
                standard=version, category=categories[row["slug"]], tier_minutes=row["tier_minutes"],
                threshold_m=row["threshold_m"], source=row["source"], note=row.get("note", ""),
            )
            for row in standard["rows"]
        )
        if not Standard.objects.filter(active=True).exists():
            version.publish()
    return categories
