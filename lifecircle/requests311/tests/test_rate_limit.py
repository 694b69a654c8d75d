"""POSTs are limited per api_key and per IP address (10 a minute by default), in the spec's error format."""
from unittest import mock

import pytest

from lifecircle.requests311.models import ApiKey, ServiceRequest

from .client import DjangoTransport, Open311Client
from .conftest import WEST

pytestmark = pytest.mark.django_db
LIGHT = {"problem": "off"}
NOW = 1_800_000_000  # a fixed clock, at the start of a one-minute window


@pytest.fixture
def clock():
    with mock.patch("lifecircle.ratelimit.clock", return_value=NOW) as patched:
        yield patched


def client_at(django_client, ip, key, fmt="json"):
    return Open311Client(DjangoTransport(django_client, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en"), fmt=fmt, api_key=key)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_eleventh_post_in_a_minute_from_one_key_is_refused(client, place, clock, fmt):
    app = client_at(client, "10.0.0.1", place.key.plaintext, fmt)
    for i in range(10):
        # each from another address, so that only the key's limit applies
        app.http.extra["REMOTE_ADDR"] = f"10.0.0.{i + 1}"
        assert app.create_request("street_light", attributes=LIGHT, **WEST).status == 200
    app.http.extra["REMOTE_ADDR"] = "10.0.0.99"
    refused = app.create_request("street_light", attributes=LIGHT, **WEST)
    assert refused.status == 429
    assert refused.errors == [(429, "Too many requests: at most 10 a minute. Try again in 60 seconds.")]
    assert refused.headers["Retry-After"] == "60"
    assert ServiceRequest.objects.count() == 10
    other_key = ApiKey.issue(name="kiosk")
    assert client_at(client, "10.0.0.99", other_key.plaintext).create_request(
        "street_light", attributes=LIGHT, **WEST).status == 200


def test_one_address_is_limited_across_keys_and_even_with_bad_keys(client, place, clock):
    keys = [ApiKey.issue(name=f"app {i}").plaintext for i in range(11)]
    for key in keys[:10]:
        assert client_at(client, "192.0.2.7", key).create_request("street_light", attributes=LIGHT, **WEST).status == 200
    assert client_at(client, "192.0.2.7", keys[10]).create_request("street_light", attributes=LIGHT, **WEST).status == 429
    # guessing keys from one address is slowed down too
    assert client_at(client, "192.0.2.7", "guess").create_request("street_light", **WEST).status == 429
    assert client_at(client, "192.0.2.8", keys[10]).create_request("street_light", attributes=LIGHT, **WEST).status == 200


def test_the_limit_resets_in_the_next_minute(client, place, clock):
    app = client_at(client, "10.0.0.1", place.key.plaintext)
    for _ in range(10):
        app.create_request("street_light", attributes=LIGHT, **WEST)
    assert app.create_request("street_light", attributes=LIGHT, **WEST).status == 429
    clock.return_value = NOW + 61
    assert app.create_request("street_light", attributes=LIGHT, **WEST).status == 200


def test_reading_is_not_limited(client, place, clock):
    app = client_at(client, "10.0.0.1", place.key.plaintext)
    assert all(app.services().status == 200 for _ in range(15))


def test_limit_comes_from_settings(client, place, clock, settings):
    settings.OPEN311_RATE_LIMIT = 2
    app = client_at(client, "10.0.0.1", place.key.plaintext)
    assert [app.create_request("street_light", attributes=LIGHT, **WEST).status for _ in range(3)] == [200, 200, 429]


def test_updates_posted_by_reporters_are_limited_too(client, place, clock, settings):
    settings.OPEN311_RATE_LIMIT = 1
    app = client_at(client, "10.0.0.1", place.key.plaintext)
    request_id = app.create_request("street_light", attributes=LIGHT, **WEST, email="a@example.org").data[0]["service_request_id"]
    assert app.post_update(request_id, "open", "still broken", email="a@example.org").status == 429
