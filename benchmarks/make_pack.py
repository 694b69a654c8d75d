"""Benchmark: ``lifecircle pack new`` on a city-sized OpenStreetMap PBF, time and peak memory.

The city is the Helsinki extract shipped with the tests, tiled ``--copies`` times on a square
grid: every copy moved by the extract's width and height and its ids raised by copy × 10^11, so
the file has real OSM tag mixes (streets, buildings, addresses, amenities) and sparse ids as
real extracts do. It is written as OPL text and turned into PBF by libosmium itself (no Python per
object), then cached in the work folder. Relations are left out (the benchmark's boundary is a
GeoJSON polygon).

``pack new`` then runs in its own process (so its peak resident memory, ``ru_maxrss``, is its own)
with the test fixtures: the boundary of central Helsinki (copy 0), a GCJ-02 compounds sheet and a
BD-09 facilities workbook. Its report is printed.

    python benchmarks/make_pack.py                 # 625 copies: a PBF of about 300 MB
    python benchmarks/make_pack.py --copies 50     # about 25 MB, a quick look
"""
from __future__ import annotations

import argparse
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import osmium

ROOT = Path(__file__).resolve().parents[1]
HELSINKI = ROOT / "lifecircle" / "geo" / "tests" / "data" / "Helsinki.osm.pbf"
DATA = ROOT / "lifecircle" / "community" / "tests" / "data"
ID_STEP_DIGITS = 11  # ids of copy c are c * 10**11 + the original id (Helsinki's largest is 6.4e9)


def _opl_tags(tags):
    def escape(text):
        return "".join(ch if ch.isalnum() or ch in "-_.:/;'()[]" else f"%{ord(ch):x}%" for ch in text)

    return ",".join(f"{escape(k)}={escape(v)}" for k, v in tags)


def make_city(copies: int, path: Path) -> Path:
    """Write the tiled city to ``path`` (.osm.pbf); returns it."""
    nodes, ways = [], []
    for obj in osmium.FileProcessor(str(HELSINKI), osmium.osm.NODE | osmium.osm.WAY):
        if obj.is_node() and obj.location.valid():
            nodes.append((obj.id, obj.location.lon, obj.location.lat, _opl_tags(obj.tags)))
        elif obj.is_way():
            refs = ",".join(f"n{{c}}{n.ref:0{ID_STEP_DIGITS}d}" for n in obj.nodes)
            ways.append(f"w{{c}}{obj.id:0{ID_STEP_DIGITS}d} v1 T{_opl_tags(obj.tags)} N{refs}\n")
    lons, lats = [n[1] for n in nodes], [n[2] for n in nodes]
    width, height = max(lons) - min(lons), max(lats) - min(lats)
    side = math.ceil(math.sqrt(copies))
    opl = path.with_suffix(".opl")
    with open(opl, "w", encoding="utf-8") as out:
        for c in range(copies):
            dx, dy = (c % side) * width, (c // side) * height
            prefix = str(c) if c else ""
            out.writelines(f"n{prefix}{i:0{ID_STEP_DIGITS}d} v1 T{tags} x{lon + dx:.7f} y{lat + dy:.7f}\n"
                           for i, lon, lat, tags in nodes)
        for c in range(copies):
            prefix = str(c) if c else ""
            out.writelines(way.replace("{c}", prefix) for way in ways)
    with osmium.SimpleWriter(str(path), overwrite=True) as writer:
        osmium.apply(str(opl), writer)  # libosmium converts; no Python per object
    opl.unlink()
    return path


def run_pack_new(city: Path, work: Path):
    folder = work / "pack"
    command = [
        sys.executable, str(ROOT / "manage.py"), "make_pack", str(folder), "--replace",
        "--osm", str(city), "--boundary", str(DATA / "helsinki-keskusta.geojson"),
        "--code", "keskusta", "--name", "赫尔辛基市中心", "--city", "Helsinki", "--district", "Uusimaa",
        "--compounds", str(DATA / "helsinki-compounds-gcj02.csv"), "--compounds-crs", "gcj02",
        "--facilities", str(DATA / "helsinki-facilities-bd09.xlsx"), "--facilities-crs", "bd09",
    ]
    start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = usage.ru_utime + usage.ru_stime - cpu.ru_utime - cpu.ru_stime
    if result.returncode:
        sys.exit(f"pack new failed:\n{result.stdout}\n{result.stderr}")
    return seconds, cpu_s, usage.ru_maxrss / 1024.0, result.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=625, help="copies of the Helsinki extract (625 ≈ 300 MB)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "lifecircle-make-pack-bench",
                        help="folder for the city PBF (kept and reused) and the pack")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    city = args.work / f"city-{args.copies}.osm.pbf"
    if not city.exists():
        start = time.perf_counter()
        make_city(args.copies, city)
        print(f"generated {city.name} in {time.perf_counter() - start:.0f} s")
    size_mb = city.stat().st_size / 1e6
    per_copy = {"n": 0, "w": 0}
    for obj in osmium.FileProcessor(str(HELSINKI), osmium.osm.NODE | osmium.osm.WAY):
        per_copy[obj.type_str()] += 1
    seconds, cpu_s, peak_mb, report = run_pack_new(city, args.work)
    print(report)
    print(f"city: {size_mb:.0f} MB PBF, {per_copy['n'] * args.copies:,} nodes and {per_copy['w'] * args.copies:,} "
          f"ways ({args.copies} copies of Helsinki)")
    print(f"pack new: {seconds:.1f} s wall, {cpu_s:.1f} s CPU, peak resident memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
