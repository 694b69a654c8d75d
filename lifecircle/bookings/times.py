"""Times and days as residents read them, in the local time zone: shared by the booking rules
(``services``) and the models' own checks (``models``), below both."""
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def local(moment):
    return timezone.localtime(moment)


def when(moment):
    return f"{local(moment):%Y-%m-%d %H:%M}"


def span_text(start, end):
    """ "2026-03-02 10:00 to 12:00" (the end's date only when it differs)."""
    a, b = local(start), local(end)
    end_text = f"{b:%H:%M}" if a.date() == b.date() else f"{b:%Y-%m-%d %H:%M}"
    return _("%(start)s to %(end)s") % {"start": f"{a:%Y-%m-%d %H:%M}", "end": end_text}


def day_text(day):
    return date_format(day, "DATE_FORMAT")
