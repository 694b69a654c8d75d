"""The street network's map layer, kept ready to serve in a file beside its graph (networks.network_layer):
made when the network is saved, made again when missing or stale, answered as a cached answer is."""
import gzip
import hashlib
import json
import shutil

import numpy as np
import pytest
from django.core.cache import cache

from lifecircle import json_encoding
from lifecircle.community import networks
from lifecircle.community.models import PedestrianNetwork, SubDistrict
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.geo.graph import WalkGraph

URL = "/api/geo/network.geojson?subdistrict=mini"


@pytest.fixture
def network(settings, tmp_path, db):
    """The mini pack's network, its files in a folder of this test's own (tests running beside it
    save the same network)."""
    settings.VAR_DIR = tmp_path
    load_pack(MINI)
    cache.clear()
    return PedestrianNetwork.objects.get(subdistrict__code="mini")


def encoded_afresh(network):
    """The layer's JSON as the endpoint wrote it before it was kept in a file: the graph read from
    its file, its attribution added, written by the API's encoder."""
    collection = WalkGraph.load(networks.graph_path(network)).to_geojson()
    collection["attribution"] = network.attribution
    return json_encoding.dumps(collection)


def body_of(response):
    return gzip.decompress(response.content) if response.get("Content-Encoding") == "gzip" else response.content


def test_saving_a_network_writes_its_layer_beside_its_graph(network):
    path = networks.layer_path(network)
    assert path.parent == networks.graph_path(network).parent and path.is_file()
    _, content_type, etag, plain, compressed = networks.network_layer(network)
    assert content_type == "application/json; charset=utf-8" and plain is None
    assert gzip.decompress(compressed) == encoded_afresh(network)
    assert etag == '"%s"' % hashlib.sha256(encoded_afresh(network)).hexdigest()[:32]


def test_the_map_is_answered_from_the_file_without_encoding_the_graph(network, client, monkeypatch):
    expected = encoded_afresh(network)

    def refuse(graph, *args, **kwargs):
        raise AssertionError("the layer was encoded again")

    monkeypatch.setattr(WalkGraph, "to_geojson", refuse)
    for language in ("zh-hans", "en"):
        response = client.get(URL, HTTP_ACCEPT_ENCODING="gzip, deflate", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.content) == expected  # compressed once: GZipMiddleware left it


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_answer_is_the_same_as_a_cached_answer(network, client, language):
    response = client.get(URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_ACCEPT_LANGUAGE=language)
    assert response["ETag"] == '"%s"' % hashlib.sha256(encoded_afresh(network)).hexdigest()[:32]
    assert response["Cache-Control"] == "no-cache"
    assert {"Accept-Encoding", "Accept-Language"} <= {v.strip() for v in response["Vary"].split(",")}
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_a_client_holding_the_etag_gets_304(network, client):
    etag = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    again = client.get(URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag


def test_a_client_without_gzip_gets_the_plain_json(network, client):
    response = client.get(URL, HTTP_ACCEPT_ENCODING="")
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
    assert response.content == encoded_afresh(network)
    assert response.json()["attribution"] == network.attribution


@pytest.mark.parametrize("encoding", ["gzip", ""])
def test_a_head_has_its_get_s_headers_and_no_body(network, client, encoding):
    got = client.get(URL, HTTP_ACCEPT_ENCODING=encoding)
    head = client.head(URL, HTTP_ACCEPT_ENCODING=encoding)
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(got.content)) and head["ETag"] == got["ETag"]
    assert head.get("Content-Encoding") == got.get("Content-Encoding")


def test_a_missing_layer_file_is_made_by_the_first_request(network, client):
    networks.layer_path(network).unlink()
    assert body_of(client.get(URL, HTTP_ACCEPT_ENCODING="gzip")) == encoded_afresh(network)
    assert networks.layer_path(network).is_file()


def test_a_layer_of_another_attribution_is_not_served(network, client):
    network.attribution = "Another survey, CC BY 4.0"
    network.save()  # bumps the directory's version: the worker reads the network again
    response = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert body_of(response) == encoded_afresh(network)
    assert json.loads(body_of(response))["attribution"] == "Another survey, CC BY 4.0"
    assert networks.network_layer(network)[2] == response["ETag"]  # the file was written again


def test_a_layer_of_a_rebuilt_graph_is_not_served(network, client):
    """A graph file written again under the same name (a copy restored, a network built again by
    hand) is a new graph: its old layer is not served."""
    path = networks.graph_path(network)
    old = body_of(client.get(URL, HTTP_ACCEPT_ENCODING="gzip"))
    graph = WalkGraph.load(path)
    keep = np.zeros(graph.n_edges, dtype=bool)
    keep[:5] = True
    graph.edge_subgraph(keep).save(path)
    new = body_of(client.get(URL, HTTP_ACCEPT_ENCODING="gzip"))
    assert new == encoded_afresh(network) != old and len(json.loads(new)["features"]) == 5


def test_a_layer_file_made_from_something_else_is_not_served(network, client):
    """Whatever the file holds, only one whose first line names what the layer is made from now
    is served: a file from older code (or cut short) is made again."""
    path = networks.layer_path(network)
    for stale in (b"", b"not a layer", b"0123 \"etag\" gzip\n" + gzip.compress(b"{}"),
                  path.read_bytes()[:40]):
        path.write_bytes(stale)
        response = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
        assert body_of(response) == encoded_afresh(network)


def test_a_rebuilt_network_s_old_layer_file_is_removed(network, tmp_path):
    """Loading the network from another source names a new graph file; the old graph file stays
    (a rolled-back save would still point to it), its layer goes, and another sub-district's whose
    code begins with this one's stays."""
    old_layer = networks.layer_path(network)
    neighbour = old_layer.parent / "mini-west-0123456789ab.layer"
    neighbour.write_bytes(b"another sub-district's layer")
    source = tmp_path / "network.osm"
    shutil.copy(MINI / "network.osm", source)
    source.write_text(source.read_text() + "\n<!-- surveyed again -->\n")
    rebuilt = networks.save_network(network.subdistrict, networks.read_osm(source).graph, source, "Resurveyed")
    assert rebuilt.graph_file != network.graph_file and networks.graph_path(network).is_file()
    assert not old_layer.exists() and networks.layer_path(rebuilt).is_file() and neighbour.is_file()


def test_a_deleted_network_s_layer_file_is_removed_once_committed(network, django_capture_on_commit_callbacks):
    path = networks.layer_path(network)
    with django_capture_on_commit_callbacks(execute=True):
        network.delete()
        assert path.is_file()  # until the deletion is committed: a rollback keeps the network
    assert not path.exists()


def test_a_sub_district_without_a_network_gets_an_empty_layer(db, client):
    SubDistrict.objects.create(code="bare", name="空街道", city="上海市", district="静安区")
    response = client.get("/api/geo/network.geojson?subdistrict=bare", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
    assert response.content == b'{"type":"FeatureCollection","features":[],"attribution":""}'
    again = client.get("/api/geo/network.geojson?subdistrict=bare", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_an_unknown_sub_district_is_still_a_404(network, client):
    assert client.get("/api/geo/network.geojson?subdistrict=nowhere").status_code == 404
