"""Bad input: each is refused with a clear reason, and nothing changes."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied

from lifecircle.accounts.access import NOT_YOURS
from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff, make_user
from lifecircle.babycare import services
from lifecircle.babycare.models import Application

from .helpers import family, snapshot

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 9, 1)


@pytest.fixture
def placed(centre, clock):
    """王小宝 with a place from Monday 2026-06-01 (today)."""
    mother, baby = family()
    application = services.apply(mother.user, centre, baby, datetime.date(2026, 6, 1)).application
    services.accept(mother.user, application.pk)
    application.refresh_from_db()
    return mother, baby, application.placement


def refused(call, exception, message):
    before = snapshot()
    with pytest.raises(exception) as error:
        call()
    assert message in str(error.value), str(error.value)
    assert snapshot() == before
    return error.value


def test_child_outside_the_age_range(centre, clock):
    mother, baby = family(child="王小宝", birth=datetime.date(2025, 10, 1))
    refused(lambda: services.apply(mother.user, centre, baby, START), services.Refused,
            "王小宝 will be 11 months old on 2026-09-01; this centre takes children aged 1–3")


def test_child_not_of_ones_household(centre, clock):
    _mother, baby = family(child="王小宝")
    neighbour, _their_child = family(parent="陈伟", child="陈小宝")
    refused(lambda: services.apply(neighbour.user, centre, baby, START), PermissionDenied,
            str(NOT_YOURS))


def test_unverified_or_unregistered_users(centre, clock):
    mother, baby = family(verified=False)
    refused(lambda: services.apply(mother.user, centre, baby, START), PermissionDenied,
            "Staff have not yet verified that you live in the sub-district.")
    refused(lambda: services.apply(make_user(), centre, baby, START), PermissionDenied,
            "Only residents registered with the sub-district can do this.")


def test_duplicate_application(centre, clock):
    mother, baby = family(child="王小宝")
    services.apply(mother.user, centre, baby, START)
    error = refused(lambda: services.apply(mother.user, centre, baby, datetime.date(2026, 10, 1)), services.Refused,
                    "王小宝 already has an application at Baby care (place offered); withdraw it before applying again.")
    assert error.status == 409


def test_duplicate_is_also_refused_by_the_database(centre, clock):
    mother, baby = family()
    first = services.apply(mother.user, centre, baby, START).application
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(programme=centre, age_group=first.age_group, child=baby, applicant=mother,
                                   start_date=START, age_months_at_start=17, created_at=clock.moment)


def test_accepting_an_expired_offer(centre, clock):
    mother, baby = family(child="王小宝")
    application = services.apply(mother.user, centre, baby, START).application
    clock.advance(days=7)  # the deadline, not yet processed by the command
    message = ("The offer of a place for 王小宝 at Baby care expired at 2026-06-08 09:00; it can no longer be accepted. "
               "You may apply again.")
    error = refused(lambda: services.accept(mother.user, application.pk), services.Refused, message)
    assert error.status == 409
    services.expire_offers()  # once processed, the answer is the same
    refused(lambda: services.accept(mother.user, application.pk), services.Refused, message)


def test_answering_an_offer_for_someone_else(centre, clock):
    mother, baby = family(child="王小宝")
    application = services.apply(mother.user, centre, baby, START).application
    neighbour, _child = family(parent="陈伟", child="陈小宝")
    for step in (services.accept, services.decline, services.withdraw):
        refused(lambda: step(neighbour.user, application.pk), PermissionDenied, str(NOT_YOURS))


def test_answering_twice_or_what_was_never_offered(centre, clock):
    mother, baby = family(child="王小宝")
    application = services.apply(mother.user, centre, baby, START).application
    services.accept(mother.user, application.pk)
    refused(lambda: services.accept(mother.user, application.pk), services.Refused,
            "王小宝 already has this place at Baby care.")
    refused(lambda: services.decline(mother.user, application.pk), services.Refused,
            "There is no open offer for 王小宝 at Baby care to decline (status: has a place).")
    services.withdraw(mother.user, application.pk)
    refused(lambda: services.withdraw(mother.user, application.pk), services.Refused,
            "The application for 王小宝 at Baby care is already closed (withdrawn).")
    refused(lambda: services.accept(mother.user, 999999), services.Refused,
            "There is no baby-care application number 999999.")


def test_staff_of_another_centre_cannot_mark_attendance(placed, other_centre):
    _mother, _baby, placement = placed
    outsider = make_staff(StaffRole.Role.BABY_CARE_STAFF, other_centre.facility.subdistrict, facility=other_centre.facility)
    refused(lambda: services.mark_attendance(outsider, placement.pk, datetime.date(2026, 6, 1), "present"),
            PermissionDenied, "You do not work at 宝宝屋.")


def test_attendance_rules(placed, staff_user):
    mother, _baby, placement = placed
    monday = datetime.date(2026, 6, 1)
    refused(lambda: services.mark_attendance(staff_user, placement.pk, monday, "absent"), services.Refused,
            "An absence needs a reason, such as sick.")
    refused(lambda: services.mark_attendance(staff_user, placement.pk, monday, "late"), services.Refused,
            "Attendance is either present or absent.")
    refused(lambda: services.mark_attendance(staff_user, placement.pk, datetime.date(2026, 6, 2), "present"),
            services.Refused, "Attendance is marked on the day or later, not for 2026-06-02 ahead of time.")
    refused(lambda: services.mark_attendance(staff_user, placement.pk, datetime.date(2026, 5, 29), "present"),
            services.Refused, "王小宝 has no place at Baby care on 2026-05-29.")
    refused(lambda: services.report_absence(mother.user, placement.pk, datetime.date(2026, 6, 6), "sick"),
            services.Refused, "Baby care has no session on 2026-06-06.")  # a Saturday
    refused(lambda: services.report_absence(mother.user, placement.pk, datetime.date(2026, 5, 29), "sick"),
            services.Refused, "2026-05-29 has passed; an absence can be reported for today or a later day.")
    refused(lambda: services.report_absence(mother.user, placement.pk, datetime.date(2026, 8, 3), "sick"),
            services.Refused, "An absence can be reported at most 60 days ahead.")
    refused(lambda: services.report_absence(mother.user, placement.pk, datetime.date(2026, 6, 2), "bored"),
            services.Refused, "An absence needs a reason, such as sick.")
    neighbour, _child = family(parent="陈伟", child="陈小宝")
    refused(lambda: services.report_absence(neighbour.user, placement.pk, datetime.date(2026, 6, 2), "sick"),
            PermissionDenied, str(NOT_YOURS))
    refused(lambda: services.report_absence(mother.user, 999999, datetime.date(2026, 6, 2), "sick"),
            services.Refused, "There is no baby-care placement number 999999.")
