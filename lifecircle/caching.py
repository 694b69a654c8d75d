"""Cached public answers: read-mostly responses kept whole in Django's cache, ETag and 304.

What is cached: the body of a GET that is the same for everyone (the map's facility list and
GeoJSON layers, the Open311 service lists), under a key built from the path, the query string,
the language and the *versions of its topics*. A topic ("directory", "requests311") is a
counter in the cache; every save or delete of a model registered for it (and every m2m change)
bumps it once the transaction commits, so every cached answer of that topic is stale at that
moment, in every worker, when the cache is shared (``CACHES``: Redis, or the file cache the
workers of one machine share). A process-local cache (``LocMemCache``) cannot tell the other
workers, so there answers are kept for ``LOCAL_TIMEOUT_SECONDS`` only. ``queryset.update()`` and
``bulk_create`` send no signals: code that changes registered models that way calls ``bump``.
An answer that depends on the clock is cached for the stretch of time its ``clock`` names: a minute
(``each_minute``: Open311's 90-day window), or until a place on it opens or closes (the directory's
lists, ``directory.api.opening_clock``).
A topic may be split into parts (``parts=``: the directory's, one per sub-district): a change to a
row of one part bumps only that part's version and the "any part" one, so an answer about one
sub-district (``part_topics``) stays cached while staff edit another, and an answer about all of
them sees every edit.

Why it is fast: a hit is one ``get_many`` for the versions and one ``get`` for the answer, and
the answer is stored gzip-compressed (plain when it is under 1 KB) with its ETag, so a hit
neither serialises nor compresses nor hashes anything. Only the compressed copy is kept: a city's
street network layer is about a tenth of its JSON compressed, and the plain copy beside it made
every store and read of it in the shared cache ten times the bytes; the rare client that takes
no gzip gets it unzipped (about 1 ms a megabyte). The street network's layer is kept in this form
in a file beside its graph instead (``community.networks.network_layer``), made once per network,
and answered by ``entry_response`` as these are. Each worker also keeps the answers it served last
(``KEPT_ANSWERS_BYTES``): a hit on one of those is the version read alone, without the second
round trip and the unpickling. That is safe because an answer's key holds its topics' versions: a
change gives every answer of the topic a new key, and the old ones only age out. A client that
sends the ETag back (``If-None-Match``) gets ``304 Not Modified`` without a body.

Invariant: nothing personal is ever cached here — ``cached_response`` is only applied to views
whose answer depends on nothing but the URL, the language and the stored public data (never on
who asks, so a signed-in resident opening the map shares the answer a visitor gets), and a
response that sets a cookie or varies on the cookie is never stored. A view whose answer depends
on the caller (staff scoping) must not use it.

Isochrone polygons (``from_nearest_node``): drawn from the street junction nearest a map click
(the nearer end of the street it snaps to: half a street segment at most, 27 m on average in
the demo, whose streets average 54 m between junctions) and cached per junction, so the clicks
of a whole sub-district share as many shapes as it has junctions. Each answer says where its
shapes start (``origin``, with the metres moved), so the shift is never silent; the walking
distances to facilities are still computed exactly from the click.
"""
import collections
import contextvars
import functools
import gzip
import hashlib
import threading
import time

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language

TIMEOUT_SECONDS = 3600
LOCAL_TIMEOUT_SECONDS = 2
_topics_of = {}  # app label or "app_label.ModelName" → topics bumped when (any of) its model(s) change


def _version_key(topic):
    return f"caching:version:{topic}"


#: The versions this request has read, topic → version (None outside a request): a map click asks
#: for the "directory" version three times, and each read was a round trip to the shared cache. A
#: request works on the versions it saw first; a change committed meanwhile reaches the next one.
_request_versions = contextvars.ContextVar("lifecircle_request_versions", default=None)


def _start_request_versions(**kwargs):
    _request_versions.set({})


def _end_request_versions(**kwargs):
    _request_versions.set(None)


request_started.connect(_start_request_versions, dispatch_uid="lifecircle.caching.request_started")
request_finished.connect(_end_request_versions, dispatch_uid="lifecircle.caching.request_finished")


def versions(topics):
    """The present version of each topic (a new topic starts at the clock in nanoseconds, so a
    version evicted from the cache never comes back as a number some old answer was stored under);
    read once per request."""
    seen = _request_versions.get()
    if seen is None:
        seen = {}
    missing = {topic: _version_key(topic) for topic in topics if topic not in seen}
    found = cache.get_many(missing.values()) if missing else {}
    for topic, key in missing.items():
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
        seen[topic] = found[key]
    return [seen[t] for t in topics]


def bump(*topics):
    """Make every cached answer of ``topics`` stale (call after the change is committed). The new
    version is the clock in nanoseconds, written with one ``set``: unlike an increment (a read and
    a write in the file cache) two bumps at once cannot collapse into one. The request that made
    the change sees the new versions at once."""
    new = {topic: time.time_ns() for topic in topics}
    cache.set_many({_version_key(topic): version for topic, version in new.items()}, timeout=None)
    seen = _request_versions.get()
    if seen is not None:
        seen.update(new)


def _timeout(wanted):
    """A process-local cache cannot tell the other workers of a change: keep its answers briefly."""
    return min(wanted, LOCAL_TIMEOUT_SECONDS) if isinstance(caches["default"], LocMemCache) else wanted


def _bump_on_commit(topics):
    transaction.on_commit(lambda: bump(*topics))


_parts_of = {}  # "app_label.ModelName" → {topic: lookup of the part a row belongs to}; see invalidate_on_changes
_unseen = {}  # ("app_label.ModelName", topic) → test of a change the topic's answers cannot show
ANY_PART = "any"


def part_topics(topic, part=None):
    """The topics of an answer about one part of ``topic``'s data (one sub-district's), or about
    every part for None: ``topic`` itself, which changes with what every part shares, and the
    part's own (``"directory:jiangning-road"``), or ``"directory:any"``, which every part's change bumps."""
    return [topic, f"{topic}:{ANY_PART if part is None else part}"]


def _stored_parts(model, pk, lookups):
    """Each topic's part of the stored row ``pk`` (None when there is none)."""
    stored = model._base_manager.filter(pk=pk)
    return {topic: stored.values_list(lookup, flat=True).first() for topic, lookup in lookups.items()}


def _before_change(sender, instance, **kwargs):
    """Remember which part a row belonged to before it is changed or deleted: a facility moved to
    another sub-district changes both."""
    lookups = _parts_of.get(sender._meta.label)
    if lookups and not instance._state.adding and instance.pk is not None:
        instance._lifecircle_parts_before = _stored_parts(sender, instance.pk, lookups)


def _changed_topics(model, instance=None, deleted=False, created=False):
    """The topics a change to ``instance`` (a row of ``model``; None: some of its rows) makes stale."""
    topics = _topics_of.get(model._meta.app_label, set()) | _topics_of.get(model._meta.label, set())
    if instance is not None:
        topics = {topic for topic in topics if _may_show(topic, instance, created)}
    lookups = {topic: lookup for topic, lookup in _parts_of.get(model._meta.label, {}).items() if topic in topics}
    if instance is None or not lookups:
        return topics
    before = getattr(instance, "_lifecircle_parts_before", {})
    after = {} if deleted else _stored_parts(model, instance.pk, lookups)
    for topic in lookups:
        parts = {part for part in (before.get(topic), after.get(topic)) if part is not None}
        topics = topics - {topic} | {f"{topic}:{part}" for part in parts | {ANY_PART}}
    return topics


def _may_show(topic, instance, created):
    """Whether an answer of ``topic`` may show this change to ``instance`` (``invalidate_on_changes``'s ``unseen``)."""
    unseen = _unseen.get((instance._meta.label, topic))
    return unseen is None or not unseen(instance, created)


def _on_save(sender, instance, created=False, **kwargs):
    if topics := _changed_topics(sender, instance, created=created):
        _bump_on_commit(topics)


def _on_delete(sender, instance, **kwargs):
    if topics := _changed_topics(sender, instance, deleted=True):
        _bump_on_commit(topics)


def _on_m2m_change(sender, instance, action, **kwargs):
    if action.startswith("post_") and (topics := _changed_topics(type(instance), instance)):
        _bump_on_commit(topics)


def invalidate_on_changes(topic, *labels, parts=None, unseen=None):
    """Bump ``topic`` whenever a model named by ``labels`` is saved, deleted or its m2m changes: an
    app label names all its models, ``"app_label.ModelName"`` one (a topic as narrow as what its
    answers show, so that a new Open311 request does not drop the cached list of services).

    ``unseen`` maps models (``"app_label.ModelName"``) to a test ``unseen(row, created)`` of a saved
    or deleted row: true for a change no answer of the topic shows (a new request's own "submitted"
    update, which the Open311 update stream leaves out), which then leaves the topic as it is.

    ``parts`` maps models whose rows each belong to one part of the data (``"app_label.ModelName"``
    → the lookup of that part: ``"subdistrict__code"``, ``"facility__subdistrict__code"``) to it: a
    change to such a row bumps only its part's topic and the "any part" one (``part_topics``), so
    that an edit in one sub-district leaves the other 199 sub-districts' answers cached."""
    for label in labels:
        _topics_of.setdefault(label, set()).add(topic)
    for label, lookup in (parts or {}).items():
        _parts_of.setdefault(label, {})[topic] = lookup
    for label, test in (unseen or {}).items():
        _unseen[label, topic] = test
    post_save.connect(_on_save, dispatch_uid="lifecircle.caching.save")
    post_delete.connect(_on_delete, dispatch_uid="lifecircle.caching.delete")
    pre_save.connect(_before_change, dispatch_uid="lifecircle.caching.before-save")
    pre_delete.connect(_before_change, dispatch_uid="lifecircle.caching.before-delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="lifecircle.caching.m2m")


def make_entry(response):
    """``response`` as an answer is kept: (status, content type, ETag, plain body or None, compressed
    body or None), the body gzip-compressed when it is over 1 KB (then only the compressed copy is
    kept) and the ETag a hash of the plain body, so that an answer kept elsewhere (a street
    network's layer, in a file beside its graph) has the ETag it would have here."""
    body = response.content
    # Level 1, as nginx's default: a city's street layer (447 KB of JSON) in 1.7 ms, 44 KB;
    # level 6 took 4.5 ms for 35 KB, and a cold city asks for hundreds of layers at once.
    compressed = gzip.compress(body, compresslevel=1) if len(body) > 1024 else None
    etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
    return (response.status_code, response["Content-Type"], etag, None if compressed else body, compressed)


def entry_response(entry, request, made=None):
    """The response for a kept ``entry`` (``make_entry``'s form): 304 when the client holds its ETag,
    the compressed body to a client that takes gzip, the plain one otherwise; ``made``: its plain
    body when this request has just made it (a client without gzip is then answered with it, not
    with the compressed copy unzipped)."""
    status, content_type, etag, body, compressed = entry
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    elif "gzip" in request.headers.get("Accept-Encoding", "") and compressed is not None:
        response = HttpResponse(compressed, status=status, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        plain = body if body is not None else made if made is not None else gzip.decompress(compressed)
        response = HttpResponse(plain, status=status, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"  # keep it, but ask again (a 304 costs nothing)
    patch_vary_headers(response, ["Accept-Encoding", "Accept-Language"])
    return response


def _cacheable(response):
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and "Cookie" not in response.get("Vary", "") and not response.has_header("Content-Encoding"))


KEPT_ANSWERS_BYTES = 32 * 2**20  # per worker: a city's few hundred most asked lists and layers


class KeptAnswers:
    """The cached answers this worker served last, the least recently used dropped first once
    their bodies pass ``limit`` bytes. Keys hold the versions of their topics (see
    ``cached_response``), so nothing here needs invalidating."""

    def __init__(self, limit):
        self.limit, self.size = limit, 0
        self._entries = collections.OrderedDict()
        self._lock = threading.Lock()  # gunicorn's threads share a worker

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.size = 0

    def put(self, key, entry):
        size = _entry_bytes(entry)
        if size > self.limit:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self.size += size
            while self.size > self.limit:
                _, dropped = self._entries.popitem(last=False)
                self.size -= _entry_bytes(dropped)


def _entry_bytes(entry):
    """The bytes of an answer's bodies: the plain one or the compressed one (both, in an answer the
    shared cache kept from before only one was stored)."""
    return len(entry[3] or b"") + len(entry[4] or b"")


kept_answers = KeptAnswers(KEPT_ANSWERS_BYTES)


def each_minute(request):
    """A ``cached_response`` clock for answers that hold for the minute they were made in."""
    return str(int(time.time() // 60))


def cached_response(*topics, clock=None, timeout=TIMEOUT_SECONDS):
    """Decorate a view (or, with ``ninja.decorators.decorate_view``, an API operation) whose answer
    is the same for everyone: GET and HEAD are answered from the cache while ``topics`` are
    unchanged and, with a ``clock`` (a function of the request naming the stretch of time its
    answer holds for: ``each_minute``), within that stretch. A topic may be a function of the
    request giving topics (the sub-district it names: ``part_topics``)."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            names = [name for topic in topics for name in (topic(request) if callable(topic) else [topic])]
            parts = [request.path, request.META.get("QUERY_STRING", ""), get_language() or "",
                     *map(str, versions(names))]
            if clock is not None:
                parts.append(clock(request))
            key = "caching:response:" + hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
            # A process-local cache keeps answers briefly (_timeout): this worker's copy could not.
            local = isinstance(caches["default"], LocMemCache)
            entry = None if local else kept_answers.get(key)
            if entry is None:
                entry = cache.get(key)
            body = None
            if entry is None:
                response = view(request, *args, **kwargs)
                if not _cacheable(response):
                    return response
                body = response.content
                entry = make_entry(response)
                cache.set(key, entry, timeout=_timeout(timeout))
            if not local:
                kept_answers.put(key, entry)
            return entry_response(entry, request, made=body)
        return wrapper
    return decorate


def cached_value(topics, key_parts, compute, timeout=TIMEOUT_SECONDS):
    """``compute()``'s result, kept in the cache under ``key_parts`` until ``topics`` change."""
    parts = [*map(str, key_parts), *map(str, versions(topics))]
    key = "caching:value:" + hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=_timeout(timeout))
    return value


_in_process = {}  # key → (versions, made at, value): see in_this_process


def in_this_process(topics, key, compute):
    """``compute()``'s result kept in this process (not pickled into the shared cache: a spatial
    index, parsed shapes) until ``topics`` change: each call costs one read of their versions.
    With a process-local cache the other workers' changes cannot be seen, so there it is kept
    ``LOCAL_TIMEOUT_SECONDS`` at most, as cached answers are."""
    current = versions(topics)
    found = _in_process.get(key)
    local = isinstance(caches["default"], LocMemCache)
    if found is None or found[0] != current or (local and time.monotonic() - found[1] > LOCAL_TIMEOUT_SECONDS):
        found = (current, time.monotonic(), compute())
        _in_process[key] = found  # one entry per key: a new version replaces the old one
    return found[2]


def last_kept(key):
    """What ``in_this_process`` last kept under ``key`` (None if nothing), whatever the versions
    are now: only for a choice that stays right when it is stale."""
    found = _in_process.get(key)
    return None if found is None else found[2]


def from_nearest_node(compute):
    """Cache ``compute(subdistrict, lon, lat, *rest)`` (isochrone shapes) per network junction:
    computed from the junction nearest the point, kept until the network file changes, keyed by
    ``rest`` too (what else the answer depends on: the profile, the distances); the answer gains
    ``origin`` = {lon, lat, node, moved_m}. A point too far from every street is passed through
    unchanged, so ``compute`` reports it. ``snapped``: the point already snapped to the network as
    loaded, where the caller has it (a map click's, found while finding its sub-district): not
    snapped again."""
    @functools.wraps(compute)
    def wrapper(subdistrict, lon, lat, *rest, snapped=None):
        from lifecircle.community import networks  # here, not above: the apps import this module
        from lifecircle.geo.snapping import snap_points

        network = subdistrict.network
        graph = networks.load_graph(network)
        snap = snap_points(graph, [lon], [lat]) if snapped is None else snapped
        if not snap.ok[0]:
            return compute(subdistrict, lon, lat, *rest)
        at_u = snap.dist_u[0] <= snap.dist_v[0]
        node = int(snap.u[0] if at_u else snap.v[0])
        moved_m = float(snap.offset_m[0] + (snap.dist_u[0] if at_u else snap.dist_v[0]))
        answer = cached_value(
            [], [compute.__module__, compute.__qualname__, network.pk, network.graph_file,
                 networks.graph_path(network).stat().st_mtime_ns, node, repr(rest)],
            lambda: compute(subdistrict, float(graph.node_lon[node]), float(graph.node_lat[node]), *rest))
        origin = {"lon": float(graph.node_lon[node]), "lat": float(graph.node_lat[node]), "node": node,
                  "moved_m": round(moved_m, 1)}
        return {**answer, "origin": origin}
    return wrapper
