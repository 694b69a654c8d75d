"""CSV tables of points in, result tables out.

Point tables are plain CSV with a header row. Required columns: ``lon``,
``lat`` (degrees, WGS84). Optional: ``id`` (kept as text; the row number
if absent), and whatever else a command asks for (``category``,
``capacity``, ``population``, ``group``). Any problem is reported with the
file, the line and the column.

Every output file is written next to its destination and renamed into
place, so a failed run never leaves a half-written result.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from contextlib import contextmanager

import numpy as np

from .errors import InputError


def read_points(path, required=(), numeric=(), optional_numeric=()) -> dict[str, np.ndarray]:
    """Read a CSV of points: ``{"id", "lon", "lat", <required>, <optional_numeric>...}``.

    ``required`` columns must exist (``numeric`` ones among them are parsed
    as finite numbers); ``optional_numeric`` columns are parsed if present.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError("no such file", path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames
            if not header:
                raise InputError("file is empty (expected a CSV header with lon,lat)", path)
            header = [h.strip() for h in header]
            reader.fieldnames = header
            need = ["lon", "lat", *required]
            missing = [c for c in need if c not in header]
            if missing:
                raise InputError(f"missing column(s) {', '.join(missing)} (found: {', '.join(header)})", path)
            columns: dict[str, list] = {c: [] for c in header}
            for row in reader:
                if None in row:
                    raise InputError(f"line {reader.line_num}: more fields than header columns", path)
                for c in header:
                    value = row[c]
                    if value is None:
                        raise InputError(f"line {reader.line_num}: missing field {c!r}", path)
                    columns[c].append(value.strip())
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from exc
    except csv.Error as exc:
        raise InputError(f"not a valid CSV file ({exc})", path) from exc
    n = len(columns["lon"])
    table = {"id": np.array(columns["id"] if "id" in columns else [str(i + 1) for i in range(n)], dtype=object)}
    for c in ("lon", "lat", *numeric, *[c for c in optional_numeric if c in columns]):
        table[c] = _numbers(columns[c], c, path)
    for c in required:
        if c not in table:
            table[c] = np.array(columns[c], dtype=object)
            empty = np.flatnonzero(table[c] == "")
            if empty.size:
                raise InputError(f"line {empty[0] + 2}: column {c!r} is empty", path)
    return table


def _numbers(values, column, path) -> np.ndarray:
    out = np.empty(len(values))
    for i, v in enumerate(values):
        try:
            out[i] = float(v)
        except ValueError:
            raise InputError(f"line {i + 2}: column {column!r} is not a number: {v!r}", path) from None
        if not np.isfinite(out[i]):
            raise InputError(f"line {i + 2}: column {column!r} is not a finite number: {v!r}", path)
    return out


@contextmanager
def atomic_write(path, mode: str = "w"):
    """Open a temporary file beside ``path``; rename it over ``path`` only on success."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".lifecircle-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, mode, newline="" if "b" not in mode else None,
                       **({"encoding": "utf-8"} if "b" not in mode else {})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_csv(path, header, rows) -> None:
    """Write rows (sequences) under ``header``, atomically."""
    with atomic_write(path) as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def write_json(path, obj) -> None:
    """Write compact JSON, atomically."""
    with atomic_write(path) as f:
        json.dump(obj, f, separators=(",", ":"), ensure_ascii=False)


def format_metres(x) -> str:
    """Metres for a CSV cell: one decimal, ``inf`` when unreachable, empty when unknown."""
    x = float(x)
    if np.isnan(x):
        return ""
    return "inf" if np.isinf(x) else f"{x:.1f}"
