"""The residents' requests layer of the map of happiness, registered with the directory
(:mod:`lifecircle.directory.layers`) by this app's ``ready()``."""
import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy, pgettext

from lifecircle.directory.layers import MapLayer

from .models import ServiceRequest


def count(subdistrict):
    """How many requests the layer shows: the filters of ``api.requests_geojson`` with its default 30
    days (public services, placed on the map, open or closed within 30 days); the map's browser test
    checks that the two agree."""
    since = timezone.now() - datetime.timedelta(days=30)
    closed = ServiceRequest.State.CLOSED
    return ServiceRequest.objects.filter(service__private=False, lat__isnull=False, lon__isnull=False,
                                         grid__subdistrict=subdistrict) \
        .filter(~Q(state=closed) | Q(closed_at__gte=since)).count()


def script_config():
    return {
        "requestStates": {str(k): capfirst(str(v)) for k, v in ServiceRequest.State.choices},
        "strings": {
            "request": _("Resident request"),
            # {service} is the kind of request, as in "Street light out"; {status} is open or closed.
            "requestLabel": _("Resident request: {service}, {status}"),
            "requestOpen": pgettext("request status", "Open"),
            "requestClosed": pgettext("request status", "Closed"),
            "requestState": _("Progress"),
            "requested": _("Reported on"),
            "updated": _("Last updated"),
            "handledBy": _("Handled by"),
            # The report's public page publishes its description and photo, so the map says only
            # what stays private; the old "the report itself is not published" would now be untrue.
            "requestPrivacy": _("Who made the report is not published."),
            "requestLink": _("See the report and its progress"),
        },
    }


LAYER = MapLayer(key="requests", label=gettext_lazy("Resident requests"), swatch="swatch-request",
                 api_path="requests311/requests.geojson", count=count,
                 count_label=ngettext_lazy("%(n)s request", "%(n)s requests", "n"),
                 script_config=script_config, order=10, topics=("requests311",))
