from django.conf import settings


def site(request):
    """Values every page needs: the optional tile server for maps."""
    return {"MAP_TILE_URL": settings.MAP_TILE_URL, "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION}
