"""How the facilities are used, per facility and per grid, from the services' own records, and how
quickly residents' requests are answered. Plain dicts, for the dashboard and the reports.

Every figure is of the live services (a scenario changes places on a map, not who uses them), and
each is counted by the owning app's rules wherever that app has a function for it:

- baby care: per centre, the age groups' places against the places held (an open offer or a
  placement: ``babycare.services.centres()``), children with a place on ``today``
  (``active_placements``), open offers and the waiting list;
- meals: portions ordered (not cancelled) per facility for ``today``, and the mean per day over the
  ``MEAL_DAYS`` days before it (days without orders count as none); the facility's capacity where
  it is given in meals per day;
- bookings, over the ``WINDOW_DAYS`` local days ending with ``today``: hours of confirmed room
  bookings against the hours the bookable rooms were open (``bookings.services.opening_intervals``),
  and confirmed event registrations against the events' places (cancelled events left out);
- senior care: places taken against each place type's places on ``today``, and who checked in
  (``eldercare.services.place_summary``); the grid figures are of day care;
- requests, over the same ``WINDOW_DAYS`` days: opened, closed of those, still open, and hours to
  acknowledge and to close (median, mean) from ``requests311.stats``; plus every request closed
  in the period, whenever it was opened.

A share is taken / capacity (None when there is no capacity to divide by).
"""
import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecircle.babycare import services as babycare
from lifecircle.babycare.models import Application
from lifecircle.bookings.models import Booking, Event, Registration
from lifecircle.bookings.services import opening_intervals
from lifecircle.directory.models import Facility, Room
from lifecircle.eldercare.models import PlaceType
from lifecircle.eldercare.services import care_facilities, place_summary
from lifecircle.meals.models import MealOrder, meal_facilities
from lifecircle.requests311 import stats
from lifecircle.requests311.models import ServiceRequest

WINDOW_DAYS = 30
MEAL_DAYS = 7


def share(taken, capacity):
    return round(taken / capacity, 4) if capacity else None


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _hours(delta):
    return delta.total_seconds() / 3600


def _facility(f):
    return {"code": f.code, "name": f.display_name, "grid": f.grid.code if f.grid_id else None}


def period(today=None):
    """``today`` (default: the local date now) and the first day of the window that ends with it."""
    today = today or timezone.localdate()
    return today, today - datetime.timedelta(days=WINDOW_DAYS - 1)


# ---------------------------------------------------------------------------------------------- per facility
def babycare_rows(subdistrict, today):
    rows = []
    for programme in babycare.centres().filter(facility__subdistrict=subdistrict):
        groups = list(programme.age_groups.all())
        places, held = sum(g.places for g in groups), sum(g.n_taken for g in groups)
        rows.append({
            **_facility(programme.facility), "places": places, "held": held, "share": share(held, places),
            "enrolled": babycare.active_placements(programme, today).count(),
            "offered": Application.objects.filter(programme=programme, status=Application.Status.OFFERED).count(),
            "waiting": sum(g.n_waiting for g in groups),
        })
    return rows


def meal_rows(subdistrict, today):
    first = today - datetime.timedelta(days=MEAL_DAYS)
    facilities = list(meal_facilities().filter(subdistrict=subdistrict).select_related("grid"))
    counts = {}
    for facility_id, day, n in (MealOrder.objects.filter(
            status=MealOrder.Status.PLACED, menu__facility__in=facilities, menu__date__gte=first, menu__date__lte=today)
            .values_list("menu__facility_id", "menu__date").annotate(n=Count("pk"))):
        counts[facility_id, day] = n
    rows = []
    for f in facilities:
        capacity = f.capacity if f.capacity_unit == Facility.CapacityUnit.MEALS_PER_DAY else None
        earlier = [counts.get((f.pk, first + datetime.timedelta(days=i)), 0) for i in range(MEAL_DAYS)]
        ordered = counts.get((f.pk, today), 0)
        rows.append({**_facility(f), "today": ordered, "last_days_total": sum(earlier),
                     "average": round(sum(earlier) / MEAL_DAYS, 1), "capacity": capacity,
                     "share": share(ordered, capacity)})
    return rows


def booking_rows(subdistrict, today):
    first = period(today)[1]
    start, end = _midnight(first), _midnight(today + datetime.timedelta(days=1))
    rooms = list(Room.objects.filter(facility__subdistrict=subdistrict, facility__active=True, bookable=True)
                 .values_list("pk", "facility_id"))
    events = list(Event.objects.filter(facility__subdistrict=subdistrict, cancelled_at__isnull=True,
                                       start__gte=start, start__lt=end)
                  .annotate(confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED))))
    ids = {facility_id for _pk, facility_id in rooms} | {e.facility_id for e in events}
    facilities = (Facility.objects.filter(pk__in=ids).select_related("grid").prefetch_related("hours_exceptions")
                  .order_by("code"))
    booked = {}
    for facility_id, b_start, b_end in Booking.objects.filter(
            room_id__in=[pk for pk, _f in rooms], status=Booking.Status.CONFIRMED, start__lt=end, end__gt=start
    ).values_list("room__facility_id", "start", "end"):
        n, hours = booked.get(facility_id, (0, 0.0))
        booked[facility_id] = (n + 1, hours + _hours(min(b_end, end) - max(b_start, start)))
    rows = []
    for f in facilities:
        n_rooms = sum(1 for _pk, facility_id in rooms if facility_id == f.pk)
        open_hours = 0.0
        if n_rooms:
            for i in range(WINDOW_DAYS):
                open_hours += sum(_hours(b - a) for a, b in opening_intervals(f, first + datetime.timedelta(days=i)))
        n, hours = booked.get(f.pk, (0, 0.0))
        mine = [e for e in events if e.facility_id == f.pk]
        places, registered = sum(e.capacity for e in mine), sum(e.confirmed for e in mine)
        rows.append({
            **_facility(f), "rooms": n_rooms, "bookings": n, "booked_hours": round(hours, 1),
            "open_hours": round(open_hours * n_rooms, 1), "share": share(hours, open_hours * n_rooms),
            "events": len(mine), "event_places": places, "registrations": registered,
            "event_share": share(registered, places),
        })
    return rows


def care_rows(subdistrict, today):
    rows = []
    for f in care_facilities().filter(subdistrict=subdistrict).select_related("grid"):
        for r in place_summary(f, today):
            rows.append({**_facility(f), "kind": r["kind"], "label": r["label"], "capacity": r["capacity"],
                         "taken": r["taken"], "present": r["present"], "share": share(r["taken"], r["capacity"])})
    return rows


# ---------------------------------------------------------------------------------------------- requests
def request_rows(subdistrict, today):
    """Per grid (every grid, then "unrouted" when there are any, then the whole sub-district): the
    requests311 app's response times, and the requests closed in the period."""
    first = period(today)[1]
    start, end = _midnight(first), _midnight(today + datetime.timedelta(days=1))
    rows = stats.response_times(start, end, subdistrict)
    mine = Q(grid__subdistrict=subdistrict) | Q(grid__isnull=True)
    closed = dict(ServiceRequest.objects.filter(mine, state=ServiceRequest.State.CLOSED, closed_at__gte=start,
                                                closed_at__lt=end)
                  .values_list("grid__code").annotate(n=Count("pk")))
    opened = list(ServiceRequest.objects.filter(mine, requested_at__gte=start, requested_at__lt=end))
    rows.append(stats.response_row(None, _("Whole sub-district"), opened))  # the same rule over every request
    rows[-1]["whole"] = True
    for row in rows:
        row.setdefault("whole", False)
        row["closed_in_period"] = sum(closed.values()) if row["whole"] else closed.get(row["grid"], 0)
        if row["grid"] is None and not row["whole"]:
            row["name"] = _("Not yet routed to a grid")
    return rows


# ---------------------------------------------------------------------------------------------- per grid
def _sum(rows, *keys):
    return {key: sum(r[key] or 0 for r in rows) for key in keys}


def grid_summary(facilities, requests):
    """The per-grid totals of the facility rows above (each already filtered to the grid)."""
    baby = _sum(facilities["babycare"], "places", "held", "enrolled", "offered", "waiting")
    baby["share"] = share(baby["held"], baby["places"])
    meals = _sum(facilities["meals"], "today", "last_days_total")
    meals["average"] = round(meals["last_days_total"] / MEAL_DAYS, 1)
    meals["capacity"] = sum(r["capacity"] for r in facilities["meals"] if r["capacity"]) or None
    meals["share"] = share(sum(r["today"] for r in facilities["meals"] if r["capacity"]), meals["capacity"])
    rooms = _sum(facilities["bookings"], "bookings", "booked_hours", "open_hours", "events", "event_places",
                 "registrations")
    rooms["booked_hours"], rooms["open_hours"] = round(rooms["booked_hours"], 1), round(rooms["open_hours"], 1)
    rooms["share"] = share(rooms["booked_hours"], rooms["open_hours"])
    rooms["event_share"] = share(rooms["registrations"], rooms["event_places"])
    day = _sum([r for r in facilities["care"] if r["kind"] == PlaceType.Kind.DAILY], "capacity", "taken", "present")
    day["share"] = share(day["taken"], day["capacity"])
    return {"babycare": baby, "meals": meals, "bookings": rooms, "day_care": day, "requests": requests}


def usage(subdistrict, today=None):
    """``{"today", "start", "end", "facilities": {"babycare"|"meals"|"bookings"|"care": rows},
    "requests": rows, "grids": [per grid, the whole sub-district last (grid None)]}``."""
    today, first = period(today)
    facilities = {"babycare": babycare_rows(subdistrict, today), "meals": meal_rows(subdistrict, today),
                  "bookings": booking_rows(subdistrict, today), "care": care_rows(subdistrict, today)}
    requests = request_rows(subdistrict, today)
    grids = []
    for code, name in [(g.code, g.display_name) for g in subdistrict.grids.order_by("code")]:
        inside = {key: [r for r in rows if r["grid"] == code] for key, rows in facilities.items()}
        row = next(r for r in requests if r["grid"] == code and not r["whole"])
        grids.append({"grid": code, "grid_name": name, **grid_summary(inside, row)})
    grids.append({"grid": None, "grid_name": _("Whole sub-district"),
                  **grid_summary(facilities, next(r for r in requests if r["whole"]))})
    return {"today": today, "start": first, "end": today, "window_days": WINDOW_DAYS, "meal_days": MEAL_DAYS,
            "facilities": facilities, "requests": requests, "grids": grids}


def facility_index(data):
    """``{facility code: {"babycare": row, "meals": row, ...}}`` for the GeoJSON report."""
    index = {}
    for key, rows in data["facilities"].items():
        for r in rows:
            fields = {k: v for k, v in r.items() if k not in ("code", "name", "grid")}
            if key == "care":
                index.setdefault(r["code"], {}).setdefault("care", []).append(fields)
            else:
                index.setdefault(r["code"], {})[key] = fields
    return index
