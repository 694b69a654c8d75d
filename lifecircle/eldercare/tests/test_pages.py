"""The staff page: today's places and attendance, activities with sign-ups, recent health checks (all
reads logged; names masked for staff who do not work there), and its forms."""
import pytest

from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.eldercare import services
from lifecircle.eldercare.models import Admission, Attendance, HealthCheck, HealthConsent

from .conftest import DAY, day

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(world):
    admission = services.admit(world.carer, world.grandma, world.daily.pk, DAY, day(10))
    services.check_in(world.carer, admission.pk)
    services.record_consent(world.carer, world.neighbour, "form 7")
    services.record_check(world.carer, world.neighbour, world.canteen, {"systolic": 142, "diastolic": 91})
    return admission


def test_staff_page_shows_today_and_logs(client, world, busy):
    client.force_login(world.carer)
    html = client.get(f"/eldercare/staff/?facility={world.canteen.pk}").content.decode()
    assert 'data-kind="daily"' in html and 'data-taken="1"' in html and 'data-present="1"' in html
    assert "张秀英" in html and "陈伟" in html and "142/91" in html
    logged = set(AccessLog.objects.filter(user=world.carer).values_list("resident__name", flat=True))
    assert logged == {"张秀英", "陈伟"}


def test_staff_page_shows_todays_activities_with_sign_ups(client, world):
    services.sign_up(world.grandma.user, world.activity.pk)
    client.force_login(world.club_staff)
    html = client.get(f"/eldercare/staff/?facility={world.club.pk}").content.decode()
    assert 'data-testid="staff-activity"' in html and "张秀英" in html and "1 / 2" in html
    assert AccessLog.objects.filter(user=world.club_staff, resident=world.grandma).exists()


def test_staff_page_is_masked_for_administrators(client, world, busy):
    client.force_login(make_staff(StaffRole.Role.ADMINISTRATOR, world.mini))
    html = client.get(f"/eldercare/staff/?facility={world.canteen.pk}").content.decode()
    assert "张*英" in html and "张秀英" not in html


def test_staff_page_refuses_others(client, world):
    for user in (world.grandma.user, make_staff(StaffRole.Role.BABY_CARE_STAFF, world.mini, facility=world.babycare)):
        client.force_login(user)
        assert client.get("/eldercare/staff/").status_code == 403
    client.force_login(world.carer)
    html = client.get(f"/eldercare/staff/?facility={world.home.pk}").content.decode()
    assert f'value="{world.home.pk}"' not in html  # not a facility of theirs: their own is shown


def test_staff_page_forms(client, world):
    client.force_login(world.carer)
    url = "/eldercare/staff/"
    who = {"facility": world.canteen.pk, "name": "张秀英", "phone": "139-0000-1111"}
    response = client.post(url, {**who, "action": "check", "pulse": "72"}, follow=True)
    assert "has not consented" in response.content.decode()
    client.post(url, {**who, "action": "consent", "evidence": "form 9"})
    assert HealthConsent.objects.filter(resident=world.grandma).exists()
    response = client.post(url, {**who, "action": "check", "systolic": "abc", "diastolic": "80"}, follow=True)
    assert "is not a number" in response.content.decode()
    client.post(url, {**who, "action": "check", "systolic": "130", "diastolic": "80", "glucose": "5.4"})
    assert str(HealthCheck.objects.get().glucose) == "5.4"
    client.post(url, {**who, "action": "admit", "place_type": world.daily.pk, "start": "2026-05-12",
                      "end": "2026-05-15"})
    admission = Admission.objects.get()
    client.post(url, {"facility": world.canteen.pk, "action": "checkin", "admission": admission.pk})
    assert Attendance.objects.filter(admission=admission, date=DAY).exists()
    response = client.post(url, {**who, "name": "无此人", "action": "consent", "evidence": "x"}, follow=True)
    assert "No resident with this name and phone number" in response.content.decode()


@pytest.mark.parametrize("model", ["placetype", "admission", "attendance", "healthconsent", "healthcheck",
                                   "activity", "activitysignup"])
def test_staff_console_pages_open(client, world, busy, model):
    client.force_login(make_staff(StaffRole.Role.ADMINISTRATOR, world.mini))
    assert client.get(f"/admin/eldercare/{model}/").status_code == 200
    if model not in ("attendance", "activitysignup"):
        assert client.get(f"/admin/eldercare/{model}/add/").status_code == 200


def test_staff_console_is_scoped_to_the_facility(client, world, busy):
    client.force_login(world.home_staff)
    assert "张*英" not in client.get("/admin/eldercare/admission/").content.decode()
    assert client.get(f"/admin/eldercare/admission/{busy.pk}/change/").status_code == 302
    client.force_login(world.carer)
    assert "张*英" in client.get("/admin/eldercare/admission/").content.decode()
    assert world.carer.has_perm("eldercare.add_healthcheck") and not world.carer.has_perm("eldercare.change_placetype")
