"""Events and lectures: registration (also for family), places and the waitlist, promotion on
cancellation, check-in by code, and the refusals."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied

from lifecircle.accounts.models import AccessLog
from lifecircle.accounts.testing import make_child, make_consent, make_household, make_resident
from lifecircle.bookings import services
from lifecircle.bookings.models import CODE_ALPHABET, Event, Registration, normalize_code
from lifecircle.community.models import Compound
from lifecircle.notifications.models import Notification

from .conftest import at
from .test_bookings import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(centre, clock):
    return Event.objects.create(
        facility=centre, title="防诈骗讲座", title_en="Anti-fraud lecture", start=at(1, 14), end=at(1, 15, 30),
        capacity=2, registration_opens=at(-1, 9), registration_closes=at(1, 12),
    )


def people(n, compound="b"):
    return [make_resident(make_household(Compound.objects.get(code=compound), f"9-{i}"), f"居民{i}",
                          email=f"r{i}@example.org") for i in range(n)]


def test_registration_gives_a_place_and_a_code(clock, lecture, resident):
    registration = services.register(resident.user, lecture)
    assert registration.status == "confirmed" and registration.resident == resident
    assert registration.registered_by == resident
    assert len(registration.code) == 8 and set(registration.code) <= set(CODE_ALPHABET)
    note = Notification.objects.get(user=resident.user)
    assert note.kind == "confirmation" and registration.display_code in note.body
    assert services.places_left(lecture) == 1


def test_codes_are_unguessable_and_distinct(clock, lecture):
    codes = {services.register(r.user, lecture).code for r in people(6)}
    assert len(codes) == 6
    assert len(CODE_ALPHABET) ** 8 > 2 ** 39  # about 40 random bits each


def test_a_full_event_puts_people_on_the_waitlist(clock, lecture):
    a, b, c, d = people(4)
    assert [services.register(p.user, lecture).status for p in (a, b, c, d)] == [
        "confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert Notification.objects.get(user=c.user).kind == "information"
    assert services.places_left(lecture) == 0


def test_a_cancelled_place_goes_to_the_first_in_line_who_is_told(clock, lecture):
    a, b, c, d = people(4)
    registrations = [services.register(p.user, lecture) for p in (a, b, c, d)]
    services.cancel_registration(a.user, registrations[0])
    statuses = {r.resident_id: r.status for r in Registration.objects.all()}
    assert statuses == {a.pk: "cancelled", b.pk: "confirmed", c.pk: "confirmed", d.pk: "waitlisted"}
    offer = Notification.objects.filter(user=c.user).latest("pk")
    assert offer.kind == "offer" and registrations[2].display_code in offer.body
    assert not Notification.objects.filter(user=d.user, kind="offer").exists()
    assert Notification.objects.filter(user=a.user, kind="cancellation").exists()
    # Cancelling a waitlist place promotes nobody.
    services.cancel_registration(d.user, registrations[3])
    assert Registration.objects.filter(status="confirmed").count() == 2


def test_more_places_fill_from_the_waitlist(clock, lecture):
    for p in people(4):
        services.register(p.user, lecture)
    lecture.capacity = 3
    lecture.save()
    promoted = services.fill_from_waitlist(lecture)
    assert len(promoted) == 1 and promoted[0].resident.name == "居民2"


def test_a_limited_waitlist_says_the_event_is_full(clock, lecture):
    lecture.waitlist_limit = 1
    lecture.save()
    a, b, c, d = people(4)
    for p in (a, b, c):
        services.register(p.user, lecture)
    before = snapshot()
    with pytest.raises(services.Conflict, match="full and so is its waitlist"):
        services.register(d.user, lecture)
    assert snapshot() == before


def test_registering_twice_is_refused(clock, lecture, resident):
    services.register(resident.user, lecture)
    before = snapshot()
    with pytest.raises(services.Conflict, match="李红 is already registered for this event \\(place confirmed\\)"):
        services.register(resident.user, lecture)
    assert snapshot() == before


def test_after_cancelling_one_may_register_again(clock, lecture, resident):
    services.cancel_registration(resident.user, services.register(resident.user, lecture))
    assert services.register(resident.user, lecture).status == "confirmed"


def test_registering_a_child_of_the_household(clock, lecture, resident, home):
    child = make_child(home, "李小宝", datetime.date(2018, 5, 1))
    registration = services.register(resident.user, lecture, child)
    assert registration.child == child and registration.resident is None
    assert registration.registered_by == resident
    with pytest.raises(services.Conflict, match="李小宝 is already registered"):
        services.register(resident.user, lecture, child)


def test_registering_an_adult_needs_their_consent(clock, lecture, resident, home, neighbour):
    grandma = make_resident(home, "张秀英", datetime.date(1945, 8, 9), email="zhang@example.org")
    before = snapshot()
    with pytest.raises(PermissionDenied, match="no consent from them is on record"):
        services.register(resident.user, lecture, grandma)  # living together is not consent
    with pytest.raises(PermissionDenied, match="no consent"):
        services.register(resident.user, lecture, neighbour)  # outside the household
    neighbours_child = make_child(neighbour.household, "陈小宝")
    with pytest.raises(PermissionDenied, match="not a child of your household"):
        services.register(resident.user, lecture, neighbours_child)
    assert snapshot() == before
    make_consent(principal=grandma, proxy=resident)
    registration = services.register(resident.user, lecture, grandma)
    assert registration.resident == grandma and registration.registered_by == resident
    # Both are told: the person with the place and the one who registered them.
    assert Notification.objects.filter(user=grandma.user, kind="confirmation").exists()
    assert Notification.objects.filter(user=resident.user, kind="confirmation").exists()


def test_the_choice_of_person_is_limited_to_ones_people(clock, resident, home, neighbour):
    child = make_child(home, "李小宝")
    assert services.person_choices(resident) == [(f"r{resident.pk}", "李红"), (f"c{child.pk}", "李小宝")]
    assert services.resolve_person(resident, f"c{child.pk}") == child
    assert services.resolve_person(resident, "") == resident
    with pytest.raises(PermissionDenied, match="not a child of your household and no consent") as refused:
        services.resolve_person(resident, f"r{neighbour.pk}")
    assert "陈伟" not in str(refused.value)  # and says nothing about who that is


def test_an_unverified_resident_cannot_register(clock, lecture, mini):
    unverified = make_resident(make_household(Compound.objects.get(code="c")), verified=False)
    with pytest.raises(PermissionDenied, match="not yet verified"):
        services.register(unverified.user, lecture)
    assert not Registration.objects.exists()


@pytest.mark.parametrize("now, message", [
    ((-2, 9), "Registration opens at 2026-03-01 09:00."),  # 28 February
    ((1, 12), "Registration for this event has closed."),
])
def test_registration_only_while_it_is_open(clock, lecture, resident, now, message):
    clock.return_value = at(*now)
    with pytest.raises(services.Refused, match=message):
        services.register(resident.user, lecture)
    assert not Registration.objects.exists()


def test_no_registration_for_a_cancelled_event_and_everyone_is_told(clock, lecture, resident, neighbour, manager):
    services.register(resident.user, lecture)
    services.cancel_event(manager, lecture, "讲师生病")
    told = Notification.objects.filter(user=resident.user).latest("pk")
    assert told.kind == "cancellation" and "讲师生病" in told.body
    with pytest.raises(services.Refused, match="has been cancelled"):
        services.register(neighbour.user, lecture)


def test_cancelling_someone_elses_registration_is_refused(clock, lecture, resident, neighbour):
    registration = services.register(resident.user, lecture)
    with pytest.raises(PermissionDenied, match="may not cancel"):
        services.cancel_registration(neighbour.user, registration)
    assert Registration.objects.get().status == "confirmed"


# ---- check-in -----------------------------------------------------------------------------------

def test_check_in_by_code_typed_loosely(clock, lecture, resident, manager):
    registration = services.register(resident.user, lecture)
    clock.return_value = at(1, 13, 50)
    typed = f" {registration.display_code.lower()} "
    assert normalize_code(typed) == registration.code
    checked = services.check_in(manager, typed, lecture)
    assert checked.checked_in_at == at(1, 13, 50) and checked.checked_in_by == manager
    assert AccessLog.objects.filter(user=manager, resident=resident, action="check_in").exists()


def test_double_check_in_is_refused(clock, lecture, resident, manager):
    registration = services.register(resident.user, lecture)
    clock.return_value = at(1, 13, 50)
    services.check_in(manager, registration.code)
    clock.return_value = at(1, 14, 5)
    with pytest.raises(services.Conflict, match="already used: checked in at 2026-03-03 13:50"):
        services.check_in(manager, registration.code)
    assert Registration.objects.get().checked_in_at == at(1, 13, 50)


def test_unknown_codes_and_other_refusals(clock, lecture, centre, resident, neighbour, manager, canteen_staff):
    confirmed = services.register(resident.user, lecture)
    lecture.capacity = 1
    lecture.save()
    waiting = services.register(neighbour.user, lecture)
    other = Event.objects.create(facility=centre, title="其他", start=at(1, 16), end=at(1, 17), capacity=5)
    clock.return_value = at(1, 13, 50)
    with pytest.raises(services.NotFound, match="No registration has the code ZZZZ-ZZZZ"):
        services.check_in(manager, "ZZZZ-ZZZZ")
    with pytest.raises(services.Refused, match="Type or scan"):
        services.check_in(manager, " - ")
    with pytest.raises(services.Refused, match="on the waitlist and has no place"):
        services.check_in(manager, waiting.code)
    with pytest.raises(services.Refused, match="for another event: 防诈骗讲座|for another event: Anti-fraud lecture"):
        services.check_in(manager, confirmed.code, other)
    with pytest.raises(PermissionDenied, match="You do not work at"):
        services.check_in(canteen_staff, confirmed.code)
    clock.return_value = at(0, 13)
    with pytest.raises(services.Refused, match="Check-in for this event is on March 3, 2026"):
        services.check_in(manager, confirmed.code)
    clock.return_value = at(-1, 13)
    services.cancel_registration(resident.user, confirmed)
    clock.return_value = at(1, 13, 50)
    with pytest.raises(services.Refused, match="registration was cancelled"):
        services.check_in(manager, confirmed.code)
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


def test_a_cancelled_registration_of_a_started_event_stays(clock, lecture, resident):
    registration = services.register(resident.user, lecture)
    clock.return_value = at(1, 14, 1)
    with pytest.raises(services.Refused, match="already begun"):
        services.cancel_registration(resident.user, registration)
