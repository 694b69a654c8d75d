"""Walking standards as data: the distance of each life-circle tier and of each category.

A standard file (``data/standards/*.json``, the format in ``data/packs/README.md``)
gives, per service category, its tier (5, 10 or 15 minutes) and its distance
threshold in metres. The platform and the command line read the same file, so
"15 minutes" means the same distance in both: the largest threshold of the
15-minute rows (1,000 m in the Shanghai 2016 guideline), not 15 minutes at
some walking speed (900 m at 60 m/min).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .walking import LIFE_CIRCLE_MINUTES

#: The standard shipped with lifecircle (Shanghai 2016 guideline), used when none is named.
DEFAULT_STANDARD = Path(__file__).resolve().parents[2] / "data" / "standards" / "shanghai-2016.json"


@dataclass(frozen=True)
class WalkingStandard:
    """Distances of a walking standard, metres.

    ``tiers`` maps each life-circle tier (minutes) to its distance;
    ``categories`` maps each category slug to its own threshold, ``category_tiers``
    to its tier (minutes).
    """

    code: str
    version: object
    path: str
    tiers: dict
    categories: dict
    category_tiers: dict = None

    def describe(self) -> str:
        """The tier distances and where they come from, in one line."""
        tiers = ", ".join(f"{minutes} min = {metres:g} m" for minutes, metres in sorted(self.tiers.items()))
        return f"{tiers} (standard {self.code} version {self.version}, {self.path})"


def tier_distances(rows) -> dict:
    """``{tier minutes: metres}`` from ``(tier_minutes, threshold_m)`` pairs: each tier's largest threshold.

    Raises
    ------
    InputError
        A life-circle tier (5, 10 or 15 minutes) has no row.
    """
    tiers = {}
    for minutes, metres in rows:
        tiers[int(minutes)] = max(tiers.get(int(minutes), 0.0), float(metres))
    missing = [m for m in LIFE_CIRCLE_MINUTES if m not in tiers]
    if missing:
        raise InputError(f"the standard has no rows for the {', '.join(map(str, missing))}-minute tier(s)")
    return {m: tiers[m] for m in LIFE_CIRCLE_MINUTES}


def read_standard(path=None) -> WalkingStandard:
    """Read a standard file (default :data:`DEFAULT_STANDARD`).

    Raises
    ------
    InputError
        The file is missing, not JSON, or its rows lack tiers or thresholds.
    """
    path = os.fspath(path or DEFAULT_STANDARD)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise InputError("no such standard file", path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a JSON standard file ({exc})", path) from exc
    rows = data.get("rows") if isinstance(data, dict) else None
    if not rows or not all(isinstance(r, dict) for r in rows):
        raise InputError("the standard has no 'rows'", path)
    try:
        pairs = [(r["tier_minutes"], r["threshold_m"]) for r in rows]
        categories = {r["slug"]: float(r["threshold_m"]) for r in rows}
        category_tiers = {str(r["slug"]): int(r["tier_minutes"]) for r in rows}
        tiers = tier_distances(pairs)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"every row needs 'slug', 'tier_minutes' and 'threshold_m' ({exc})", path) from exc
    return WalkingStandard(code=data.get("code", "?"), version=data.get("version", "?"), path=path,
                           tiers=tiers, categories=categories, category_tiers=category_tiers)
