import functools

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from lifecircle.community.scope import districts, first_two, sole_subdistrict


def site(request):
    """Values every page needs: the optional tile server for maps, and the site's place (below)."""
    return {"MAP_TILE_URL": settings.MAP_TILE_URL, "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
            **place(request)}


def place(request):
    """The site's name and the header's links, from the data (worked out only when a page uses them).

    The page's place is the sub-district it is about (``request.subdistrict``, set by its view), else
    the only one loaded; with several and none chosen, the site is named after the district they all
    share, and the planning link goes through the chooser.
    """
    @functools.cache
    def here():
        return getattr(request, "subdistrict", None) or sole_subdistrict(request)

    def site_name():
        if here() is not None:
            name = here().display_name
        else:
            shared = districts(2)
            name = next(iter(shared)) if len(shared) == 1 else None
        # {place} is the name of a sub-district (街道) or of a district (区).
        return _("{place} 15-minute life circle").format(place=name) if name else _("15-minute community life circle")

    def url(name, fallback):
        return reverse(name, args=[here().code]) if here() is not None else reverse(fallback)

    return {
        "site_name": SimpleLazyObject(site_name),
        "site_home_url": SimpleLazyObject(lambda: url("subdistrict_map", "map")),
        "planning_url": SimpleLazyObject(lambda: url("coverage", "anywhere:coverage")),
        "several_subdistricts": SimpleLazyObject(lambda: len(first_two(request)) > 1),
    }


def large_text(request):
    """Whether to show the large-text mode (a cookie set by the switch on every page)."""
    return {"large_text": request.COOKIES.get("lifecircle_text") == "large"}
