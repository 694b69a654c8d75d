"""The volunteer's and the staff's pages, the public check of a certificate, and the JSON API."""
import datetime
import io

import pypdf
import pytest

from lifecircle.accounts.models import AccessLog
from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.volunteers import services
from lifecircle.volunteers.models import Certificate, HoursRecord, SignUp, Volunteer

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def test_a_resident_registers_then_signs_up_and_cancels(client, world, clock):
    person = world.people[0]
    client.force_login(person.user)
    page = client.get("/volunteers/").content.decode()
    assert 'data-testid="register-form"' in page and "急救" in page
    client.post("/volunteers/register/", {"skills": [world.first_aid.pk], "availability": "Sa 08:00-17:00"})
    volunteer = Volunteer.objects.get(resident=person)
    assert list(volunteer.skills.all()) == [world.first_aid]
    listing = client.get("/volunteers/activities/").content.decode()
    assert "社区义诊日" in listing and f"/volunteers/shifts/{world.morning.pk}/sign-up/" in listing
    assert client.post(f"/volunteers/shifts/{world.morning.pk}/sign-up/").status_code == 302
    signup = SignUp.objects.get(volunteer=volunteer)
    home = client.get("/volunteers/").content.decode()
    assert "引导员" in home and f"/volunteers/sign-ups/{signup.pk}/cancel/" in home
    client.post(f"/volunteers/sign-ups/{signup.pk}/cancel/")
    assert SignUp.objects.get().status == "cancelled"


def test_a_refused_sign_up_says_why(client, volunteers, world, clock):
    client.force_login(world.people[1].user)
    response = client.post(f"/volunteers/shifts/{world.medic_shift.pk}/sign-up/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This role needs the skill “First aid”." in response.content.decode()
    assert not SignUp.objects.exists()


def test_a_bad_availability_is_refused_with_the_reason(client, world, clock):
    client.force_login(world.people[0].user)
    response = client.post("/volunteers/register/", {"availability": "every day"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Availability:" in response.content.decode() and not Volunteer.objects.exists()


def test_unverified_residents_are_told_why(client, world):
    newcomer = make_resident(make_household(Compound.objects.get(code="c")), "赵六", datetime.date(1990, 1, 1),
                             verified=False)
    client.force_login(newcomer.user)
    response = client.get("/volunteers/")
    assert response.status_code == 403 and 'data-testid="denied"' in response.content.decode()


def test_nobody_cancels_another_volunteers_sign_up(client, volunteers, world, clock):
    signup = services.sign_up(volunteers[0], world.morning, now=NOW)
    client.force_login(world.people[1].user)
    assert client.post(f"/volunteers/sign-ups/{signup.pk}/cancel/").status_code == 404
    client.force_login(world.canteen_staff)
    assert client.post(f"/volunteers/sign-ups/{signup.pk}/cancel/").status_code == 404
    assert SignUp.objects.get().status == "signed_up"


def test_staff_record_a_shift_on_the_roster_and_reading_it_is_logged(client, volunteers, world, clock):
    a, b, *_ = volunteers
    services.sign_up(a, world.morning, now=NOW)
    services.sign_up(b, world.morning, now=NOW)
    client.force_login(world.manager)
    before = client.get(f"/volunteers/staff/shifts/{world.morning.pk}/").content.decode()
    assert "王小明" in before and "13812345678" in before and 'name="attended-' not in before  # not over yet
    assert AccessLog.objects.filter(user=world.manager, resident=a.resident).exists()
    clock.return_value = at(7, 18)
    client.force_login(world.manager)  # hours later: staff sessions last STAFF_SESSION_HOURS, so sign in again
    page = client.get(f"/volunteers/staff/shifts/{world.morning.pk}/").content.decode()
    assert f'name="attended-{a.pk}"' in page and 'value="3"' in page
    client.post(f"/volunteers/staff/shifts/{world.morning.pk}/hours/",
                {f"attended-{a.pk}": "1", f"hours-{a.pk}": "3", f"hours-{b.pk}": "3"})  # b did not come
    assert [(r.volunteer, str(r.hours)) for r in HoursRecord.objects.all()] == [(a, "3.00")]
    assert "recorded" in client.get(f"/volunteers/staff/shifts/{world.morning.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_staff_of_another_facility_cannot_open_the_roster(client, volunteers, world, clock):
    client.force_login(world.canteen_staff)
    assert client.get(f"/volunteers/staff/shifts/{world.morning.pk}/").status_code == 404
    assert client.post(f"/volunteers/staff/shifts/{world.morning.pk}/hours/", {}).status_code == 404
    client.force_login(world.people[0].user)
    assert client.get("/volunteers/staff/").status_code == 403


def test_time_bank_page_masks_names_and_counts_hours(client, volunteers, world, clock):
    services.record_hours(world.manager, volunteers[0], world.fair, "2.5", datetime.date(2026, 2, 1), now=NOW)
    services.record_hours(world.manager, volunteers[1], world.fair, "1", datetime.date(2026, 2, 1), now=NOW)
    client.force_login(world.manager)
    page = client.get("/volunteers/staff/").content.decode()
    assert "王*明" in page and "王小明" not in page and 'data-testid="bank-total">3.5<' in page
    # the canteen's staff run no activity these volunteers joined: not in their time bank, and no
    # certificate from them; they may still look a volunteer up in the registry (and that is logged)
    client.force_login(world.canteen_staff)
    assert "王*明" not in client.get("/volunteers/staff/").content.decode()
    page = client.get(f"/volunteers/staff/volunteers/{volunteers[0].pk}/").content.decode()
    assert "王小明" in page and "certificates/new/" not in page
    assert AccessLog.objects.filter(user=world.canteen_staff, resident=volunteers[0].resident).exists()
    volunteers[0].active = False
    volunteers[0].save()
    assert client.get(f"/volunteers/staff/volunteers/{volunteers[0].pk}/").status_code == 404


def test_staff_record_hours_outside_a_shift(client, volunteers, world, clock):
    client.force_login(world.manager)
    url = f"/volunteers/staff/volunteers/{volunteers[0].pk}/"
    page = client.get(url).content.decode()
    assert "王小明" in page and AccessLog.objects.filter(user=world.manager, resident=volunteers[0].resident).exists()
    client.post(url, {"activity": world.fair.pk, "date": "2026-03-01", "hours": "1.5", "note": "布置场地"})
    client.post(url, {"activity": world.fair.pk, "date": "2026-03-01", "hours": "99"})
    client.post(url, {"activity": world.fair.pk, "date": "March", "hours": "1"})
    assert [(str(r.hours), r.note) for r in HoursRecord.objects.all()] == [("1.50", "布置场地")]
    assert 'data-testid="total-hours">1.5' in client.get(url).content.decode()


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_a_volunteer_downloads_a_certificate_and_anyone_checks_its_code(client, volunteers, world, clock):
    a = volunteers[0]
    services.record_hours(world.manager, a, world.fair, "4", datetime.date(2026, 2, 7), now=NOW)
    client.force_login(a.resident.user)
    response = client.post("/volunteers/certificates/new/")
    certificate = Certificate.objects.get()
    assert response["Location"] == f"/volunteers/certificates/{certificate.code}.pdf"
    text = pdf_text(client.get(response["Location"]))
    assert "王小明" in text and "累计服务时长 4 小时" in text and certificate.code in text
    assert "http://testserver/volunteers/verify/" in text
    # others may not download it
    client.force_login(world.people[1].user)
    assert client.get(response["Location"]).status_code == 404
    # the activity's staff may, and that read is logged
    client.force_login(world.manager)
    assert "王小明" in pdf_text(client.get(response["Location"]))
    assert AccessLog.objects.filter(user=world.manager, purpose__contains=certificate.code).exists()
    # anyone checks the code, and sees the name masked
    client.logout()
    page = client.get(f"/volunteers/verify/?code={certificate.code.lower()}").content.decode()
    assert 'data-testid="verified"' in page and "王*明" in page and "王小明" not in page and ">4<" in page
    missing = client.get("/volunteers/verify/?code=AAAA-BBBB-CCCC")
    assert missing.status_code == 404 and 'data-testid="not-found"' in missing.content.decode()


def test_staff_issue_a_certificate_for_a_volunteer(client, volunteers, world, clock):
    services.record_hours(world.manager, volunteers[0], world.fair, "2", datetime.date(2026, 2, 7), now=NOW)
    client.force_login(world.manager)
    response = client.post("/volunteers/certificates/new/", {"volunteer": volunteers[0].pk})
    assert response.status_code == 302 and Certificate.objects.get().issued_by == world.manager
    client.force_login(world.canteen_staff)
    assert client.post("/volunteers/certificates/new/", {"volunteer": volunteers[0].pk}).status_code == 404
    client.force_login(world.people[1].user)  # a resident cannot issue one for someone else
    assert client.post("/volunteers/certificates/new/", {"volunteer": volunteers[0].pk}).status_code == 404
    assert Certificate.objects.count() == 1


def test_no_certificate_without_hours(client, volunteers, world, clock):
    client.force_login(volunteers[0].resident.user)
    response = client.post("/volunteers/certificates/new/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "nothing to certify" in response.content.decode() and not Certificate.objects.exists()


def test_staff_see_volunteers_free_at_the_time_of_a_shift(client, volunteers, world, clock):
    services.register(world.people[2], availability="Su 08:00-12:00")
    client.force_login(world.manager)
    page = client.get(f"/volunteers/staff/shifts/{world.morning.pk}/").content.decode()
    candidates = page.split('data-testid="candidates"')[1]
    assert "王*明" in candidates and "李*" in candidates and "张*" not in candidates  # 张伟 is free on Sundays only
    medic = client.get(f"/volunteers/staff/shifts/{world.medic_shift.pk}/").content.decode().split('data-testid="candidates"')[1]
    assert "王*明" in medic and "李*" not in medic  # only he knows first aid


def test_api(client, volunteers, world, clock):
    services.sign_up(volunteers[0], world.morning, now=NOW)
    activities = client.get("/api/volunteers/activities").json()
    (fair,) = activities
    shifts = {s["id"]: s for s in fair["shifts"]}
    assert fair["title"] == "社区义诊日" and fair["facility"] == "center"
    assert shifts[world.morning.pk]["free"] == 1 and shifts[world.medic_shift.pk]["required_skill"] == "first_aid"
    assert client.get("/api/volunteers/me/hours").status_code == 401
    services.record_hours(world.manager, volunteers[0], world.fair, "2.5", datetime.date(2026, 2, 7), now=NOW)
    client.force_login(volunteers[0].resident.user)
    mine = client.get("/api/volunteers/me/hours").json()
    assert mine["total_hours"] == 2.5 and mine["by_activity"][0]["activity"] == "社区义诊日"
    client.force_login(world.manager)
    assert client.get("/api/volunteers/me/hours").status_code == 404
    certificate = services.issue_certificate(volunteers[0], now=NOW)
    checked = client.get(f"/api/volunteers/certificates/{certificate.code}").json()
    assert checked["name"] == "王*明" and checked["total_hours"] == 2.5
    assert client.get("/api/volunteers/certificates/NOPE").status_code == 404


def test_console_shows_staff_their_own_activities(client, volunteers, world):
    from lifecircle.volunteers.models import Activity

    other = Activity.objects.create(subdistrict=world.subdistrict, facility=world.canteen, title="送餐上门", published=True)
    client.force_login(world.manager)
    listing = client.get("/admin/volunteers/activity/").content.decode()
    assert "社区义诊日" in listing and "送餐上门" not in listing
    assert client.get(f"/admin/volunteers/activity/{other.pk}/change/").status_code == 302  # not found for them
    assert client.get("/admin/volunteers/shift/").status_code == 200
    client.force_login(world.admin)
    assert "送餐上门" in client.get("/admin/volunteers/activity/").content.decode()
    assert client.get(f"/admin/volunteers/volunteer/{volunteers[0].pk}/change/").status_code == 200
    assert AccessLog.objects.filter(user=world.admin, resident=volunteers[0].resident).exists()


def test_api_is_documented(client, db):
    schema = client.get("/api/openapi.json").json()
    for path in ["/api/volunteers/activities", "/api/volunteers/me/hours", "/api/volunteers/certificates/{code}",
                 "/api/requests311/requests.geojson", "/api/requests311/response-times"]:
        assert path in schema["paths"], path
        assert all(operation.get("description") or operation.get("summary") for operation in schema["paths"][path].values())
    assert {"VolunteerActivityOut", "VolunteerShiftOut", "GridResponseTimesOut"} <= set(schema["components"]["schemas"])
