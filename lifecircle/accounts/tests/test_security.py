"""Signing in safely: lockout after wrong passwords (per account and per address, on the site's
login and the staff console's), a second factor for staff, shorter staff sessions."""
import time

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lifecircle.accounts.security import DEMO_GROUP
from lifecircle.accounts.testing import make_user
from lifecircle.community.models import SubDistrict
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-only"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.AXES_FAILURE_LIMIT = 5


def sign_in(client, username, password, ip="198.51.100.1", url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_wrong_passwords_lock_the_account_even_for_the_right_one(client, url):
    user = make_user("clerk", is_staff=True, is_superuser=True)
    for n in range(4):  # from several addresses, so that only the account's count applies
        assert sign_in(client, "clerk", "guess", ip=f"203.0.113.{n}", url=url).status_code == 200
    assert sign_in(client, "clerk", "guess", ip="203.0.113.4", url=url).status_code == 429  # the fifth
    locked = sign_in(client, "clerk", PASSWORD, ip="203.0.113.99", url=url)
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Too many wrong passwords" in text and "try again in 15 minutes" in text
    assert locked["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    other = make_user("other")
    assert sign_in(client, other.username, PASSWORD, ip="203.0.113.98").status_code == 302  # others sign in
    assert user.pk


def test_wrong_passwords_from_one_address_lock_that_address(client):
    for n in range(5):  # five accounts, one address
        sign_in(client, f"someone{n}", "guess", ip="192.0.2.7")
    make_user("resident")
    assert sign_in(client, "resident", PASSWORD, ip="192.0.2.7").status_code == 429
    assert sign_in(client, "resident", PASSWORD, ip="192.0.2.8").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, settings):
    import datetime

    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=1)
    make_user("clerk")
    for _ in range(5):
        sign_in(client, "clerk", "guess")
    assert sign_in(client, "clerk", PASSWORD).status_code == 429
    time.sleep(1.2)
    assert sign_in(client, "clerk", PASSWORD).status_code == 302


def test_behind_a_proxy_the_forged_first_address_does_not_escape_the_lockout(client, settings):
    settings.TRUSTED_PROXIES = 1
    make_user("clerk")
    for n in range(5):  # a new forged address every time, the same real one added by the proxy
        client.post("/accounts/login/", {"username": f"x{n}", "password": "guess"}, REMOTE_ADDR="10.0.0.1",
                    HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.50")
    assert client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1",
                       HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.50").status_code == 429
    assert client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1",
                       HTTP_X_FORWARDED_FOR="198.51.100.51").status_code == 302


# ---- second factor ------------------------------------------------------------------------------

def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def unthrottle(device):
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)


@pytest.fixture
def two_factor(settings):
    settings.STAFF_TWO_FACTOR = True


def test_staff_enrol_with_a_qr_code_then_reach_the_console(client, two_factor):
    staff = make_user("clerk", is_staff=True, is_superuser=True)
    assert sign_in(client, "clerk", PASSWORD).status_code == 302
    to_verify = client.get("/admin/")
    assert to_verify.status_code == 302 and to_verify["Location"] == "/accounts/second-factor/?next=%2Fadmin%2F"
    enrol = client.get(to_verify["Location"], follow=True)
    page = enrol.content.decode()
    assert enrol.redirect_chain[-1][0].startswith("/accounts/second-factor/enrol/")
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.post("/accounts/second-factor/enrol/", {"code": "000000", "next": "/admin/"}).status_code == 400
    unthrottle(device)  # django-otp makes each try after a wrong code wait longer (1 s, 2 s, 4 s …)
    done = client.post("/accounts/second-factor/enrol/", {"code": code(device), "next": "/admin/"})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_staff_with_a_device_must_give_a_code_each_sign_in(client, two_factor):
    staff = make_user("clerk", is_staff=True)
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    sign_in(client, "clerk", PASSWORD)
    assert client.get("/accounts/staff/")["Location"].startswith("/accounts/second-factor/")
    # enrolling a second device with the password alone is not possible
    assert client.get("/accounts/second-factor/enrol/")["Location"] == "/accounts/second-factor/"
    api = client.get("/api/openapi.json")
    assert api.status_code == 403 and "second factor" in api.json()["detail"]
    wrong = client.post("/accounts/second-factor/", {"code": "123456", "next": "/accounts/staff/"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    unthrottle(device)
    right = client.post("/accounts/second-factor/", {"code": code(device), "next": "/accounts/staff/"})
    assert right["Location"] == "/accounts/staff/"
    assert client.get("/accounts/staff/").status_code == 200


def test_residents_are_not_asked_for_a_second_factor(client, two_factor):
    make_user("resident")
    sign_in(client, "resident", PASSWORD)
    assert client.get("/accounts/me/").status_code == 200


def test_a_role_given_during_a_session_asks_for_the_second_factor_at_the_next_request(client, two_factor):
    # Whether a signed-in user holds a staff role is read with the user on every request (one query,
    # UserWithRoleBackend), never remembered from an earlier one.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecircle.accounts.models import StaffRole

    person = make_user("resident")
    sign_in(client, "resident", PASSWORD)
    client.get("/accounts/me/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/accounts/me/").status_code == 200
    asked_alone = [q["sql"] for q in queries if q["sql"].lstrip().startswith('SELECT 1 AS "a" FROM "accounts_staffrole"')]
    assert asked_alone == []  # asked inside the user's own query instead
    load_pack(MINI)
    StaffRole.objects.create(user=person, role=StaffRole.Role.ADMINISTRATOR,
                             subdistrict=SubDistrict.objects.get())
    assert client.get("/accounts/me/")["Location"].startswith("/accounts/second-factor/")


def test_the_demo_administrator_needs_no_second_factor_except_in_production(client, settings, two_factor):
    demo = make_user("demo-admin", is_staff=True, is_superuser=True)
    demo.groups.add(Group.objects.create(name=DEMO_GROUP))
    sign_in(client, "demo-admin", PASSWORD)
    assert client.get("/admin/").status_code == 200
    settings.PRODUCTION = True
    assert client.get("/admin/").status_code == 302


# ---- session length -----------------------------------------------------------------------------

def test_staff_sessions_are_short_and_residents_keep_theirs(client, settings):
    settings.STAFF_SESSION_AGE = 4 * 3600
    make_user("clerk", is_staff=True)
    sign_in(client, "clerk", PASSWORD)
    assert client.session.get_expiry_age() == 4 * 3600
    client.post("/accounts/logout/")
    make_user("resident")
    sign_in(client, "resident", PASSWORD)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 14 * 24 * 3600


def test_the_backend_loads_the_user_with_whether_they_hold_a_staff_role(db):
    from lifecircle.accounts.models import StaffRole
    from lifecircle.accounts.security import UserWithRoleBackend

    backend = UserWithRoleBackend()
    person, other = make_user("resident"), make_user("someone")
    loaded = backend.get_user(person.pk)
    assert loaded == person and loaded.username == "resident" and loaded.holds_staff_role is False
    load_pack(MINI)
    StaffRole.objects.create(user=person, role=StaffRole.Role.ADMINISTRATOR, subdistrict=SubDistrict.objects.get())
    assert backend.get_user(person.pk).holds_staff_role is True
    assert backend.get_user(other.pk).holds_staff_role is False  # another's role is not theirs
    other.is_active = False
    other.save()
    assert backend.get_user(other.pk) is None and backend.get_user(person.pk + other.pk + 1000) is None
