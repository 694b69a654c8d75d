"""The service finder (211-style): a sub-district's services found by need or keyword, in order of
the walk from "my home", with the filters residents ask for first.

What it keeps to:

* **One walking rule.** Distances are the engine's exact walks on the sub-district's pedestrian
  network (:func:`lifecircle.geo.odmatrix.distance_pairs`, the same legs as every coverage figure),
  never straight lines; minutes are those metres at the standard's planning pace
  (:data:`lifecircle.geo.walking.DEFAULT_PROFILE`, 60 m a minute), rounded up. A place the engine
  cannot reach is listed last and says so, rather than being given a guessed distance.
* **Nothing guessed from bad input.** :func:`parse` checks every parameter against what exists and
  raises :class:`FinderError` with a sentence naming the value (the page answers 400); an unknown
  filter value is never silently ignored.
* **Both languages.** A keyword matches the Chinese and English names, categories, addresses and
  descriptions, case-insensitively; every term must match somewhere.
* **Cheap.** A sub-district holds a few hundred facilities: they are filtered in Python after one
  query, and one single-source search on the network (a few ms) gives every walk.
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.community import networks
from lifecircle.community.models import Compound
from lifecircle.geo.odmatrix import distance_pairs
from lifecircle.geo.snapping import snap_points
from lifecircle.geo.walking import metres_to_minutes

from .places import Resolution, example as address_example, resolve as resolve_address
from .hours import in_words, weekday_names
from .models import Facility, ServiceCategory

#: Who a filter "for …" lets in: a facility open to anyone serves everyone; one for residents
#: serves seniors and families who live here too.
SERVES = {
    "anyone": {"anyone"},
    "residents": {"anyone", "residents"},
    "seniors": {"anyone", "residents", "seniors"},
    "families": {"anyone", "residents", "families"},
}
#: Which costs a "cost" filter keeps: at most what was chosen (free ≤ subsidised ≤ fee).
COSTS = {"free": {"free"}, "subsidised": {"free", "subsidised"}}
#: The longest keyword text read (a search box, not a document).
MAX_TEXT = 100


class FinderError(ValueError):
    """A parameter of the finder that names nothing that exists; the message says which and why."""


@dataclass
class Query:
    """What a resident asked for; every field already checked by :func:`parse`."""

    text: str = ""
    need: str = ""
    home: Compound | None = None
    serves: str = ""
    cost: str = ""
    language: str = ""
    open_now: bool = False
    home_from_account: bool = False
    #: A typed address (``address``), resolved by :func:`lifecircle.directory.places.resolve`: the
    #: place taken as home, or the choices when the text names several.
    address: Resolution | None = None

    @property
    def origin(self):
        """(lon, lat) where walks start: the chosen compound, or the place the typed address names."""
        if self.home is not None:
            return self.home.lon, self.home.lat
        if self.address is not None and self.address.place is not None:
            return self.address.place.lon, self.address.place.lat
        return None


@dataclass
class Entry:
    """One facility in the list, with its walk from home and whether it is open."""

    facility: Facility
    metres: float | None
    open_now: bool
    opens_next: datetime.datetime | None
    now: datetime.datetime | None = None

    @property
    def minutes(self):
        return walk_minutes(self.metres)

    @property
    def distance_label(self):
        return walk_label(self.metres)

    @property
    def opens_next_label(self):
        return when_words(self.opens_next, self.now) if self.opens_next else ""

    @property
    def hours_label(self):
        return in_words(self.facility.opening_hours)


@dataclass
class Result:
    entries: list
    hidden_closed: int
    walks_known: bool
    walk_problem: str


def walk_minutes(metres):
    """Whole minutes of walking ``metres`` at the standard's pace, rounded up (a 588 m walk is 10
    minutes, never 9); None for None."""
    return None if metres is None else max(1, math.ceil(float(metres_to_minutes(metres)) - 1e-9))


def walk_label(metres):
    """"588 m · 10 min walk" in the reader's language; "" for None."""
    if metres is None:
        return ""
    return _("{m} m").format(m=int(round(metres))) + " · " + _("{n} min walk").format(n=walk_minutes(metres))


def needs():
    """The choices of the "need" list: [(group label, [(value, label), ...]), ...].

    A group's value (``elderly``) selects every category in it; a category's slug selects it alone."""
    groups = dict(ServiceCategory.Group.choices)
    by_group = {}
    for category in ServiceCategory.objects.order_by("group", "slug"):
        by_group.setdefault(category.group, []).append((category.slug, category.display_name))
    return [(str(groups.get(value, value)), [(value, _("All: %(group)s") % {"group": groups.get(value, value)}),
                                            *options])
            for value, options in by_group.items()]


def parse(subdistrict, params, resident=None):
    """The checked :class:`Query` from a page's GET parameters.

    Parameters
    ----------
    subdistrict
        The sub-district whose services are searched.
    params
        A mapping of strings (``request.GET``): ``q``, ``need``, ``home`` (a compound code),
        ``address`` (a typed address, instead of ``home``), ``for``, ``cost``, ``language``,
        ``open`` (``1`` for "open now").
    resident
        The signed-in resident, if any: their household's compound is "my home" when ``home`` is not
        given and it lies in this sub-district.

    Raises
    ------
    FinderError
        A value that names nothing that exists, with a sentence saying which.
    """
    text = " ".join((params.get("q") or "").split())
    if len(text) > MAX_TEXT:
        raise FinderError(_("The search text is too long: at most %(n)d characters.") % {"n": MAX_TEXT})
    need = (params.get("need") or "").strip()
    if need and need not in dict(ServiceCategory.Group.choices) and not ServiceCategory.objects.filter(slug=need).exists():
        raise FinderError(_("There is no need or service category “%(value)s”.") % {"value": need[:64]})
    query = Query(text=text, need=need)
    code = (params.get("home") or "").strip()
    typed = " ".join((params.get("address") or "").split())
    if code and typed:
        # Two homes at once: which one was meant is not guessed.
        raise FinderError(_("Choose your compound or type your address, not both."))
    if len(typed) > MAX_TEXT:
        raise FinderError(_("The address is too long: at most %(n)d characters.") % {"n": MAX_TEXT})
    if typed:
        query.address = resolve_address(subdistrict, typed)
        if query.address.other_district:
            raise FinderError(_("“%(text)s” is in %(district)s; this finder lists the services of %(place)s, %(ours)s. "
                                "Type the address without the district, or choose your compound from the list.")
                              % {"text": typed, "district": query.address.other_district,
                                 "place": subdistrict.display_name, "ours": subdistrict.district})
        if query.address.place is None and not query.address.choices:
            raise FinderError(_("“%(text)s” matches no compound, street or address we know in %(place)s. Type a "
                                "street name as written on the street sign, with your house number if you like "
                                "(for example “%(example)s”), or choose your compound from the list.")
                              % {"text": typed, "place": subdistrict.display_name,
                                 "example": address_example(subdistrict)})
    elif code:
        query.home = Compound.objects.filter(subdistrict=subdistrict, code=code).first()
        if query.home is None:
            raise FinderError(_("There is no residential compound “%(code)s” in %(place)s. Choose your home from the list.")
                              % {"code": code[:64], "place": subdistrict.display_name})
    elif resident is not None and resident.household.compound.subdistrict_id == subdistrict.pk:
        query.home, query.home_from_account = resident.household.compound, True
    query.serves = _choice(params, "for", SERVES, _("Who it is for"))
    query.cost = _choice(params, "cost", COSTS, _("Cost"))
    query.language = _choice(params, "language", Facility.LANGUAGES, _("Language"))
    flag = (params.get("open") or "").strip()
    if flag not in ("", "1", "on"):
        raise FinderError(_("“Open now” is either ticked (1) or not given, not “%(value)s”.") % {"value": flag[:20]})
    query.open_now = bool(flag)
    return query


def _choice(params, name, allowed, label):
    value = (params.get(name) or "").strip()
    if value and value not in allowed:
        raise FinderError(_("%(filter)s: “%(value)s” is not one of the choices (%(choices)s).")
                          % {"filter": label, "value": value[:40], "choices": ", ".join(allowed)})
    return value


def _matches(facility, terms):
    """Whether every term occurs in one of the facility's texts, in either language."""
    texts = [facility.name, facility.name_en, facility.address, facility.address_en, facility.description,
             facility.description_en, facility.operator]
    for category in facility.all_categories():
        texts += [category.name, category.name_en, category.slug.replace("_", " ")]
    haystack = "\n".join(t for t in texts if t).casefold()
    return all(term in haystack for term in terms)


def _wanted(facility, query, groups):
    if query.need:
        categories = facility.all_categories()
        if query.need in groups:
            if not any(c.group == query.need for c in categories):
                return False
        elif not any(c.slug == query.need for c in categories):
            return False
    if query.serves and facility.eligibility not in SERVES[query.serves]:
        return False
    if query.cost and facility.cost not in COSTS[query.cost]:
        return False
    if query.language and query.language not in (facility.languages or []):
        return False
    return True


def walking_metres(subdistrict, origin, places):
    """Metres of walking on ``subdistrict``'s network from ``origin`` to each of ``places``.

    Parameters
    ----------
    origin
        A (lon, lat) pair in degrees (WGS84).
    places
        Objects with ``lon`` and ``lat`` (facilities).

    Returns
    -------
    (list, str)
        One distance per place (None where the network does not connect them), and "" or a sentence
        saying why no walk could be measured at all (no network loaded, home too far from a street).
    """
    network = getattr(subdistrict, "network", None)
    if network is None:
        return [None] * len(places), _("Walking distances are not available: %(place)s has no street network yet.") % {
            "place": subdistrict.display_name}
    graph = networks.load_graph(network)
    start = snap_points(graph, [origin[0]], [origin[1]])
    if not start.ok.all():
        return [None] * len(places), _("Walking distances are not available: your home is too far from every "
                                       "street of the map.")
    if not places:
        return [], ""
    targets = snap_points(graph, [p.lon for p in places], [p.lat for p in places])
    metres = distance_pairs(graph, start, targets).dense()[0]
    return [float(m) if np.isfinite(m) else None for m in metres], ""


def search(subdistrict, query, now=None):
    """The facilities that answer ``query``, nearest walk first (by name when no home is given).

    ``now`` (aware) is the moment "open now" refers to; the default is the present."""
    now = now or timezone.now()
    facilities = (Facility.objects.filter(subdistrict=subdistrict, active=True)
                  .select_related("category").prefetch_related("services", "hours_exceptions"))
    terms = [t.casefold() for t in query.text.split()]
    groups = dict(ServiceCategory.Group.choices)
    found = [f for f in facilities if _wanted(f, query, groups) and _matches(f, terms)]
    walks_known, problem = False, ""
    distances = [None] * len(found)
    if query.origin is not None:
        distances, problem = walking_metres(subdistrict, query.origin, found)
        walks_known = not problem
    entries, hidden = [], 0
    for facility, metres in zip(found, distances):
        open_now = facility.is_open_at(now)
        if query.open_now and not open_now:
            hidden += 1
            continue
        entries.append(Entry(facility, metres, open_now, None if open_now else facility.opens_next(now), now))
    entries.sort(key=lambda e: (e.metres is None, e.metres or 0.0, e.facility.display_name))
    return Result(entries, hidden, walks_known, problem)


def when_words(moment, now=None):
    """"opens today 14:00", "opens tomorrow 08:00" or "opens Mon 08:00", in the reader's language
    (the map says the same in the browser)."""
    local = timezone.localtime(moment)
    today = timezone.localdate(now or timezone.now())
    time = local.strftime("%H:%M")
    if local.date() == today:
        when = _("today {time}").format(time=time)
    elif local.date() == today + datetime.timedelta(days=1):
        when = _("tomorrow {time}").format(time=time)
    else:
        day = list(weekday_names().values())[local.weekday()]
        when = f"{day} {time}"
    return _("opens {when}").format(when=when)
