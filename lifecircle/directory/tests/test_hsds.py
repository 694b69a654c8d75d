"""The Open Referral HSDS 3 export: every object validates against the vendored HSDS JSON schemas.

The schemas are read from ``lifecircle/directory/hsds_schema/`` into a ``referencing.Registry`` with
no retrieval function, so every ``$ref`` between the files resolves offline (and an unknown one fails).
"""
import datetime
import json
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import jsonschema
import pytest
from django.conf import settings
from django.utils import timezone
from django.core.management import call_command
from ninja.testing import TestClient
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lifecircle.community.models import SubDistrict
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory import hsds
from lifecircle.directory.hsds_api import router
from lifecircle.directory.models import (
    Facility, HoursException, Room, ServiceCategory, Standard, StandardRow,
)

SCHEMA_DIR = Path(hsds.__file__).parent / "hsds_schema"
DEMO_PACK = settings.PROJECT_DIR / "data" / "packs" / "jiangning-road"
NOW = datetime.datetime(2025, 9, 1, 8, 0, tzinfo=datetime.timezone.utc)


# --- the validator -------------------------------------------------------------------------------


def _schemas():
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCHEMA_DIR.glob("*.json"))}


SCHEMAS = _schemas()
REGISTRY = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012)) for schema in SCHEMAS.values()
)

FORMATS = jsonschema.FormatChecker()  # uuid, email, date, ... (those needing no extra package)


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value):
    return "T" in value and datetime.datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri", raises=ValueError)
def _is_uri(value):
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


def validator(name):
    """A draft 2020-12 validator for the HSDS object ``name`` (e.g. "service"), formats enforced."""
    return jsonschema.Draft202012Validator(
        {"$ref": SCHEMAS[name]["$id"]}, registry=REGISTRY, format_checker=FORMATS
    )


def assert_valid(name, obj):
    errors = sorted(validator(name).iter_errors(obj), key=lambda e: list(e.absolute_path))
    assert not errors, f"{name} {obj.get('id')}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
    )


def assert_package_valid(package):
    for key, name in [
        ("organizations", "organization"), ("services", "service"), ("locations", "location"),
        ("service_at_locations", "service_at_location"), ("taxonomies", "taxonomy"),
        ("taxonomy_terms", "taxonomy_term"),
    ]:
        assert package[key], f"the export has no {key}"
        for obj in package[key]:
            assert_valid(name, obj)


def all_ids(obj, found=None):
    """Every "id" value in a JSON tree, in document order."""
    found = [] if found is None else found
    if isinstance(obj, dict):
        if "id" in obj:
            found.append(obj["id"])
        for value in obj.values():
            all_ids(value, found)
    elif isinstance(obj, list):
        for value in obj:
            all_ids(value, found)
    return found


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def directory(db):
    """A sub-district with four categories and four facilities built with the ORM."""
    sd = SubDistrict.objects.create(
        code="jiangning-road", name="江宁路街道", name_en="Jiangning Road Sub-district", city="上海市",
        district="静安区", illustrative=True, data_notice="示意数据。",
    )
    meals = ServiceCategory.objects.create(slug="senior_meals", name="老年助餐", name_en="Senior meals", group="elderly")
    day_care = ServiceCategory.objects.create(
        slug="senior_day_care", name="日间照料", name_en="Senior day care", group="elderly",
        description="为老年人提供日间照料。", description_en="Day care for older people.",
    )
    health = ServiceCategory.objects.create(
        slug="health_station", name="卫生服务站", name_en="Health station", group="health"
    )
    culture = ServiceCategory.objects.create(slug="culture_room", name="文化活动室", name_en="Culture room", group="culture")
    standard = Standard.objects.create(code="test", title="Test standard", source="test")
    StandardRow.objects.create(standard=standard, category=meals, tier_minutes=5, threshold_m=300, source="§1")
    standard.publish()

    place = {"subdistrict": sd, "lon": 121.445, "lat": 31.233}
    canteen = Facility.objects.create(
        **place, code="canteen", name="江宁路社区长者食堂", name_en="Jiangning Road Senior Canteen",
        category=meals, operator="上海乐龄餐饮管理有限公司", phone="021-62170000", email="canteen@example.org",
        website="https://example.org/canteen", capacity=120, capacity_unit="meals_per_day",
        address="上海市静安区江宁路100号", address_en="100 Jiangning Road", description="为长者提供午餐。",
        description_en="Lunch for older residents.", opening_hours="Mo-Fr 08:30-17:00; Sa 09:00-12:00",
    )
    canteen.services.add(day_care)
    HoursException.objects.create(facility=canteen, date=datetime.date(2025, 10, 1), reason="国庆节")
    HoursException.objects.create(
        facility=canteen, date=datetime.date(2025, 10, 2), opening_hours="09:00-12:00", reason="国庆调整",
    )
    station = Facility.objects.create(
        **place, code="station", name="江宁路街道卫生服务站", name_en="Health Station", category=health,
        opening_hours="24/7", capacity=8, capacity_unit="people", address="江宁路200号", illustrative=True,
    )
    Room.objects.create(facility=station, code="meeting", name="会议室", name_en="Meeting room",
                        kind="meeting_room", capacity=30, floor="2F", bookable=True)
    Room.objects.create(facility=station, code="reading", name="阅览区", kind="reading_area")
    Facility.objects.create(
        **place, code="night", name="夜间文化活动室", category=culture, operator="上海乐龄餐饮管理有限公司",
        opening_hours="Mo-Th 09:00-17:00; Fr 22:00-02:00", capacity=40, capacity_unit="seats",
    )
    Facility.objects.create(**place, code="closed", name="停用活动室", category=culture, active=False)
    return sd


def location_of(package, code):
    return next(loc for loc in package["locations"] if loc["external_identifier"].endswith("/" + code))


def services_at(package, code):
    location_id = location_of(package, code)["id"]
    service_ids = [sal["service_id"] for sal in package["service_at_locations"] if sal["location_id"] == location_id]
    return [s for s in package["services"] if s["id"] in service_ids]


def weekly(schedules):
    return [(s["byday"], s["opens_at"], s["closes_at"]) for s in schedules if "valid_from" not in s]


# --- the validator is real -----------------------------------------------------------------------


def test_the_vendored_schemas_are_hsds_3_with_capacities():
    assert len(SCHEMAS) == 23
    assert "capacities" in SCHEMAS["service"]["properties"] and "unit" in SCHEMAS["service_capacity"]["properties"]
    upstream = "https://raw.githubusercontent.com/openreferral/specification/"
    assert all(s["$id"].startswith(upstream) for s in SCHEMAS.values())


@pytest.mark.parametrize("name, obj, complaint", [
    ("service", {"id": str(uuid.uuid4()), "status": "active"}, "'name' is a required property"),
    ("service", {"id": str(uuid.uuid4()), "name": "x", "status": "open"}, "is not one of"),
    ("service", {"id": "facility-7", "name": "x", "status": "active"}, "is not a 'uuid'"),
    ("service", {"id": str(uuid.uuid4()), "name": "x", "status": "active", "url": "example.org"}, "is not a 'uri'"),
    # nested objects are checked through the $refs between the files
    ("service", {"id": str(uuid.uuid4()), "name": "x", "status": "active",
                 "schedules": [{"id": str(uuid.uuid4()), "freq": "DAILY"}]}, "'DAILY' is not one of"),
    ("service", {"id": str(uuid.uuid4()), "name": "x", "status": "active",
                 "capacities": [{"id": str(uuid.uuid4()), "available": 3, "updated": "2025-01-01T00:00:00Z"}]},
     "'unit' is a required property"),
    ("location", {"id": str(uuid.uuid4()), "location_type": "physical", "addresses": [{
        "id": str(uuid.uuid4()), "address_1": "江宁路1号", "city": "上海市", "state_province": "上海市",
        "country": "CN", "address_type": "physical"}]}, "'postal_code' is a required property"),
    ("organization", {"id": str(uuid.uuid4()), "name": "x"}, "'description' is a required property"),
])
def test_an_invalid_object_fails_validation(name, obj, complaint):
    errors = list(validator(name).iter_errors(obj))
    assert errors and any(complaint in e.message for e in errors), [e.message for e in errors]


def test_an_unknown_ref_does_not_reach_the_network():
    from referencing.exceptions import Unresolvable

    schema = {"$ref": "https://raw.githubusercontent.com/openreferral/specification/refs/heads/3.2/schema/nope.json"}
    with pytest.raises(Unresolvable):
        jsonschema.Draft202012Validator(schema, registry=REGISTRY).validate({})


# --- the export ----------------------------------------------------------------------------------


def test_every_exported_object_validates(directory):
    package = hsds.package(hsds.build(now=NOW))
    assert_package_valid(package)
    assert len(package["organizations"]) == 2  # the sub-district and the one operator
    assert len(package["locations"]) == 4
    assert len(package["services"]) == 5  # the canteen offers two categories
    export = hsds.build(now=NOW)
    for service_id in export.services:
        full = hsds.full_service(export, service_id)
        assert_valid("service", full)
        assert full["service_at_locations"][0]["location"]["id"] == full["service_at_locations"][0]["location_id"]
    for organization_id in export.organizations:
        assert_valid("organization", hsds.full_organization(export, organization_id))


def test_ids_are_stable_uuids(directory):
    first = hsds.package(hsds.build(now=NOW))
    second = hsds.package(hsds.build(now=NOW + datetime.timedelta(days=30)))
    assert all_ids(first) == all_ids(second)
    ids = all_ids(first)
    assert all(uuid.UUID(i).version == 5 for i in ids)
    top = [o["id"] for key in ("organizations", "services", "locations", "service_at_locations", "taxonomies",
                                "taxonomy_terms") for o in first[key]]
    assert len(top) == len(set(top))
    canteen = location_of(first, "canteen")
    assert canteen["id"] == hsds.stable_id("location", "jiangning-road", "canteen")
    # editing a facility changes its fields, not its ids
    Facility.objects.filter(code="canteen").update(name="新名字", phone="")
    third = hsds.package(hsds.build(now=NOW))
    assert location_of(third, "canteen")["id"] == canteen["id"] and location_of(third, "canteen")["name"] == "新名字"


def test_weekly_hours_become_weekly_schedules(directory):
    package = hsds.package(hsds.build(now=NOW))
    canteen = location_of(package, "canteen")
    assert weekly(canteen["schedules"]) == [
        ("MO,TU,WE,TH,FR", "08:30+08:00", "17:00+08:00"),
        ("SA", "09:00+08:00", "12:00+08:00"),
    ]
    first = canteen["schedules"][0]
    assert first["freq"] == "WEEKLY" and first["timezone"] == 8 and first["location_id"] == canteen["id"]
    assert first["description"] == "周一至周五 08:30-17:00 / Mon-Fri 08:30-17:00"
    # each service at the canteen carries the same hours
    for sal in package["service_at_locations"]:
        if sal["location_id"] == canteen["id"]:
            assert weekly(sal["schedules"]) == weekly(canteen["schedules"])
            assert all(s["service_at_location_id"] == sal["id"] for s in sal["schedules"])


def test_open_all_week_and_past_midnight(directory):
    package = hsds.package(hsds.build(now=NOW))
    assert weekly(location_of(package, "station")["schedules"]) == [
        ("MO,TU,WE,TH,FR,SA,SU", "00:00+08:00", "23:59+08:00"),
    ]
    night = location_of(package, "night")["schedules"]
    # Friday's 22:00-02:00 stays one schedule closing the next day, not a Saturday 00:00-02:00 one
    assert weekly(night) == [("MO,TU,WE,TH", "09:00+08:00", "17:00+08:00"), ("FR", "22:00+08:00", "02:00+08:00")]
    assert "次日02:00" in night[1]["description"] and "(next day)" in night[1]["description"]
    assert location_of(package, "closed").get("schedules") is None  # no hours, no schedules


def test_hours_exceptions_become_single_date_schedules(directory):
    schedules = location_of(hsds.package(hsds.build(now=NOW)), "canteen")["schedules"]
    closed, special = [s for s in schedules if "valid_from" in s]
    assert (closed["valid_from"], closed["valid_to"]) == ("2025-10-01", "2025-10-01")
    assert "opens_at" not in closed and "国庆节" in closed["description"] and "closed" in closed["description"]
    assert (special["valid_from"], special["valid_to"], special["dtstart"]) == ("2025-10-02",) * 3
    assert (special["byday"], special["count"], special["opens_at"], special["closes_at"]) == (
        "TH", 1, "09:00+08:00", "12:00+08:00")
    assert "国庆调整" in special["description"]
    for s in (closed, special):
        datetime.date.fromisoformat(s["valid_from"])


def test_a_facility_with_two_categories_gives_two_services_at_one_location(directory):
    package = hsds.package(hsds.build(now=NOW))
    canteen = location_of(package, "canteen")
    services = services_at(package, "canteen")
    assert [s["name"] for s in services] == ["江宁路社区长者食堂 - 老年助餐", "江宁路社区长者食堂 - 日间照料"]
    assert services[1]["alternate_name"] == "Jiangning Road Senior Canteen - Senior day care"
    terms = {t["id"]: t for t in package["taxonomy_terms"]}
    codes = [terms[s["attributes"][0]["taxonomy_term_id"]]["code"] for s in services]
    assert codes == ["senior_meals", "senior_day_care"]
    assert all(s["attributes"][0]["link_id"] == s["id"] for s in services)
    assert {sal["location_id"] for sal in package["service_at_locations"]
            if sal["service_id"] in {s["id"] for s in services}} == {canteen["id"]}
    # contact details and status
    assert services[0]["phones"][0]["number"] == "021-62170000" and services[0]["email"] == "canteen@example.org"
    assert services[0]["url"] == "https://example.org/canteen" and services[0]["status"] == "active"
    assert services[0]["languages"][0]["code"] == "zh"
    [closed] = services_at(package, "closed")
    assert closed["status"] == "inactive" and "phones" not in closed
    # the walking standard, where the category has one
    assert "300米" in services[0]["service_areas"][0]["name"] and "service_areas" not in services[1]


def test_capacity_goes_on_the_main_service_with_its_unit(directory):
    package = hsds.package(hsds.build(now=NOW))
    main, further = services_at(package, "canteen")
    [capacity] = main["capacities"]
    assert (capacity["available"], capacity["maximum"]) == (120, 120)
    assert capacity["unit"]["identifier"] == "meals_per_day" and "meals per day" in capacity["unit"]["name"]
    assert capacity["updated"] == "2025-09-01T16:00:00.000+08:00"  # the site's local time
    assert "capacities" not in further
    [night] = services_at(package, "night")
    assert night["capacities"][0]["unit"]["identifier"] == "seats"
    assert night["capacities"][0]["unit"]["id"] != capacity["unit"]["id"]
    [station] = services_at(package, "station")
    assert station["capacities"][0]["unit"]["id"] == hsds.stable_id("unit", "people")


def test_organizations_locations_and_rooms(directory):
    package = hsds.package(hsds.build(now=NOW))
    by_name = {o["name"]: o for o in package["organizations"]}
    subdistrict, operator = by_name["江宁路街道"], by_name["上海乐龄餐饮管理有限公司"]
    assert subdistrict["alternate_name"] == "Jiangning Road Sub-district" and "示意数据" in subdistrict["description"]
    assert "2" in operator["description"]
    assert location_of(package, "canteen")["organization_id"] == operator["id"]
    assert location_of(package, "night")["organization_id"] == operator["id"]
    assert location_of(package, "station")["organization_id"] == subdistrict["id"]  # no operator named
    canteen = location_of(package, "canteen")
    [address] = canteen["addresses"]
    assert address == {
        "id": address["id"], "address_1": "上海市静安区江宁路100号", "city": "上海市", "region": "静安区",
        "state_province": "上海市", "postal_code": "", "country": "CN", "address_type": "physical",
    }
    assert (canteen["latitude"], canteen["longitude"]) == (31.233, 121.445)
    assert canteen["alternate_name"] == "Jiangning Road Senior Canteen"
    assert canteen["description"] == "为长者提供午餐。\n\nLunch for older residents."
    assert "addresses" not in location_of(package, "closed")
    station = location_of(package, "station")
    assert "Illustrative" in station["description"]
    rooms = station["attributes"]
    assert [r["label"] for r in rooms] == ["会议室 / Meeting room", "阅览区"]
    assert rooms[0]["taxonomy_term"]["code"] == "meeting_room" and "容纳30人" in rooms[0]["value"]
    taxonomies = {t["name"].split(" / ")[-1] for t in package["taxonomies"]}
    assert taxonomies == {"lifecircle service categories", "lifecircle room kinds"}
    terms = {t["code"]: t for t in package["taxonomy_terms"]}
    assert terms["senior_meals"]["parent_id"] == terms["group:elderly"]["id"]


def test_the_mini_pack_exports_valid_hsds(db):
    load_pack(MINI)
    package = hsds.package(hsds.build())
    assert_package_valid(package)
    assert len(package["locations"]) == Facility.objects.count()


def test_the_whole_demo_export_validates(db):
    call_command("load_demo")
    export = hsds.build()
    package = hsds.package(export)
    assert_package_valid(package)
    assert len(package["locations"]) == Facility.objects.count()
    for service_id in export.services:
        assert_valid("service", hsds.full_service(export, service_id))
    for organization_id in export.organizations:
        assert_valid("organization", hsds.full_organization(export, organization_id))


# --- the API -------------------------------------------------------------------------------------


@pytest.fixture
def api(directory):
    return TestClient(router)


def test_the_package_endpoint(api):
    response = api.get("/")
    assert response.status_code == 200
    package = response.json()
    assert_package_valid(package)
    assert package["version"] == hsds.HSDS_VERSION
    one = api.get("/?subdistrict=jiangning-road").json()
    assert [s["id"] for s in one["services"]] == [s["id"] for s in package["services"]]
    assert api.get("/?subdistrict=nowhere").status_code == 404


def test_service_endpoints(api):
    page = api.get("/services").json()
    assert (page["total_items"], page["total_pages"], page["page_number"]) == (5, 1, 1)
    assert page["first_page"] and page["last_page"] and not page["empty"] and page["size"] == 5
    for service in page["contents"]:
        assert_valid("service", service)
    service_id = page["contents"][0]["id"]
    response = api.get(f"/services/{service_id}")
    assert response.status_code == 200
    full = response.json()
    assert_valid("service", full)
    assert full["organization"]["id"] == full["organization_id"]
    assert full["service_at_locations"][0]["location"]["schedules"]
    missing = api.get(f"/services/{uuid.uuid4()}")
    assert missing.status_code == 404 and "no service has id" in missing.json()["detail"]


def test_service_filters(api, directory):
    terms = {t["code"]: t["id"] for t in api.get("/taxonomy_terms?per_page=100").json()["contents"]}
    names = lambda query: sorted(s["name"] for s in api.get("/services" + query).json()["contents"])  # noqa: E731
    assert names(f"?taxonomy_term_id={terms['senior_day_care']}") == ["江宁路社区长者食堂 - 日间照料"]
    assert len(names(f"?taxonomy_term_id={terms['group:elderly']}")) == 2  # a group matches its categories
    assert names("?q=卫生") == ["江宁路街道卫生服务站 - 卫生服务站"]
    assert names("?search=senior canteen") == names("?q=SENIOR CANTEEN") != []
    operator = next(o for o in api.get("/organizations").json()["contents"] if o["name"].startswith("上海"))
    assert len(names(f"?organization_id={operator['id']}")) == 3
    assert names(f"?organization_id={operator['id']}&q=夜间") == ["夜间文化活动室 - 文化活动室"]


def test_paging(api):
    pages = [api.get(f"/services?per_page=2&page={n}").json() for n in (1, 2, 3, 4)]
    assert [p["size"] for p in pages] == [2, 2, 1, 0]
    assert all(p["total_items"] == 5 and p["total_pages"] == 3 for p in pages)
    assert [(p["first_page"], p["last_page"], p["empty"]) for p in pages] == [
        (True, False, False), (False, False, False), (False, True, False), (False, True, True)]
    ids = [s["id"] for p in pages for s in p["contents"]]
    assert len(ids) == len(set(ids)) == 5
    assert ids == [s["id"] for s in api.get("/services").json()["contents"]]
    assert api.get("/services?per_page=0").status_code == 422
    assert api.get("/services?page=0").status_code == 422
    assert api.get("/services?per_page=501").status_code == 422


def test_organization_and_location_endpoints(api):
    organizations = api.get("/organizations").json()
    assert organizations["total_items"] == 2
    for organization in organizations["contents"]:
        assert_valid("organization", organization)
        full = api.get(f"/organizations/{organization['id']}").json()
        assert_valid("organization", full)
        assert full["services"] and full["locations"]
        assert all("organization" not in s for s in full["services"])
    assert api.get(f"/organizations/{uuid.uuid4()}").status_code == 404
    locations = api.get("/locations?per_page=3").json()
    assert (locations["total_items"], locations["size"], locations["total_pages"]) == (4, 3, 2)
    for location in locations["contents"]:
        assert_valid("location", location)
        assert api.get(f"/locations/{location['id']}").json() == location
    assert api.get("/locations/not-a-uuid").status_code == 404


def test_link_and_taxonomy_endpoints(api):
    links = api.get("/service_at_locations").json()["contents"]
    assert len(links) == 5
    link = api.get(f"/service_at_locations/{links[0]['id']}").json()
    assert_valid("service_at_location", link)
    assert link["location"]["id"] == link["location_id"]
    taxonomies = api.get("/taxonomies").json()["contents"]
    assert len(taxonomies) == 2
    for taxonomy in taxonomies:
        assert_valid("taxonomy", api.get(f"/taxonomies/{taxonomy['id']}").json())
    top = api.get("/taxonomy_terms?top_only=true&per_page=100").json()["contents"]
    assert all("parent_id" not in t for t in top) and any(t["code"] == "group:elderly" for t in top)
    elderly = next(t for t in top if t["code"] == "group:elderly")
    children = api.get(f"/taxonomy_terms?parent_id={elderly['id']}").json()["contents"]
    assert sorted(t["code"] for t in children) == ["senior_day_care", "senior_meals"]
    assert_valid("taxonomy_term", api.get(f"/taxonomy_terms/{children[0]['id']}").json())
    for path in ("service_at_locations", "taxonomies", "taxonomy_terms"):
        assert api.get(f"/{path}/{uuid.uuid4()}").status_code == 404


def test_the_router_in_the_project_api(client, directory):
    """lifecircle/api.py mounts the router at /api/hsds/."""
    assert client.get("/api/hsds/services").json()["total_items"] == 5
    assert client.get(f"/api/hsds/services/{uuid.uuid4()}").status_code == 404
    schema = client.get("/api/openapi.json").json()
    assert "/api/hsds/services/{id}" in schema["paths"]


def test_format_minimal_full_and_modified_after(api, directory):
    services = api.get("/services").json()["contents"]
    assert all(s["last_modified"].endswith("Z") for s in services)
    lines = api.get("/services?format=ndjson&per_page=1")
    assert lines["Content-Type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in lines.content.decode().splitlines()]
    assert [r["id"] for r in rows] == [s["id"] for s in services]  # every result, not one page
    minimal = api.get("/services?minimal=true&per_page=1").json()
    assert minimal["total_pages"] == 1 and minimal["contents"] == [
        {"id": s["id"], "last_modified": s["last_modified"]} for s in services]
    assert "service_at_locations" in api.get("/services?full=true").json()["contents"][0]
    assert "location" in api.get("/service_at_locations?full=true").json()["contents"][0]

    later = urlencode({"modified_after": timezone.now().isoformat()})
    assert api.get(f"/services?{later}").json()["total_items"] == 0
    time.sleep(0.01)  # last_modified is to the millisecond
    Room.objects.create(facility=Facility.objects.get(code="night"), code="new", name="新活动室", kind="other")
    changed = api.get(f"/services?{later}").json()["contents"]
    assert [s["name"] for s in changed] == ["夜间文化活动室 - 文化活动室"]  # a new room changes its facility
    assert len(api.get(f"/service_at_locations?{later}").json()["contents"]) == 1
    assert api.get("/services?modified_after=2026-01-01T00:00:00").status_code == 400
    assert api.get("/services?format=xml").status_code == 422


def test_errors_are_json_and_the_version_is_a_release(client, directory):
    response = client.get("/api/hsds/no/such/thing")
    assert response.status_code == 404 and response.json()["detail"].startswith("no HSDS resource")
    assert client.get("/api/hsds/services?page=0").json()["detail"][0]["loc"] == ["query", "page"]
    assert hsds.HSDS_VERSION == "3.1.3"
