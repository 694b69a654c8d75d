"""HEAD on the JSON API and Open311 answers as its GET does, without the body (lifecircle.head)."""
import pytest

from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path, encoding", [
    ("/api/facilities?subdistrict=mini", "gzip"), ("/api/geo/network.geojson", "gzip"), ("/api/categories", ""),
    # compressed by Django's GZipMiddleware, whose output varies in length (its BREACH padding): plain here
    ("/api/openapi.json", ""), ("/open311/v2/services.json", ""), ("/open311/v2/requests.xml", "")])
def test_a_head_gets_the_headers_of_its_get_and_no_body(client, path, encoding):
    load_pack(MINI)
    got = client.get(path, HTTP_ACCEPT_ENCODING=encoding)
    head = client.head(path, HTTP_ACCEPT_ENCODING=encoding)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(got.content))
    assert head["Content-Type"] == got["Content-Type"]
    assert head.get("ETag") == got.get("ETag") and head.get("Content-Encoding") == got.get("Content-Encoding")


def test_a_head_says_how_its_get_would_be_compressed(client):
    head = client.head("/api/openapi.json", HTTP_ACCEPT_ENCODING="gzip")
    got = client.get("/api/openapi.json", HTTP_ACCEPT_ENCODING="gzip")
    assert head.content == b"" and head["Content-Encoding"] == got["Content-Encoding"] == "gzip"
    assert abs(int(head["Content-Length"]) - len(got.content)) <= 100  # the padding's length is random


def test_a_head_where_the_get_is_refused_is_refused_alike(client):
    load_pack(MINI)
    assert client.head("/api/facilities?category=nope").status_code == 400
    assert client.head("/api/facilities?subdistrict=nope").status_code == 404
    assert client.head("/api/accessibility/no-such-thing").status_code == 404
