"""Staff make a one-time reset link for a resident they look after; the sign-out link."""
import datetime
import re

import pytest

from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff, make_user
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def world():
    mini = load_pack(MINI)
    west = make_resident(make_household(Compound.objects.get(code="a")), "张秀英", datetime.date(1945, 8, 9))
    east = make_resident(make_household(Compound.objects.get(code="b")), "陈伟")
    return mini, west, east


def make_link(client, resident):
    return client.post(f"/accounts/staff/password-reset/{resident.pk}/")


def test_a_grid_worker_makes_a_one_time_link_for_a_resident_of_their_grid(client, world):
    mini, west, east = world
    worker = make_staff(StaffRole.Role.GRID_WORKER, mini, grid=mini.grids.get(code="west"))
    client.force_login(worker)
    found = client.get("/accounts/staff/password-reset/", {"q": "张秀英"}).content.decode()
    listed = found.split('data-testid="password-reset-found"', 1)[1]
    assert "张*英" in listed and "张秀英" not in listed and "陈" not in listed  # masked; their grid only
    assert make_link(client, east).status_code == 404  # another grid's resident
    response = make_link(client, west)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    link = re.search(r'data-testid="reset-link">(http[^<]+)<', response.content.decode()).group(1)
    assert AccessLog.objects.filter(user=worker, resident=west, action="password_reset").count() == 1

    client_class = type(client)
    resident = client_class()
    page = resident.get(link, follow=True)
    assert "Choose a new password" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    done = resident.post(form_url, {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"})
    assert done.status_code == 302
    west.user.refresh_from_db()
    assert west.user.check_password("a-new-long-passphrase")
    again = client_class().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()  # once only


def test_only_grid_workers_and_administrators_and_never_for_staff_accounts(client, world):
    mini, west, east = world
    canteen = make_staff(StaffRole.Role.CANTEEN_STAFF, mini, facility=Facility.objects.first())
    client.force_login(canteen)
    assert client.get("/accounts/staff/password-reset/").status_code == 403
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, mini)
    client.force_login(admin)
    assert make_link(client, east).status_code == 200  # administrators: every resident
    west.user.is_staff = True
    west.user.save()
    assert make_link(client, west).status_code == 403
    assert client.get("/accounts/staff/password-reset/").status_code == 200


def test_every_page_has_a_sign_out_button_that_posts(client):
    user = make_user("resident")
    client.force_login(user)
    page = client.get("/accounts/me/").content.decode()
    assert re.search(r'<form class="sign-out" action="/accounts/logout/" method="post"', page)
    assert "csrfmiddlewaretoken" in page.split('class="sign-out"', 1)[1].split("</form>", 1)[0]
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert 'class="sign-out"' not in client.get("/accounts/login/").content.decode()
