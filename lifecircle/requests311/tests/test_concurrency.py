"""Grid workers racing to move the same request, on PostgreSQL (bin/test runs it there; SQLite
serialises all writes anyway): the row lock lets exactly one move it from "open"."""

import pytest
from django.db import connection
from django.http import QueryDict

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.requests311 import intake, lifecycle
from lifecircle.requests311.models import RequestUpdate
from lifecircle.testing import messages, race

from .conftest import WEST

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL (bin/test runs it)"),
    pytest.mark.django_db(transaction=True),
]


def test_ten_workers_acknowledge_the_same_request_once(place):
    data = QueryDict(mutable=True)
    data.update({"service_code": "street_light", "attribute[problem]": "off", **WEST})
    request = lifecycle.create_request(intake.parse_new_request(data))
    workers = [make_staff(StaffRole.Role.GRID_WORKER, place.subdistrict, grid=place.west) for _ in range(10)]

    def acknowledge(numbered_worker):
        index, worker = numbered_worker
        lifecycle.change_state(request, "acknowledged", f"worker {index}", worker)

    results = messages(race(acknowledge, list(enumerate(workers))), lifecycle.LifecycleError)
    assert sorted(results) == ["A request that is acknowledged cannot become acknowledged."] * 9 + ["ok"], results
    assert RequestUpdate.objects.filter(request=request, kind="state").count() == 1
