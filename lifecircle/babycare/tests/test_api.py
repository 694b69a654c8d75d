"""The baby-care API: public centres with free places, the family's endpoints, the staff's."""
import datetime
import json
import re

import pytest

from lifecircle.accounts.access import NOT_YOURS
from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_child, make_staff
from lifecircle.babycare import services
from lifecircle.babycare.models import Application, Attendance

from .helpers import family, snapshot

pytestmark = pytest.mark.django_db

START = "2026-09-01"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_centres_are_public_with_free_places_and_no_personal_data(client, centre, clock):
    mother, baby = family(child="王小宝")
    services.apply(mother.user, centre, baby, datetime.date(2026, 9, 1))
    response = client.get("/api/babycare/centres")
    assert response.status_code == 200
    [item] = response.json()
    assert item["code"] == "babycare" and item["centre_type"] == "intergenerational"
    assert item["opening_hours"] == "Mo-Fr 08:30-17:00"
    assert [(g["label"], g["places"], g["taken"], g["free"], g["waiting"]) for g in item["age_groups"]] == [
        ("12–23 months", 2, 1, 1, 0), ("24–36 months", 3, 0, 3, 0)]
    assert item["free_places"] == 4
    assert [r["kind"] for r in item["priority_rules"]] == ["near_home", "sibling_placed", "hardship", "both_parents_working"]
    assert "王小宝" not in response.content.decode() and "李红" not in response.content.decode()


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ["/api/babycare/centres", "/api/babycare/applications", "/api/babycare/applications/{application_id}/accept",
                 "/api/babycare/applications/{application_id}/decline", "/api/babycare/applications/{application_id}/withdraw",
                 "/api/babycare/placements/{placement_id}/absences", "/api/babycare/placements/{placement_id}/attendance",
                 "/api/babycare/staff/centres/{code}/waitlist", "/api/babycare/staff/centres/{code}/register",
                 "/api/babycare/staff/attendance"]:
        assert path in paths, path
    operation = paths["/api/babycare/applications"]["post"]
    assert operation["description"].startswith("Apply for a place") and operation["security"]


def test_the_schemas_have_names_no_other_app_uses(client):
    """One OpenAPI document serves every app, so a schema name must not clash with another app's."""
    schema = client.get("/api/openapi.json").json()
    babycare = {path: spec for path, spec in schema["paths"].items() if path.startswith("/api/babycare/")}
    names = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(babycare)))
    # "Error" is the one error body every operation documents (lifecircle/api_docs.py), no app's own.
    assert names and all(name.startswith("Babycare") or name == "Error" for name in names), names


def test_resident_endpoints_need_a_session(client, centre):
    assert client.get("/api/babycare/applications").status_code == 401
    assert post(client, "/api/babycare/applications", {"centre": "babycare", "child_id": 1, "start_date": START}).status_code == 401


def test_a_family_applies_accepts_reports_an_absence_and_withdraws(client, centre, clock):
    mother, baby = family(child="王小宝")
    client.force_login(mother.user)
    response = post(client, "/api/babycare/applications", {"centre": "babycare", "child_id": baby.pk, "start_date": "2026-06-01",
                                                          "both_parents_working": True})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["age_group"], body["age_months_at_start"]) == ("offered", "12–23 months", 14)
    assert body["offer"]["expires_at"] == "2026-06-08T01:00:00Z"  # 09:00 in Shanghai
    assert body["priority"] == ["both parents work"] and body["priority_points"] == 10
    assert body["message"].startswith("A place in 12–23 months at Baby care is offered to 王小宝.")
    application_id = body["id"]

    response = post(client, f"/api/babycare/applications/{application_id}/accept")
    assert response.status_code == 200 and response.json()["status"] == "placed"
    placement_id = response.json()["placement"]["id"]

    response = post(client, f"/api/babycare/placements/{placement_id}/absences", {"date": "2026-06-02", "reason": "sick"})
    assert response.status_code == 201
    assert response.json()["reason_label"] == "sick" and response.json()["reported_by_parent"] is True
    history = client.get(f"/api/babycare/placements/{placement_id}/attendance").json()
    assert [(h["date"], h["status"]) for h in history] == [("2026-06-02", "absent")]

    [listed] = client.get("/api/babycare/applications").json()
    assert listed["id"] == application_id and listed["placement"]["starts_on"] == "2026-06-01"

    response = post(client, f"/api/babycare/applications/{application_id}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert response.json()["placement"]["ended_on"] == "2026-06-01"


def test_the_waiting_list_position_and_decline_through_the_api(client, centre, clock):
    holder, holder_child = family(child="甲")
    services.apply(holder.user, centre, holder_child, datetime.date(2026, 9, 1))
    second, second_child = family(child="乙")
    services.apply(second.user, centre, second_child, datetime.date(2026, 9, 1))
    mother, baby = family(child="丙")
    client.force_login(mother.user)
    body = post(client, "/api/babycare/applications", {"centre": "babycare", "child_id": baby.pk, "start_date": START}).json()
    assert (body["status"], body["position"]) == ("waiting", 1)
    assert body["message"] == "No place is free in 12–23 months at Baby care just now; 丙 is number 1 on the waiting list."
    client.force_login(holder.user)
    first_id = Application.objects.get(child=holder_child).pk
    assert post(client, f"/api/babycare/applications/{first_id}/decline").json()["status"] == "declined"
    client.force_login(mother.user)
    [mine] = client.get("/api/babycare/applications").json()
    assert mine["status"] == "offered" and mine["position"] is None


def test_listing_my_applications_expires_overdue_offers(client, centre, clock):
    mother, baby = family()
    services.apply(mother.user, centre, baby, datetime.date(2026, 9, 1))
    clock.advance(days=7, minutes=1)
    client.force_login(mother.user)
    [mine] = client.get("/api/babycare/applications").json()
    assert mine["status"] == "expired" and mine["offer"]["status"] == "expired"


@pytest.mark.parametrize("case", ["too young", "not my child", "duplicate", "unknown centre", "unknown child",
                                  "bad date", "expired offer", "someone else's offer", "bad absence reason"])
def test_bad_input_is_refused_with_a_reason_and_changes_nothing(client, centre, clock, case):
    mother, baby = family(child="王小宝")
    neighbour, their_child = family(parent="陈伟", child="陈小宝")
    young = make_child(mother.household, "小不点", datetime.date(2025, 10, 1))
    offered = services.apply(mother.user, centre, baby, datetime.date(2026, 9, 1)).application
    client.force_login(mother.user)
    apply_url = "/api/babycare/applications"
    cases = {
        "too young": (apply_url, {"centre": "babycare", "child_id": young.pk, "start_date": START}, 400,
                      "小不点 will be 11 months old on 2026-09-01; this centre takes children aged 1–3"),
        "not my child": (apply_url, {"centre": "babycare", "child_id": their_child.pk, "start_date": START}, 403,
                         str(NOT_YOURS)),
        "duplicate": (apply_url, {"centre": "babycare", "child_id": baby.pk, "start_date": START}, 409,
                      "王小宝 already has an application at Baby care"),
        "unknown centre": (apply_url, {"centre": "spa", "child_id": baby.pk, "start_date": START}, 404,
                           "There is no baby-care centre with the code 'spa'"),
        "unknown child": (apply_url, {"centre": "babycare", "child_id": 999999, "start_date": START}, 404,
                          "There is no child number 999999."),
        "bad date": (apply_url, {"centre": "babycare", "child_id": young.pk, "start_date": "2026-02-30"}, 422, ""),
        "expired offer": (f"/api/babycare/applications/{offered.pk}/accept", {}, 409,
                          "expired at 2026-06-08 09:00; it can no longer be accepted"),
        "someone else's offer": (f"/api/babycare/applications/{offered.pk}/accept", {}, 403,
                                 str(NOT_YOURS)),
        "bad absence reason": ("/api/babycare/placements/1/absences", {"date": "2026-06-02", "reason": "bored"}, 422, ""),
    }
    url, data, status, message = cases[case]
    if case == "expired offer":
        clock.advance(days=8)
    if case == "someone else's offer":
        client.force_login(neighbour.user)
    before = snapshot()
    response = post(client, url, data)
    assert response.status_code == status, response.content
    assert message in str(response.json()["detail"])
    assert snapshot() == before


def test_staff_see_their_centres_waiting_list_and_register_and_it_is_logged(client, centre, clock, staff_user):
    for name in ("甲", "乙", "丙"):
        parent, child = family(child=name)
        services.apply(parent.user, centre, child, datetime.date(2026, 6, 1))
        clock.advance(minutes=1)
    placed = Application.objects.get(child__name="甲")
    services.accept(placed.applicant.user, placed.pk)
    client.force_login(staff_user)
    body = client.get("/api/babycare/staff/centres/babycare/waitlist").json()
    toddlers = body["age_groups"][0]
    assert (toddlers["places"], toddlers["taken"], toddlers["free"]) == (2, 2, 0)
    assert [(w["position"], w["child_name"]) for w in toddlers["waiting"]] == [(1, "丙")]
    assert [o["child_name"] for o in toddlers["offers"]] == ["乙"]
    assert set(AccessLog.objects.filter(user=staff_user).values_list("child__name", flat=True)) == {"乙", "丙"}

    register = client.get("/api/babycare/staff/centres/babycare/register").json()
    assert register["date"] == "2026-06-01" and register["session_day"] is True
    [row] = register["children"]
    assert row["child_name"] == "甲" and row["attendance"] is None
    assert AccessLog.objects.filter(user=staff_user, child__name="甲").count() == 1

    response = post(client, "/api/babycare/staff/attendance", {"placement_id": row["placement_id"], "date": "2026-06-01",
                                                              "status": "absent", "reason": "sick"})
    assert response.status_code == 200 and response.json()["status_label"] == "absent"
    assert Attendance.objects.get().recorded_by == staff_user
    saturday = client.get("/api/babycare/staff/centres/babycare/register?date=2026-06-06").json()
    assert saturday["session_day"] is False


def test_staff_of_another_centre_are_refused(client, centre, other_centre, clock):
    parent, child = family()
    application = services.apply(parent.user, centre, child, datetime.date(2026, 6, 1)).application
    services.accept(parent.user, application.pk)
    outsider = make_staff(StaffRole.Role.BABY_CARE_STAFF, other_centre.facility.subdistrict, facility=other_centre.facility)
    client.force_login(outsider)
    before = snapshot()
    for url in ("/api/babycare/staff/centres/babycare/waitlist", "/api/babycare/staff/centres/babycare/register"):
        response = client.get(url)
        assert response.status_code == 403 and response.json()["detail"] == "You do not work at 宝宝屋."
    response = post(client, "/api/babycare/staff/attendance", {"placement_id": application.placement.pk,
                                                              "date": "2026-06-01", "status": "present"})
    assert response.status_code == 403 and response.json()["detail"] == "You do not work at 宝宝屋."
    assert snapshot() == before
    assert not AccessLog.objects.filter(user=outsider).exists()
    # A resident is not staff at all.
    client.force_login(parent.user)
    assert client.get("/api/babycare/staff/centres/babycare/waitlist").status_code == 403
