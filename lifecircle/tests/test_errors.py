"""One family of refusals (lifecircle/errors.py), turned into API answers once (lifecircle/api.py)
and into pages by one helper; the API's schema documents what a view's code can be refused with."""
import importlib.util
import json
import sys

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from lifecircle import api_docs, errors
from lifecircle.api import api
from lifecircle.meals.services import Refused as MealsRefused
from lifecircle.participation.services import AlreadySupported
from lifecircle.ratelimit import RateLimited


def answer(exc):
    response = api.on_exception(RequestFactory().get("/api/anything"), exc)
    return response.status_code, response["Content-Type"], json.loads(response.content)


@pytest.mark.parametrize("exc, status, detail", [
    (errors.Refused("Choose pickup or home delivery."), 400, "Choose pickup or home delivery."),
    (errors.Conflict("Lunch is sold out."), 409, "Lunch is sold out."),
    (errors.NotFound("There is no such order."), 404, "There is no such order."),
    (errors.Refused("Not consented.", status=403), 403, "Not consented."),
    (PermissionDenied("Only staff can do this."), 403, "Only staff can do this."),
    (PermissionDenied(), 403, "You may not do this."),
    (RateLimited("Try again in 30 seconds.", 30), 429, "Try again in 30 seconds."),
    (ValidationError("Say what the proposal is about."), 400, "Say what the proposal is about."),
    (ValidationError({"title": ["Too long."], "lon": ["Outside."]}), 400, "title: Too long.; lon: Outside."),
    (AlreadySupported("You have already supported this proposal."), 409, "You have already supported this proposal."),
])
def test_the_api_answers_every_refusal_once_as_json_with_its_status(exc, status, detail):
    assert answer(exc) == (status, "application/json; charset=utf-8", {"detail": detail})


def test_the_apps_raise_the_one_family():
    """The services' refusals are lifecircle.errors' classes, not copies of them."""
    from lifecircle.accounts import pipl
    from lifecircle.babycare import services as babycare
    from lifecircle.bookings import services as bookings
    from lifecircle.eldercare import services as eldercare
    from lifecircle.homecare import services as homecare

    assert {MealsRefused, babycare.Refused, bookings.Refused, eldercare.Refused, homecare.Refused,
            pipl.Refused} == {errors.Refused}
    assert bookings.Conflict is errors.Conflict and bookings.NotFound is errors.NotFound
    assert issubclass(errors.Conflict, errors.Refused) and issubclass(errors.NotFound, errors.Refused)


@pytest.mark.django_db
def test_a_page_shows_the_reason_with_the_refusals_status(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    page = errors.refused_page(request, "homecare/refused.html", errors.Conflict("This visit is already recorded."))
    assert page.status_code == 409 and "This visit is already recorded." in page.content.decode()
    page = errors.refused_page(request, "homecare/refused.html", PermissionDenied(), default="Staff only.")
    assert page.status_code == 403 and "Staff only." in page.content.decode()
    assert errors.reason(errors.NotFound("There is no such round.")) == "There is no such round."
    assert errors.reason(PermissionDenied("Sign in first.")) == "Sign in first."


def _module(name, path, text, monkeypatch):
    """A module ``name`` loaded from ``text`` written at ``path`` (so its source can be read)."""
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    return module


def test_the_schema_reads_the_refusals_a_view_reaches_through_the_functions_it_calls(tmp_path, monkeypatch):
    """A view documents what the API answers for what it calls raising, however deep: a rule two
    calls away that raises Conflict gives 400/403/404/409; one that only raises PermissionDenied,
    403; a view calling neither, none."""
    _module("lifecircle.fake_rules", tmp_path / "fake_rules.py", (
        "from django.core.exceptions import PermissionDenied\n"
        "from lifecircle.errors import Conflict\n\n"
        "def check(x):\n    if x:\n        raise Conflict('taken')\n\n"
        "def book(x):\n    check(x)\n\n"
        "def staff(user):\n    raise PermissionDenied('staff only')\n\n"
        "def quiet():\n    return 1\n"), monkeypatch)
    views = _module("lifecircle.fake_views", tmp_path / "fake_views.py", (
        "from lifecircle import fake_rules as rules\n\n"
        "def booking(request):\n    return rules.book(1)\n\n"
        "def staff_page(request):\n    return rules.staff(request.user)\n\n"
        "def listing(request):\n    return rules.quiet()\n"), monkeypatch)
    assert api_docs.raised_codes(views.booking) == {400, 403, 404, 409}
    assert api_docs.raised_codes(views.staff_page) == {403}
    assert api_docs.raised_codes(views.listing) == set()


@pytest.mark.django_db
def test_a_real_operation_refuses_through_the_one_handler(client):
    """A signed-in user who is no resident asks for a family's applications: the service's
    PermissionDenied comes back as JSON 403 with its reason, though the view catches nothing."""
    from lifecircle.accounts.testing import make_user

    client.force_login(make_user())
    response = client.get("/api/babycare/applications", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Only residents registered with the sub-district can do this."}
