"""The pages: the public list of centres, the family's page, the staff dashboard."""
import datetime

import pytest
from django.test import Client
from django.urls import reverse

from lifecircle.accounts.access import NOT_YOURS
from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.babycare import services
from lifecircle.babycare.models import Application, Attendance

from .helpers import family, snapshot

pytestmark = pytest.mark.django_db


def texts(response):
    return response.content.decode()


def test_centres_page_is_public_and_shows_free_places_per_age_group(client, centre, clock):
    parent, child = family(child="王小宝")
    services.apply(parent.user, centre, child, datetime.date(2026, 9, 1))
    response = client.get(reverse("babycare:centres"))
    assert response.status_code == 200
    page = texts(response)
    assert "Baby care" in page and "intergenerational care" in page and "Mon–Fri 08:30–17:00" in page  # hours in words
    assert 'data-free="1"' in page and 'data-free="3"' in page
    assert "4 places free" in page
    assert reverse("babycare:apply", args=["babycare"]) in page
    assert "王小宝" not in page


def test_centres_page_in_chinese_by_default(centre):
    page = texts(Client().get(reverse("babycare:centres")))
    assert "宝宝屋" in page and "隔代照料" in page and "申请托位" in page


def test_family_pages_need_a_signed_in_verified_resident(client, centre):
    response = client.get(reverse("babycare:mine"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    mother, _baby = family(verified=False)
    client.force_login(mother.user)
    response = client.get(reverse("babycare:mine"))
    assert response.status_code == 403
    assert "Staff have not yet verified that you live in the sub-district." in texts(response)


def test_applying_on_the_page(client, centre, clock):
    mother, baby = family(child="王小宝")
    client.force_login(mother.user)
    url = reverse("babycare:apply", args=["babycare"])
    page = texts(client.get(url))
    assert "王小宝 (2025-03-10)" in page and "12–23 months" in page
    response = client.post(url, {"child": baby.pk, "start_date": "2026-09-01", "both_parents_working": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("babycare:mine")
    assert "A place in 12–23 months at Baby care is offered to 王小宝." in texts(response)
    application = Application.objects.get()
    assert application.both_parents_working and not application.registered_hardship


def test_a_refused_application_on_the_page_shows_why_and_changes_nothing(client, centre, clock):
    mother, baby = family(child="王小宝", birth=datetime.date(2025, 10, 1))
    client.force_login(mother.user)
    before = snapshot()
    response = client.post(reverse("babycare:apply", args=["babycare"]), {"child": baby.pk, "start_date": "2026-09-01"})
    assert response.status_code == 400
    assert "王小宝 will be 11 months old on 2026-09-01; this centre takes children aged 1–3" in texts(response)
    response = client.post(reverse("babycare:apply", args=["babycare"]), {"child": baby.pk, "start_date": "soon"})
    assert response.status_code == 400 and "Wished start date: Enter a valid date." in texts(response)
    assert snapshot() == before


def test_the_family_page_shows_position_offer_placement_and_attendance(client, centre, clock, staff_user):
    mother, baby = family(child="王小宝")
    brother = services.apply(mother.user, centre, baby, datetime.date(2026, 6, 1)).application
    services.accept(mother.user, brother.pk)
    services.mark_attendance(staff_user, brother.placement.pk, datetime.date(2026, 6, 1), "present")
    services.report_absence(mother.user, brother.placement.pk, datetime.date(2026, 6, 2), "sick")
    other, other_child = family(child="邻居")
    services.apply(other.user, centre, other_child, datetime.date(2026, 9, 1))  # takes the last toddler place
    third, third_child = family(child="等位")
    services.apply(third.user, centre, third_child, datetime.date(2026, 9, 1))
    client.force_login(mother.user)
    page = texts(client.get(reverse("babycare:mine")))
    assert "Has a place from 2026-06-01." in page
    assert "2026-06-01 · <strong>present</strong>" in page
    assert "2026-06-02 · <strong>absent</strong> · sick · reported by you" in page
    assert "邻居" not in page  # only one's own household
    client.force_login(other.user)
    page = texts(client.get(reverse("babycare:mine")))
    assert "A place is offered." in page and "Please answer by 2026-06-08 09:00" in page
    assert reverse("babycare:accept", args=[Application.objects.get(child=other_child).pk]) in page
    client.force_login(third.user)
    assert "Number 1 on the waiting list for 12–23 months" in texts(client.get(reverse("babycare:mine")))


def test_accept_decline_and_withdraw_on_the_page(client, centre, clock):
    mother, baby = family(child="王小宝")
    application = services.apply(mother.user, centre, baby, datetime.date(2026, 9, 1)).application
    client.force_login(mother.user)
    assert client.get(reverse("babycare:accept", args=[application.pk])).status_code == 405
    response = client.post(reverse("babycare:accept", args=[application.pk]), follow=True)
    assert "You accepted the place in 12–23 months at Baby care for 王小宝." in texts(response)
    response = client.post(reverse("babycare:decline", args=[application.pk]), follow=True)
    assert "There is no open offer for 王小宝 at Baby care to decline" in texts(response)
    response = client.post(reverse("babycare:withdraw", args=[application.pk]), follow=True)
    assert "王小宝&#x27;s application at Baby care is withdrawn." in texts(response)
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_the_family_page_expires_overdue_offers(client, centre, clock):
    mother, baby = family()
    services.apply(mother.user, centre, baby, datetime.date(2026, 9, 1))
    clock.advance(days=8)
    client.force_login(mother.user)
    page = texts(client.get(reverse("babycare:mine")))
    assert "offer expired" in page and "A place is offered." not in page


def test_someone_elses_offer_on_the_page_is_refused(client, centre, clock):
    mother, baby = family(child="王小宝")
    application = services.apply(mother.user, centre, baby, datetime.date(2026, 9, 1)).application
    neighbour, _child = family(parent="陈伟", child="陈小宝")
    client.force_login(neighbour.user)
    before = snapshot()
    response = client.post(reverse("babycare:accept", args=[application.pk]))
    assert response.status_code == 403 and str(NOT_YOURS) in texts(response)
    assert snapshot() == before


def test_reporting_an_absence_on_the_page(client, centre, clock):
    mother, baby = family(child="王小宝")
    application = services.apply(mother.user, centre, baby, datetime.date(2026, 6, 1)).application
    services.accept(mother.user, application.pk)
    placement = Application.objects.get().placement
    client.force_login(mother.user)
    url = reverse("babycare:report_absence", args=[placement.pk])
    prefix = f"p{placement.pk}-"
    response = client.post(url, {prefix + "date": "2026-06-03", prefix + "reason": "medical", prefix + "note": "体检"}, follow=True)
    assert "The centre knows that 王小宝 will be absent on 2026-06-03." in texts(response)
    assert Attendance.objects.get().note == "体检"
    response = client.post(url, {prefix + "date": "2026-06-06", prefix + "reason": "sick"}, follow=True)
    assert "Baby care has no session on 2026-06-06." in texts(response)
    assert Attendance.objects.count() == 1


def test_the_staff_dashboard_shows_the_register_waiting_lists_and_offers_and_logs_reads(client, centre, clock, staff_user):
    names = ["甲", "乙", "丙"]
    for name in names:
        parent, child = family(child=name)
        services.apply(parent.user, centre, child, datetime.date(2026, 6, 1))
        clock.advance(minutes=1)
    placed = Application.objects.get(child__name="甲")
    services.accept(placed.applicant.user, placed.pk)
    services.report_absence(placed.applicant.user, placed.placement.pk, datetime.date(2026, 6, 1), "sick")
    client.force_login(staff_user)
    response = client.get(reverse("babycare:staff"))
    assert response.status_code == 200
    page = texts(response)
    assert "Today's attendance · 2026-06-01" in page
    assert "1 child with a place: 0 present, 1 absent, 0 not marked yet." in page
    assert "reported by the family" in page
    assert "2 places: 2 taken or offered, 0 free" in page
    assert "answer by 2026-06-08 09:0" in page  # 乙's offer
    assert 'data-position="1"><strong>丙</strong>' in page
    assert set(AccessLog.objects.filter(user=staff_user).values_list("child__name", flat=True)) == set(names)


def test_marking_attendance_on_the_staff_page(client, centre, clock, staff_user):
    parent, child = family(child="王小宝")
    application = services.apply(parent.user, centre, child, datetime.date(2026, 6, 1)).application
    services.accept(parent.user, application.pk)
    placement = Application.objects.get().placement
    client.force_login(staff_user)
    url = reverse("babycare:mark", args=[placement.pk])
    prefix = f"m{placement.pk}-"
    response = client.post(url, {prefix + "date": "2026-06-01", prefix + "status": "absent", prefix + "reason": ""}, follow=True)
    assert "An absence needs a reason, such as sick." in texts(response)
    assert not Attendance.objects.exists()
    response = client.post(url, {prefix + "date": "2026-06-01", prefix + "status": "present"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("babycare:staff") + "?centre=babycare"
    assert "王小宝: present on 2026-06-01." in texts(response)
    assert Attendance.objects.get().status == "present"


def test_staff_of_another_centre_see_and_mark_nothing(client, centre, other_centre, clock):
    parent, child = family(child="王小宝")
    application = services.apply(parent.user, centre, child, datetime.date(2026, 6, 1)).application
    services.accept(parent.user, application.pk)
    placement = Application.objects.get().placement
    outsider = make_staff(StaffRole.Role.BABY_CARE_STAFF, other_centre.facility.subdistrict, facility=other_centre.facility)
    client.force_login(outsider)
    page = texts(client.get(reverse("babycare:staff")))
    assert "Baby care 2" in page and "王小宝" not in page  # their own centre only
    response = client.get(reverse("babycare:staff") + "?centre=babycare")
    assert response.status_code == 403 and "You do not work at 宝宝屋." in texts(response)
    before = snapshot()
    prefix = f"m{placement.pk}-"
    response = client.post(reverse("babycare:mark", args=[placement.pk]), {prefix + "date": "2026-06-01", prefix + "status": "present"})
    assert response.status_code == 403 and "You do not work at 宝宝屋." in texts(response)
    assert snapshot() == before
    assert not AccessLog.objects.filter(user=outsider, child=child).exists()
    client.force_login(parent.user)
    response = client.get(reverse("babycare:staff"))
    assert response.status_code == 403 and "You do not work at a baby-care centre." in texts(response)


def test_administrators_choose_among_all_centres(client, centre, other_centre):
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, centre.facility.subdistrict)
    client.force_login(admin)
    page = texts(client.get(reverse("babycare:staff") + "?centre=babycare2"))
    assert 'data-testid="centre-switch"' in page and '<option value="babycare">' in page
    assert "<h1>第二宝宝屋</h1>" in page or "<h1>Baby care 2</h1>" in page


def test_the_home_pages_link_to_these_pages(client, centre):
    from django.apps import apps

    config = apps.get_app_config("babycare")
    assert [reverse(name) for name, _label in config.resident_links] == ["/babycare/", "/babycare/mine/"]
    assert [reverse(name) for name, _label in config.staff_links] == ["/babycare/staff/"]
