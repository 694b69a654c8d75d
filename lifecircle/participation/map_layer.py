"""The residents' proposals layer of the map of happiness, registered with the directory
(:mod:`lifecircle.directory.layers`) by this app's ``ready()``."""
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from lifecircle.directory.layers import MapLayer

from .models import Proposal


def count(subdistrict):
    """How many proposals the layer shows: the filters of ``api.proposals_geojson`` (not hidden,
    placed on the map); the map's browser test checks that the two agree."""
    return Proposal.objects.filter(hidden_at__isnull=True, lon__isnull=False, lat__isnull=False,
                                   process__subdistrict=subdistrict).count()


def script_config():
    return {
        "proposalStatuses": {str(k): capfirst(str(v)) for k, v in Proposal.Status.choices},
        "strings": {
            "proposal": _("Proposal"),
            "topic": _("Topic for discussion"),
            # {title} is the proposal's title; {status} is open, adopted or not adopted.
            "proposalLabel": _("Proposal: {title}, {status}"),
            "process": _("Process"),
            "proposalStatus": _("Status"),
            "supports": _("Supports"),
            "comments": _("Comments"),
            "proposalLink": _("Read it and take part"),
        },
    }


LAYER = MapLayer(key="proposals", label=gettext_lazy("Residents' proposals"), swatch="swatch-proposal",
                 api_path="geo/proposals.geojson", count=count,
                 count_label=ngettext_lazy("%(n)s proposal", "%(n)s proposals", "n"),
                 script_config=script_config, order=20, topics=("participation",))
