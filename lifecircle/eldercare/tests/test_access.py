"""Senior care through the access layer (issue 10): a name-and-phone search at the counter is
audited, and the health-record consent console is limited to the facility where consent was given."""
import pytest

from lifecircle.accounts.models import AccessLog
from lifecircle.eldercare import services
from lifecircle.eldercare.models import HealthConsent

pytestmark = pytest.mark.django_db


def test_a_name_and_phone_search_is_audited_with_the_phone_masked(client, world):
    client.force_login(world.carer)
    client.post("/eldercare/staff/", {"facility": world.canteen.pk, "name": "张秀英", "phone": "139-0000-1111",
                                      "action": "consent", "evidence": "form 9"})
    search = AccessLog.objects.get(action="search")
    assert (search.user, search.resident) == (world.carer, world.grandma)
    assert "13900001111" not in search.purpose and "139****1111" in search.purpose
    client.post("/eldercare/staff/", {"facility": world.canteen.pk, "name": "无此人", "phone": "139-0000-1111",
                                      "action": "consent", "evidence": "form 9"})
    assert AccessLog.objects.filter(action="search", resident__isnull=True).count() == 1  # misses count too


def test_consents_of_another_facility_are_not_in_the_console(client, world):
    consent = services.record_consent(world.carer, world.grandma, "form 1")
    client.force_login(world.home_staff)
    assert "张*英" not in client.get("/admin/eldercare/healthconsent/").content.decode()
    assert client.get(f"/admin/eldercare/healthconsent/{consent.pk}/change/").status_code == 302
    client.post("/admin/eldercare/healthconsent/", {"action": "revoke", "_selected_action": [consent.pk]})
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_consent_added_in_the_console_is_at_one_of_the_users_facilities(client, world):
    client.force_login(world.home_staff)
    response = client.post("/admin/eldercare/healthconsent/add/", {
        "resident": world.neighbour.pk, "facility": world.canteen.pk, "evidence": "form 3"})
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not HealthConsent.objects.exists()
    response = client.post("/admin/eldercare/healthconsent/add/", {
        "resident": world.neighbour.pk, "facility": world.home.pk, "evidence": "form 3"})
    assert response.status_code == 302
    consent = HealthConsent.objects.get()
    assert (consent.facility, consent.recorded_by) == (world.home, world.home_staff)
    assert AccessLog.objects.filter(user=world.home_staff, resident=world.neighbour, action="consent").exists()
