"""Map layers that apps above the directory add to the map of happiness (幸福地图).

The directory sits below the service apps and imports none of them. An app with something to show
on the map (residents' requests, participatory proposals, ...) describes it as a :class:`MapLayer`
and registers it from its ``AppConfig.ready()``; the map page lists whatever is registered, in
``order``, in the legend's "Community" group, off until ticked, and tells the map script where to
fetch each layer. The map script draws a layer's markers by its ``key``.
"""
from collections.abc import Callable
from dataclasses import dataclass, field


def _no_script_config():
    return {}


@dataclass(frozen=True)
class MapLayer:
    """One optional layer of the map, owned by the app that registers it.

    ``count(subdistrict)`` must apply the same filters as the endpoint at ``api_path`` (the legend
    shows it before the layer is fetched); ``script_config()`` returns entries for the map script's
    configuration: its ``"strings"`` are added to the script's strings, other keys are added as
    they are (e.g. the display names of the layer's states).
    """

    key: str  # the name the legend checkbox and the map script know the layer by
    label: str  # the legend's name for it
    swatch: str  # CSS class of its legend swatch
    api_path: str  # its GeoJSON endpoint under /api/, asked for one sub-district
    count: Callable  # subdistrict -> how many features the endpoint returns
    count_label: str  # the count read aloud, formatted with {"n": count}: ngettext_lazy(..., "n")
    script_config: Callable = field(default=_no_script_config)
    order: int = 100  # place in the legend, smallest first
    # The cache topics (lifecircle.caching) whose changes change ``count``: the map page keeps its
    # legend until one of them (or the directory) changes. The app registers them for its models.
    topics: tuple = ()


_registered: dict[str, MapLayer] = {}


def register(layer):
    """Add ``layer`` to the map; registering a key again replaces the layer (``ready()`` may run twice)."""
    _registered[layer.key] = layer


def registered():
    """Every registered layer, in legend order."""
    return sorted(_registered.values(), key=lambda layer: (layer.order, layer.key))
