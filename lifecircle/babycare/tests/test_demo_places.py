"""The demo has children holding baby-care places, so staff can try the attendance register."""
import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.babycare import services
from lifecircle.babycare.models import Application, Placement

pytestmark = pytest.mark.django_db


def test_demo_children_hold_places_within_the_age_groups_and_can_be_marked(capsys):
    call_command("load_demo")
    assert "25 illustrative child(ren) given a place" in capsys.readouterr().out
    today = timezone.localdate()
    for application in Application.objects.select_related("age_group", "child", "applicant"):
        assert application.status == "placed" and application.applicant.user is None  # no demo logins
        group = application.age_group
        assert group.min_months <= application.child.age_in_months(application.placement.starts_on) <= group.max_months
        assert group.applications.filter(status__in=Application.HOLDING).count() <= group.places
    placement = Placement.objects.select_related("application__programme__facility").first()
    programme = placement.application.programme
    # the last session day (the test may run on a weekend): every placed child is on its register
    day = next(today - datetime.timedelta(days=n) for n in range(7)
               if programme.is_session_day(today - datetime.timedelta(days=n)))
    assert len(services.register(programme, day)) == 5
    staff = make_staff(StaffRole.Role.BABY_CARE_STAFF, programme.facility.subdistrict, facility=programme.facility)
    record = services.mark_attendance(staff, placement.pk, day, "present")
    assert record.status == "present"
    before = Placement.objects.count()
    call_command("load_babycare_demo")
    assert Placement.objects.count() == before  # a second run places nobody again
    assert "0 illustrative child(ren)" in capsys.readouterr().out
