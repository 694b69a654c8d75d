"""The rules of volunteering: registry, sign-up and cancellation, hours, the time bank, certificates."""
import datetime
import io
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation

from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.notifications.models import Notification
from lifecircle.volunteers import services
from lifecircle.volunteers.models import Activity, HoursRecord, Role, Shift, SignUp, Volunteer
from lifecircle.volunteers.pdf import certificate_pdf
from lifecircle.volunteers.services import VolunteerError

from .conftest import NOW, at

pytestmark = pytest.mark.django_db
AFTER = at(7, 18)  # the evening of the fair


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# ---- registry -------------------------------------------------------------------------------------

def test_registering_keeps_skills_and_availability(world):
    volunteer = services.register(world.people[1], [world.it_help], "Sa,Su 09:00-12:00; We 14:00-17:00", "不含节假日")
    assert list(volunteer.skills.all()) == [world.it_help] and volunteer.availability_note == "不含节假日"
    Volunteer.objects.filter(pk=volunteer.pk).update(active=False)  # paused by staff
    again = services.register(world.people[1], [], "Mo 09:00-10:00")
    assert again.pk == volunteer.pk and not again.skills.exists() and again.availability == "Mo 09:00-10:00"
    assert not again.active  # editing the profile does not undo the pause


def test_availability_must_be_readable(world):
    with pytest.raises(VolunteerError, match="Availability: rule 'weekends'"):
        services.register(world.people[1], availability="weekends")
    assert not world.people[1].__class__.objects.filter(volunteer__isnull=False).exists()


def test_availability_covers_a_shift(volunteers, world):
    volunteer = services.register(world.people[1], availability="Sa 08:00-12:00; We 14:00-17:00")
    assert volunteer.is_available(world.morning.starts_at, world.morning.ends_at) is True
    assert volunteer.is_available(world.afternoon.starts_at, world.afternoon.ends_at) is False
    assert volunteer.is_available(at(4, 14), at(4, 16)) is True  # a Wednesday
    assert services.register(world.people[1], availability="").is_available(at(4, 14), at(4, 16)) is None


# ---- sign-up --------------------------------------------------------------------------------------

def test_capacity_is_enforced(volunteers, world):
    a, b, c, _ = volunteers
    services.sign_up(a, world.morning, now=NOW)
    services.sign_up(b, world.morning, now=NOW)
    with pytest.raises(VolunteerError, match="This shift is full."):
        services.sign_up(c, world.morning, now=NOW)
    assert world.morning.signups.filter(status="signed_up").count() == 2
    assert services.free_places(world.morning) == 0


def test_cancelling_frees_the_place(volunteers, world):
    a, b, c, _ = volunteers
    first = services.sign_up(a, world.morning, now=NOW)
    services.sign_up(b, world.morning, now=NOW)
    services.cancel(first, a.resident.user, now=NOW)
    services.sign_up(c, world.morning, now=NOW)
    # and the one who cancelled may sign up again once there is room
    services.cancel(SignUp.objects.get(volunteer=c), c.resident.user, now=NOW)
    services.sign_up(a, world.morning, now=NOW)
    assert sorted(s.volunteer.pk for s in world.morning.signups.filter(status="signed_up")) == sorted([a.pk, b.pk])


def test_sign_up_refusals(volunteers, world):
    a, b, *_ = volunteers
    services.sign_up(a, world.morning, now=NOW)
    with pytest.raises(VolunteerError, match="already signed up"):
        services.sign_up(a, world.morning, now=NOW)
    with pytest.raises(VolunteerError, match="already on Health fair at that time"):
        services.sign_up(a, world.medic_shift, now=NOW)  # same hours, other role
    with pytest.raises(VolunteerError, match="needs the skill “First aid”"):
        services.sign_up(b, world.medic_shift, now=NOW)
    with pytest.raises(VolunteerError, match="already started"):
        services.sign_up(b, world.morning, now=at(7, 9))
    Activity.objects.filter(pk=world.fair.pk).update(published=False)
    with pytest.raises(VolunteerError, match="not open for sign-up"):
        services.sign_up(b, world.afternoon, now=NOW)
    Activity.objects.filter(pk=world.fair.pk).update(published=True)
    b.active = False
    b.save()
    with pytest.raises(VolunteerError, match="paused"):
        services.sign_up(b, world.afternoon, now=NOW)
    assert SignUp.objects.count() == 1


def test_the_database_refuses_a_second_active_sign_up(volunteers, world):
    SignUp.objects.create(shift=world.morning, volunteer=volunteers[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        SignUp.objects.create(shift=world.morning, volunteer=volunteers[0])


def test_sign_up_is_confirmed_and_cancellation_told(volunteers, world):
    a = volunteers[0]
    signup = services.sign_up(a, world.morning, now=NOW)
    confirmation = Notification.objects.get(user=a.resident.user)
    assert confirmation.kind == "confirmation" and confirmation.subject == "已报名：社区义诊日"
    assert confirmation.body == "引导员，2026-03-07 09:00–12:00。"
    services.cancel(signup, a.resident.user, now=NOW)
    told = Notification.objects.get(user=world.manager, kind="cancellation")
    assert told.subject == "已取消：社区义诊日" and told.body == "王小明取消了：引导员，2026-03-07 09:00–12:00。"
    with translation.override("en"):  # and each reader sees it in their own language
        assert told.shown_body == "王小明 cancelled: 引导员, 2026-03-07 09:00–12:00."
    signup = services.sign_up(a, world.morning, now=NOW)
    services.cancel(signup, world.manager, now=NOW)  # staff cancel: the volunteer is told
    assert Notification.objects.filter(user=a.resident.user, kind="cancellation").count() == 1


def test_who_may_cancel_and_until_when(volunteers, world):
    a, b, *_ = volunteers
    signup = services.sign_up(a, world.morning, now=NOW)
    with pytest.raises(VolunteerError, match="Only the volunteer or the activity's staff"):
        services.cancel(signup, b.resident.user, now=NOW)
    with pytest.raises(VolunteerError, match="Only the volunteer or the activity's staff"):
        services.cancel(signup, world.canteen_staff, now=NOW)  # works at another facility
    with pytest.raises(VolunteerError, match="has started"):
        services.cancel(signup, a.resident.user, now=at(7, 9, 30))
    services.cancel(signup, world.admin, now=NOW)
    with pytest.raises(VolunteerError, match="already cancelled"):
        services.cancel(signup, a.resident.user, now=NOW)


# ---- hours ----------------------------------------------------------------------------------------

def test_staff_record_hours_for_a_shift_once_it_is_over(volunteers, world):
    a, b, c, _ = volunteers
    services.sign_up(a, world.morning, now=NOW)
    services.sign_up(b, world.morning, now=NOW)
    with pytest.raises(VolunteerError, match="once the shift is over"):
        services.record_shift(world.manager, world.morning, {a: "3"}, now=at(7, 11))
    records = services.record_shift(world.manager, world.morning, {a: "3", b: Decimal("2.5")}, now=AFTER)
    assert [(r.volunteer, r.hours, r.date) for r in records] == [
        (a, Decimal("3.00"), datetime.date(2026, 3, 7)), (b, Decimal("2.50"), datetime.date(2026, 3, 7))]
    with pytest.raises(VolunteerError, match="already recorded"):
        services.record_hours(world.manager, a, world.fair, "3", datetime.date(2026, 3, 7), world.morning, now=AFTER)
    with pytest.raises(VolunteerError, match="张伟 was not signed up"):
        services.record_hours(world.manager, c, world.fair, "3", datetime.date(2026, 3, 7), world.morning, now=AFTER)


def test_recording_a_shift_is_all_or_nothing(volunteers, world):
    a, b, c, _ = volunteers
    services.sign_up(a, world.morning, now=NOW)
    with pytest.raises(VolunteerError):
        services.record_shift(world.manager, world.morning, {a: "3", c: "3"}, now=AFTER)  # c was not on the shift
    assert not HoursRecord.objects.exists()


@pytest.mark.parametrize("hours", ["0", "-1", "24.5", "lots", ""])
def test_hours_must_be_sensible(volunteers, world, hours):
    with pytest.raises(VolunteerError, match="Hours must be"):
        services.record_hours(world.manager, volunteers[0], world.fair, hours, datetime.date(2026, 3, 1), now=NOW)
    assert not HoursRecord.objects.exists()


def test_only_the_activitys_staff_record_hours(volunteers, world):
    with pytest.raises(PermissionDenied):
        services.record_hours(world.canteen_staff, volunteers[0], world.fair, "2", datetime.date(2026, 3, 1), now=NOW)
    with pytest.raises(PermissionDenied):
        services.record_hours(volunteers[1].resident.user, volunteers[0], world.fair, "2", datetime.date(2026, 3, 1), now=NOW)
    services.record_hours(world.admin, volunteers[0], world.fair, "2", datetime.date(2026, 3, 1), now=NOW)
    with pytest.raises(VolunteerError, match="day still to come"):
        services.record_hours(world.manager, volunteers[0], world.fair, "2", datetime.date(2026, 3, 3), now=NOW)


def test_the_database_refuses_impossible_hours(volunteers, world):
    with pytest.raises(IntegrityError), transaction.atomic():
        HoursRecord.objects.create(volunteer=volunteers[0], activity=world.fair, date=datetime.date(2026, 3, 1),
                                   hours=Decimal("30"), recorded_by=world.manager)


def test_time_bank_totals(volunteers, world):
    a, b, *_ = volunteers
    clean_up = Activity.objects.create(subdistrict=world.subdistrict, facility=world.center, title="河道清洁",
                                       published=True)
    services.record_hours(world.manager, a, world.fair, "3", datetime.date(2026, 2, 7), now=NOW)
    services.record_hours(world.manager, a, world.fair, "2.5", datetime.date(2026, 2, 14), now=NOW)
    services.record_hours(world.manager, a, clean_up, "7", datetime.date(2026, 2, 20), now=NOW)
    services.record_hours(world.manager, b, clean_up, "1.25", datetime.date(2026, 2, 20), now=NOW)
    assert services.total_hours(a) == Decimal("12.50") and services.total_hours(volunteers[2]) == 0
    assert [(act.title, hours, first, last) for act, hours, first, last in services.hours_by_activity(a)] == [
        ("河道清洁", Decimal("7.00"), datetime.date(2026, 2, 20), datetime.date(2026, 2, 20)),
        ("社区义诊日", Decimal("5.50"), datetime.date(2026, 2, 7), datetime.date(2026, 2, 14))]
    bank = [(v.resident.name, v.total) for v in services.time_bank() if v.total]
    assert bank == [("王小明", Decimal("12.50")), ("李红", Decimal("1.25"))]


# ---- certificates ---------------------------------------------------------------------------------

def test_nothing_to_certify_without_hours(volunteers):
    with pytest.raises(VolunteerError, match="nothing to certify"):
        services.issue_certificate(volunteers[0])


def test_certificate_pdf_carries_name_hours_by_activity_and_code(volunteers, world):
    a = volunteers[0]
    clean_up = Activity.objects.create(subdistrict=world.subdistrict, facility=world.center, title="河道清洁",
                                       title_en="River clean-up", published=True)
    services.record_hours(world.manager, a, world.fair, "3", datetime.date(2026, 2, 7), now=NOW)
    services.record_hours(world.manager, a, world.fair, "2.5", datetime.date(2026, 2, 14), now=NOW)
    services.record_hours(world.manager, a, clean_up, "7", datetime.date(2026, 2, 20), now=NOW)
    certificate = services.issue_certificate(a, issued_by=world.manager, now=NOW)
    assert certificate.total_hours == Decimal("12.50") and certificate.name == "王小明"
    assert len(certificate.code) == 14 and certificate.code.count("-") == 2

    reader = pypdf.PdfReader(io.BytesIO(certificate_pdf(certificate, "https://example.org/volunteers/verify/", "江宁路街道")))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "志愿服务时长证明" in text and "王小明" in text
    assert "累计服务时长 12.5 小时" in text
    assert "社区义诊日" in text and "2026-02-07 – 2026-02-14" in text and "5.5" in text
    assert "河道清洁" in text and "River clean-up" in text
    assert "合计 Total 12.5" in text.replace("\n", " ")
    assert certificate.code in text and "2026-03-02" in text
    assert reader.metadata.title == f"志愿服务时长证明 {certificate.code}"
    # later hours do not change a certificate already issued
    services.record_hours(world.manager, a, clean_up, "1", datetime.date(2026, 3, 1), now=NOW)
    certificate.refresh_from_db()
    assert certificate.total_hours == Decimal("12.50")


def test_names_with_markup_are_printed_as_text(world):
    person = make_resident(make_household(Compound.objects.get(code="b")), "A<b>&B", datetime.date(1990, 1, 1))
    volunteer = services.register(person)
    services.record_hours(world.manager, volunteer, world.fair, "1", datetime.date(2026, 2, 7), now=NOW)
    certificate = services.issue_certificate(volunteer, now=NOW)
    text = pypdf.PdfReader(io.BytesIO(certificate_pdf(certificate, "https://x/", "江宁路街道"))).pages[0].extract_text()
    assert "A<b>&B" in text


def test_shift_rules_in_the_console(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Shift(role=world.guide, starts_at=at(7, 9), ends_at=at(7, 8), capacity=1).full_clean()
    with pytest.raises(ValidationError):
        Shift(role=world.guide, starts_at=at(7, 6), ends_at=at(7, 19), capacity=1).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.create(role=world.guide, starts_at=at(7, 9), ends_at=at(7, 9), capacity=1)
    assert Role.objects.count() == 2


def test_default_skills_load_and_reload(db):
    from django.core.management import call_command

    from lifecircle.volunteers.models import Skill

    call_command("load_volunteer_skills", stdout=io.StringIO())
    call_command("load_volunteer_skills", stdout=io.StringIO())
    assert Skill.objects.count() == 10 and Skill.objects.get(slug="first_aid").name == "急救"
