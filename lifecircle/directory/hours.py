"""Opening hours in the OpenStreetMap ``opening_hours`` syntax (the subset facilities use).

Staff and OSM mappers already write hours this way ("Mo-Fr 08:30-17:00; Sa 09:00-12:00",
"24/7"), so the directory stores that text and parses it here into weekly rules. Supported:
weekday lists and ranges (Mo-Su), several time spans per rule (06:30-09:00,11:00-13:00), spans
past midnight (22:00-02:00), ``off`` and ``24/7``. Later rules for a day replace earlier ones,
as in OSM.
"""
import datetime
import functools
import re
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

WEEKDAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
_DAYS = "|".join(WEEKDAYS)
_DAY_SELECTOR = re.compile(rf"^(?:{_DAYS})(?:-(?:{_DAYS}))?(?:,(?:{_DAYS})(?:-(?:{_DAYS}))?)*$")
_SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class HoursError(ValueError):
    pass


@dataclass(frozen=True)
class Span:
    """Open on ``weekday`` (0 = Monday) from minute ``start`` to minute ``end`` (end <= 1440)."""

    weekday: int
    start: int
    end: int

    def as_text(self):
        return f"{self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"


def _days(selector):
    days = []
    for part in selector.split(","):
        first, _, last = part.partition("-")
        a = WEEKDAYS.index(first)
        b = WEEKDAYS.index(last) if last else a
        days.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return days


def _minutes(hours, minutes, text):
    hours, minutes = int(hours), int(minutes)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise HoursError(f"'{text}' is not a time of day")
    return hours * 60 + minutes


def parse(text):
    """Return the weekly :class:`Span` list for ``text``; raise HoursError saying what is wrong."""
    return list(_parse((text or "").strip()))


@functools.lru_cache(maxsize=4096)
def _parse(text):
    # Kept per text: a list of a sub-district's facilities asked each one's hours about four
    # times (open now, opens next, each day ahead), over a hundred parses per answer.
    if not text:
        return ()
    if text == "24/7":
        return tuple(Span(day, 0, 1440) for day in range(7))
    by_day = {}
    for rule in filter(None, (r.strip() for r in text.split(";"))):
        selector, _, times = rule.partition(" ")
        times = times.strip()
        if not _DAY_SELECTOR.match(selector):
            if _SPAN.match(selector.split(",")[0]) and not times:  # "08:00-17:00" means every day
                selector, times = "Mo-Su", selector
            else:
                raise HoursError(f"rule '{rule}': '{selector}' is not a weekday like Mo or Mo-Fr")
        days = _days(selector)
        if times == "off":
            for day in days:
                by_day[day] = []
            continue
        spans = []
        for piece in times.split(","):
            match = _SPAN.match(piece.strip())
            if not match:
                raise HoursError(f"rule '{rule}': '{piece.strip()}' is not a time span like 08:30-17:00")
            start = _minutes(*match.group(1, 2), piece)
            end = _minutes(*match.group(3, 4), piece)
            if start == end:
                raise HoursError(f"rule '{rule}': span '{piece.strip()}' is empty")
            spans.append((start, end))
        for day in days:
            by_day[day] = spans
    result = []
    for day, spans in sorted(by_day.items()):
        for start, end in spans:
            if end > start:
                result.append(Span(day, start, end))
            else:  # past midnight: the rest of this day and the start of the next
                result.append(Span(day, start, 1440))
                if end:
                    result.append(Span((day + 1) % 7, 0, end))
    return tuple(sorted(set(result), key=lambda s: (s.weekday, s.start)))


def is_open(spans, moment):
    """Whether the weekly ``spans`` include the local datetime ``moment``."""
    minute = moment.hour * 60 + moment.minute
    return any(s.weekday == moment.weekday() and s.start <= minute < s.end for s in spans)


def change_minutes(spans):
    """The minutes of the day at which a place open during ``spans`` (of any weekday or date) can
    open or close, and midnight, in order. Between two of them, on one day, whether it is open and
    when it next opens stay the same: ``is_open`` and ``Place.opens_next`` read only the day and
    the minute, and every span they read starts and ends at one of these minutes."""
    return sorted({0, *(minute for span in spans for minute in (span.start, span.end) if minute < 1440)})


def spans_on(spans, day: datetime.date):
    return [s for s in spans if s.weekday == day.weekday()]


def weekday_names():
    """{"Mo": "Mon", ...} in the reader's language (周一 … in Chinese)."""
    return dict(zip(WEEKDAYS, [
        pgettext("weekday", "Mon"), pgettext("weekday", "Tue"), pgettext("weekday", "Wed"),
        pgettext("weekday", "Thu"), pgettext("weekday", "Fri"), pgettext("weekday", "Sat"),
        pgettext("weekday", "Sun"),
    ]))


def in_words(text):
    """Opening hours written for people in the reader's language: "Mo-Fr 08:00-17:30" becomes
    "周一至周五 08:00–17:30" or "Mon–Fri 08:00–17:30" (the map's formatHours does the same in the
    browser). Text that is not valid opening_hours is shown as it was written."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        parse(text)
    except HoursError:
        return text
    if text == "24/7":
        return _("Open 24 hours, every day")
    english = (get_language() or "").startswith("en")
    names = weekday_names()
    rules = []
    for rule in filter(None, (r.strip() for r in text.split(";"))):
        selector, _space, times = rule.partition(" ")
        if not _DAY_SELECTOR.match(selector):
            selector, times = "", rule
        days = []
        for part in filter(None, selector.split(",")):
            first, _dash, last = part.partition("-")
            days.append(_("{first}–{last}").format(first=names[first], last=names[last]) if last else names[first])
        spans = _("closed") if times.strip() == "off" else (", " if english else "，").join(
            span.strip().replace("-", "–") for span in times.split(","))
        rules.append(" ".join(filter(None, [(", " if english else "、").join(days), spans])))
    return ("; " if english else "；").join(rules)
