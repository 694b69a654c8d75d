"""Health checks: only with the resident's recorded consent, only plausible readings, the resident
sees their own history, every staff read is logged."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.eldercare import services
from lifecircle.eldercare.models import HealthCheck, HealthConsent

from .conftest import DAY, at

pytestmark = pytest.mark.django_db

GOOD = {"systolic": 135, "diastolic": 85, "pulse": 72, "glucose": Decimal("6.1"), "weight": Decimal("58.5")}


@pytest.fixture
def consent(world):
    return services.record_consent(world.carer, world.grandma, "signed form 2026-031")


def test_no_check_without_consent(world):
    with pytest.raises(services.Refused, match="has not consented to health records") as error:
        services.record_check(world.carer, world.grandma, world.canteen, GOOD)
    assert error.value.status == 403
    assert not HealthCheck.objects.exists()


def test_check_with_consent_is_recorded(world, consent):
    check = services.record_check(world.carer, world.grandma, world.canteen, GOOD, notes="饭后")
    assert (check.systolic, check.diastolic, check.pulse, check.glucose, check.weight) == (
        135, 85, 72, Decimal("6.1"), Decimal("58.5"))
    assert check.consent == consent and check.recorded_by == world.carer and check.measured_at == at(DAY, 8)
    assert consent.recorded_by == world.carer and consent.recorded_at == at(DAY, 8)


def test_revoked_consent_stops_further_checks(world, consent):
    services.record_check(world.carer, world.grandma, world.canteen, {"pulse": 70})
    services.revoke_consent(world.carer, consent.pk)
    with pytest.raises(services.Refused, match="has not consented"):
        services.record_check(world.carer, world.grandma, world.canteen, {"pulse": 70})
    assert HealthCheck.objects.count() == 1
    with pytest.raises(services.Refused, match="already revoked"):
        services.revoke_consent(world.carer, consent.pk)
    services.record_consent(world.carer, world.grandma, "form 2026-040")  # consent given again
    services.record_check(world.carer, world.grandma, world.canteen, {"pulse": 70})


def test_consent_is_recorded_by_senior_staff_only_and_once(world, consent):
    with pytest.raises(services.Refused, match="already on record"):
        services.record_consent(world.carer, world.grandma, "again")
    babycare_staff = make_staff(StaffRole.Role.BABY_CARE_STAFF, world.mini, facility=world.babycare)
    for user in (babycare_staff, world.mother.user):
        with pytest.raises(PermissionDenied, match="Only staff of a senior service facility"):
            services.record_consent(user, world.neighbour, "form")
    with pytest.raises(services.Refused, match="how consent was given"):
        services.record_consent(world.carer, world.neighbour, "  ")
    assert HealthConsent.objects.count() == 1


def test_consent_belongs_to_the_facility_where_it_was_given_and_is_logged(world, consent):
    assert consent.facility == world.canteen
    assert AccessLog.objects.filter(user=world.carer, resident=world.grandma, action="consent").count() == 1
    with pytest.raises(services.Refused, match="no such consent") as refused:  # staff of another facility
        services.revoke_consent(world.home_staff, consent.pk)
    assert refused.value.status == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None
    with pytest.raises(PermissionDenied, match="do not work at"):
        services.record_consent(world.carer, world.neighbour, "form 8", facility=world.home)
    services.revoke_consent(world.carer, consent.pk)
    assert AccessLog.objects.filter(user=world.carer, resident=world.grandma, action="consent").count() == 2


def test_refusals_about_health_consent_do_not_name_the_person(world, consent):
    for call in (lambda: services.record_consent(world.carer, world.grandma, "again"),
                 lambda: services.record_check(world.carer, world.neighbour, world.canteen, GOOD)):
        with pytest.raises(services.Refused) as refused:
            call()
        assert "张秀英" not in refused.value.message and "陈伟" not in refused.value.message


@pytest.mark.parametrize(("readings", "reason"), [
    ({"systolic": 59, "diastolic": 40}, "Ensure this value is greater than or equal to 60"),
    ({"systolic": 261, "diastolic": 90}, "less than or equal to 260"),
    ({"systolic": 120, "diastolic": 29}, "greater than or equal to 30"),
    ({"systolic": 120, "diastolic": 120}, "diastolic pressure must be below the systolic"),
    ({"systolic": 120}, "both systolic and diastolic"),
    ({"pulse": 29}, "greater than or equal to 30"),
    ({"pulse": 221}, "less than or equal to 220"),
    ({"glucose": Decimal("0.9")}, "greater than or equal to 1.0"),
    ({"glucose": Decimal("35.1")}, "less than or equal to 35.0"),
    ({"weight": Decimal("19.9")}, "greater than or equal to 20.0"),
    ({"weight": Decimal("250.5")}, "less than or equal to 250.0"),
    ({}, "at least one reading"),
    ({"temperature": 37}, "Unknown readings: temperature"),
])
def test_implausible_readings_are_refused(world, consent, readings, reason):
    with pytest.raises(services.Refused, match=reason):
        services.record_check(world.carer, world.grandma, world.canteen, readings)
    assert not HealthCheck.objects.exists()


def test_the_reason_names_the_reading(world, consent):
    with pytest.raises(services.Refused, match=r"blood pressure, systolic \(mmHg\)"):
        services.record_check(world.carer, world.grandma, world.canteen, {"systolic": 300, "diastolic": 90})


def test_boundaries_are_accepted(world, consent):
    services.record_check(world.carer, world.grandma, world.canteen, {
        "systolic": 260, "diastolic": 160, "pulse": 220, "glucose": Decimal("35.0"), "weight": Decimal("250.0")})
    services.record_check(world.carer, world.grandma, world.canteen, {
        "systolic": 60, "diastolic": 30, "pulse": 30, "glucose": Decimal("1.0"), "weight": Decimal("20.0")})


def test_checks_cannot_be_dated_in_the_future(world, consent):
    with pytest.raises(services.Refused, match="time still to come"):
        services.record_check(world.carer, world.grandma, world.canteen, {"pulse": 70},
                              measured_at=at(DAY, 12))


def test_only_the_facilitys_staff_record_there(world, consent):
    with pytest.raises(PermissionDenied, match="do not work at"):
        services.record_check(world.home_staff, world.grandma, world.canteen, GOOD)
    with pytest.raises(PermissionDenied):
        services.record_check(world.grandma.user, world.grandma, world.canteen, GOOD)
    assert not HealthCheck.objects.exists()


def test_staff_reads_are_logged_and_limited_to_their_facility(world, consent, clock):
    services.record_check(world.carer, world.grandma, world.canteen, GOOD)
    clock["now"] = at(DAY, 9)
    services.record_check(world.home_staff, world.grandma, world.home, {"pulse": 70})
    checks = services.staff_health_checks(world.carer, world.canteen)
    assert [c.facility for c in checks] == [world.canteen]
    assert AccessLog.objects.filter(user=world.carer, resident=world.grandma, action="view").count() == 1
    with pytest.raises(PermissionDenied):
        services.staff_health_checks(world.home_staff, world.canteen)
    clock["now"] = at(DAY + datetime.timedelta(days=15), 9)
    assert services.staff_health_checks(world.carer, world.canteen) == []  # older than two weeks


def test_resident_sees_only_their_own_history(client, world, consent):
    services.record_check(world.carer, world.grandma, world.canteen, GOOD)
    client.force_login(world.grandma.user)
    checks = client.get("/api/eldercare/my/health-checks").json()
    assert [(c["systolic"], c["diastolic"], c["glucose"]) for c in checks] == [(135, 85, "6.1")]
    html = client.get("/eldercare/mine/").content.decode()
    assert "135/85" in html and "6.1 mmol/L" in html
    client.force_login(world.mother.user)
    assert client.get("/api/eldercare/my/health-checks").json() == []
    assert "135/85" not in client.get("/eldercare/mine/").content.decode()
    assert not AccessLog.objects.filter(action="view").exists()  # a resident reading their own data is not logged


def test_health_api_for_staff(client, world):
    client.force_login(world.carer)
    post = lambda url, data: client.post(url, data, content_type="application/json")  # noqa: E731
    response = post("/api/eldercare/staff/health-checks",
                    {"resident": world.grandma.pk, "facility": world.canteen.pk, "pulse": 70})
    assert response.status_code == 403 and "has not consented" in response.json()["detail"]
    response = post("/api/eldercare/staff/health-consents", {"resident": world.grandma.pk, "evidence": "form 1"})
    assert response.status_code == 201
    response = post("/api/eldercare/staff/health-checks",
                    {"resident": world.grandma.pk, "facility": world.canteen.pk, "systolic": 300, "diastolic": 80})
    assert response.status_code == 400 and "260" in response.json()["detail"]
    response = post("/api/eldercare/staff/health-checks",
                    {"resident": world.grandma.pk, "facility": world.canteen.pk, "systolic": 128, "diastolic": 82})
    assert response.status_code == 201 and response.json()["systolic"] == 128
    listed = client.get(f"/api/eldercare/staff/health-checks?facility={world.canteen.pk}&resident={world.grandma.pk}")
    assert [c["systolic"] for c in listed.json()] == [128]
    assert AccessLog.objects.filter(user=world.carer, resident=world.grandma, action="view").count() == 1
    client.force_login(world.grandma.user)
    assert client.get(f"/api/eldercare/staff/health-checks?facility={world.canteen.pk}").status_code == 403


def test_staff_console_health_check_needs_consent(client, world):
    client.force_login(world.carer)
    data = {"resident": world.grandma.pk, "facility": world.canteen.pk, "measured_at_0": "2026-05-12",
            "measured_at_1": "07:30", "pulse": "70", "notes": ""}
    response = client.post("/admin/eldercare/healthcheck/add/", data)
    assert response.status_code == 200 and "has not consented" in response.content.decode()
    services.record_consent(world.carer, world.grandma, "form 1")
    data["pulse"] = "300"
    assert client.post("/admin/eldercare/healthcheck/add/", data).status_code == 200
    data["pulse"] = "70"
    assert client.post("/admin/eldercare/healthcheck/add/", data).status_code == 302
    check = HealthCheck.objects.get()
    assert check.recorded_by == world.carer and check.consent.resident == world.grandma
    client.get(f"/admin/eldercare/healthcheck/{check.pk}/change/")
    assert AccessLog.objects.filter(user=world.carer, resident=world.grandma).exists()
