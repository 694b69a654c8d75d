"""The events that are a participatory process's meetings, for participation's pages.

Participation lists a process's meetings (the Happy 18 discussion bar meets monthly) without
reading bookings' tables: this module is registered as a source in ``BookingsConfig.ready()`` and
answers by the events' own stable ``code`` (docs/architecture.md: service apps do not import each
other's models).
"""
import datetime

from django.utils import timezone

from lifecircle.participation.meetings import Meeting

from .models import Event

#: Past meetings stay listed this long, so residents find the last one's notes and photos.
RECENT = datetime.timedelta(days=62)
MAX_MEETINGS = 12


def meetings(code):
    """The events whose code starts with ``code``, from two months back on, as Meetings."""
    events = (Event.objects.filter(code__startswith=code, end__gte=timezone.now() - RECENT)
              .select_related("facility", "room").order_by("start")[:MAX_MEETINGS])
    return [Meeting(title=event.display_title, start=event.start, url=event.get_absolute_url(),
                    place=" · ".join(place.display_name for place in (event.facility, event.room) if place),
                    cancelled=event.is_cancelled)
            for event in events]
