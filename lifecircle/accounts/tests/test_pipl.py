"""PIPL rights in the accounts app: ID numbers encrypted at rest, the "my data" pages and
downloads, correction and erasure requests and who may resolve them."""
import datetime
import io
import json
import zipfile

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.utils import translation

from lifecircle.accounts import crypto, pipl
from lifecircle.accounts.checks import field_key_is_set
from lifecircle.accounts.models import AccessLog, Resident, RightsRequest, StaffRole
from lifecircle.accounts.testing import make_child, make_consent, make_household, make_resident, make_staff
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.notifications.models import Notification
from lifecircle.testing import client  # noqa: F401  (a fixture shared by the apps' tests)

pytestmark = pytest.mark.django_db

ID_NUMBER = "310106194508091234"


@pytest.fixture
def family():
    mini = load_pack(MINI)
    home = make_household(Compound.objects.get(code="a"))
    mother = make_resident(home, "李红", datetime.date(1990, 3, 1), email="li@example.org")
    grandma = make_resident(home, "张秀英", datetime.date(1945, 8, 9), id_number=ID_NUMBER, phone="13912345678")
    make_child(home, "王小宝")
    make_consent(principal=grandma, proxy=mother)
    stranger = make_resident(make_household(Compound.objects.get(code="c")), "赵强", datetime.date(1980, 1, 1))
    grid = grandma.household.compound.grid
    return {"mother": mother, "grandma": grandma, "stranger": stranger, "mini": mini,
            "grid_worker": make_staff(StaffRole.Role.GRID_WORKER, mini, grid=grid),
            "admin": make_staff(StaffRole.Role.ADMINISTRATOR, mini)}


# --- encryption at rest -------------------------------------------------------------------------

def stored_id_number(resident):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM accounts_resident WHERE id = %s", [resident.pk])
        return cursor.fetchone()


def test_id_numbers_are_encrypted_at_rest_and_found_by_keyed_hash(family):
    grandma = family["grandma"]
    token, digest = stored_id_number(grandma)
    assert ID_NUMBER not in token and token.startswith("gAAAA")  # a Fernet token, not the number
    assert Fernet(crypto.field_key()).decrypt(token.encode()).decode() == ID_NUMBER
    assert Resident.objects.get(pk=grandma.pk).id_number == ID_NUMBER
    assert digest == crypto.lookup_hash(ID_NUMBER) and len(digest) == 64 and ID_NUMBER not in digest
    assert list(Resident.objects.with_id_number(" 310106 194508091234 ")) == [grandma]
    assert not Resident.objects.with_id_number("").exists()
    grandma.id_number = ""
    grandma.save(update_fields=["id_number"])
    assert stored_id_number(grandma) == ("", "")


def test_equal_numbers_encrypt_differently_but_one_person_per_number(family):
    mother = family["mother"]
    mother.id_number = ID_NUMBER.lower()[:-1] + "4"
    with pytest.raises(ValidationError, match="Another resident has this ID number"):
        mother.full_clean()
    assert crypto.encrypt(ID_NUMBER) != crypto.encrypt(ID_NUMBER)


def test_the_hash_depends_on_the_key(settings):
    before = crypto.lookup_hash(ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert crypto.lookup_hash(ID_NUMBER) != before
    token = crypto.encrypt(ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        crypto.decrypt(token)
    settings.FIELD_ENCRYPTION_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="Fernet key"):
        crypto.encrypt(ID_NUMBER)


def test_deploy_check_requires_a_field_key(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    assert [e.id for e in field_key_is_set(None)] == ["lifecircle.E101"]
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert field_key_is_set(None) == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_numbers_stored_in_plain_text():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0001_initial")])
    old_apps = executor.loader.project_state([("accounts", "0001_initial")]).apps
    load_pack(MINI)  # through today's models: the tables it writes are unchanged by this migration
    OldResident = old_apps.get_model("accounts", "Resident")
    home = old_apps.get_model("accounts", "Household").objects.create(compound_id=Compound.objects.get(code="a").pk)
    plain = OldResident.objects.create(household=home, name="张秀英", birth_date=datetime.date(1945, 8, 9),
                                       id_number=ID_NUMBER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # every app back to its latest state
    token, digest = stored_id_number(plain)
    assert token != ID_NUMBER and digest == crypto.lookup_hash(ID_NUMBER)
    assert Resident.objects.get(pk=plain.pk).id_number == ID_NUMBER


# --- my data ------------------------------------------------------------------------------------

def test_my_data_shows_details_masked_and_who_read_them(client, family):
    grandma = family["grandma"]
    AccessLog.objects.create(user=family["grid_worker"], action="view", purpose="admin /admin/x", resident=grandma)
    client.force_login(grandma.user)
    page = client.get("/accounts/me/data/").content.decode()
    assert "310***********1234" in page and ID_NUMBER not in page and "139****5678" in page
    assert "grid worker" in page and "admin /admin/x" in page  # the staff read, with the reader's role
    assert "王小宝" in page  # her household's child


def test_acting_for_needs_live_consent(client, family):
    mother, grandma, stranger = family["mother"], family["grandma"], family["stranger"]
    client.force_login(mother.user)
    assert client.get(f"/accounts/me/data/?person={grandma.pk}").status_code == 200
    assert client.get(f"/accounts/me/data/download.json?person={stranger.pk}").status_code == 403
    assert client.get("/accounts/me/data/?person=abc").status_code == 403
    grandma.consents_given.update(revoked_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))
    assert client.get(f"/accounts/me/data/?person={grandma.pk}").status_code == 403
    client.force_login(family["admin"])  # staff without a resident of their own have no "my data"
    assert client.get("/accounts/me/data/").status_code == 403


def test_downloads_hold_everything(client, family):
    grandma = family["grandma"]
    client.force_login(family["mother"].user)
    response = client.get(f"/accounts/me/data/download.json?person={grandma.pk}")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["resident"]["id_number"] == ID_NUMBER  # the download is hers, in full
    assert data["apps"]["accounts"]["holdings"][0]["model"] == "accounts.Consent"
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/accounts/me/data/download.zip?person={grandma.pk}").content))
    assert {"resident.csv", "accounts/Consent.csv", "staff_reads.csv", "all.json"} <= set(archive.namelist())
    assert ID_NUMBER in archive.read("resident.csv").decode("utf-8-sig")


# --- corrections --------------------------------------------------------------------------------

def test_a_correction_is_asked_applied_notified_and_audited(client, family):
    mother, grandma, worker = family["mother"], family["grandma"], family["grid_worker"]
    client.force_login(mother.user)  # she asks for her mother, with consent
    response = client.post("/accounts/me/data/correction/", {"person": grandma.pk, "field": "phone",
                                                             "new_value": "13900001111", "details": "换号了"})
    assert response.status_code == 302
    item = RightsRequest.objects.get()
    assert (item.resident, item.submitted_by, item.status) == (grandma, mother, "open")

    client.force_login(worker)
    assert f"/accounts/staff/privacy/{item.pk}/" in client.get("/accounts/staff/privacy/").content.decode()
    assert "13912345678" in client.get(f"/accounts/staff/privacy/{item.pk}/").content.decode()  # now recorded
    assert client.post(f"/accounts/staff/privacy/{item.pk}/", {"action": "apply"}).status_code == 302
    grandma.refresh_from_db()
    item.refresh_from_db()
    assert grandma.phone == "13900001111" and item.status == "applied" and item.resolved_by == worker
    assert Notification.objects.get(user=grandma.user).texts["en"][0] == "Your correction request was carried out"
    assert Notification.objects.filter(user=mother.user).exists()
    assert AccessLog.objects.filter(user=worker, action="correct", resident=grandma).exists()
    assert client.post(f"/accounts/staff/privacy/{item.pk}/", {"action": "apply"}).status_code == 400  # once only


def test_a_refusal_needs_a_reason(client, family):
    grandma, worker = family["grandma"], family["grid_worker"]
    item = pipl.request_correction(grandma, grandma, "name", "", "张秀瑛")
    client.force_login(worker)
    response = client.post(f"/accounts/staff/privacy/{item.pk}/", {"action": "refuse"})
    assert response.status_code == 400 and "Give the reason" in response.content.decode()
    assert RightsRequest.objects.get().status == "open"
    client.post(f"/accounts/staff/privacy/{item.pk}/", {"action": "refuse", "response": "户口本上是张秀英"})
    grandma.refresh_from_db()
    assert grandma.name == "张秀英" and RightsRequest.objects.get().status == "refused"
    assert Notification.objects.get(user=grandma.user).body == "户口本上是张秀英"


def test_the_outcome_of_a_correction_is_told_in_each_readers_language(family):
    """The notice is written in every language of the site, so a resident reading in Chinese and
    one reading in English each see it in theirs; staff's own words stay as written."""
    grandma = family["grandma"]
    applied = pipl.request_correction(grandma, grandma, "phone", "", "13900001111")
    pipl.resolve(family["grid_worker"], applied.pk, apply=True)
    notice = Notification.objects.get(user=grandma.user)
    with translation.override("zh-hans"):
        assert (notice.shown_subject, notice.shown_body) == ("您的更正申请已办理", "记录已按您的要求更正。")
    with translation.override("en"):
        assert (notice.shown_subject, notice.shown_body) == ("Your correction request was carried out",
                                                             "The record now reads as you asked.")
    Notification.objects.all().delete()
    refused = pipl.request_correction(grandma, grandma, "name", "", "张秀瑛")
    pipl.resolve(family["grid_worker"], refused.pk, apply=False, response="户口本上是张秀英")
    notice = Notification.objects.get(user=grandma.user)
    with translation.override("zh-hans"):
        assert (notice.shown_subject, notice.shown_body) == ("您的更正申请未获同意", "户口本上是张秀英")
    with translation.override("en"):
        assert notice.shown_subject == "Your correction request was refused"


def test_bad_corrections_are_refused_and_change_nothing(client, family):
    grandma = family["grandma"]
    client.force_login(grandma.user)
    for form in ({"field": "birth_date", "new_value": "1945/08/09"}, {"field": "phone", "new_value": ""},
                 {"field": "colour", "new_value": "red"}, {"field": "other"}):
        assert client.post("/accounts/me/data/correction/", form).status_code == 400, form
    assert not RightsRequest.objects.exists()
    taken = pipl.request_correction(grandma, grandma, "id_number", "", "310106199003011111")
    family["mother"].id_number = "310106199003011111"
    family["mother"].save()
    with pytest.raises(pipl.Refused, match="Another resident"):
        pipl.resolve(family["admin"], taken.pk, apply=True)
    assert Resident.objects.get(pk=grandma.pk).id_number == ID_NUMBER


def test_staff_see_only_requests_about_residents_they_may_see(client, family):
    stranger = family["stranger"]
    item = pipl.request_correction(stranger, stranger, "other", "地址错了")
    client.force_login(family["grid_worker"])  # compound c lies in another grid
    assert client.get(f"/accounts/staff/privacy/{item.pk}/").status_code == 403
    assert client.post(f"/accounts/staff/privacy/{item.pk}/", {"action": "refuse", "response": "x"}).status_code == 403
    assert RightsRequest.objects.get().status == "open"
    client.force_login(stranger.user)  # a resident is not staff
    assert client.get("/accounts/staff/privacy/").status_code == 403


# --- erasure ------------------------------------------------------------------------------------

def test_erasure_is_asked_with_confirmation_and_carried_out_by_an_administrator(client, family):
    grandma, admin = family["grandma"], family["admin"]
    client.force_login(grandma.user)
    assert client.post("/accounts/me/data/erasure/", {}).status_code == 400  # not confirmed
    assert client.post("/accounts/me/data/erasure/", {"confirm": "yes", "details": "搬走了"}).status_code == 302
    assert client.post("/accounts/me/data/erasure/", {"confirm": "yes"}).status_code == 400  # one at a time
    item = RightsRequest.objects.get(kind="erasure")

    client.force_login(family["grid_worker"])  # erasure is for administrators
    assert f"/accounts/staff/privacy/{item.pk}/" not in client.get("/accounts/staff/privacy/").content.decode()
    assert client.post(f"/accounts/staff/privacy/{item.pk}/", {"action": "erase"}).status_code == 403

    client.force_login(admin)
    page = client.post(f"/accounts/staff/privacy/{item.pk}/", {"action": "erase"})
    assert page.status_code == 200 and "accounts.Consent: deleted 1" in page.content.decode()
    grandma = Resident.objects.get(pk=grandma.pk)
    item.refresh_from_db()
    assert grandma.erased_at and grandma.name == "已删除" and grandma.user is None
    assert (item.status, item.details, item.resolved_by) == ("applied", "", admin)
    assert family["mother"].household.members.living().count() == 1


def test_deleting_a_resident_in_the_staff_console_erases_them(client, family):
    grandma = family["grandma"]
    client.force_login(family["admin"])
    url = f"/admin/accounts/resident/{grandma.pk}/delete/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    tomb = Resident.objects.get(pk=grandma.pk)
    assert tomb.erased_at and tomb.name == "已删除" and tomb.id_number == ""
    assert AccessLog.objects.filter(action="erase", resident=tomb, user=family["admin"]).exists()
