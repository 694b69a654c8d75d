"""Facilities from OpenStreetMap: tagged nodes and closed ways, mapped to service categories.

The mapping is data (an ordered list of tag rules, see ``data/osm/tag-categories.json``), so
planners can change which OSM tags count as which service without touching code. A closed way
(a building or a site drawn as an outline) is placed at the mean of its nodes, which lies inside
any convex outline and close enough for snapping to a street otherwise. Multipolygon relations
are not read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import osmium

from .errors import InputError, OSMError
from .osm import check_readable

#: The tags kept with each facility (name, address, hours, capacity).
KEPT_TAGS = ("name", "name:zh", "name:en", "opening_hours", "capacity", "phone", "contact:phone", "website",
             "operator", "addr:street", "addr:housenumber", "addr:city", "addr:postcode")


@dataclass
class TagRule:
    tags: dict
    category: str

    def matches(self, tags) -> bool:
        return all(key in tags and (value == "*" or tags[key] == value) for key, value in self.tags.items())


@dataclass
class OSMFacility:
    osm_type: str  # "node" or "way"
    osm_id: int
    lon: float
    lat: float
    category: str
    tags: dict = field(default_factory=dict)

    @property
    def code(self) -> str:
        return f"osm-{self.osm_type[0]}{self.osm_id}"


def read_mapping(path) -> list[TagRule]:
    """The tag rules of a mapping file; InputError naming the file and rule when malformed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the tag mapping: {exc}", path) from None
    rules = []
    for index, rule in enumerate(data.get("rules", []) if isinstance(data, dict) else []):
        tags, category = rule.get("tags"), rule.get("category")
        if not isinstance(tags, dict) or not tags or not isinstance(category, str) or not category:
            raise InputError(f"rule {index} needs non-empty 'tags' and a 'category'", path)
        rules.append(TagRule({str(k): str(v) for k, v in tags.items()}, category))
    if not rules:
        raise InputError("the mapping has no rules", path)
    return rules


def read_facilities(path, rules: list[TagRule]) -> list[OSMFacility]:
    """Every node and closed way in the OSM file ``path`` that a rule maps to a category."""
    path = str(path)
    check_readable(path)

    def category_of(tags):
        return next((rule.category for rule in rules if rule.matches(tags)), None)

    found = []

    class Handler(osmium.SimpleHandler):
        def node(self, node):
            category = category_of(node.tags)
            if category and node.location.valid():
                found.append(OSMFacility("node", node.id, node.location.lon, node.location.lat, category,
                                         _kept(node.tags)))

        def way(self, way):
            if len(way.nodes) < 4 or way.nodes[0].ref != way.nodes[-1].ref:
                return
            category = category_of(way.tags)
            if not category:
                return
            nodes = list(way.nodes)[:-1]  # the ring repeats its first node
            points = [(n.lon, n.lat) for n in nodes if n.location.valid()]
            if points:
                lon = sum(p[0] for p in points) / len(points)
                lat = sum(p[1] for p in points) / len(points)
                found.append(OSMFacility("way", way.id, lon, lat, category, _kept(way.tags)))

    try:
        Handler().apply_file(path, locations=True)
    except RuntimeError as exc:  # libosmium reports a broken file this way
        raise OSMError(f"cannot read OSM data: {exc}", path) from None
    return found


def _kept(tags):
    return {key: tags[key] for key in KEPT_TAGS if key in tags}
