""""My home" as a typed address, resolved offline against the sub-district's own data.

The machines that run lifecircle reach no geocoder, so a typed address is matched only against
what the sub-district itself holds:

* its residential compounds: Chinese and English names, and the address (with or without the
  district in front: ``静安区常德路633弄`` or ``常德路633弄``);
* the street names of its walking network (the OSM ``name`` tags the engine keeps per edge). A
  street alone is a line, not a house: it resolves to the middle of the street and the page says how
  far a home on it may be from there;
* house numbers on those streets, where the data knows where a number is: a lane named
  ``康定路660弄`` in the network (where it meets 康定路), a compound's or a facility's address. A
  number that is not known resolves to the nearest number that is, and the page says so;
* English street names, learnt from the sub-district's own bilingual texts (a facility's
  ``江宁路515号`` beside ``No. 515 Jiangning Road``; a compound ``康定路小区`` called
  ``Kangding Road Estate``); there is no transliteration table, so a street with no English text
  anywhere in the data is found only in Chinese.

Typing is forgiving about spaces, case, punctuation and full-width characters (NFKC). One clear
match is used and described; several are offered as choices; none is an error that says what can
be typed. Nothing is guessed silently.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import shapely
import shapely.ops
from django.utils.translation import get_language, gettext as _

from lifecircle.community import networks
from lifecircle.community.models import Compound
from lifecircle.geo.distance import haversine_m

from .models import Facility

#: The accuracy claimed for a house number the data places (a lane's mouth, a compound's or a
#: facility's point): the door may be that far into the block or lane.
KNOWN_NUMBER_M = 50
#: At most this many choices are offered for an ambiguous text; more means "type more".
MAX_CHOICES = 8

_DIRECTIONS = r"(?:North|South|East|West|Middle|Central)"
#: An English street in a name or address: "Jiangning Road", "Beijing West Road".
_EN_STREET = re.compile(rf"([A-Za-z'’]+(?: {_DIRECTIONS})? (?:Road|Street|Avenue|Lane))")
#: "No. 515 Jiangning Road" (the number first, as Shanghai's English addresses write it).
_EN_ADDRESS = re.compile(rf"(?:No\.?\s*)?(\d+)\s+{_EN_STREET.pattern}", re.IGNORECASE)
#: "静安区江宁路515号", "武定路200弄": an optional district, a street, a number.
_ZH_ADDRESS = re.compile(r"^(?:.*?区)?(?P<street>\D+?)(?P<number>\d+)(?P<unit>号|弄)")
#: A lane of the network named after its street and number: "康定路660弄".
_LANE = re.compile(r"^(?P<street>\D+?)(?P<number>\d+)弄$")


def normal(text):
    """``text`` as compared: NFKC (full-width letters and digits made plain), case-folded, with
    everything but letters and digits dropped ("Jiangning  Road" and "ｊｉａｎｇｎｉｎｇｒｏａｄ"
    read the same)."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    text = re.sub(r"\brd\b", "road", text)
    return "".join(ch for ch in text if ch.isalnum())


def _district(text):
    """(district, rest) when a normalised Chinese address starts with a district (``静安区…``,
    ``上海市浦东新区…``), else None. A compound or park (``康定路小区``, ``…园区``) is no district."""
    found = re.match(r"^(?:上海市?)?([^区路街弄号\d]{1,4}区)(.+)$", text)
    if found is None or found[1].endswith(("小区", "社区", "园区", "街区", "校区", "景区")):
        return None
    return found[1], found[2]


def _without_district(text):
    """A normalised Chinese address without the district in front (``静安区``), as typed often."""
    found = _district(text)
    return found[1] if found else ""


@dataclass
class Place:
    """Where walks start from: what the text was taken as, and how far off that may be."""

    kind: str  # "compound", "street" or "number"
    lon: float
    lat: float
    street: str = ""
    number: int | None = None  # the number typed
    known: int | None = None  # the number the point stands for (== number when it is known)
    where: str = ""  # what the point is: "lane", or the name of a compound or facility there
    accuracy_m: int | None = None
    compound: Compound | None = None
    english: str = ""  # the street's English name, where the data gives one

    @property
    def link(self):
        """The parameters that select exactly this place again (a choice's link)."""
        if self.kind == "compound":
            return {"home": self.compound.code}
        if self.kind == "number":
            return {"address": f"{self.street}{self.known}号"}
        return {"address": self.street}

    @property
    def name(self):
        """How the place is named in a choice: the compound's name, the street (English beside it)."""
        if self.compound is not None:
            return self.compound.display_name
        street = self._street_words
        return f"{street} {self.known}号" if self.kind == "number" else street

    @property
    def _street_words(self):
        # The English name (learnt from the sub-district's texts) beside the Chinese one, on English
        # pages only: the street sign shows the Chinese.
        if self.english and (get_language() or "").startswith("en"):
            return f"{self.street} ({self.english})"
        return self.street

    @property
    def kind_label(self):
        return {"compound": _("residential compound"), "street": _("street"), "number": _("address")}[self.kind]

    @property
    def description(self):
        """What the typed text was taken as and how far off the start may be, in a resident's words."""
        if self.kind == "compound":
            return _("Sorted from %(name)s (a residential compound): walks start at its centre on the map.") % {
                "name": self.compound.display_name}
        street = self._street_words
        if self.kind == "street":
            text = _("Sorted from the middle of the street %(street)s. That is a whole street, not a house: your home "
                     "may be up to about %(m)d m from there.") % {"street": street, "m": self.accuracy_m}
            if self.number is not None:
                text += " " + _("No house number on %(street)s is on our map, so No. %(n)d could not be placed.") % {
                    "street": self.street, "n": self.number}
            return text + " " + _("Add your house number, or choose your compound, for a closer start.")
        where = _("where lane %(n)d meets the street") % {"n": self.known} if self.where == "lane" else self.where
        if self.known == self.number:
            return _("Sorted from No. %(n)d %(street)s (%(where)s): about %(m)d m accuracy.") % {
                "n": self.known, "street": street, "where": where, "m": self.accuracy_m}
        return _("Sorted from No. %(known)d %(street)s (%(where)s): No. %(n)d is not on our map, so walks start at "
                 "the nearest number that is; about %(m)d m accuracy.") % {
            "known": self.known, "street": street, "where": where, "n": self.number, "m": self.accuracy_m}


@dataclass
class Resolution:
    """The outcome of :func:`resolve`: one place, several to choose from, or none."""

    text: str
    place: Place | None = None
    choices: list = field(default_factory=list)
    more: bool = False
    other_district: str = ""  # the district typed, when it is not this sub-district's


@dataclass
class _Street:
    name: str
    points: np.ndarray  # (k, 2) lon, lat of every shape point
    middle: tuple
    half_m: float
    numbers: dict = field(default_factory=dict)  # number -> (lon, lat, where)
    nodes: set = field(default_factory=set)  # graph nodes of its edges (where lanes meet it)


def _streets(graph):
    """Each named street of ``graph``: its shape points, middle and half-extent, and the lanes
    numbered off it (cached on the graph, which the network loader keeps in memory)."""
    def build(graph):
        edges = {}
        for edge, index in enumerate(graph.edge_name):
            if index:
                edges.setdefault(graph.names[index], []).append(edge)
        streets = {}
        for name, ids in edges.items():
            points = np.concatenate([graph.edge_coords(e) for e in ids])
            # The middle is the point of the street nearest the mean of its shape: on the street
            # itself, even for a bent one (degrees are fine for choosing a point a sub-district wide).
            mean = shapely.Point(points.mean(axis=0))
            on_street = shapely.ops.nearest_points(shapely.MultiLineString(list(graph.edge_lines(ids))), mean)[0]
            middle = (float(on_street.x), float(on_street.y))
            half = float(haversine_m(points[:, 0], points[:, 1], *middle).max())
            streets[name] = _Street(name, points, middle, half,
                                    nodes={int(n) for e in ids for n in (graph.edge_u[e], graph.edge_v[e])})
        for name, street in streets.items():
            lane = _LANE.match(name)
            main = streets.get(lane["street"]) if lane else None
            if main is None:
                continue
            # The lane's mouth: a node it shares with its street, else its point nearest the street.
            shared = street.nodes & main.nodes
            if shared:
                node = min(shared)
                point = (float(graph.node_lon[node]), float(graph.node_lat[node]))
            else:
                gaps = [haversine_m(main.points[:, 0], main.points[:, 1], lon, lat).min() for lon, lat in street.points]
                point = tuple(float(v) for v in street.points[int(np.argmin(gaps))])
            main.numbers.setdefault(int(lane["number"]), (*point, "lane"))
        return streets
    return graph.cached("_finder_streets", build)


def _known_numbers(streets, subdistrict):
    """Add the numbers the sub-district's compound and facility addresses place on its streets, and
    return English street names learnt from its bilingual texts: {normalised English: Chinese}."""
    english, by_key = {}, {normal(name): street for name, street in streets.items()}
    for compound in Compound.objects.filter(subdistrict=subdistrict):
        found = _ZH_ADDRESS.match(normal(compound.address))
        if found and found["street"] in by_key:
            by_key[found["street"]].numbers.setdefault(int(found["number"]), (compound.lon, compound.lat,
                                                                              compound.display_name))
        named = [s for s in streets if not _LANE.match(s) and compound.name.startswith(s)]
        english_names = _EN_STREET.findall(compound.name_en or "")
        if len(named) == 1 and len(english_names) == 1 and not re.search(r"[–—-]", compound.name_en):
            english.setdefault(normal(english_names[0]), set()).add(named[0])
    for facility in Facility.objects.filter(subdistrict=subdistrict, active=True):
        found = _ZH_ADDRESS.match(normal(facility.address))
        if not found or found["street"] not in by_key:
            continue
        street = by_key[found["street"]]
        street.numbers.setdefault(int(found["number"]), (facility.lon, facility.lat,
                                                                          facility.display_name))
        # The English address names the same street when it carries the same number.
        for number, street_en in _EN_ADDRESS.findall(facility.address_en or ""):
            if int(number) == int(found["number"]):
                english.setdefault(normal(street_en), set()).add(street.name)
    return english


def _split_number(text):
    """(street text, number) from a typed address: the one number and its markers (号, 弄, "No.",
    "Lane", "#") taken out; (text, None) when it holds no number or more than one."""
    plain = unicodedata.normalize("NFKC", text).casefold()
    numbers = re.findall(r"\d+", plain)
    if len(numbers) != 1:
        return plain, None
    rest = re.sub(r"(?:\b(?:no|number|lane|ln)\b\.?|#)?\s*\d+\s*(?:号|弄)?", " ", plain, count=1)
    return rest, int(numbers[0])


def _street_keys(text):
    """The normalised forms a typed street may take: as typed, without the district or city."""
    text = re.sub(r"\b[\w'’]+\s+district\b|\bshanghai\b|\bchina\b", " ", text)
    key = normal(text)
    return [k for k in (key, _without_district(key)) if k]


def resolve(subdistrict, text):
    """What ``text`` names in ``subdistrict``: a :class:`Resolution` with one place, choices, or
    neither (nothing matched).

    Compounds come first (a compound's own name or address is a home); then a street with a house
    number; then a street alone; only when nothing matches exactly are names that contain the text
    offered, so "康定" lists 康定路 and the compounds named after it rather than picking one.
    """
    key = normal(text)
    keys = [k for k in (key, _without_district(key)) if k]
    compounds = list(Compound.objects.filter(subdistrict=subdistrict).order_by("code"))
    network = getattr(subdistrict, "network", None)
    streets = {name: _copy(street) for name, street in _streets(networks.load_graph(network)).items()} if network else {}
    english = _known_numbers(streets, subdistrict) if streets else {}
    english_of = {}
    for en, names in english.items():
        for name in names:
            english_of.setdefault(name, en)
    pretty = _english_names(compounds, subdistrict)

    def street_place(name):
        street = streets[name]
        return Place("street", *street.middle, street=name, accuracy_m=_round_up(street.half_m),
                     english=pretty.get(english_of.get(name, ""), ""))

    def compound_keys(compound):
        address = normal(compound.address)
        return {k for k in (normal(compound.name), normal(compound.name_en), address, _without_district(address)) if k}

    found = [c for c in compounds if compound_keys(c) & set(keys)]
    if found:
        return _resolution(text, [Place("compound", c.lon, c.lat, compound=c) for c in found])
    # A district typed in front that is not this sub-district's: the same street name there is
    # another street, so nothing here is taken for it.
    district = _district(key)
    if district and subdistrict.district and district[0] != normal(subdistrict.district):
        return Resolution(text, other_district=district[0])

    # Streets by their normalised name: OSM may write one with spaces or full-width characters.
    street_of = {normal(name): name for name in streets}

    def streets_named(candidates):
        names = []
        for k in candidates:
            names += [street_of[k]] if k in street_of else sorted(english.get(k, ()))
        return list(dict.fromkeys(names))

    rest, number = _split_number(text)
    if number is not None:
        named = streets_named(_street_keys(rest))
        if named:
            return _resolution(text, [_numbered(streets[n], number, street_place(n)) for n in named])
    named = streets_named(keys)
    if named:
        return _resolution(text, [street_place(n) for n in named])
    if len(key) < 2:  # one letter or character names too much to list
        return Resolution(text)
    # Nothing exact: what contains the text. Lanes ("康定路660弄") are left to exact typing, or "康定"
    # would list every lane of 康定路.
    places = [Place("compound", c.lon, c.lat, compound=c) for c in compounds if any(key in k for k in compound_keys(c))]
    containing = [n for n in streets if not _LANE.match(n) and not n.endswith("支弄") and key in normal(n)]
    containing += [n for en, names in english.items() if key in en for n in sorted(names)]
    places += [street_place(n) for n in dict.fromkeys(containing)]
    return _resolution(text, places)


def example(subdistrict):
    """A typed address this sub-district answers, for the field's placeholder and the "nothing
    matched" message: a compound's address without the district, else its name; "" when there is
    no compound."""
    compound = Compound.objects.filter(subdistrict=subdistrict).exclude(address="").order_by("code").first()
    if compound is not None:
        return _without_district(normal(compound.address)) or compound.address
    compound = Compound.objects.filter(subdistrict=subdistrict).order_by("code").first()
    return compound.display_name if compound else ""


def _copy(street):
    # The cached street is shared between requests; the numbers from this request's database rows
    # are added to a copy.
    copy = _Street(street.name, street.points, street.middle, street.half_m, dict(street.numbers))
    return copy


def _english_names(compounds, subdistrict):
    """{normalised English street: as written} from the texts the English names were learnt from."""
    texts = [c.name_en for c in compounds] + list(
        Facility.objects.filter(subdistrict=subdistrict).values_list("address_en", flat=True))
    return {normal(m): m for t in texts if t for m in _EN_STREET.findall(t)}


def _numbered(street, number, whole):
    """The place of ``number`` on ``street``: the point the data gives for it, else the nearest
    number it knows (with the distance to the known number on the other side as the accuracy),
    else the whole street (``whole``) with the number kept to say it is not known."""
    if not street.numbers:
        whole.number = number
        return whole
    known = min(street.numbers, key=lambda n: (abs(n - number), n))
    lon, lat, where = street.numbers[known]
    place = Place("number", lon, lat, street=street.name, number=number, known=known, where=where,
                  english=whole.english)
    if known == number:
        place.accuracy_m = KNOWN_NUMBER_M
        return place
    # How far No. 700 may be from No. 660: up to the next known number beyond it, if any.
    beyond = [n for n in street.numbers if (n - number) * (known - number) < 0]
    if beyond:
        other = min(beyond, key=lambda n: abs(n - number))
        gap = float(haversine_m(lon, lat, street.numbers[other][0], street.numbers[other][1]))
    else:
        gap = 2 * street.half_m
    place.accuracy_m = _round_up(max(gap, KNOWN_NUMBER_M))
    return place


def _round_up(metres):
    """Metres rounded up to the next 10 (an accuracy is never made to look better than it is)."""
    return int(math.ceil(metres / 10.0) * 10)


def _resolution(text, places):
    if len(places) == 1:
        return Resolution(text, place=places[0])
    return Resolution(text, choices=places[:MAX_CHOICES], more=len(places) > MAX_CHOICES)
