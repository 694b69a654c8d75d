"""Care places: capacity over every day of a stay, stay lengths, cognitive-impairment places,
one place at a time, attendance. Every refusal gives its reason and changes nothing."""
import json
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.eldercare import services
from lifecircle.eldercare.models import Admission, Attendance, PlaceType
from lifecircle.notifications.models import Notification

from .conftest import DAY, day, other_resident

pytestmark = pytest.mark.django_db


def snapshot():
    return (json.dumps(list(Admission.objects.order_by("pk").values()), default=str),
            json.dumps(list(Attendance.objects.order_by("pk").values()), default=str),
            Notification.objects.count())


def refused(match, call, *args, **kwargs):
    before = snapshot()
    with pytest.raises((services.Refused, PermissionDenied)) as error:
        call(*args, **kwargs)
    message = getattr(error.value, "message", None) or str(error.value)
    assert match in message, message
    assert snapshot() == before
    return error.value


def test_admission_is_recorded_and_notified(world):
    admission = services.admit(world.carer, world.grandma, world.daily.pk, DAY, day(30))
    assert (admission.start, admission.end, admission.admitted_by, admission.status) == (
        DAY, day(30), world.carer, "admitted")
    note = Notification.objects.get(user=world.grandma.user)
    assert note.kind == "confirmation" and "2026-06-11" in note.body
    with translation.override("en"):  # shown in each reader's language
        assert note.shown_body.startswith("You have a place") and "2026-06-11" in note.shown_body
    assert services.occupancy(world.daily, day(5)) == 1 and services.occupancy(world.daily, day(31)) == 0


def test_capacity_counts_overlapping_stays_day_by_day(world):
    a, b, c, d = (other_resident(f"住户{i}") for i in range(4))
    services.admit(world.carer, a, world.daily.pk, DAY, day(8))          # 12th – 20th
    services.admit(world.carer, b, world.daily.pk, day(3), day(13))      # 15th – 25th
    error = refused("All 2 places of day care are taken on 2026-05-18", services.admit, world.carer, c,
                    world.daily.pk, day(6), day(7))
    assert error.status == 409
    services.admit(world.carer, c, world.daily.pk, day(9), day(10))      # 21st – 22nd: a has left
    refused("taken on 2026-05-21", services.admit, world.carer, d, world.daily.pk, day(9), day(9))
    services.admit(world.carer, d, world.daily.pk, day(14), day(20))     # after b leaves


def test_a_long_stay_is_refused_if_any_day_is_full(world):
    a, b = other_resident("甲"), other_resident("乙")
    services.admit(world.carer, a, world.daily.pk, day(20), day(20))
    services.admit(world.carer, b, world.daily.pk, day(20), day(21))
    refused("taken on 2026-06-01", services.admit, world.carer, world.grandma, world.daily.pk, DAY, day(40))


def test_cancelling_or_discharging_frees_the_place(world):
    a, b = other_resident("甲"), other_resident("乙")
    first = services.admit(world.carer, a, world.daily.pk, DAY, day(10))
    services.admit(world.carer, b, world.daily.pk, DAY, day(10))
    refused("are taken", services.admit, world.carer, world.grandma, world.daily.pk, day(5), day(6))
    services.discharge(world.carer, first.pk, day(4))
    services.admit(world.carer, world.grandma, world.daily.pk, day(5), day(6))
    assert services.occupancy(world.daily, day(5)) == 2
    cancelled = services.cancel_admission(world.carer, first.pk)
    assert cancelled.status == "cancelled" and cancelled.cancelled_by == world.carer
    assert Notification.objects.filter(user=a.user, kind="cancellation").exists()
    assert services.occupancy(world.daily, DAY) == 1
    refused("already cancelled", services.cancel_admission, world.carer, first.pk)


def test_discharge_must_lie_within_the_stay(world):
    admission = services.admit(world.carer, world.grandma, world.daily.pk, DAY, day(10))
    refused("must lie within the stay", services.discharge, world.carer, admission.pk, day(11))


def test_stay_length_and_dates(world):
    refused("lasts at most 30 days; this one would last 31", services.admit, world.home_staff, world.grandma,
            world.short.pk, DAY, day(30))
    services.admit(world.home_staff, world.grandma, world.short.pk, DAY, day(29))
    refused("cannot come before the first", services.admit, world.carer, world.neighbour, world.daily.pk, day(5),
            day(4))
    refused("cannot start in the past", services.admit, world.carer, world.neighbour, world.daily.pk, day(-1), DAY)


def test_cognitive_care_places_are_reserved(world):
    refused("reserved for residents assessed with cognitive impairment", services.admit, world.home_staff,
            world.grandma, world.memory.pk, DAY, day(10))
    services.admit(world.home_staff, world.grandma, world.memory.pk, DAY, day(10), cognitive_impairment=True)
    # The one reserved place is taken; a regular place is still free for someone else with impairment.
    refused("are taken", services.admit, world.home_staff, world.neighbour, world.memory.pk, DAY, DAY,
            cognitive_impairment=True)
    services.admit(world.home_staff, world.neighbour, world.short.pk, DAY, DAY, cognitive_impairment=True)


def test_one_place_at_a_time(world):
    services.admit(world.carer, world.grandma, world.daily.pk, DAY, day(10))
    refused("already has a place from 2026-05-12 to 2026-05-22", services.admit, world.home_staff, world.grandma,
            world.short.pk, day(10), day(12))
    services.admit(world.home_staff, world.grandma, world.short.pk, day(11), day(12))


def test_only_verified_residents(world):
    unverified = other_resident("赵六", verified=False)
    refused("not yet verified that 赵六", services.admit, world.carer, unverified, world.daily.pk, DAY, DAY)


def test_only_the_facilitys_staff_admit(world):
    refused("do not work at", services.admit, world.home_staff, world.grandma, world.daily.pk, DAY, DAY)
    refused("do not work at", services.admit, world.grandma.user, world.grandma, world.daily.pk, DAY, DAY)
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, world.mini)
    services.admit(admin, world.grandma, world.daily.pk, DAY, DAY)


def test_inactive_place_types_take_no_admissions(world):
    PlaceType.objects.filter(pk=world.daily.pk).update(active=False)
    refused("not taking admissions", services.admit, world.carer, world.grandma, world.daily.pk, DAY, DAY)


def test_capacity_cannot_drop_below_the_places_taken(world):
    services.admit(world.carer, world.grandma, world.daily.pk, day(3), day(4))
    services.admit(world.carer, world.neighbour, world.daily.pk, day(4), day(6))
    world.daily.capacity = 1
    with pytest.raises(ValidationError, match="2 places are taken on 2026-05-16"):
        world.daily.full_clean()
    world.daily.capacity = 2
    world.daily.full_clean()


def test_place_types_only_at_care_facilities(world):
    with pytest.raises(ValidationError, match="neither day care nor a care home"):
        PlaceType(facility=world.club, kind="daily", capacity=5).full_clean()


def test_attendance(world, clock):
    admission = services.admit(world.carer, world.grandma, world.daily.pk, DAY, day(10))
    services.admit(world.carer, world.neighbour, world.daily.pk, DAY, day(10))
    services.check_in(world.carer, admission.pk)
    summary = services.place_summary(world.canteen, DAY)[0]
    assert (summary["capacity"], summary["taken"], summary["present"], summary["free"]) == (2, 2, 1, 0)
    refused("already recorded as here", services.check_in, world.carer, admission.pk)
    refused("cannot be recorded for a day still to come", services.check_in, world.carer, admission.pk, day(1))
    refused("has no place here on 2026-05-23", services.check_in, world.carer, admission.pk, day(11))
    refused("do not work at", services.check_in, world.home_staff, admission.pk)


def test_staff_console_admission_obeys_the_rules(client, world):
    a, b = other_resident("甲"), other_resident("乙")
    services.admit(world.carer, a, world.daily.pk, DAY, day(5))
    services.admit(world.carer, b, world.daily.pk, DAY, day(5))
    client.force_login(world.carer)
    data = {"resident": world.grandma.pk, "place_type": world.daily.pk, "start": "2026-05-14", "end": "2026-05-15",
            "notes": ""}
    response = client.post("/admin/eldercare/admission/add/", data)
    assert response.status_code == 200 and "are taken on 2026-05-14" in response.content.decode()
    assert Admission.objects.count() == 2
    data.update({"start": "2026-05-20", "end": "2026-05-21"})
    response = client.post("/admin/eldercare/admission/add/", data)
    assert response.status_code == 302
    admission = Admission.objects.get(resident=world.grandma)
    assert admission.admitted_by == world.carer
    assert Notification.objects.filter(user=world.grandma.user, kind="confirmation").exists()
    listing = client.get("/admin/eldercare/admission/").content.decode()
    assert "张*英" in listing and "张秀英" not in listing


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL")
def test_concurrent_admissions_never_exceed_capacity(world):
    people = [other_resident(f"居民{i}") for i in range(10)]
    barrier = threading.Barrier(len(people))
    results = [None] * len(people)

    def admit(i):
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                services.admit(world.carer, people[i], world.daily.pk, day(i % 3), day(5))  # all overlap on day 5
            results[i] = "ok"
        except services.Refused as exc:
            results[i] = exc.message
        finally:
            connection.close()

    threads = [threading.Thread(target=admit, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results.count("ok") == world.daily.capacity, results
    assert services.peak(world.daily, DAY, day(5))[0] == world.daily.capacity
