"""Coverage: who lives within reach of each kind of service, and who doesn't.

Given each origin's walking distance to the nearest facility of every
category (from :mod:`lifecircle.geo.accessibility`), a population weight
and a group label per origin (a grid cell, a residential compound, a
neighbourhood committee), and a walking threshold per category:

* the **population-weighted share covered** per group and category, and
* the **gap list**: each origin that lacks a category within its threshold,
  and by how many metres it misses.

Pure numpy; no pandas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(eq=False)
class CoverageResult:
    """Coverage per group and category, plus the gaps behind it.

    ``share[g, c]`` is the share of group ``g``'s population within
    ``thresholds_m[c]`` of a category-``c`` facility (NaN for a group with no
    population). Origins that could not be snapped to the network count as
    not covered.

    Gaps are parallel arrays, one entry per (origin, category) not covered:
    ``gap_origin``, ``gap_category`` (index into ``categories``),
    ``gap_distance_m`` (``inf`` if nothing is reachable, NaN if the origin
    is off the network) and ``gap_shortfall_m`` (distance minus threshold).
    """

    groups: list[str]
    categories: list[str]
    thresholds_m: np.ndarray
    population: np.ndarray
    covered_population: np.ndarray
    gap_origin: np.ndarray
    gap_category: np.ndarray
    gap_distance_m: np.ndarray
    gap_shortfall_m: np.ndarray

    @property
    def share(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.population[:, None] > 0,
                            self.covered_population / self.population[:, None], np.nan)

    def share_records(self) -> list[dict]:
        """One dict per (group, category): population, covered population and share."""
        share = self.share
        return [{"group": g, "category": c, "threshold_m": float(self.thresholds_m[ci]),
                 "population": float(self.population[gi]),
                 "covered_population": float(self.covered_population[gi, ci]),
                 "share": None if np.isnan(share[gi, ci]) else float(share[gi, ci])}
                for gi, g in enumerate(self.groups) for ci, c in enumerate(self.categories)]

    def gap_records(self) -> list[dict]:
        """One dict per gap, worst shortfall first within each category."""
        worst_first = -np.where(np.isnan(self.gap_shortfall_m), np.inf, self.gap_shortfall_m)
        order = np.lexsort((worst_first, self.gap_category))
        return [{"origin": int(self.gap_origin[i]), "category": self.categories[self.gap_category[i]],
                 "distance_m": _json_number(self.gap_distance_m[i]),
                 "shortfall_m": _json_number(self.gap_shortfall_m[i])} for i in order]


def coverage(nearest_m, categories, population, groups, thresholds_m) -> CoverageResult:
    """Population-weighted coverage per group and category, and the gaps.

    Parameters
    ----------
    nearest_m
        ``(n_origins, n_categories)`` metres to the nearest facility, e.g.
        ``AccessibilityResult.nearest_m``.
    categories
        The ``n_categories`` column labels.
    population
        Non-negative weight per origin (residents of a building, a grid cell).
    groups
        A label per origin to aggregate by (grid id, community name).
    thresholds_m
        One distance for all categories, or a mapping ``{category: metres}``
        covering every category, or a sequence aligned with ``categories``.
    """
    nearest = np.asarray(nearest_m, dtype=np.float64)
    categories = [str(c) for c in categories]
    if nearest.ndim != 2 or nearest.shape[1] != len(categories):
        raise ValueError(f"nearest_m must be (n_origins, {len(categories)}), got shape {nearest.shape}")
    n = nearest.shape[0]
    weight = np.asarray(population, dtype=np.float64)
    if weight.shape != (n,):
        raise ValueError(f"got {weight.size} population weights for {n} origins")
    if not (np.isfinite(weight).all() and (weight >= 0).all()):
        raise ValueError("population weights must be finite and non-negative")
    labels = np.asarray(groups).astype(str)
    if labels.shape != (n,):
        raise ValueError(f"got {labels.size} group labels for {n} origins")
    thresholds = _thresholds_per_category(thresholds_m, categories)

    group_names, group_index = np.unique(labels, return_inverse=True)
    n_groups = group_names.size
    covered = nearest <= thresholds[None, :]  # NaN (off network) compares False
    total = np.bincount(group_index, weights=weight, minlength=n_groups)
    covered_pop = np.stack([np.bincount(group_index, weights=weight * covered[:, c], minlength=n_groups)
                            for c in range(len(categories))], axis=1) if categories else np.zeros((n_groups, 0))
    gap_origin, gap_category = np.nonzero(~covered)
    distance = nearest[gap_origin, gap_category]
    return CoverageResult(
        groups=[str(g) for g in group_names], categories=categories, thresholds_m=thresholds,
        population=total, covered_population=covered_pop, gap_origin=gap_origin,
        gap_category=gap_category, gap_distance_m=distance,
        gap_shortfall_m=distance - thresholds[gap_category])


def _thresholds_per_category(thresholds_m, categories) -> np.ndarray:
    if isinstance(thresholds_m, Mapping):
        missing = [c for c in categories if c not in thresholds_m]
        if missing:
            raise ValueError(f"no threshold given for categories {missing}")
        values = np.array([float(thresholds_m[c]) for c in categories])
    elif np.ndim(thresholds_m) == 0:
        values = np.full(len(categories), float(thresholds_m))
    else:
        values = np.asarray(thresholds_m, dtype=np.float64)
        if values.shape != (len(categories),):
            raise ValueError(f"got {values.size} thresholds for {len(categories)} categories")
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise ValueError(f"thresholds must be positive distances in metres, got {thresholds_m!r}")
    return values


def _json_number(x):
    x = float(x)
    return None if np.isnan(x) else (x if np.isfinite(x) else float("inf"))
