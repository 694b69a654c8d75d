"""Daily attendance: staff of the centre mark each placed child present or absent (with a reason);
families report absences in advance; the register shows who has a place on the day."""
import datetime

import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.babycare import services
from lifecircle.babycare.models import Attendance
from lifecircle.directory.models import HoursException

from .helpers import family

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 6, 1)


def place(centre, name, start=MONDAY, birth=datetime.date(2025, 3, 10)):
    parent, child = family(child=name, birth=birth)
    application = services.apply(parent.user, centre, child, start).application
    services.accept(parent.user, application.pk)
    application.refresh_from_db()
    return parent, application.placement


def test_staff_mark_present_and_absent_and_can_correct(centre, clock, staff_user):
    _parent, placement = place(centre, "王小宝")
    record = services.mark_attendance(staff_user, placement.pk, MONDAY, "absent", "sick", "发烧")
    assert (record.status, record.reason, record.note, record.reported_by_parent) == ("absent", "sick", "发烧", False)
    assert record.recorded_by == staff_user
    clock.advance(hours=1)
    record = services.mark_attendance(staff_user, placement.pk, MONDAY, "present", "sick")  # came in after all
    assert (record.status, record.reason) == ("present", "")
    assert Attendance.objects.count() == 1


def test_a_centre_manager_and_an_administrator_may_mark_too(centre, clock):
    _parent, placement = place(centre, "王小宝")
    manager = make_staff(StaffRole.Role.CENTRE_MANAGER, centre.facility.subdistrict, facility=centre.facility)
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, centre.facility.subdistrict)
    services.mark_attendance(manager, placement.pk, MONDAY, "present")
    services.mark_attendance(admin, placement.pk, MONDAY, "absent", "family")
    assert Attendance.objects.get().recorded_by == admin


def test_register_lists_children_with_a_place_that_day(centre, clock, staff_user):
    _a, first = place(centre, "甲")
    _b, second = place(centre, "乙", birth=datetime.date(2024, 1, 10))
    _c, later = place(centre, "丙", start=datetime.date(2026, 6, 15))
    services.mark_attendance(staff_user, first.pk, MONDAY, "present")
    rows = services.register(centre, MONDAY)
    assert [(r.placement.child.name, r.record.status if r.record else None) for r in rows] == [("甲", "present"), ("乙", None)]
    assert [r.placement.child.name for r in services.register(centre, datetime.date(2026, 6, 15))] == ["丙", "甲", "乙"]  # by age group, then name
    assert later.pk not in [r.placement.pk for r in rows]


def test_a_withdrawn_child_leaves_the_register(centre, clock):
    parent, placement = place(centre, "王小宝")
    clock.set(2026, 6, 10, 9, 0)
    services.withdraw(parent.user, placement.application.pk)
    assert [r.placement.child.name for r in services.register(centre, datetime.date(2026, 6, 9))] == ["王小宝"]
    assert services.register(centre, datetime.date(2026, 6, 10)) == []


def test_a_family_reports_an_absence_in_advance_and_staff_see_it(centre, clock, staff_user):
    parent, placement = place(centre, "王小宝")
    wednesday = datetime.date(2026, 6, 3)
    record = services.report_absence(parent.user, placement.pk, wednesday, "medical", "打疫苗")
    assert (record.status, record.reason, record.reported_by_parent) == ("absent", "medical", True)
    # Reporting again changes the reason rather than adding a row.
    services.report_absence(parent.user, placement.pk, wednesday, "sick")
    assert Attendance.objects.get().reason == "sick"
    clock.set(2026, 6, 3, 8, 0)
    [row] = services.register(centre, wednesday)
    assert row.record.status == "absent" and row.record.reported_by_parent
    # Staff may still mark the child present if the child comes after all.
    services.mark_attendance(staff_user, placement.pk, wednesday, "present")
    assert Attendance.objects.get().status == "present"


def test_a_family_cannot_overwrite_what_staff_marked(centre, clock, staff_user):
    parent, placement = place(centre, "王小宝")
    services.mark_attendance(staff_user, placement.pk, MONDAY, "present")
    with pytest.raises(services.Refused, match="Staff have already marked 王小宝 present on 2026-06-01; please call the centre."):
        services.report_absence(parent.user, placement.pk, MONDAY, "sick")
    assert Attendance.objects.get().status == "present"


def test_a_closed_day_has_no_session(centre, clock, staff_user):
    parent, placement = place(centre, "王小宝")
    HoursException.objects.create(facility=centre.facility, date=datetime.date(2026, 6, 19), reason="端午节")
    with pytest.raises(services.Refused, match="has no session on 2026-06-19"):
        services.report_absence(parent.user, placement.pk, datetime.date(2026, 6, 19), "family")
    assert centre.is_session_day(datetime.date(2026, 6, 18))
    assert not centre.is_session_day(datetime.date(2026, 6, 19))
    assert not centre.is_session_day(datetime.date(2026, 6, 7))  # Sunday
    HoursException.objects.create(facility=centre.facility, date=datetime.date(2026, 6, 28), opening_hours="09:00-12:00")
    assert centre.is_session_day(datetime.date(2026, 6, 28))  # a Sunday make-up day
