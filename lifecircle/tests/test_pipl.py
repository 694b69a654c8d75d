"""PIPL rights across every app: the registry covers every link to a person, "my data" collects a
resident's records from every app, erasure leaves no personal field behind while keeping the
records others need, and the retention periods are applied. (Cross-app, so it lives here.)"""
import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import models
from django.db.models import ProtectedError
from django.utils import timezone, translation

from lifecircle.accounts import pipl
from lifecircle.accounts.models import (AccessLog, Child, Consent, ERASED_NAME, Household, Resident, RightsRequest,
                                        StaffRole)
from lifecircle.accounts.testing import make_child, make_consent, make_household, make_resident, make_staff
from lifecircle.babycare import models as babycare
from lifecircle.bookings import models as bookings
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility
from lifecircle.eldercare import models as eldercare
from lifecircle.homecare import models as homecare
from lifecircle.meals import models as meals
from lifecircle.notifications.models import Notification
from lifecircle.participation import models as participation
from lifecircle.requests311 import models as requests311
from lifecircle.volunteers import models as volunteers

pytestmark = pytest.mark.django_db

NAME, CHILD_NAME, PHONE, ID_NUMBER, EMAIL = "欧阳秀兰", "欧阳小宝", "13987654321", "31010619500101123X", "ouyang@example.org"
NEEDLES = (NAME, CHILD_NAME, PHONE, ID_NUMBER, EMAIL)


@pytest.fixture(autouse=True)
def fast_passwords_and_english(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):  # labels are compared in English, the source language
        yield


def test_every_link_to_a_person_is_registered():
    """A model that points at a resident, child, household or account, or at a record about one,
    must say what it holds (or why it is not the person's data); a forgotten one fails here."""
    assert pipl.unregistered_links() == []


def test_the_coverage_check_catches_a_forgotten_model(monkeypatch):
    registry = pipl.registry()
    without_meals = [h for h in registry.holdings if h.model is not meals.MealOrder]
    monkeypatch.setattr(registry, "holdings", without_meals)
    assert {"meals.MealOrder.resident", "meals.MealOrder.ordered_by"} <= set(pipl.unregistered_links())


def at(days, hour=10):
    moment = timezone.now().replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment + datetime.timedelta(days=days)


@pytest.fixture
def person():
    """欧阳秀兰, living alone with her grandchild, with records in every app; a neighbour too."""
    mini = load_pack(MINI)
    canteen, babycare_centre, centre = (Facility.objects.get(code=c) for c in ("canteen", "babycare", "center"))
    staff = make_staff(StaffRole.Role.ADMINISTRATOR, mini)
    home = make_household(Compound.objects.get(code="a"), address="5号楼 301")
    her = make_resident(home, NAME, datetime.date(1950, 1, 1), phone=PHONE, id_number=ID_NUMBER, email=EMAIL,
                        health_notes=f"{NAME} 糖尿病")
    her.user.first_name = NAME
    her.user.save()
    child = make_child(home, CHILD_NAME, datetime.date(2025, 1, 5))
    child.health_notes = f"{CHILD_NAME} 花生过敏"
    child.save()
    neighbour = make_resident(make_household(Compound.objects.get(code="b")), "陈建国", datetime.date(1948, 2, 2))
    make_consent(principal=her, proxy=neighbour, relation="neighbour")
    RightsRequest.objects.create(resident=her, submitted_by=her, kind="correction", field="other",
                                 details=f"我是{NAME}，电话{PHONE}")
    AccessLog.objects.create(user=staff, action="view", purpose="admin /admin/accounts/resident/", resident=her)
    Notification.objects.create(user=her.user, kind="information", subject="您好", body=f"{NAME}，您好")

    # meals: a meal eaten (kept for the statement), one to come (cancelled), her delivery need
    past = meals.Menu.objects.create(facility=canteen, date=timezone.localdate() - datetime.timedelta(days=3),
                                     meal="lunch")
    future = meals.Menu.objects.create(facility=canteen, date=timezone.localdate() + datetime.timedelta(days=3),
                                       meal="lunch")
    money = {"price": Decimal("15"), "subsidy": Decimal("5"), "amount_due": Decimal("10")}
    her_orders = []
    for menu in (past, future):
        item = meals.MenuItem.objects.create(menu=menu, name="套餐", price=Decimal("15"), portions=10)
        her_orders += [meals.MealOrder.objects.create(resident=her, ordered_by=her, menu=menu, item=item,
                                                      fulfilment="delivery",
                                       delivery_address=f"{NAME} 5号楼 301 {PHONE}", dietary_notes=f"{NAME} 低糖",
                                       **money)]
    neighbours_order = meals.MealOrder.objects.create(
        resident=neighbour, ordered_by=her, menu=past, item=past.items.get(), fulfilment="delivery",
        delivery_address="陈建国 6号楼", **money)
    meals.DeliveryNeed.objects.create(resident=her, lives_alone=True, note=f"{NAME} 独居", recorded_by=staff)

    # eldercare: a stay with attendance, health data with consent, an activity
    places = eldercare.PlaceType.objects.create(facility=canteen, kind="daily", capacity=10)
    stay = eldercare.Admission.objects.create(resident=her, place_type=places, start=timezone.localdate() - datetime.timedelta(days=30),
                                              end=timezone.localdate() + datetime.timedelta(days=30),
                                              notes=f"{NAME} 需要轮椅", admitted_by=staff)
    eldercare.Attendance.objects.create(admission=stay, date=timezone.localdate() - datetime.timedelta(days=1),
                                        recorded_by=staff)
    consent = eldercare.HealthConsent.objects.create(resident=her, evidence=f"{NAME} 签字", recorded_by=staff)
    eldercare.HealthCheck.objects.create(resident=her, facility=canteen, consent=consent, systolic=130,
                                         notes=f"{NAME} 血压偏高", recorded_by=staff)
    activity = eldercare.Activity.objects.create(facility=canteen, title="太极", start=at(-2), end=at(-2, 11),
                                                 capacity=20)
    eldercare.ActivitySignup.objects.create(activity=activity, resident=her, signed_up_by=her)
    outing = eldercare.Activity.objects.create(facility=canteen, title="郊游", start=at(4), end=at(4, 15), capacity=20)
    eldercare.ActivitySignup.objects.create(activity=outing, resident=her, signed_up_by=her)

    # care at home: a plan (under her health consent) with a visit made, one cancelled and one to come,
    # on carers' rounds that also bring her delivered meals, the one eaten and the one to come
    carer = homecare.Carer.objects.create(provider=canteen, user=staff, name="王护工", skills=["nursing"])
    plan = homecare.CarePlan.objects.create(resident=her, provider=canteen, consent=consent, care_level=3,
                                            assessed_on=timezone.localdate() - datetime.timedelta(days=20),
                                            assessment=f"{NAME} 失能中度，糖尿病", start=timezone.localdate()
                                            - datetime.timedelta(days=10), created_by=staff)
    plan.carers.add(carer)
    need = homecare.CareNeed.objects.create(plan=plan, kind="nursing", weekdays=list(range(7)),
                                            window_start=datetime.time(7), window_end=datetime.time(8), minutes=20,
                                            note=f"{NAME} 早餐前打胰岛素")
    rounds = {}
    for days in (-3, 3):
        day = homecare.DayPlan.objects.create(provider=canteen, date=timezone.localdate()
                                              + datetime.timedelta(days=days), planned_by=staff)
        rounds[days] = homecare.CareRound.objects.create(day=day, carer=carer, leaves=datetime.time(7),
                                                         returns=datetime.time(13), walk_seconds=900, walk_metres=1000)
    for days, order in zip((-3, 3), her_orders):
        homecare.MealDrop.objects.create(round=rounds[days], order=order, sequence=2,
                                         expected_at=datetime.time(11, 30))
    slot = {"need": need, "window_start": datetime.time(7), "window_end": datetime.time(8), "minutes": 20}
    homecare.Visit.objects.create(plan=plan, date=timezone.localdate() - datetime.timedelta(days=3), status="done",
                                  round=rounds[-3], sequence=1, arrived_at=at(-3, 7), left_at=at(-3, 8),
                                  done=f"{NAME} 注射胰岛素", observations=f"{NAME} 血糖 11.2，脚肿",
                                  follow_up="family", recorded_by=staff, **slot)
    homecare.Visit.objects.create(plan=plan, date=timezone.localdate() - datetime.timedelta(days=1),
                                  status="cancelled", change_reason=f"{NAME} 住院", **slot)
    homecare.Visit.objects.create(plan=plan, date=timezone.localdate() + datetime.timedelta(days=3), round=rounds[3],
                                  sequence=1, expected_at=datetime.time(7, 10), **slot)

    # baby care: a waiting application (deleted with the child) and a placement with attendance (kept)
    programme = babycare.CareProgramme.objects.create(facility=babycare_centre, centre_type="intergenerational")
    group = babycare.AgeGroup.objects.create(programme=programme, min_months=12, max_months=36, places=3)
    other = babycare.CareProgramme.objects.create(facility=centre, centre_type="intergenerational")
    other_group = babycare.AgeGroup.objects.create(programme=other, min_months=12, max_months=36, places=3)
    babycare.Application.objects.create(programme=other, age_group=other_group, child=child, applicant=her,
                                        start_date=timezone.localdate(), age_months_at_start=20, created_at=at(-40))
    placed = babycare.Application.objects.create(programme=programme, age_group=group, child=child, applicant=her,
                                                 start_date=timezone.localdate(), age_months_at_start=20,
                                                 created_at=at(-60), status="placed")
    babycare.Offer.objects.create(application=placed, made_at=at(-50), expires_at=at(-43), status="accepted")
    placement = babycare.Placement.objects.create(application=placed, starts_on=timezone.localdate(), placed_at=at(-45))
    babycare.Attendance.objects.create(placement=placement, date=timezone.localdate(), status="absent", reason="sick",
                                       note=f"{CHILD_NAME} 发烧", recorded_at=at(0), recorded_by=staff)

    # bookings: a past booking (kept), a future one (cancelled), an event registration, a calendar link
    room = centre.rooms.get(code="meeting")
    for days in (-5, 5):
        bookings.Booking.objects.create(room=room, booker=her, purpose=f"{NAME}的生日会", group_name=f"{NAME}家",
                                        attendees=5, start=at(days), end=at(days, 12), status="confirmed")
    event = bookings.Event.objects.create(facility=centre, title="讲座", start=at(-1), end=at(-1, 12), capacity=30)
    bookings.Registration.objects.create(event=event, resident=her, registered_by=her, status="confirmed")
    bookings.Registration.objects.create(event=event, child=child, registered_by=her, status="confirmed")
    bookings.CalendarToken.objects.create(resident=her, token="t" * 40)
    full = bookings.Event.objects.create(facility=centre, title="春游", start=at(3), end=at(3, 16), capacity=1)
    bookings.Registration.objects.create(event=full, resident=her, registered_by=her, status="confirmed")
    bookings.Registration.objects.create(event=full, resident=neighbour, registered_by=neighbour, status="waitlisted")

    # participation: a proposal, a comment, a support, a letter to a representative
    process = participation.Process.objects.create(subdistrict=mini, slug="p", title="议事")
    proposal = participation.Proposal.objects.create(process=process, title="加装电梯", body="<p>请加装电梯</p>", author=her)
    participation.Comment.objects.create(proposal=proposal, body="同意", author=her)
    participation.Support.objects.create(proposal=proposal, resident=her)
    participation.Follow.objects.create(user=her.user, proposal=proposal)
    representative = participation.Representative.objects.create(user=make_staff(StaffRole.Role.ADMINISTRATOR, mini),
                                                                  subdistrict=mini, name="代表")
    thread = participation.Thread.objects.create(representative=representative, resident=her, subject=f"{NAME}的来信")
    participation.ThreadMessage.objects.create(thread=thread, body=f"我是{NAME}", author=her.user)

    # requests: one she reported with her contact details
    service = requests311.Service.objects.create(service_code="lamp", service_name="路灯", group="street")
    request = requests311.ServiceRequest.objects.create(
        service=service, routing="grid", resident=her, reporter=her.user, first_name="秀兰", last_name="欧阳",
        phone=PHONE, email=EMAIL, account_id=ID_NUMBER, description="路灯坏了")
    requests311.RequestUpdate.objects.create(request=request, kind="submitted", state="open")
    requests311.InternalNote.objects.create(request=request, note="她说晚上看不清台阶", author=staff)
    requests311.Follower.objects.create(request=request, user=her.user)  # "notify me of updates"

    # volunteering: hours (kept for the time bank) and a certificate with her name
    volunteer = volunteers.Volunteer.objects.create(resident=her, availability_note=f"{NAME} 周末有空")
    work = volunteers.Activity.objects.create(subdistrict=mini, title="清扫")
    shift = volunteers.Shift.objects.create(role=volunteers.Role.objects.create(activity=work, name="清扫员"),
                                            starts_at=at(-3), ends_at=at(-3, 12), capacity=5)
    volunteers.SignUp.objects.create(shift=shift, volunteer=volunteer)
    next_shift = volunteers.Shift.objects.create(role=shift.role, starts_at=at(6), ends_at=at(6, 12), capacity=5)
    volunteers.SignUp.objects.create(shift=next_shift, volunteer=volunteer)
    volunteers.HoursRecord.objects.create(volunteer=volunteer, activity=work, shift=shift, date=timezone.localdate(),
                                          hours=Decimal("2"), note=f"{NAME} 表现好", recorded_by=staff)
    volunteers.Certificate.objects.create(volunteer=volunteer, name=NAME, total_hours=Decimal("2"))
    return {"her": her, "child": child, "neighbour": neighbour, "admin": staff, "neighbours_order": neighbours_order}


def test_my_data_holds_a_record_from_every_app(person):
    data = pipl.collect(person["her"])
    found = {model for section in data["apps"].values() for model in (h["model"] for h in section["holdings"])}
    expected = {h.label for h in pipl.registry().holdings if h.listed} - {"accounts.StaffRole"}  # she is no staff
    assert found == expected  # the fixture gives her (or her grandchild) a row in every registered model
    assert data["resident"]["id_number"] == ID_NUMBER and data["resident"]["phone"] == PHONE
    assert [c["name"] for c in data["children"]] == [CHILD_NAME]
    assert data["account"]["email"] == EMAIL
    assert len(data["staff_reads"]) == 1 and data["staff_reads"][0]["role"] == "sub-district administrator"


def test_collecting_a_year_of_meals_reads_the_same_few_queries(person, django_assert_max_num_queries):
    her = person["her"]
    past = meals.MealOrder.objects.filter(resident=her).first()
    for days in range(10, 110):
        menu = meals.Menu.objects.create(facility=past.menu.facility, meal="lunch",
                                         date=timezone.localdate() - datetime.timedelta(days=days))
        item = meals.MenuItem.objects.create(menu=menu, name="套餐", price=Decimal("15"), portions=10)
        meals.MealOrder.objects.create(resident=her, ordered_by=her, menu=menu, item=item, fulfilment="pickup",
                                       price=Decimal("15"), subsidy=Decimal("5"), amount_due=Decimal("10"))
    with django_assert_max_num_queries(60):  # 45 here; 656 when each row named its links one by one
        data = pipl.collect(her)
    assert len(data["apps"]["meals"]["holdings"][1]["rows"]) == 103


def personal_text(exclude=()):
    """(row, field, value) of every text value in every table that holds one of NEEDLES."""
    found = []
    for model in apps.get_models():
        text_fields = [f for f in model._meta.concrete_fields
                       if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        for row in model.objects.all():
            if row in exclude:
                continue
            for f in text_fields:
                value = str(getattr(row, f.attname) or "")
                if any(needle in value for needle in NEEDLES):
                    found.append((model._meta.label, row.pk, f.name, value))
    return found


def test_deleting_her_is_refused_by_the_database_but_erasure_works(person):
    her, child = person["her"], person["child"]
    with pytest.raises(ProtectedError):
        Resident.objects.get(pk=her.pk).delete()
    kept = {model: model.objects.count() for model in (meals.MealOrder, eldercare.Attendance, babycare.Attendance,
                                                       volunteers.HoursRecord, requests311.ServiceRequest,
                                                       bookings.Registration, participation.Proposal,
                                                       homecare.CarePlan, homecare.CareNeed, homecare.Visit)}
    user_pk = her.user.pk
    assert personal_text()  # the scan sees her data before

    report = pipl.erase_resident(her, by=person["admin"])

    assert personal_text() == []  # no text field of any remaining row names her, her grandchild, phone, ID, e-mail
    assert {model: model.objects.count() for model in kept} == kept  # the records others need all stay
    assert not Notification.objects.filter(user_id=user_pk).exists()
    for model in (Consent, eldercare.HealthCheck, eldercare.HealthConsent, meals.DeliveryNeed,
                  participation.Thread, participation.ThreadMessage, participation.Follow, bookings.CalendarToken):
        assert model.objects.count() == 0, model  # in this fixture every such row is hers
    assert not get_user_model().objects.filter(pk=user_pk).exists() and report["account"] == ("deleted", 1)
    tomb = Resident.objects.get(pk=her.pk)
    assert (tomb.name, tomb.phone, tomb.id_number, tomb.id_number_hash, tomb.health_notes, tomb.user) == (
        ERASED_NAME, "", "", "", "", None)
    assert tomb.birth_date == datetime.date(1950, 1, 1) and tomb.erased_at and str(tomb) == "erased resident"
    assert Child.objects.get(pk=child.pk).erased_at and Household.objects.get(pk=tomb.household_id).address == ""
    # the meal to come is cancelled, the one eaten stays on the statement; the future booking frees the room
    orders = meals.MealOrder.objects.filter(resident=tomb)
    assert sorted(orders.values_list("status", flat=True)) == ["cancelled", "placed"]
    assert bookings.Booking.objects.filter(booker=tomb, status="confirmed").count() == 1
    # the waiting application went; the placed one stays, withdrawn, its placement ended today
    assert list(babycare.Application.objects.filter(child=child).values_list("status", flat=True)) == ["withdrawn"]
    assert babycare.Placement.objects.get().ended_on == timezone.localdate()
    # what is still to come is cancelled, what happened stays as it was
    assert dict(eldercare.ActivitySignup.objects.values_list("activity__title", "status")) == {
        "太极": "signed_up", "郊游": "cancelled"}
    assert sorted(volunteers.SignUp.objects.values_list("status", flat=True)) == ["cancelled", "signed_up"]
    # her place on the trip to come goes to the neighbour on the waitlist
    trip = {r.resident_id: r.status for r in bookings.Registration.objects.filter(event__title="春游")}
    assert trip == {tomb.pk: "cancelled", person["neighbour"].pk: "confirmed"}
    assert eldercare.Admission.objects.get(resident=tomb).end == timezone.localdate()
    # the neighbour's own order, which she placed, is untouched; the audit log names the tombstone
    assert meals.MealOrder.objects.get(pk=person["neighbours_order"].pk).delivery_address == "陈建国 6号楼"
    assert AccessLog.objects.filter(resident=tomb, action="erase", user=person["admin"]).exists()
    assert report["meals.MealOrder"] == ("emptied", 2) and report["eldercare.HealthCheck"] == ("deleted", 1)
    # care at home: the plan ends today, without its consent; the visit made stays, emptied of what was
    # written at the door; the visit to come is cancelled and off its round, and so is the meal to come
    plan = homecare.CarePlan.objects.get(resident=tomb)
    assert (plan.status, plan.end, plan.consent, plan.assessment) == ("ended", timezone.localdate(), None, "")
    visits = {v.status: v for v in homecare.Visit.objects.filter(plan=plan)}
    assert set(visits) == {"done", "cancelled"} and homecare.Visit.objects.filter(plan=plan).count() == 3
    made = visits["done"]
    assert (made.done, made.observations) == ("", "") and made.round_id and made.arrived_at
    assert not homecare.Visit.objects.filter(plan=plan, round__isnull=False, date__gte=timezone.localdate()).exists()
    assert list(homecare.MealDrop.objects.values_list("order__status", flat=True)) == ["placed"]
    assert report["homecare.Visit"] == ("emptied", 3) and report["homecare.MealDrop"] == ("emptied", 1)


def test_erasure_is_for_administrators_and_happens_once(person):
    grid_worker = make_staff(StaffRole.Role.GRID_WORKER, person["her"].household.compound.grid.subdistrict,
                             grid=person["her"].household.compound.grid)
    with pytest.raises(PermissionDenied):
        pipl.erase_resident(person["her"], by=grid_worker)
    assert Resident.objects.get(pk=person["her"].pk).name == NAME
    pipl.erase_resident(person["her"], by=person["admin"])
    with pytest.raises(pipl.Refused):
        pipl.erase_resident(Resident.objects.get(pk=person["her"].pk), by=person["admin"])


def test_deleting_the_account_erases_the_resident(person):
    person["her"].user.delete()
    assert personal_text() == []
    assert Resident.objects.get(pk=person["her"].pk).erased_at is not None


def test_a_household_member_who_stays_keeps_the_children_and_the_address(person):
    her = person["her"]
    partner = make_resident(her.household, "欧阳建华", datetime.date(1949, 3, 3))
    pipl.erase_resident(her, by=person["admin"])
    tomb = Resident.objects.get(pk=her.pk)
    assert tomb.household_id != partner.household_id  # the tombstone does not say where the family lives
    assert Household.objects.get(pk=partner.household_id).address == "5号楼 301"
    assert Child.objects.get(pk=person["child"].pk).name == CHILD_NAME
    assert babycare.Application.objects.filter(child=person["child"]).count() == 2


def test_a_staff_account_that_is_also_a_resident_is_emptied_not_deleted(person):
    her = person["her"]
    eldercare.Attendance.objects.update(recorded_by=her.user)  # PROTECT: the account must stay for these rows
    report = pipl.erase_resident(her, by=person["admin"])
    assert report["account"] == ("emptied", 1)
    account = get_user_model().objects.get(pk=her.user_id)
    assert (account.email, account.first_name, account.is_active, account.has_usable_password()) == ("", "", False, False)
    assert personal_text() == []


# --- retention ----------------------------------------------------------------------------------

def test_apply_retention_dry_run_counts_and_the_run_applies(person, capsys, settings):
    settings.RETAIN_AUDIT_LOG_DAYS, settings.RETAIN_CLOSED_DAYS = 200, 30
    old = timezone.now() - datetime.timedelta(days=201)
    AccessLog.objects.update(at=old)
    AccessLog.objects.create(user=person["admin"], action="view", purpose="recent", resident=person["her"])
    requests311.ServiceRequest.objects.update(state="closed", closed_at=timezone.now() - datetime.timedelta(days=31))
    babycare.Application.objects.filter(status="waiting").update(status="withdrawn",
                                                                 closed_at=timezone.now() - datetime.timedelta(days=31))
    RightsRequest.objects.update(status="refused", resolved_at=timezone.now() - datetime.timedelta(days=31))
    before = {m: m.objects.count() for m in (AccessLog, babycare.Application, RightsRequest)}

    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "audit log of staff reads (AccessLog): 1 would be removed or emptied (older than 200 days)" in out
    assert "contact details of closed requests: 1 would" in out and "closed baby-care applications" in out
    assert {m: m.objects.count() for m in before} == before
    assert requests311.ServiceRequest.objects.get().phone == PHONE

    call_command("apply_retention")
    out = capsys.readouterr().out
    assert "audit log of staff reads (AccessLog): 1 removed or emptied" in out
    assert list(AccessLog.objects.values_list("purpose", flat=True)) == ["recent"]
    assert babycare.Application.objects.count() == before[babycare.Application] - 1
    assert RightsRequest.objects.count() == 0
    kept = requests311.ServiceRequest.objects.get()
    assert (kept.phone, kept.email, kept.first_name, kept.resident, kept.description) == ("", "", "", None, "路灯坏了")
    call_command("apply_retention", "--dry-run")
    assert "0 in all (dry run: nothing changed)" in capsys.readouterr().out  # applied once, nothing left to do


def test_audit_log_retention_below_six_months_is_refused(settings):
    from lifecircle.accounts.checks import retention_periods

    settings.RETAIN_AUDIT_LOG_DAYS = 90
    errors = retention_periods(None)
    assert [e.id for e in errors] == ["lifecircle.E103"] and "six months" in errors[0].msg
    settings.RETAIN_AUDIT_LOG_DAYS = 183
    assert retention_periods(None) == []


@pytest.mark.django_db
def test_sign_in_logs_are_kept_as_long_as_the_audit_log(settings):
    from axes.models import AccessFailureLog
    from axes.models import AccessLog as SignInLog

    settings.RETAIN_AUDIT_LOG_DAYS = 200
    for model in (SignInLog, AccessFailureLog):
        model.objects.create(username="old", ip_address="127.0.0.1", user_agent="x", path_info="/accounts/login/")
        model.objects.update(attempt_time=timezone.now() - datetime.timedelta(days=201))
        model.objects.create(username="recent", ip_address="127.0.0.1", user_agent="x", path_info="/accounts/login/")

    call_command("apply_retention")
    for model in (SignInLog, AccessFailureLog):
        assert list(model.objects.values_list("username", flat=True)) == ["recent"]
