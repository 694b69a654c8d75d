"""Walking profiles: how OpenStreetMap tags change a walk, for whom.

A *profile* is a way of walking the same network: ``standard`` (every
walkable street at its length), ``elderly`` (slower, and charged for waits
at signalised crossings and for crossing wide roads where no crossing is
mapped) and ``barrier-free`` (wheelchair and pram: no steps without a ramp,
no raised kerbs, no slopes above a limit, no surfaces unsuitable for wheels).
The rules are data -- ``data/osm/walking-profiles.json``, read by
:meth:`ProfileTable.load` -- so planners can change them without code.

What a profile is to the router: one more per-edge cost array on the same
graph (:attr:`lifecircle.geo.graph.WalkGraph.profile_costs`), in metres of
walking; ``inf`` where the profile cannot pass. Costs are never below the
edge's length (factors are at least 1, penalties at least 0), so a walk of
cost ``T`` never leaves a disc of radius ``T`` around its start and every
bounded search of the engine stays exact.

How tags become costs:

* a **way rule** multiplies the way's length by ``factor`` or makes it
  impassable (``highway=steps`` unless ``ramp=yes``, a gravel ``surface``);
  ``incline`` steeper than ``incline_max_percent`` is impassable too;
* a **node rule** adds ``penalty_m`` metres, or makes passing the node
  impassable (``kerb=raised``). The cost goes to the ways through the node;
  where a crossing way (``footway=crossing``, ``highway=crossing``,
  ``crossing=*``) is among them, to the crossing ways only, so a kerb where
  a crossing meets the sidewalk blocks the crossing, not the sidewalk; else,
  where foot ways (footway, path, steps ...) are among them, to those only,
  so a kerb where a lane meets a street blocks the lane, not the street. Half
  the penalty is charged on each side of the node along the way, so a walk
  through it pays it once;
* ``uncontrolled_crossing`` charges a footway or path that crosses one of
  ``road_highways`` at a node without any crossing tag: it runs on through
  the node, or two foot ways end there (a lane that only ends at the street
  joins its sidewalk and is not charged).

Nothing is assumed silently: :class:`TagAudit` counts tag values the table
does not know (they are then treated as its ``unknown_means`` says), ways
with no ``surface``, and crossings whose kerb is not mapped, and says so in
words (:attr:`TagAudit.warnings`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import InputError
from .walking import SPEED_PROFILES_M_PER_MIN

#: The table shipped with lifecircle.
DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "data" / "osm" / "walking-profiles.json"
#: The profile every graph has, at plain edge length.
STANDARD = "standard"
#: Ways that are crossings of a road: node costs at a shared node go to them.
CROSSING_WAY_TAGS = {"footway": {"crossing"}, "highway": {"crossing"}, "path": {"crossing"}}
#: Ways of people on foot that can cross a road at grade.
FOOT_WAYS = frozenset({"footway", "path", "pedestrian", "steps", "living_street", "corridor"})
#: Tags no profile acts on, kept on the graph as attributes (``WalkGraph.access_tags``) for planners to see.
ACCESS_KEYS = ("wheelchair", "tactile_paving")
#: The OSM tag keys a node must have one of to matter to any profile.
NODE_KEYS = ("kerb", "wheelchair", "crossing", "highway", "barrier", "crossing:signals", "tactile_paving")

_INCLINE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(%|°)?\s*$")


class ProfileError(InputError):
    """A walking-profile table is malformed, or a profile that does not exist was asked for."""


@dataclass(frozen=True)
class Rule:
    """One tag rule: applies when every key has one of its values, and no ``unless`` tag matches."""

    tags: dict
    unless: dict
    factor: float = 1.0
    penalty_m: float = 0.0
    impassable: bool = False
    why: str = ""

    def matches(self, tags) -> bool:
        if not all(tags.get(key) in values for key, values in self.tags.items()):
            return False
        return not any(tags.get(key) in values for key, values in self.unless.items())


@dataclass(frozen=True)
class WalkingProfile:
    """One walking profile of a :class:`ProfileTable`."""

    name: str
    speed: str
    about: str = ""
    way_rules: tuple[Rule, ...] = ()
    node_rules: tuple[Rule, ...] = ()
    incline_max_percent: float | None = None
    crossing_roads: frozenset = frozenset()
    crossing_penalty_m: float = 0.0

    def way_factor(self, tags) -> tuple[float, str]:
        """Length multiplier for a way (``inf`` impassable), and why (``""`` when 1)."""
        factor, why = 1.0, ""
        for rule in self.way_rules:
            if rule.matches(tags):
                if rule.impassable:
                    return np.inf, rule.why
                if rule.factor > factor:
                    factor, why = rule.factor, rule.why
        if self.incline_max_percent is not None:
            slope = incline_percent(tags.get("incline"))
            if slope is not None and abs(slope) > self.incline_max_percent:
                return np.inf, f"incline {tags.get('incline')} is steeper than {self.incline_max_percent:g}%"
        return factor, why

    def node_penalty(self, tags) -> tuple[float, str]:
        """Metres added for passing a node (``inf`` impassable), and why."""
        total, why = 0.0, []
        for rule in self.node_rules:
            if rule.matches(tags):
                if rule.impassable:
                    return np.inf, rule.why
                total += rule.penalty_m
                why.append(rule.why)
        return total, "; ".join(why)


def incline_percent(value) -> float | None:
    """An OSM ``incline`` value as a percentage; ``None`` when it gives no number (``up``, missing)."""
    if value is None:
        return None
    match = _INCLINE.match(str(value))
    if not match:
        return None
    number = float(match.group(1))
    if match.group(2) == "°":
        return float(100.0 * np.tan(np.radians(number)))
    return number


@dataclass
class ProfileTable:
    """The walking profiles and the tag values they understand (see module docstring)."""

    profiles: dict[str, WalkingProfile]
    known_values: dict[str, frozenset]
    path: str = ""

    @property
    def names(self) -> list[str]:
        """Profile names, ``standard`` first."""
        return list(self.profiles)

    def get(self, name: str) -> WalkingProfile:
        """The profile ``name``; :class:`ProfileError` listing the choices when there is none."""
        try:
            return self.profiles[name]
        except KeyError:
            raise ProfileError(f"unknown walking profile {name!r}; choose one of {', '.join(self.profiles)}") from None

    @classmethod
    def load(cls, path=None) -> "ProfileTable":
        """Read a profile table (default :data:`DEFAULT_TABLE`); :class:`ProfileError` when malformed."""
        path = DEFAULT_TABLE if path is None else Path(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ProfileError(f"cannot read the walking-profile table: {exc}", path) from None
        if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
            raise ProfileError("the table needs a 'profiles' object", path)
        if STANDARD not in data["profiles"]:
            raise ProfileError(f"the table needs a '{STANDARD}' profile", path)
        profiles = {STANDARD: _profile(STANDARD, data["profiles"][STANDARD], path)}
        for name, spec in data["profiles"].items():
            profiles[name] = _profile(name, spec, path)
        if profiles[STANDARD].way_rules or profiles[STANDARD].node_rules:
            raise ProfileError(f"the '{STANDARD}' profile walks every street at its length; give it no rules", path)
        known = data.get("known_values", {})
        if not isinstance(known, dict) or not all(isinstance(v, list) for v in known.values()):
            raise ProfileError("'known_values' must map tag keys to lists of values", path)
        return cls(profiles, {k: frozenset(map(str, v)) for k, v in known.items()}, str(path))


def _profile(name, spec, path) -> WalkingProfile:
    where = f"profile {name!r}"
    if not isinstance(spec, dict):
        raise ProfileError(f"{where} must be an object", path)
    speed = spec.get("speed", "planning")
    if speed not in SPEED_PROFILES_M_PER_MIN:
        raise ProfileError(f"{where}: speed {speed!r} is not one of {', '.join(SPEED_PROFILES_M_PER_MIN)}", path)
    limit = spec.get("incline_max_percent")
    if limit is not None and (not isinstance(limit, (int, float)) or limit <= 0):
        raise ProfileError(f"{where}: incline_max_percent must be a positive number", path)
    crossing = spec.get("uncontrolled_crossing") or {}
    penalty = crossing.get("penalty_m", 0.0)
    if not isinstance(penalty, (int, float)) or penalty < 0:
        raise ProfileError(f"{where}: uncontrolled_crossing penalty_m must be a number of metres, at least 0", path)
    return WalkingProfile(
        name=name, speed=speed, about=str(spec.get("about", "")),
        way_rules=tuple(_rule(r, f"{where} way rule {i}", path) for i, r in enumerate(spec.get("way_rules", []))),
        node_rules=tuple(_rule(r, f"{where} node rule {i}", path) for i, r in enumerate(spec.get("node_rules", []))),
        incline_max_percent=None if limit is None else float(limit),
        crossing_roads=frozenset(crossing.get("road_highways", [])), crossing_penalty_m=float(penalty))


def _rule(spec, where, path) -> Rule:
    if not isinstance(spec, dict):
        raise ProfileError(f"{where} must be an object", path)
    tags, unless = spec.get("tags"), spec.get("unless", {})
    for what, mapping in (("tags", tags), ("unless", unless)):
        if not isinstance(mapping, dict) or not all(isinstance(v, list) and v for v in mapping.values()):
            raise ProfileError(f"{where}: '{what}' must map tag keys to non-empty lists of values", path)
    if not tags:
        raise ProfileError(f"{where} needs 'tags'", path)
    factor, penalty = spec.get("factor", 1.0), spec.get("penalty_m", 0.0)
    impassable = spec.get("impassable", False) is True
    if not isinstance(factor, (int, float)) or factor < 1:
        raise ProfileError(f"{where}: factor must be a number of at least 1 (a walk never gets shorter)", path)
    if not isinstance(penalty, (int, float)) or penalty < 0:
        raise ProfileError(f"{where}: penalty_m must be a number of metres, at least 0", path)
    if not impassable and factor == 1 and penalty == 0:
        raise ProfileError(f"{where} has no effect: give 'impassable': true, a 'factor' or a 'penalty_m'", path)
    return Rule({k: frozenset(map(str, v)) for k, v in tags.items()},
                {k: frozenset(map(str, v)) for k, v in unless.items()},
                float(factor), float(penalty), impassable, str(spec.get("why", "")))


def is_crossing_way(tags) -> bool:
    """Whether a way is the crossing of a road (``footway=crossing``, ``highway=crossing``, ``crossing=*``)."""
    return "crossing" in tags or any(tags.get(k) in v for k, v in CROSSING_WAY_TAGS.items())


@dataclass
class TagAudit:
    """What the tags of a network left unknown, counted while it was read.

    Attributes
    ----------
    unknown_values
        ``{key: {value: count}}`` of tag values the table does not list in
        ``known_values`` (on ways and on nodes of walkable ways).
    length_m
        Metres of walkable way read.
    surface_unknown_m
        Metres of it with no ``surface`` tag, or a value the table does not know.
    crossings
        Crossings read: crossing ways and crossing nodes (``highway=crossing``).
    crossings_kerb_unknown
        Of those, how many have no kerb mapped (no ``kerb=*`` on the crossing
        way, on its nodes, or on the crossing node).
    incline_unreadable
        Ways whose ``incline`` gives no number (``up``, ``down``, ``yes``): steepness unknown.
    """

    unknown_values: dict[str, Counter] = field(default_factory=dict)
    length_m: float = 0.0
    surface_unknown_m: float = 0.0
    crossings: int = 0
    crossings_kerb_unknown: int = 0
    incline_unreadable: int = 0

    def note_values(self, tags, known: dict) -> None:
        for key, values in known.items():
            value = tags.get(key)
            if value is not None and value not in values:
                self.unknown_values.setdefault(key, Counter())[value] += 1

    @property
    def surface_unknown_share(self) -> float:
        return self.surface_unknown_m / self.length_m if self.length_m else 0.0

    @property
    def kerb_unknown_share(self) -> float:
        return self.crossings_kerb_unknown / self.crossings if self.crossings else 0.0

    def to_dict(self) -> dict:
        return {
            "unknown_values": {k: dict(v.most_common()) for k, v in self.unknown_values.items()},
            "length_m": round(self.length_m, 1), "surface_unknown_m": round(self.surface_unknown_m, 1),
            "surface_unknown_share": round(self.surface_unknown_share, 4),
            "crossings": self.crossings, "crossings_kerb_unknown": self.crossings_kerb_unknown,
            "kerb_unknown_share": round(self.kerb_unknown_share, 4),
            "incline_unreadable": self.incline_unreadable,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "TagAudit":
        return cls({k: Counter(v) for k, v in data.get("unknown_values", {}).items()}, data.get("length_m", 0.0),
                   data.get("surface_unknown_m", 0.0), data.get("crossings", 0),
                   data.get("crossings_kerb_unknown", 0), data.get("incline_unreadable", 0))

    @property
    def warnings(self) -> list[str]:
        """What the barrier-free and elderly results cannot see, one sentence each (English)."""
        out = []
        if self.length_m:
            out.append(f"{self.surface_unknown_share:.0%} of the walkable network "
                       f"({self.surface_unknown_m / 1000:.1f} of {self.length_m / 1000:.1f} km) has no known surface; "
                       "it is treated as passable for wheels, which may be too hopeful")
        if self.crossings:
            out.append(f"{self.crossings_kerb_unknown} of {self.crossings} crossings ({self.kerb_unknown_share:.0%}) "
                       "have no kerb mapped; they are treated as passable, which may be too hopeful")
        if self.incline_unreadable:
            out.append(f"{self.incline_unreadable} way(s) give their incline without a number (up/down); "
                       "their steepness is unknown and they are treated as passable")
        for key, counts in sorted(self.unknown_values.items()):
            shown = ", ".join(f"{key}={value} ({n})" for value, n in counts.most_common(5))
            more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
            out.append(f"{sum(counts.values())} tag(s) with values the walking-profile table does not know: "
                       f"{shown}{more}; add them to data/osm/walking-profiles.json to give them an effect")
        return out
