from django.conf import settings


def site(request):
    """Values every page needs: the optional tile server for maps."""
    return {"MAP_TILE_URL": settings.MAP_TILE_URL, "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION}


def large_text(request):
    """Whether to show the large-text mode (a cookie set by the switch on every page)."""
    return {"large_text": request.COOKIES.get("lifecircle_text") == "large"}
