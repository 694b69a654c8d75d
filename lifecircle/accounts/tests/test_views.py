import datetime
import re

import pytest
from django.utils import timezone

from lifecircle.accounts.models import Consent, StaffRole
from lifecircle.accounts.testing import make_child, make_consent, make_household, make_resident, make_staff
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.notifications.models import Notification
from lifecircle.notifications.service import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    load_pack(MINI)
    home = make_household(Compound.objects.get(code="a"))
    mother = make_resident(home, "李红", datetime.date(1990, 3, 1), email="li@example.org")
    grandma = make_resident(home, "张秀英", datetime.date(1945, 8, 9))
    make_child(home, "王小宝")
    make_consent(principal=grandma, proxy=mother)
    return mother, grandma


def test_resident_home_shows_household_and_who_acts_for_whom(client, family):
    mother, grandma = family
    client.force_login(mother.user)
    response = client.get("/accounts/me/")
    page = response.content.decode()
    assert "李红" in page and "王小宝" in page
    assert [p.name for p in response.context["acting_for"]] == ["张秀英"] and response.context["acting_persons"] == []
    assert "张秀英" in page.split("I may act for")[-1] and "Who may act for me" not in page
    client.force_login(grandma.user)
    response = client.get("/accounts/me/")
    assert [p.name for p in response.context["acting_persons"]] == ["李红"] and response.context["acting_for"] == []
    assert "李红" in response.content.decode().split("Who may act for me")[-1]
    Consent.objects.update(revoked_at=timezone.now())  # a revoked consent is shown on neither side
    assert not client.get("/accounts/me/").context["acting_persons"]
    client.force_login(mother.user)
    assert not client.get("/accounts/me/").context["acting_for"]


def test_the_resident_home_decrypts_no_id_number_but_the_residents_own(client, family, monkeypatch):
    """The household and the consents are shown by name: the other people's ID numbers, which the
    page never shows, are not read (each one read is decrypted)."""
    from lifecircle.accounts import crypto

    mother, grandma = family
    for person, number in ((mother, "110101199003011234"), (grandma, "110101194508091234")):
        person.id_number = number
        person.save()
    decrypted = []
    real_decrypt = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda token: decrypted.append(real_decrypt(token)) or decrypted[-1])
    client.force_login(mother.user)
    page = client.get("/accounts/me/").content.decode()
    assert "张秀英" in page.split("I may act for")[-1] and page.count("张秀英") == 2  # a member, and acted for
    assert decrypted == ["110101199003011234"]


def test_login_required(client, db):
    response = client.get("/accounts/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/login/").status_code == 200


def test_notifications_are_listed_read_and_emailed_after_commit(client, family, mailoutbox, django_capture_on_commit_callbacks):
    mother, _ = family
    with django_capture_on_commit_callbacks(execute=True):
        notify(mother.user, "confirmation", "预约已确认", "会议室 3月1日 10:00", "/x/")
    assert [m.subject for m in mailoutbox] == ["预约已确认"] and mailoutbox[0].to == ["li@example.org"]
    assert Notification.objects.get().emailed
    client.force_login(mother.user)
    assert "预约已确认" in client.get("/accounts/me/notifications/").content.decode()
    assert Notification.objects.get().read_at is not None


def test_no_email_when_the_change_rolls_back(family, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    mother, _ = family
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(mother.user, "offer", "offer", "body")
                raise RuntimeError("refused")
        except RuntimeError:
            pass
    assert mailoutbox == [] and not Notification.objects.exists()


def test_staff_home_lists_roles(client, family):
    from lifecircle.community.models import SubDistrict

    staff = make_staff(StaffRole.Role.GRID_WORKER, SubDistrict.objects.get(), grid=SubDistrict.objects.get().grids.first())
    client.force_login(staff)
    page = client.get("/accounts/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "grid worker" in page
    from lifecircle.directory.models import Facility

    cook = make_staff(StaffRole.Role.CANTEEN_STAFF, SubDistrict.objects.get(), facility=Facility.objects.get(code="canteen"))
    client.force_login(cook)
    page = client.get("/accounts/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "canteen staff" in page and "Seniors&#x27; canteen" in page


def test_large_text_switch_is_remembered(client, db):
    response = client.post("/accounts/text-size/", {"next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies["lifecircle_text"].value == "large"
    assert 'class="large-text' in client.get("/accounts/login/").content.decode()
    client.post("/accounts/text-size/", {"next": "https://evil.example/"})
    assert client.cookies["lifecircle_text"].value == "normal"


def test_the_resident_home_compiles_its_queries_once_per_process(client, family, monkeypatch):
    """After a first visit, the home's queries are run from their kept SQL: building and compiling
    them through the ORM took about 2 ms of CPU on every visit (lifecircle.compiled_queries)."""
    from django.db.models.sql.compiler import SQLCompiler

    mother, grandma = family
    notify(mother.user, "offer", "A place for 王小宝", "body", url="/babycare/")
    client.force_login(mother.user)
    unmasked = lambda page: re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", page)  # (masked anew each time)
    first = unmasked(client.get("/accounts/me/").content)
    compiled = []
    real_as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(self.query.model) or
                        real_as_sql(self, *a, **k))
    assert unmasked(client.get("/accounts/me/").content) == first and compiled == []
    client.force_login(grandma.user)  # (signing in compiles the session's and the login's queries)
    compiled.clear()
    page = client.get("/accounts/me/").content.decode()
    assert compiled == [] and "李红" in page.split("Who may act for me")[-1] and "A place for" not in page
