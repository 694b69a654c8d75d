"""Copies of a data pack moved side by side on a grid, so a benchmark site can hold a city's worth
of sub-districts (Shanghai has about 200) built from the one demo pack.

Each copy is the pack moved by a whole number of (width + gap, height + gap) steps, where width
and height are those of everything in the pack (boundary, grids, places, street nodes): copies
never overlap, and each copy's grids, compounds and facilities stay inside its own boundary. The
gap is wider than twice the map's snapping distance (300 m), so a click near one copy's streets
is never answered from a neighbour's. A copy gets its own sub-district code and name; the codes of
grids, compounds and places repeat between copies, as the pack format allows (they are unique
within a sub-district). Only the files ``load_pack`` reads are written.
"""
import json
import math
import re
from pathlib import Path

#: Between copies, in degrees (about 1 km north-south, 950 m east-west at Shanghai's latitude).
GAP_DEGREES = 0.01
#: What a copy is moved by at most: further off, the copies would leave the city they are "in".
MAX_SHIFT_DEGREES = 1.0
GEOJSON_FILES = ("boundary.geojson", "grids.geojson", "compounds.geojson", "facilities.geojson", "pois.geojson")
# lat="…" and lon="…" of nodes, and minlat/maxlon… of a <bounds> element; not "changeset" or ids.
OSM_COORDINATE = re.compile(r'\b((?:min|max)?)(lat|lon)="(-?\d+(?:\.\d+)?)"')


def _positions(coordinates):
    """Every [lon, lat] pair in a GeoJSON coordinates array, however deeply nested."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        yield coordinates
    else:
        for part in coordinates:
            yield from _positions(part)


def _geometries(data):
    """The geometries of a FeatureCollection, a Feature or a bare geometry."""
    if data.get("type") == "FeatureCollection":
        return [f["geometry"] for f in data["features"] if f.get("geometry")]
    if data.get("type") == "Feature":
        return [data["geometry"]] if data.get("geometry") else []
    return [data]


def _shift_geojson(data, dlon, dlat):
    for geometry in _geometries(data):
        for position in _positions(geometry["coordinates"]):
            position[0] = round(position[0] + dlon, 7)
            position[1] = round(position[1] + dlat, 7)


def pack_extent(source):
    """(min_lon, min_lat, max_lon, max_lat) of everything in the pack at ``source``."""
    source = Path(source)
    lons, lats = [], []
    for name in GEOJSON_FILES:
        if (source / name).exists():
            for geometry in _geometries(json.loads((source / name).read_text(encoding="utf-8"))):
                for lon, lat, *_ in _positions(geometry["coordinates"]):
                    lons.append(lon)
                    lats.append(lat)
    if (source / "network.osm").exists():
        for prefix, axis, value in OSM_COORDINATE.findall((source / "network.osm").read_text(encoding="utf-8")):
            if not prefix:
                (lons if axis == "lon" else lats).append(float(value))
    return min(lons), min(lats), max(lons), max(lats)


def write_copies(source, folder, count):
    """Write ``count`` moved copies of the pack at ``source`` under ``folder``; return their folders.

    Copy *k* (1 … count) takes the *k*-th place of a square grid whose place 0 is the pack itself,
    so the original may be loaded beside them. Its code is the pack's with ``-k`` (zero-padded),
    its name the pack's with `` copy k``.
    """
    source, folder = Path(source), Path(folder)
    manifest = json.loads((source / "pack.json").read_text(encoding="utf-8"))
    files = {name: (source / name).read_text(encoding="utf-8") for name in GEOJSON_FILES if (source / name).exists()}
    osm = (source / "network.osm").read_text(encoding="utf-8") if (source / "network.osm").exists() else None
    min_lon, min_lat, max_lon, max_lat = pack_extent(source)
    step_lon, step_lat = max_lon - min_lon + GAP_DEGREES, max_lat - min_lat + GAP_DEGREES
    columns = math.ceil(math.sqrt(count + 1))
    rows = math.ceil((count + 1) / columns)
    if max(columns - 1, 0) * step_lon > MAX_SHIFT_DEGREES or max(rows - 1, 0) * step_lat > MAX_SHIFT_DEGREES:
        raise ValueError(f"{count} copies of a pack {step_lon:.3f}° × {step_lat:.3f}° (with the gap) do not fit "
                         f"within {MAX_SHIFT_DEGREES}° of it")
    digits = max(3, len(str(count)))
    info = manifest["subdistrict"]
    # The grid is centred on the original rather than growing from it, so copies stay near the city.
    col0, row0 = (columns - 1) // 2, (rows - 1) // 2
    places = [(c, r) for r in range(rows) for c in range(columns) if (c, r) != (col0, row0)]
    folders = []
    for k in range(1, count + 1):
        column, row = places[k - 1]
        dlon, dlat = (column - col0) * step_lon, (row - row0) * step_lat
        code = f"{info['code']}-{k:0{digits}d}"
        target = folder / code
        target.mkdir(parents=True, exist_ok=True)
        copy = {**manifest, "subdistrict": {**info, "code": code, "name": f"{info['name']} copy {k}"}}
        if info.get("name_en"):
            copy["subdistrict"]["name_en"] = f"{info['name_en']} copy {k}"
        standard = (source / manifest["standard"]).resolve()
        if standard.is_file() and standard.is_relative_to(source.resolve()):  # the pack's own standard
            (target / manifest["standard"]).parent.mkdir(parents=True, exist_ok=True)
            (target / manifest["standard"]).write_bytes(standard.read_bytes())
        else:  # a shipped standard: packs.resolve_standard finds those by file name from anywhere
            copy["standard"] = Path(manifest["standard"]).name
        (target / "pack.json").write_text(json.dumps(copy, ensure_ascii=False, indent=1), encoding="utf-8")
        for name, text in files.items():
            data = json.loads(text)
            _shift_geojson(data, dlon, dlat)
            if name == "boundary.geojson" and data.get("type") == "Feature":
                data["properties"] = {**(data.get("properties") or {}), "code": code,
                                      "name": copy["subdistrict"]["name"]}
            (target / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        if osm is not None:
            moved = OSM_COORDINATE.sub(
                lambda m: f'{m[1]}{m[2]}="{float(m[3]) + (dlon if m[2] == "lon" else dlat):.7f}"', osm)
            (target / "network.osm").write_text(moved, encoding="utf-8")
        folders.append(target)
    return folders
