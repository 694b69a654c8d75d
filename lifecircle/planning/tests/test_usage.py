"""Facility use and request response times per grid (planning.usage), built with each service app's
own functions on the MINI pack, on a fixed "today": Monday 1 June 2026.

The MINI pack puts the canteen (300 meals a day, also day care) and the service centre (meeting
room and stage, open 09:00–21:00 every day) in the west grid, the baby-care centre in the east.
The 30-day window is 3 May – 1 June 2026; the meal average is over 25–31 May.
"""
import csv
import datetime
import io
import json
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client
from django.utils import timezone, translation

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff
from lifecircle.babycare import services as babycare
from lifecircle.babycare.models import AgeGroup, CareProgramme
from lifecircle.babycare.tests.helpers import family
from lifecircle.bookings import services as bookings
from lifecircle.bookings.models import Event
from lifecircle.community.models import Compound, Grid
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, Room, ServiceCategory
from lifecircle.eldercare import services as eldercare
from lifecircle.eldercare.models import PlaceType
from lifecircle.meals import services as meals
from lifecircle.meals.models import Meal, Menu, MenuItem
from lifecircle.planning import reports, usage
from lifecircle.requests311 import defaults, intake, lifecycle

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)
HOUR = datetime.timedelta(hours=1)


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def d(month, day):
    return datetime.date(2026, month, day)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock():
    state = {"now": at(TODAY, 8)}
    with mock.patch("django.utils.timezone.now", side_effect=lambda: state["now"]):
        yield state


@pytest.fixture
def mini(db):
    return load_pack(MINI)


def person(name, compound="a", born=datetime.date(1950, 5, 1)):
    return make_resident(make_household(Compound.objects.get(code=compound)), name, born)


def _babycare(clock):
    """12–23 months: 2 places, 24–36: 3. Held: one placed (on today), one offered; one waiting; one declined."""
    programme = CareProgramme.objects.create(facility=Facility.objects.get(code="babycare"),
                                             centre_type=CareProgramme.CentreType.INTERGENERATIONAL)
    AgeGroup.objects.create(programme=programme, min_months=12, max_months=23, places=2)
    AgeGroup.objects.create(programme=programme, min_months=24, max_months=36, places=3)
    clock["now"] = at(TODAY, 9)
    placed = []
    for i in range(3):  # 14 months old today
        parent, child = family(compound="b", parent=f"家长{i}", child=f"宝宝{i}", birth=datetime.date(2025, 3, 10 + i))
        placed.append(babycare.apply(parent.user, programme, child, TODAY).application)
    babycare.accept(placed[0].applicant.user, placed[0].pk)
    parent, child = family(compound="c", parent="家长9", child="大宝", birth=datetime.date(2024, 1, 1))  # 29 months
    older = babycare.apply(parent.user, programme, child, TODAY).application
    babycare.decline(parent.user, older.pk)
    return programme


def _meals(clock):
    """Lunch orders: 24 May 1 (before the window), 25 May 2, 31 May 1, today 3 with one cancelled."""
    canteen = Facility.objects.get(code="canteen")
    diners = [person(f"食客{i}") for i in range(3)]
    for day, n, cancel in [(d(5, 24), 1, 0), (d(5, 25), 2, 0), (d(5, 31), 1, 0), (TODAY, 3, 1)]:
        menu = Menu.objects.create(facility=canteen, date=day, meal=Meal.LUNCH, published_at=at(d(5, 1), 12))
        item = MenuItem.objects.create(menu=menu, name="套餐", price="15.00", portions=50)
        clock["now"] = at(day, 8)
        orders = [meals.place_order(diner.user, item.pk) for diner in diners[:n]]
        for order in orders[:cancel]:
            meals.cancel_order(order.resident.user, order.pk)


def _bookings(clock):
    """Confirmed: meeting room 10 May 10–12 and today 14–17, stage 20 May 19–20 (approved); not
    counted: a stage booking still pending, a cancelled one, one on 2 May (before the window).
    Events: 20 May (2 places, both taken, one more waitlisted), 25 May (10 places, 1 taken); a
    cancelled event and a future one are left out."""
    center = Facility.objects.get(code="center")
    meeting, stage = Room.objects.get(facility=center, code="meeting"), Room.objects.get(facility=center, code="stage")
    booker, other, third = person("李红"), person("陈伟", "b"), person("王芳", "c")
    manager = make_staff(StaffRole.Role.CENTRE_MANAGER, center.subdistrict, facility=center)
    clock["now"] = at(d(5, 1), 8)
    bookings.book_room(booker.user, meeting, at(d(5, 2), 10), at(d(5, 2), 12), "读书会", 8)
    bookings.book_room(booker.user, meeting, at(d(5, 10), 10), at(d(5, 10), 12), "读书会", 8)
    approved = bookings.book_room(booker.user, stage, at(d(5, 20), 19), at(d(5, 20), 20), "合唱", 30)
    bookings.approve_booking(manager, approved)
    bookings.book_room(other.user, stage, at(d(5, 21), 19), at(d(5, 21), 21), "排练", 30)  # pending
    cancelled = bookings.book_room(other.user, meeting, at(d(5, 22), 9), at(d(5, 22), 13), "会议", 5)
    bookings.cancel_booking(other.user, cancelled)
    clock["now"] = at(TODAY, 8)
    bookings.book_room(booker.user, meeting, at(TODAY, 14), at(TODAY, 17), "讲座", 15)

    clock["now"] = at(d(5, 15), 8)
    full = Event.objects.create(facility=center, title="防诈骗讲座", start=at(d(5, 20), 14), end=at(d(5, 20), 15),
                                capacity=2)
    quiet = Event.objects.create(facility=center, title="书法", start=at(d(5, 25), 14), end=at(d(5, 25), 15),
                                 capacity=10)
    dropped = Event.objects.create(facility=center, title="取消", start=at(d(5, 26), 14), end=at(d(5, 26), 15),
                                   capacity=5)
    later = Event.objects.create(facility=center, title="以后", start=at(d(6, 5), 14), end=at(d(6, 5), 15), capacity=5)
    for resident in (booker, other, third):
        bookings.register(resident.user, full)
    bookings.register(booker.user, quiet)
    bookings.register(booker.user, dropped)
    bookings.register(booker.user, later)
    bookings.cancel_event(manager, dropped, "下雨")


def _care(clock, mini):
    """Day care at the canteen (2 places): 20 May–10 June and 1–30 June taken today (one checked in),
    1–31 May over. A care home in the east grid: 1 of 2 short-stay places taken."""
    canteen = Facility.objects.get(code="canteen")
    home = Facility.objects.create(subdistrict=mini, grid=Grid.objects.get(code="east"), code="home", name="照护之家",
                                   lon=121.448, lat=31.233, opening_hours="Mo-Su 08:00-18:00",
                                   category=ServiceCategory.objects.get(slug="senior_care_home"))
    daily = PlaceType.objects.create(facility=canteen, kind="daily", capacity=2)
    short = PlaceType.objects.create(facility=home, kind="short_term", capacity=2, max_days=30)
    carer = make_staff(StaffRole.Role.DAY_CARE_STAFF, mini, facility=canteen)
    home_staff = make_staff(StaffRole.Role.DAY_CARE_STAFF, mini, facility=home)
    a, b, c, e = (person(name, born=datetime.date(1940, 1, 1)) for name in ("甲", "乙", "丙", "丁"))
    clock["now"] = at(d(5, 1), 8)
    eldercare.admit(carer, c, daily.pk, d(5, 1), d(5, 31))
    clock["now"] = at(d(5, 20), 8)
    first = eldercare.admit(carer, a, daily.pk, d(5, 20), d(6, 10))
    clock["now"] = at(TODAY, 8)
    eldercare.admit(carer, b, daily.pk, TODAY, d(6, 30))
    eldercare.admit(home_staff, e, short.pk, TODAY, d(6, 14))
    eldercare.check_in(carer, first.pk)


def _requests(mini):
    """West: acknowledged after 1, 2 and 6 hours, two closed after 10 and 30 hours, and one opened in
    April and closed on 5 May. East: one untouched. One outside every grid."""
    defaults.install()
    worker = make_staff(StaffRole.Role.GRID_WORKER, mini, grid=Grid.objects.get(code="west"))
    west, east, outside = ("121.4420", "31.2330"), ("121.4480", "31.2330"), ("121.4600", "31.2500")

    def make(where, when):
        data = QueryDict(mutable=True)
        data.update({"service_code": "street_light", "long": where[0], "lat": where[1], "attribute[problem]": "off"})
        return lifecycle.create_request(intake.parse_new_request(data), now=when)

    t0 = at(d(5, 10), 9)
    r1, r2, r3 = make(west, t0), make(west, t0), make(west, at(d(5, 20), 9))
    lifecycle.change_state(r1, "acknowledged", "", worker, now=t0 + HOUR)
    lifecycle.change_state(r1, "closed", "修好了", worker, now=t0 + 10 * HOUR)
    lifecycle.change_state(r2, "in_progress", "", worker, now=t0 + 2 * HOUR)
    lifecycle.change_state(r2, "closed", "修好了", worker, now=t0 + 30 * HOUR)
    lifecycle.change_state(r3, "acknowledged", "", worker, now=at(d(5, 20), 15))
    old = make(west, at(d(4, 20), 9))
    lifecycle.change_state(old, "closed", "修好了", worker, now=at(d(5, 5), 9))
    make(east, at(d(5, 25), 9))
    make(outside, at(d(5, 25), 9))


@pytest.fixture
def world(mini, clock):
    _babycare(clock)
    _meals(clock)
    _bookings(clock)
    _care(clock, mini)
    _requests(mini)
    clock["now"] = at(TODAY, 12)
    return SimpleNamespace(mini=mini, clock=clock)


def test_facility_rows(world):
    with translation.override("en"):
        data = usage.usage(world.mini, TODAY)
    assert (data["start"], data["end"]) == (d(5, 3), TODAY)
    f = data["facilities"]
    assert f["babycare"] == [{"code": "babycare", "name": "Baby care", "grid": "east", "places": 5, "held": 2,
                              "share": 0.4, "enrolled": 1, "offered": 1, "waiting": 1}]
    assert f["meals"] == [{"code": "canteen", "name": "Seniors' canteen", "grid": "west", "today": 2,
                           "last_days_total": 3, "average": 0.4, "capacity": 300, "share": 0.0067}]
    assert f["bookings"] == [{
        "code": "center", "name": "Service center", "grid": "west", "rooms": 2, "bookings": 3, "booked_hours": 6.0,
        "open_hours": 720.0, "share": 0.0083,  # 2 rooms × 12 h × 30 days
        "events": 2, "event_places": 12, "registrations": 3, "event_share": 0.25}]
    care = [(r["code"], r["grid"], r["kind"], r["capacity"], r["taken"], r["present"], r["share"]) for r in f["care"]]
    assert care == [("canteen", "west", "daily", 2, 2, 1, 1.0), ("home", "east", "short_term", 2, 1, 0, 0.5)]


def test_requests_reuse_the_response_times(world):
    with translation.override("en"):
        rows = {("whole" if r["whole"] else r["grid"]): r for r in usage.usage(world.mini, TODAY)["requests"]}
    assert list(rows) == ["east", "west", None, "whole"]
    assert rows["west"] == {
        "grid": "west", "name": "West grid", "requests": 3, "open": 1, "acknowledged": 3, "closed": 2,
        "acknowledge_median_hours": 2.0, "acknowledge_mean_hours": 3.0, "close_median_hours": 20.0,
        "close_mean_hours": 20.0, "whole": False, "closed_in_period": 3}
    assert (rows["east"]["requests"], rows["east"]["open"], rows["east"]["acknowledge_median_hours"]) == (1, 1, None)
    assert rows[None]["name"] == "Not yet routed to a grid" and rows[None]["requests"] == 1
    whole = rows["whole"]
    assert (whole["name"], whole["requests"], whole["open"], whole["closed"], whole["closed_in_period"]) == (
        "Whole sub-district", 5, 3, 2, 3)
    assert (whole["acknowledge_median_hours"], whole["acknowledge_mean_hours"]) == (2.0, 3.0)
    assert (whole["close_median_hours"], whole["close_mean_hours"]) == (20.0, 20.0)


def test_grid_totals(world):
    grids = {g["grid"]: g for g in usage.usage(world.mini, TODAY)["grids"]}
    assert list(grids) == ["east", "west", None]
    west, east, whole = grids["west"], grids["east"], grids[None]
    assert east["babycare"] == {"places": 5, "held": 2, "enrolled": 1, "offered": 1, "waiting": 1, "share": 0.4}
    assert west["babycare"]["places"] == 0 and west["babycare"]["share"] is None
    assert west["meals"] == {"today": 2, "last_days_total": 3, "average": 0.4, "capacity": 300, "share": 0.0067}
    assert east["meals"]["capacity"] is None and east["meals"]["today"] == 0
    assert west["bookings"] == {"bookings": 3, "booked_hours": 6.0, "open_hours": 720.0, "events": 2,
                                "event_places": 12, "registrations": 3, "share": 0.0083, "event_share": 0.25}
    assert west["day_care"] == {"capacity": 2, "taken": 2, "present": 1, "share": 1.0}
    assert east["day_care"] == {"capacity": 0, "taken": 0, "present": 0, "share": None}  # a care home is no day care
    assert west["requests"]["requests"] == 3 and east["requests"]["requests"] == 1
    assert whole["babycare"]["held"] == 2 and whole["meals"]["today"] == 2 and whole["bookings"]["bookings"] == 3
    assert whole["requests"]["requests"] == 5 and whole["requests"]["whole"]


def test_a_later_day_moves_the_windows(world):
    """On 12 June the window is 14 May – 12 June and the meal week 5–11 June."""
    data = usage.usage(world.mini, d(6, 12))
    west = next(g for g in data["grids"] if g["grid"] == "west")
    assert (west["meals"]["last_days_total"], west["meals"]["today"]) == (0, 0)
    assert (west["bookings"]["bookings"], west["bookings"]["booked_hours"]) == (2, 4.0)  # 10 May is out
    # The event of 5 June is in now: 3 events, 17 places, 4 registrations.
    assert (west["bookings"]["events"], west["bookings"]["event_places"], west["bookings"]["registrations"]) == (3, 17, 4)
    assert west["requests"]["requests"] == 1  # of 20 May; those of 10 May were closed on 10 and 11 May
    assert west["requests"]["closed_in_period"] == 0
    assert west["day_care"]["taken"] == 1  # 20 May – 10 June has ended


def test_dashboard_page_shows_the_figures(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_staff(StaffRole.Role.ADMINISTRATOR, world.mini))
    page = client.get("/s/mini/planning/dashboard/")
    assert page.status_code == 200
    cards = {c["grid"]: c for c in page.context["cards"]}
    west = dict(cards["west"]["usage_lines"])
    assert west["Meals ordered today / meals a day"] == "2 / 300 (1%)"
    assert west["Meals a day, mean of the 7 days before"] == "0.4"
    assert west["Room bookings: confirmed · hours booked / hours open"] == "3 · 6.0 / 720.0 (1%)"
    assert west["Events: registrations / places"] == "3 / 12 (25%)"
    assert west["Day care today: places taken / places · present"] == "2 / 2 (100%) · 1"
    assert west["Requests opened · closed · still open"] == "3 · 2 · 1"
    assert west["Requests closed in the period (whenever opened)"] == "3"
    assert west["Hours to acknowledge (median / mean)"] == "2.0 / 3.0"
    assert west["Hours to close (median / mean)"] == "20.0 / 20.0"
    east = dict(cards["east"]["usage_lines"])
    assert east["Baby care: places held (offered or taken) / places"] == "2 / 5 (40%)"
    assert east["Baby care: children with a place today · offers open · waiting"] == "1 · 1 · 1"
    assert east["Hours to close (median / mean)"] == "—"
    assert dict(cards[None]["usage_lines"])["Requests opened · closed · still open"] == "5 · 2 · 3"
    content = page.content.decode()
    assert content.count('data-testid="grid-usage"') == 3
    assert "Facility use and requests: 2026-05-03 – 2026-06-01 (live services)" in content
    for key in ("babycare", "meals", "bookings", "care", "requests"):
        assert f'data-testid="usage-{key}"' in content
    assert "<td>2 / 2 (100%)</td>" in content and "<td>1 / 2 (50%)</td>" in content  # day care, care home
    zh = client.get("/s/mini/planning/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 200 and 'data-testid="usage-facilities"' in zh.content.decode()


def test_reports_and_command_carry_the_figures(world, tmp_path):
    rows = list(csv.DictReader(io.StringIO(reports.to_csv(world.mini))))
    by_grid = {}
    for row in rows:
        by_grid.setdefault(row["grid"], row)
    assert set(by_grid) == {"east", "west", "ALL"}
    west, whole = by_grid["west"], by_grid["ALL"]
    assert (west["use_meals_today"], west["use_meals_mean_per_day"], west["use_meals_capacity"]) == ("2", "0.4", "300")
    assert (west["use_room_bookings"], west["use_room_booked_hours"], west["use_room_open_hours"]) == ("3", "6.0", "720.0")
    assert (west["use_event_registrations"], west["use_event_places"]) == ("3", "12")
    assert (west["use_day_care_taken"], west["use_day_care_capacity"], west["use_day_care_present"]) == ("2", "2", "1")
    assert (west["requests_opened"], west["requests_closed"], west["requests_closed_in_period"]) == ("3", "2", "3")
    assert (west["requests_acknowledge_median_hours"], west["requests_close_mean_hours"]) == ("2.0", "20.0")
    assert (by_grid["east"]["use_babycare_held"], by_grid["east"]["use_babycare_places"]) == ("2", "5")
    assert by_grid["east"]["requests_close_median_hours"] == ""
    assert (whole["requests_opened"], whole["use_from"], whole["use_to"]) == ("5", "2026-05-03", "2026-06-01")
    # Every category row of a grid carries the same figures.
    assert {r["use_meals_today"] for r in rows if r["grid"] == "west"} == {"2"}

    geo = json.loads(reports.to_geojson(world.mini))
    facilities = {f["properties"]["code"]: f["properties"] for f in geo["features"]
                  if f["properties"]["kind"] == "facility"}
    assert facilities["canteen"]["usage"]["meals"]["today"] == 2
    assert facilities["canteen"]["usage"]["care"][0]["taken"] == 2
    assert facilities["babycare"]["usage"]["babycare"]["held"] == 2
    assert facilities["center"]["usage"]["bookings"]["registrations"] == 3
    assert geo["usage"]["start"] == "2026-05-03" and geo["usage"]["window_days"] == 30
    assert [g["grid"] for g in geo["usage"]["grids"]] == ["east", "west", None]
    assert geo["usage"]["requests"][-1]["requests"] == 5

    assert reports.to_pdf(world.mini).startswith(b"%PDF")
    out = io.StringIO()
    call_command("planning_report", "-", "--format", "csv", "--date", "2026-06-12", stdout=out)
    later = next(r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["grid"] == "west")
    assert (later["use_from"], later["use_room_bookings"], later["use_day_care_taken"]) == ("2026-05-14", "2", "1")
    call_command("planning_report", str(tmp_path / "r.pdf"), "--date", "2026-06-01")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("planning_report", "-", "--format", "csv", "--date", "June")
