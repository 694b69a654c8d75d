"""Which sub-district a page or an API call is about.

One installation may run many sub-districts (a district runs one lifecircle for its 13 sub-districts
and one town). Nothing here guesses: a sub-district is either named (in the URL, ``/s/<code>/``, or
in the API's ``subdistrict`` parameter) or it is the only one loaded. With several loaded and none
named, pages go to the chooser and the API answers 400 saying which parameter is missing; an
unknown code is a 404. "The first sub-district loaded" is never a default.
"""
from urllib.parse import urlencode

from django.http import Http404
from django.urls import get_script_prefix
from django.utils.translation import gettext as _

from lifecircle.caching import in_this_process, last_kept, part_topics

from .models import SubDistrict


class SubDistrictNotNamed(Exception):
    """Several sub-districts are loaded (or none is) and the request did not say which one it means."""


def first_two(request=None):
    """The first two sub-districts loaded (by key): enough to tell none, one or several. With a
    ``request``, asked once for it: its view and the page's header (the site's name, the link to
    all sub-districts) both need the answer."""
    found = getattr(request, "_lifecircle_first_two_subdistricts", None)
    if found is None:
        # every page's header and every answer that names no sub-district asks: kept as by_code is
        found = in_this_process(["directory"], "community.first-two-subdistricts",
                                lambda: list(SubDistrict.objects.order_by("pk")[:2]))
        if request is not None:
            request._lifecircle_first_two_subdistricts = found
    return found


def sole_subdistrict(request=None):
    """The sub-district when exactly one is loaded, else None (none loaded, or a choice to make)."""
    found = first_two(request)
    return found[0] if len(found) == 1 else None


BY_CODE = "community.subdistricts-by-code"


def by_code():
    """Every sub-district (with its network) by code. Pages and answers that name theirs are most
    of a city's traffic, and looking each one up (boundary and all) cost about 2 ms; so they are
    kept in this worker until the directory or the community model changes (lifecircle.caching),
    shared by its requests: read them, never change them."""
    return in_this_process(["directory"], BY_CODE,
                           lambda: {s.code: s for s in SubDistrict.objects.select_related("network")})


def topics(subdistrict=None):
    """The cache topics of an answer about ``subdistrict``'s places, grids and compounds (every
    sub-district's for None): an edit in one sub-district leaves the others' answers cached
    (lifecircle.caching.part_topics; the directory registers which rows belong to a sub-district).
    A part is named by the sub-district's code, so that a request's topics need no lookup: an
    answer reads its versions in one round trip to the cache."""
    return part_topics("directory", subdistrict.code if subdistrict is not None else None)


def request_topics(request):
    """``topics`` of the sub-district a request names (``?subdistrict=``), or of every one when it
    names none or one this worker does not know. Which codes exist is taken from what ``by_code``
    last read, without reading the directory's version first (an answer reads its versions in one
    round trip): were that stale, an answer would read the wider topic of every sub-district, or
    the topic of a sub-district since deleted, whose answer is an error and never cached. A string
    no sub-district has for a code never becomes a topic: the cache would keep a version for each."""
    code = request.GET.get("subdistrict") or ""
    return part_topics("directory", code if code in (last_kept(BY_CODE) or {}) else None)


def districts(limit=2):
    """Up to ``limit`` of the districts of the sub-districts loaded (a site of one district is
    named after it), kept as :func:`by_code` is."""
    return in_this_process(["directory"], f"community.districts:{limit}", lambda: frozenset(
        SubDistrict.objects.values_list("district", flat=True).distinct()[:limit]))


def named(code):
    """The sub-district with this code, or Http404 naming the code."""
    found = by_code().get(code)
    if found is None:
        raise Http404(_("There is no sub-district “%(code)s”.") % {"code": code[:64]})
    return found


def resolve(code=None):
    """The sub-district named by ``code``, or the only one loaded when no code is given.

    Raises Http404 for an unknown code and SubDistrictNotNamed when the choice is not clear.
    """
    if code:
        return named(code)
    only = sole_subdistrict()
    if only is None:
        raise SubDistrictNotNamed()
    return only


def subdistrict_page(view):
    """A page of one sub-district, routed as ``/s/<code>/…``: the view receives the SubDistrict
    instead of its code (404 for an unknown one), and ``request.subdistrict`` tells the shared
    templates (site name, navigation) where the reader is."""
    def wrapped(request, subdistrict, *args, **kwargs):
        request.subdistrict = named(subdistrict)
        return view(request, request.subdistrict, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    wrapped.__module__ = view.__module__
    return wrapped


def api_url(path, subdistrict=None):
    """The address of an API endpoint, naming ``subdistrict`` when the answer depends on it."""
    url = get_script_prefix() + "api/" + path
    return url + "?" + urlencode({"subdistrict": subdistrict.code}) if subdistrict is not None else url
