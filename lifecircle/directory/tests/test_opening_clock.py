"""The facility and point-of-interest lists are kept from minute to minute until something on them
opens or closes (``directory.api.opening_clock``), and what they say is then the same as if built
afresh."""
import datetime

import pytest
from django.utils import timezone

from lifecircle.community.packs import load_pack
from lifecircle.community.scope import by_code
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory import api
from lifecircle.directory.models import Facility, HoursException, PointOfInterest

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)


def local(day, hour, minute=0, second=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


@pytest.fixture
def clock(monkeypatch):
    """Set the time every answer and every clock reads: ``clock(moment)``."""
    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
    return set_to


@pytest.fixture
def mini_with_hours(db):
    """Hours of every kind: a plain day, a span past midnight, and a dated exception."""
    load_pack(MINI)
    for code, text in {"center": "Mo-Su 08:00-18:00", "canteen": "Mo-Fr 10:30-13:00,16:45-19:15",
                       "babycare": "Mo-Sa 22:00-02:00"}.items():
        Facility.objects.filter(code=code).update(opening_hours=text)
    # update() sends no signal: fine here, as no list has been read (and kept) before these hours
    HoursException.objects.create(facility=Facility.objects.get(code="center"), date=MONDAY,
                                  opening_hours="09:15-11:40")
    PointOfInterest.objects.filter(code="books").update(opening_hours="Mo-Fr 07:20-21:00")
    by_code()  # as a worker reads them at start (lifecircle.wsgi): a list's topics name its sub-district


def test_a_list_is_built_once_until_a_place_on_it_opens_or_closes(client, clock, mini_with_hours, monkeypatch):
    built = []
    answer = api.answer
    monkeypatch.setattr(api, "answer", lambda f, now, fields: built.append(f.code) or answer(f, now, fields))

    def open_now():
        built.clear()
        return {f["code"]: f["open_now"] for f in client.get("/api/facilities?subdistrict=mini").json()}

    clock(local(MONDAY, 9, 20))
    assert open_now() == {"center": True, "canteen": False, "babycare": False} and built
    for moment in [(9, 21, 30), (9, 35), (10, 29, 59)]:  # nothing opens or closes from 09:15 to 10:30
        clock(local(MONDAY, *moment))
        assert open_now() == {"center": True, "canteen": False, "babycare": False}
        assert not built, "kept per minute: built again though nothing opened or closed"
    clock(local(MONDAY, 10, 30))  # the canteen opens
    assert open_now() == {"center": True, "canteen": True, "babycare": False} and built
    clock(local(MONDAY, 11, 40))  # the exception's end: the centre closes early that Monday
    assert open_now() == {"center": False, "canteen": True, "babycare": False} and built
    clock(local(MONDAY + datetime.timedelta(days=1), 11, 40))  # the same minute on the next day
    assert open_now() == {"center": True, "canteen": True, "babycare": False} and built


@pytest.mark.parametrize("path", ["/api/facilities?subdistrict=mini", "/api/pois?subdistrict=mini",
                                  "/api/geo/facilities.geojson?open_now=false"])
def test_a_kept_list_says_what_a_list_built_afresh_would(client, clock, mini_with_hours, path):
    """Every quarter of an hour over two days (a span past midnight, the exception's day, the minutes
    either side of each opening and closing): the answer served equals one built at that moment
    with nothing kept, whether open now, when it next opens, and which places are in it."""
    moments = [local(MONDAY, 0) + datetime.timedelta(minutes=m) for m in range(0, 2 * 1440, 15)]
    moments += [local(MONDAY, h, m) + datetime.timedelta(minutes=d) for h, m in
                [(8, 0), (9, 15), (11, 40), (10, 30), (13, 0), (16, 45), (19, 15), (22, 0), (2, 0), (7, 20), (21, 0)]
                for d in (-1, 0, 1, 1440 - 1, 1440)]
    for moment in sorted(moments):
        clock(moment)
        served = client.get(path)
        assert served.status_code == 200
        with pytest.MonkeyPatch.context() as afresh:
            afresh.setattr("lifecircle.caching.cache.get", lambda key, default=None, **kwargs: default)
            afresh.setattr("lifecircle.caching.kept_answers.get", lambda key: None)
            built = client.get(path)
        assert served.json() == built.json(), f"{path} at {moment:%a %H:%M}"
