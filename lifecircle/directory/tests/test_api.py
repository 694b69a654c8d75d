import pytest

from lifecircle.caching import bump
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility


@pytest.fixture
def mini(db):
    return load_pack(MINI)


def test_categories_carry_their_standard(client, mini):
    categories = {c["slug"]: c for c in client.get("/api/categories").json()}
    assert categories["senior_meals"]["tier_minutes"] == 5 and categories["senior_meals"]["threshold_m"] == 300
    assert categories["infant_care"]["threshold_m"] == 500
    assert categories["health_center"]["tier_minutes"] == 15
    assert all(c["source"] for c in categories.values())


def test_facility_filters(client, mini):
    codes = lambda query: sorted(f["code"] for f in client.get("/api/facilities" + query).json())  # noqa: E731
    assert codes("") == ["babycare", "canteen", "center"]
    assert codes("?category=senior_day_care") == ["canteen"]  # matched through its further services
    assert codes("?grid=east") == ["babycare"]
    assert codes("?bbox=121.444,31.232,121.446,31.234") == ["center"]
    Facility.objects.filter(code="center").update(opening_hours="24/7")
    Facility.objects.filter(code__in=["babycare", "canteen"]).update(opening_hours="Mo 00:00-00:01")
    bump("directory")  # update() sends no signal: code that uses it says what changed (lifecircle.caching)
    assert codes("?open_now=true") == ["center"]


def test_a_subdistricts_lists_share_one_read_of_its_facilities(client, mini, django_capture_on_commit_callbacks):
    """Each list and layer of a sub-district's facilities (every category, grid, box, minute) is
    filtered from one read kept in the worker until the directory changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert len(client.get("/api/facilities?subdistrict=mini").json()) == 3
    with CaptureQueriesContext(connection) as queries:
        assert [f["code"] for f in client.get("/api/facilities?subdistrict=mini&category=senior_day_care").json()] == [
            "canteen"]
        assert len(client.get("/api/geo/facilities.geojson?subdistrict=mini&grid=east").json()["features"]) == 1
    assert not [q for q in queries if "directory_facility" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        Facility.objects.get(code="canteen").delete()
    assert client.get("/api/facilities?subdistrict=mini&category=senior_day_care").json() == []


def test_points_of_interest_share_one_read_and_are_filtered_as_facilities_are(
        client, mini, django_capture_on_commit_callbacks):
    """Points of interest are kept in the worker like facilities, and the same filter (grid, box,
    open now) narrows both."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecircle.directory.models import PointOfInterest

    everything = client.get("/api/pois?subdistrict=mini").json()
    with CaptureQueriesContext(connection) as queries:
        heritage = client.get("/api/pois?subdistrict=mini&kind=heritage").json()
        features = client.get("/api/geo/pois.geojson?subdistrict=mini&open_now=false").json()["features"]
        boxed = client.get("/api/pois?subdistrict=mini&bbox=0,0,1,1").json()
    assert not [q for q in queries if "directory_pointofinterest" in q["sql"]]
    assert [p["code"] for p in heritage] == ["old-house"] and len(everything) == 2 and boxed == []
    assert len(features) == len([p for p in everything if not p["open_now"]])
    with django_capture_on_commit_callbacks(execute=True):
        PointOfInterest.objects.get(code="old-house").delete()
    assert client.get("/api/pois?subdistrict=mini&kind=heritage").json() == []


def test_a_named_subdistrict_is_found_without_reading_the_subdistricts_again(
        client, mini, django_capture_on_commit_callbacks):
    """Lists and layers that name their sub-district find it among those kept in the worker until
    the directory or the community model changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecircle.community.models import SubDistrict

    assert client.get("/api/geo/grids.geojson?subdistrict=mini").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/geo/grids.geojson?subdistrict=mini").status_code == 200
        assert client.get("/api/facilities?subdistrict=mini").status_code == 200
        assert client.get("/api/geo/grids.geojson?subdistrict=nope").status_code == 404
    assert not [q for q in queries if '"community_subdistrict"."code" =' in q["sql"]]
    renamed = SubDistrict.objects.get(code="mini")
    renamed.code = "mini-renamed"
    with django_capture_on_commit_callbacks(execute=True):
        renamed.save()
    assert client.get("/api/geo/grids.geojson?subdistrict=mini").status_code == 404
    assert len(client.get("/api/geo/grids.geojson?subdistrict=mini-renamed").json()["features"]) == 2


def test_facility_lists_written_without_validation_are_in_the_schemas_form(client, mini):
    """The list is written as built (json_response), not through FacilityOut: each item must be
    exactly what FacilityOut would have written -- no key more or less, every value of its type."""
    from lifecircle.directory.api import FacilityOut

    items = client.get("/api/facilities?subdistrict=mini").json()
    assert items and all(FacilityOut.model_validate(item).model_dump(mode="json") == item for item in items)
    assert any(item["rooms"] for item in items)


def test_facility_detail_and_rooms(client, mini):
    center = client.get("/api/facilities/center").json()
    assert center["name_en"] == "Service center" and center["grid"] in ("west", "east")
    assert [r["code"] for r in center["rooms"]] == ["meeting", "stage"]
    assert client.get("/api/facilities/center/rooms").json()[1]["requires_approval"] is True
    assert [r["code"] for r in client.get("/api/rooms?bookable=true").json()] == ["meeting", "stage"]
    assert client.get("/api/facilities/nope").status_code == 404


def test_grids_compounds_and_pois(client, mini):
    grids = client.get("/api/grids").json()
    assert [g["code"] for g in grids] == ["east", "west"] and grids[0]["boundary"]["type"] == "Polygon"
    compounds = client.get("/api/compounds?grid=west").json()
    assert [(c["code"], c["population"], c["aged_60_plus"]) for c in compounds] == [("a", 1000, 380)]
    pois = client.get("/api/pois?kind=heritage").json()
    assert [(p["code"], p["heritage_designation"]) for p in pois] == [("old-house", "区级文物保护单位")]


def test_grid_and_compound_lists_show_each_column_and_a_compound_without_a_grid(client, mini):
    from lifecircle.community.models import Compound, Grid

    grid = Grid.objects.get(code="west")
    compound = Compound.objects.get(code="a")
    assert client.get("/api/grids?subdistrict=mini").json()[1] == {
        "code": "west", "name": grid.name, "name_en": grid.name_en, "subdistrict": "mini", "boundary": grid.boundary}
    Compound.objects.filter(pk=compound.pk).update(grid=None)
    bump("directory")  # (an update() sends no signal)
    shown = {"code": "a", "name": compound.name, "name_en": compound.name_en, "lon": compound.lon, "lat": compound.lat,
             "grid": None, "address": compound.address, "households": compound.households,
             "population": 1000, "aged_60_plus": 380, "aged_0_3": compound.aged_0_3,
             "illustrative": compound.illustrative}
    assert client.get("/api/compounds?subdistrict=mini").json()[0] == shown
    [feature] = [f for f in client.get("/api/geo/compounds.geojson").json()["features"]
                 if f["properties"]["code"] == "a"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [compound.lon, compound.lat]}
    assert feature["properties"] == {k: v for k, v in shown.items() if k not in ("lon", "lat")}
    grid_layer = client.get("/api/geo/grids.geojson?subdistrict=mini").json()["features"]
    assert grid_layer[1]["geometry"] == grid.boundary and grid_layer[1]["properties"]["subdistrict"] == "mini"


def test_geojson_layers_are_lon_lat(client, mini):
    facilities = client.get("/api/geo/facilities.geojson?category=infant_care").json()
    assert facilities["type"] == "FeatureCollection"
    [feature] = facilities["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [121.4485, 31.2335]}
    assert feature["properties"]["code"] == "babycare" and "lon" not in feature["properties"]
    assert len(client.get("/api/geo/pois.geojson").json()["features"]) == 2
    assert len(client.get("/api/geo/grids.geojson").json()["features"]) == 2
    assert client.get("/api/geo/boundary.geojson").json()["features"][0]["properties"]["illustrative"] is True
    assert len(client.get("/api/geo/compounds.geojson").json()["features"]) == 3
    network = client.get("/api/geo/network.geojson").json()
    assert network["attribution"].startswith("Test network")
    assert len(network["features"]) == 17  # 3 streets x 3 blocks + 4 lanes x 2 blocks
    for feature in network["features"]:
        for lon, lat in feature["geometry"]["coordinates"]:
            assert 121.44 < lon < 121.45 and 31.23 < lat < 31.236


def test_network_geojson_names_streets_in_english_where_mapped(client, mini):
    """OSM name:en reaches the map's GeoJSON beside name; a street without one has name_en null."""
    features = client.get("/api/geo/network.geojson").json()["features"]
    forms = {(f["properties"]["name"], f["properties"]["name_en"], f["properties"]["name_zh"]) for f in features}
    assert forms == {("南路", "South Road", None), ("中路", "Middle Road", None), ("北路", None, None),
                     (None, None, None)}


@pytest.mark.parametrize("query, message", [
    ("?bbox=1,2,3", "bbox must be minlon,minlat,maxlon,maxlat"),
    ("?bbox=121.5,31.2,121.4,31.3", "south-west corner before the north-east"),
    ("?bbox=0,0,0,100", "latitude 100.0 is out of range"),
    ("?category=spa", "unknown category 'spa'"),
])
def test_malformed_queries_get_a_clear_400(client, mini, query, message):
    response = client.get("/api/facilities" + query)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_wrongly_typed_parameter_is_rejected(client, mini):
    response = client.get("/api/facilities?open_now=perhaps")
    assert response.status_code == 422


def test_openapi_schema_lists_every_endpoint(client, db):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in ["/api/categories", "/api/facilities", "/api/facilities/{code}", "/api/rooms", "/api/grids",
                 "/api/compounds", "/api/pois", "/api/geo/facilities.geojson", "/api/geo/network.geojson"]:
        assert path in schema["paths"], path
    facility = schema["components"]["schemas"]["FacilityOut"]["properties"]
    assert {"open_now", "rooms", "categories"} <= set(facility)


def test_api_docs_load_nothing_from_a_cdn(client, db):
    page = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in page and "cdn." not in page and "https://" not in page.split("<body")[0]


def test_a_prepared_worker_lists_facilities_without_reading_them(client, mini):
    """At start-up each worker reads every sub-district's facilities (lifecircle.wsgi)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecircle.directory.api import prepare_worker

    bump("directory")  # nothing kept from before
    assert prepare_worker()["facilities"] == 3
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get("/api/facilities?subdistrict=mini&open_now=false").json()) <= 3
    assert not [q for q in queries if "directory_facility" in q["sql"]]


def test_a_kept_facilitys_fields_are_made_once_and_again_after_a_change(
        client, mini, monkeypatch, django_capture_on_commit_callbacks):
    """Each kept facility's grid, categories and rooms are read off the model once (at start-up),
    not again for every list it is on; a change to its services or rooms is on the next list."""
    from lifecircle.directory.api import prepare_worker
    from lifecircle.directory.models import Room, ServiceCategory

    bump("directory")
    prepare_worker()
    made = []
    all_categories = Facility.all_categories
    monkeypatch.setattr(Facility, "all_categories", lambda self: made.append(self.code) or all_categories(self))
    for query in ["", "&category=senior_day_care", "&open_now=true", "&grid=east"]:
        client.get(f"/api/facilities?subdistrict=mini{query}")
        client.get(f"/api/geo/facilities.geojson?subdistrict=mini{query}")
    assert made == [], "fields made again for a list though nothing changed"

    center = Facility.objects.get(code="center")
    with django_capture_on_commit_callbacks(execute=True):
        center.services.add(ServiceCategory.objects.get(slug="senior_day_care"))
        Room.objects.create(facility=center, code="reading", name="阅览区", kind="reading_area")
    listed = {f["code"]: f for f in client.get("/api/facilities?subdistrict=mini&category=senior_day_care").json()}
    assert "senior_day_care" in listed["center"]["categories"]
    assert "reading" in [room["code"] for room in listed["center"]["rooms"]]
    assert made, "the changed sub-district's facilities were not read and made again"
