"""Reads of an Open311 reporter's details are audited and traceable (issue 10): the reporter of a
request made through Open311 is usually no registered resident, so the entry names the request."""
import pytest
from django.http import QueryDict

from lifecircle.accounts.models import AccessLog
from lifecircle.requests311 import intake, lifecycle

pytestmark = pytest.mark.django_db


def open311_request(**fields):
    data = QueryDict(mutable=True)
    data.update({"service_code": "street_light", "long": "121.4420", "lat": "31.2330", "attribute[problem]": "off",
                 **fields})
    return lifecycle.create_request(intake.parse_new_request(data))


def test_opening_an_open311_reporters_request_is_audited_and_names_it(client, place):
    found = open311_request(first_name="小明", last_name="周", phone="13700001234", email="zhou@example.org")
    assert found.resident is None and found.grid == place.west
    client.force_login(place.west_worker)
    assert "13700001234" in client.get(f"/requests311/staff/{found.pk}/").content.decode()
    assert "13700001234" in client.get(f"/admin/requests311/servicerequest/{found.pk}/change/").content.decode()
    logs = list(AccessLog.objects.filter(user=place.west_worker))
    assert len(logs) == 2 and all(f"servicerequest #{found.pk}" in log.purpose for log in logs)
    client.force_login(place.east_worker)
    assert client.get(f"/admin/requests311/servicerequest/{found.pk}/change/").status_code == 302
    assert not AccessLog.objects.filter(user=place.east_worker).exists()
