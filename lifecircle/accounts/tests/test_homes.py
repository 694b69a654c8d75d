"""One home per role: residents land on theirs, staff on the staff home (never "not linked to a
resident" nor "no staff role" for an administrator), planners find the planning pages of their
sub-district there, and the coverage page links to the rest of the workbench."""
import datetime

import pytest
from django.test import Client

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff, make_user
from lifecircle.community.models import Compound, Grid
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-only"


@pytest.fixture
def mini(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return load_pack(MINI)


def sign_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    return client, response["Location"]


def test_each_role_lands_on_its_own_home(mini):
    resident = make_resident(make_household(Compound.objects.get(code="a")), "李红", datetime.date(1980, 1, 1))
    worker = make_staff(StaffRole.Role.GRID_WORKER, mini, grid=Grid.objects.get(code="east"))
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, mini)
    assert sign_in(resident.user)[1] == "/accounts/me/"
    assert sign_in(worker)[1] == "/accounts/staff/"
    assert sign_in(admin)[1] == "/accounts/staff/"
    client, _ = sign_in(worker)
    follow = client.get("/accounts/me/", follow=True)
    assert follow.redirect_chain[-1][0] == "/accounts/staff/"
    assert "not linked to a resident" not in follow.content.decode()


def test_the_superuser_is_told_what_they_are_not_that_they_have_no_role(mini):
    root = make_user(is_staff=True, is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(root)
    page = client.get("/accounts/staff/").content.decode()
    assert "You hold no staff role" not in page and "Site administrator" in page


def test_planners_find_the_planning_pages_of_their_sub_district(mini):
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, mini)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    page = client.get("/accounts/staff/").content.decode()
    for path in ("coverage", "scenarios", "siting", "compare", "dashboard"):
        assert f'href="/s/mini/planning/{path}/"' in page, path
    worker = Client(HTTP_ACCEPT_LANGUAGE="en")
    worker.force_login(make_staff(StaffRole.Role.GRID_WORKER, mini, grid=Grid.objects.get(code="east")))
    assert "/s/mini/planning/scenarios/" not in worker.get("/accounts/staff/").content.decode()
    coverage = client.get("/s/mini/planning/coverage/").content.decode()
    assert 'href="/s/mini/planning/scenarios/"' in coverage and 'href="/s/mini/planning/dashboard/"' in coverage
