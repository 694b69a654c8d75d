"""What the Open311 lists and reads cost, and that reading them cheaply changes nothing they say."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifecircle import caching
from lifecircle.requests311 import lifecycle
from lifecircle.requests311.models import ServiceRequest

from .conftest import EAST, T0, WEST

pytestmark = pytest.mark.django_db


def test_dates_and_names_are_those_of_the_stored_requests(open311, place):
    """The lists take each service's name and the zone once per answer and read PostgreSQL's dates
    with psycopg's C loader (open311.c_timestamps): every date is still the stored moment in the
    current zone, across a change of offset, and each name is in the reader's language."""
    moments = [T0.replace(microsecond=999_999), datetime.datetime(2026, 3, 8, 6, 59, 59, tzinfo=datetime.timezone.utc),
               datetime.datetime(2026, 3, 8, 7, 0, 0, 1, tzinfo=datetime.timezone.utc)]  # New York's DST starts at 07:00Z
    for moment, (code, attributes, where) in zip(moments, [("street_light", {"problem": "off"}, WEST),
                                                             ("noise", {"source": "business"}, EAST),
                                                             ("elderly_help", {"needs": "shopping"}, WEST)]):
        with timezone.override(datetime.timezone.utc):
            made = open311.json.create_request(code, attributes=attributes, **where, description="x")
        assert made.status == 200, made.data
        ServiceRequest.objects.filter(pk=made.data[0]["service_request_id"]).update(requested_at=moment, updated_at=moment)
    lifecycle.change_state(ServiceRequest.objects.get(service__service_code="noise"), "acknowledged", "ok", place.admin,
                           now=moments[2])
    window = {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-03-10T00:00:00Z", "extensions": "true"}
    with timezone.override("America/New_York"):
        zone = timezone.get_current_timezone()
        stored = {str(r.pk): r for r in ServiceRequest.objects.select_related("service")}
        for client, english in ((open311.json, False), (open311.en_json, True)):
            caching.kept_answers.clear()
            listed = client.requests(**window).data
            read = [client.request(pk, extensions="true").data[0] for pk in stored]
            for row in listed + read:
                request = stored[row["service_request_id"]]
                assert row["requested_datetime"] == timezone.localtime(request.requested_at, zone).isoformat(timespec="seconds")
                assert row["updated_datetime"] == timezone.localtime(request.updated_at, zone).isoformat(timespec="seconds")
                assert row["expected_datetime"] == (request.expected_at and timezone.localtime(
                    request.expected_at, zone).isoformat(timespec="seconds"))
                assert [n["datetime"] for n in row["notes"]] == [
                    timezone.localtime(u.created_at, zone).isoformat(timespec="seconds") for u in request.updates.all()]
                service = request.service
                assert row["service_name"] == (service.service_name_en if english else service.service_name)
                assert (row["description"] is None) == service.private
            assert {r["service_request_id"] for r in listed} == set(stored)
    assert {r["requested_datetime"][-6:] for r in listed} == {"-05:00", "-04:00"}


def test_a_list_of_some_services_asks_the_database_for_the_requests_only(open311, place):
    """service_code is checked against the services each worker keeps, not with a query of its own."""
    open311.json.create_request("noise", attributes={"source": "business"}, **EAST)
    open311.json.request(str(ServiceRequest.objects.get().pk))  # the worker keeps the services
    with CaptureQueriesContext(connection) as queries:
        listed = open311.json.requests(service_code="noise,greenery").data
    assert [r["service_code"] for r in listed] == ["noise"]
    assert len(queries) == 1 and '"requests311_service"' not in queries[0]["sql"]
    assert open311.json.requests(service_code="noise,teleporter").status == 400
