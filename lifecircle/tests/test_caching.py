"""Cached public answers: served from the cache while nothing changed, stale the moment anything
does (after the commit), compressed, with ETag and 304; isochrone shapes shared per junction
while the distances stay exact; signed-in callers share the answers visitors get."""
import gzip
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecircle import caching
from lifecircle.accessibility import isochrones as isochrones_module
from lifecircle.directory.models import Facility

pytestmark = pytest.mark.django_db


def queries_for(client, path, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    return response, len(queries)


def test_a_cached_list_is_served_without_the_database_until_a_change_commits(client, mini, django_capture_on_commit_callbacks):
    first, first_queries = queries_for(client, "/api/facilities")
    second, second_queries = queries_for(client, "/api/facilities")
    assert first.status_code == second.status_code == 200 and first_queries > 0 and second_queries == 0
    assert second.json() == first.json() and second["ETag"] == first["ETag"]
    facility = Facility.objects.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        facility.name = "新名字"
        facility.save()
    third, third_queries = queries_for(client, "/api/facilities")
    assert third_queries > 0 and third["ETag"] != first["ETag"]
    assert "新名字" in {f["name"] for f in third.json()}


def test_etag_gives_304_and_gzip_is_served_compressed(client, mini):
    response = client.get("/api/geo/facilities.geojson")
    again = client.get("/api/geo/facilities.geojson", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    zipped = client.get("/api/geo/facilities.geojson", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip" and gzip.decompress(zipped.content) == response.content
    assert "Accept-Encoding" in zipped["Vary"]


def test_the_query_string_and_the_language_are_part_of_the_key(client, mini):
    everything = client.get("/api/facilities").json()
    one_grid = client.get("/api/facilities?grid=east").json()
    assert len(one_grid) < len(everything)
    english = client.get("/api/categories", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/categories", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.json() == chinese.json()  # both names are in the answer; the key still tells them apart
    assert english["Content-Language"] == "en" and chinese["Content-Language"] == "zh-hans"


def test_signed_in_callers_share_the_answer_visitors_get(client, mini, django_user_model):
    # A resident who is signed in opens the same map as a visitor: its lists come from the cache
    # too (they were built afresh for each signed-in caller, several times the work).
    visitor = client.get("/api/facilities")
    client.force_login(django_user_model.objects.create_user("resident", password="x"))
    with CaptureQueriesContext(connection) as queries:
        signed_in = client.get("/api/facilities")
    assert signed_in.status_code == 200 and signed_in.json() == visitor.json()
    assert signed_in["ETag"] == visitor["ETag"]
    assert not [q for q in queries.captured_queries if "directory_" in q["sql"]]  # only the user is read


def test_isochrone_shapes_are_shared_per_junction_and_distances_stay_exact(client, mini):
    near = client.get("/api/accessibility/isochrones?lon=121.4425&lat=31.2327").json()
    beside, queries = queries_for(client, "/api/accessibility/isochrones?lon=121.44252&lat=31.23272")
    beside = beside.json()
    assert near["origin"]["node"] == beside["origin"]["node"] and near["features"] == beside["features"]
    assert near["origin"]["moved_m"] > 0 and beside["origin"]["moved_m"] != near["origin"]["moved_m"]
    # the sub-district and its network, and the reached facilities' opening hours (read fresh: they
    # decide "open on arrival"); shapes and snapped facilities come from the cache
    assert queries <= 3
    canteen = {r["code"]: r["distance_m"] for r in near["reachable"]}["canteen"]
    moved = {r["code"]: r["distance_m"] for r in beside["reachable"]}["canteen"]
    assert canteen == pytest.approx(33.4 + 55.6, abs=1) and moved != canteen  # walked from each click


def test_warmed_shapes_spare_every_click_the_drawing_and_outlive_facility_changes(client, mini, monkeypatch,
                                                                                django_capture_on_commit_callbacks):
    call_command("warm_isochrones", "--profile", "standard", "--no-progress", stdout=io.StringIO())
    drawn = []
    real = isochrones_module.isochrones
    monkeypatch.setattr(isochrones_module, "isochrones", lambda *a, **k: drawn.append(a) or real(*a, **k))
    first = client.get("/api/accessibility/isochrones?lon=121.4425&lat=31.2327").json()
    with django_capture_on_commit_callbacks(execute=True):
        Facility.objects.filter(code="canteen").update(active=False)  # no signal: bump by hand, as documented
        caching.bump("directory")
    second = client.get("/api/accessibility/isochrones?lon=121.4425&lat=31.2327").json()
    assert drawn == [] and first["features"] == second["features"]
    assert "canteen" in {r["code"] for r in first["reachable"]}
    assert "canteen" not in {r["code"] for r in second["reachable"]}  # what is reachable follows the directory


def test_the_embedded_file_cache_holds_a_shape_per_junction():
    """Without REDIS_URL the workers share a file cache; Django's default of 300 entries would cull
    the demo's warmed isochrone shapes (one per street junction) as fast as they are made."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL")}
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'lifecircle.settings'); "
            "django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default'].get('OPTIONS', {}).get('MAX_ENTRIES', 300))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert int(out.stdout.strip()) >= 10_000


class CountingCache:
    """The shared cache, counting the reads of topic versions and of cached answers."""

    def __init__(self, cache):
        self.cache, self.version_reads, self.answer_reads, self.topics_read = cache, 0, 0, []

    def get_many(self, keys, *args, **kwargs):
        keys = list(keys)
        self.version_reads += any(key.startswith("caching:version:") for key in keys)
        self.topics_read += [key.removeprefix("caching:version:") for key in keys if key.startswith("caching:version:")]
        return self.cache.get_many(keys, *args, **kwargs)

    def get(self, key, *args, **kwargs):
        self.answer_reads += key.startswith("caching:response:")
        return self.cache.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.cache, name)


def test_a_request_reads_each_topics_version_once(client, mini, monkeypatch):
    path = "/api/accessibility/isochrones?lon=121.4425&lat=31.2327"
    client.get(path)
    counting = CountingCache(caching.cache)
    monkeypatch.setattr(caching, "cache", counting)
    assert client.get(path).status_code == 200
    # The boundaries and the distances (the whole directory's version), then the facilities of the
    # sub-district the click is in (its own): each version read once, however many parts use it.
    assert sorted(counting.topics_read) == sorted(["directory", f"directory:{mini.code}"])


def test_a_request_sees_its_own_changes_and_the_next_request_everyone_elses():
    import threading

    from django.core.signals import request_finished, request_started

    before = caching.versions(["directory"])
    request_started.send(sender=None)
    try:
        assert caching.versions(["directory"]) == before
        other_worker = threading.Thread(target=caching.bump, args=("directory",))  # its own context
        other_worker.start()
        other_worker.join()
        assert caching.versions(["directory"]) == before  # this request keeps the versions it started with
        caching.bump("directory")
        own = caching.versions(["directory"])
        assert own != before  # but its own change is seen at once
    finally:
        request_finished.send(sender=None)
    assert caching.versions(["directory"]) == own
    other_worker = threading.Thread(target=caching.bump, args=("directory",))
    other_worker.start()
    other_worker.join()
    assert caching.versions(["directory"]) != own  # outside a request every read is fresh


def test_a_worker_serves_the_answers_it_keeps_without_reading_the_shared_cache(client, mini, monkeypatch):
    first = client.get("/api/facilities")
    counting = CountingCache(caching.cache)
    monkeypatch.setattr(caching, "cache", counting)
    again = client.get("/api/facilities")
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert (counting.version_reads, counting.answer_reads) == (1, 0)  # the versions only


def test_another_workers_change_reaches_the_answers_a_worker_keeps(client, mini):
    import threading

    first = client.get("/api/facilities").json()
    Facility.objects.filter(pk=Facility.objects.order_by("pk").first().pk).update(name="新名字")
    other_worker = threading.Thread(target=caching.bump, args=("directory",))  # as its commit does
    other_worker.start()
    other_worker.join()
    changed = client.get("/api/facilities").json()
    assert "新名字" not in {f["name"] for f in first} and "新名字" in {f["name"] for f in changed}


def test_a_large_answer_is_stored_compressed_only_and_unzipped_for_a_client_without_gzip(client, mini, monkeypatch):
    stored = {}

    class RecordingCache(CountingCache):
        def set(self, key, value, *args, **kwargs):
            stored[path] = value
            return self.cache.set(key, value, *args, **kwargs)

    monkeypatch.setattr(caching, "cache", RecordingCache(caching.cache))
    path = "/api/geo/facilities.geojson"
    zipped = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    _, _, etag, body, compressed = stored[path]
    assert body is None and len(gzip.decompress(compressed)) > 1024
    monkeypatch.setattr(caching.kept_answers, "get", lambda key: None)  # another worker: from the shared cache
    plain = client.get(path)
    assert plain.status_code == 200 and not plain.has_header("Content-Encoding")
    assert plain.content == gzip.decompress(zipped.content) and plain["ETag"] == zipped["ETag"] == etag
    assert plain.json()["type"] == "FeatureCollection"
    path = "/api/geo/boundary.geojson"
    small = client.get(path)  # under 1 KB: stored plain, not compressed
    assert len(small.content) < 1024 and stored[path][3:] == (small.content, None)


def test_the_client_without_gzip_that_makes_an_answer_gets_it_as_made_not_unzipped(client, mini, monkeypatch):
    unzipped = []
    decompress = gzip.decompress
    monkeypatch.setattr(caching.gzip, "decompress", lambda data: unzipped.append(len(data)) or decompress(data))
    made = client.get("/api/geo/facilities.geojson")  # the first ask: made here, stored compressed only
    assert made.status_code == 200 and not made.has_header("Content-Encoding") and len(made.content) > 1024
    assert unzipped == []
    monkeypatch.setattr(caching.kept_answers, "get", lambda key: None)  # another worker: from the shared cache
    assert client.get("/api/geo/facilities.geojson").content == made.content and len(unzipped) == 1


def test_kept_answers_stay_within_their_bytes_dropping_the_least_recently_used():
    kept = caching.KeptAnswers(limit=100)
    entry = (200, "application/json", '"e"', b"x" * 40, None)
    kept.put("a", entry)
    kept.put("b", entry)
    assert kept.get("a") is entry  # now the most recently used
    kept.put("c", entry)  # 120 bytes: the least recently used ("b") goes
    assert kept.get("b") is None and kept.get("a") is entry and kept.get("c") is entry and kept.size == 80
    kept.put("big", (200, "application/json", '"e"', b"x" * 90, b"x" * 20))  # larger than all: not kept
    assert kept.get("big") is None and kept.size == 80


def test_kept_answers_can_be_emptied():
    kept = caching.KeptAnswers(limit=100)
    kept.put("a", (200, "application/json", '"e"', b"x" * 40, None))
    kept.clear()
    assert kept.get("a") is None and kept.size == 0
