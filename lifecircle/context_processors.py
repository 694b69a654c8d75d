from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from lifecircle.community.models import SubDistrict
from lifecircle.community.scope import sole_subdistrict


def site(request):
    """Values every page needs: the optional tile server for maps, and the site's place (below)."""
    return {"MAP_TILE_URL": settings.MAP_TILE_URL, "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
            **place(request)}


def _place():
    """Whom the site serves when a page is about no one sub-district: the only sub-district, else
    the district all of them share, else None."""
    only = sole_subdistrict()
    if only is not None:
        return only.display_name
    districts = set(SubDistrict.objects.values_list("district", flat=True)[:50])
    return districts.pop() if len(districts) == 1 else None


def place(request):
    """The site's name and the header's links, from the data: the sub-district the page is about
    (``request.subdistrict``, set by its view), else the only one, else the district. The planning
    link goes to that sub-district's coverage page, or through the chooser."""
    current = getattr(request, "subdistrict", None)

    def site_name():
        name = current.display_name if current is not None else _place()
        # {place} is the name of a sub-district (街道) or of a district (区).
        return _("{place} 15-minute life circle").format(place=name) if name else _("15-minute community life circle")

    return {
        "site_name": SimpleLazyObject(site_name),
        "site_home_url": reverse("subdistrict_map", args=[current.code]) if current is not None else reverse("map"),
        "planning_url": reverse("coverage", args=[current.code]) if current is not None else reverse("anywhere:coverage"),
        "several_subdistricts": SimpleLazyObject(lambda: SubDistrict.objects.count() > 1),
    }


def large_text(request):
    """Whether to show the large-text mode (a cookie set by the switch on every page)."""
    return {"large_text": request.COOKIES.get("lifecircle_text") == "large"}
