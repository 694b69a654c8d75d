"""Activity sign-ups: capacity enforced, cancel frees the place, not after the start, acting for others
needs consent; the public list, the API and the pages."""
import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_consent, make_staff
from lifecircle.eldercare import services
from lifecircle.eldercare.models import Activity, ActivitySignup
from lifecircle.notifications.models import Notification

from .conftest import DAY, at, other_resident

pytestmark = pytest.mark.django_db


def test_sign_up_and_notification(world):
    signup = services.sign_up(world.grandma.user, world.activity.pk)
    assert signup.resident == world.grandma and signup.status == "signed_up"
    note = Notification.objects.get(user=world.grandma.user)
    assert note.kind == "confirmation" and "书法班" in note.body and "2026-05-12 14:00" in note.body
    with translation.override("en"):  # shown in each reader's language
        assert (note.shown_subject, note.shown_body.split(" is signed up")[1]) == (
            "Signed up", " for 书法班 at 老年活动室, 2026-05-12 14:00.")


def test_capacity_is_enforced(world):
    services.sign_up(world.grandma.user, world.activity.pk)
    services.sign_up(world.neighbour.user, world.activity.pk)
    with pytest.raises(services.Refused, match="书法班 is full") as error:
        services.sign_up(world.mother.user, world.activity.pk)
    assert error.value.status == 409
    assert ActivitySignup.objects.count() == 2


def test_cancelling_frees_the_place(world):
    first = services.sign_up(world.grandma.user, world.activity.pk)
    services.sign_up(world.neighbour.user, world.activity.pk)
    services.cancel_signup(world.grandma.user, first.pk)
    assert Notification.objects.filter(user=world.grandma.user, kind="cancellation").exists()
    services.sign_up(world.mother.user, world.activity.pk)
    with pytest.raises(services.Refused, match="already cancelled"):
        services.cancel_signup(world.grandma.user, first.pk)


def test_no_double_sign_up(world):
    services.sign_up(world.grandma.user, world.activity.pk)
    with pytest.raises(services.Refused, match="already signed up"):
        services.sign_up(world.grandma.user, world.activity.pk)


def test_not_once_it_has_started(world, clock):
    signup = services.sign_up(world.grandma.user, world.activity.pk)
    clock["now"] = at(DAY, 14)
    with pytest.raises(services.Refused, match="has already started"):
        services.sign_up(world.neighbour.user, world.activity.pk)
    with pytest.raises(services.Refused, match="has already started"):
        services.cancel_signup(world.grandma.user, signup.pk)
    assert ActivitySignup.objects.get().status == "signed_up"


def test_signing_up_someone_else_needs_consent(world):
    with pytest.raises(PermissionDenied, match="no consent"):
        services.sign_up(world.mother.user, world.activity.pk, world.grandma)
    make_consent(principal=world.grandma, proxy=world.mother)
    signup = services.sign_up(world.mother.user, world.activity.pk, world.grandma)
    assert (signup.resident, signup.signed_up_by) == (world.grandma, world.mother)
    assert Notification.objects.filter(user=world.mother.user).exists()
    with pytest.raises(PermissionDenied, match="no consent"):
        services.cancel_signup(world.neighbour.user, signup.pk)


def test_unverified_residents_cannot_sign_up(world):
    unverified = other_resident("赵六", verified=False)
    with pytest.raises(PermissionDenied, match="not yet verified"):
        services.sign_up(unverified.user, world.activity.pk)
    assert not ActivitySignup.objects.exists()


def test_activity_rules(world):
    services.sign_up(world.grandma.user, world.activity.pk)
    services.sign_up(world.neighbour.user, world.activity.pk)
    world.activity.capacity = 1
    with pytest.raises(ValidationError, match="2 people have signed up"):
        world.activity.full_clean()
    bad = Activity(facility=world.babycare, title="x", capacity=5, start=at(DAY, 10), end=at(DAY, 9))
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert set(error.value.message_dict) == {"facility", "end"}


def test_staff_see_sign_ups_whole_at_their_facility_masked_elsewhere_and_logged(world):
    services.sign_up(world.grandma.user, world.activity.pk)
    assert services.signups_for_staff(world.club_staff, world.activity)[0]["name"] == "张秀英"
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, world.mini)
    assert services.signups_for_staff(admin, world.activity)[0]["name"] == "张*英"
    assert AccessLog.objects.filter(resident=world.grandma).count() == 2
    with pytest.raises(PermissionDenied):
        services.signups_for_staff(world.carer, world.activity)


def test_public_list_and_api(client, world):
    services.sign_up(world.grandma.user, world.activity.pk)
    listed = client.get("/api/eldercare/activities").json()
    assert [(a["title"], a["left"]) for a in listed] == [("书法班", 1)]
    html = client.get("/eldercare/").content.decode()
    assert "Calligraphy" in html and 'data-testid="places-left"' in html
    client.force_login(world.neighbour.user)
    response = client.post(f"/api/eldercare/activities/{world.activity.pk}/signups", {},
                           content_type="application/json")
    assert response.status_code == 201
    response = client.post(f"/api/eldercare/activities/{world.activity.pk}/signups", {},
                           content_type="application/json")
    assert response.status_code == 409 and "already signed up" in response.json()["detail"]
    client.force_login(world.mother.user)
    response = client.post(f"/api/eldercare/activities/{world.activity.pk}/signups", {},
                           content_type="application/json")
    assert response.status_code == 409 and "is full" in response.json()["detail"]
    client.force_login(world.neighbour.user)
    signup_id = client.get("/api/eldercare/my/signups").json()[0]["id"]
    assert client.post(f"/api/eldercare/signups/{signup_id}/cancel").json()["status"] == "cancelled"
    assert client.post(f"/api/eldercare/activities/{world.activity.pk}/signups", {},
                       content_type="application/json").status_code == 201


def test_sign_up_and_cancel_on_the_pages(client, world):
    client.post("/eldercare/", {"activity": world.activity.pk})
    assert not ActivitySignup.objects.exists()  # not signed in
    client.force_login(world.grandma.user)
    response = client.post("/eldercare/", {"activity": world.activity.pk}, follow=True)
    assert 'data-testid="signed-up"' in response.content.decode()
    signup = ActivitySignup.objects.get()
    html = client.get("/eldercare/mine/").content.decode()
    assert 'data-testid="cancel-signup"' in html
    client.post("/eldercare/mine/", {"signup": signup.pk})
    signup.refresh_from_db()
    assert signup.status == "cancelled"
    client.force_login(world.mother.user)
    response = client.post("/eldercare/", {"activity": world.activity.pk, "for": world.grandma.pk}, follow=True)
    assert "no consent" in response.content.decode()
    assert not ActivitySignup.objects.filter(status="signed_up").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL")
def test_concurrent_sign_ups_never_exceed_capacity(world):
    Activity.objects.filter(pk=world.activity.pk).update(capacity=3)
    people = [other_resident(f"居民{i}", datetime.date(1950, 1, 1)) for i in range(12)]
    barrier = threading.Barrier(len(people))
    results = [None] * len(people)

    def sign_up(i):
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                services.sign_up(people[i].user, world.activity.pk)
            results[i] = "ok"
        except services.Refused as exc:
            results[i] = exc.message
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results.count("ok") == 3, results
    assert ActivitySignup.objects.filter(activity=world.activity, status="signed_up").count() == 3


def test_pages_speak_chinese_first(zh_client, world):
    html = zh_client.get("/eldercare/").content.decode()
    assert "老年人活动" in html and "书法班" in html and "剩余2个名额" in html
    zh_client.force_login(world.grandma.user)
    zh_client.post("/eldercare/", {"activity": world.activity.pk})
    response = zh_client.post("/eldercare/", {"activity": world.activity.pk}, follow=True)
    html = response.content.decode()
    assert '<li class="ui-message ui-error">张秀英已报名参加书法班。</li>' in html  # the refusal of a second sign-up


def test_the_api_is_in_the_openapi_schema(client, world):
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/eldercare/activities", "/api/eldercare/activities/{activity_id}/signups",
                 "/api/eldercare/staff/admissions", "/api/eldercare/staff/health-checks",
                 "/api/eldercare/staff/health-consents", "/api/eldercare/my/health-checks",
                 "/api/eldercare/staff/occupancy"):
        for operation in schema["paths"][path].values():
            assert operation.get("description"), path
    components = schema["components"]["schemas"]
    assert {"left", "capacity", "start"} <= set(components["CareActivityOut"]["properties"])
    assert {"systolic", "glucose"} <= set(components["CareHealthCheckIn"]["properties"])
