"""Street reports as FixMyStreet-style services make them: a photo with the report (re-encoded,
its metadata gone, ``media_url`` in Open311), what is published said before sending, the open
reports nearby shown first (page, Open311's lat/long/radius and the JSON API), and "notify me of
updates" for neighbours, on the page and the API. Bad input is a 4xx and writes nothing."""
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_household, make_resident, make_staff
from lifecircle.community.models import Compound
from lifecircle.images import check_image
from lifecircle.notifications.models import Notification
from lifecircle.requests311 import intake, lifecycle, nearby
from lifecircle.requests311.models import Follower, RequestUpdate, Service, ServiceRequest

from .conftest import EAST, WEST

pytestmark = pytest.mark.django_db
LIGHT = {"service_code": "street_light", "attribute[problem]": "off"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(media):
    return sorted(p for p in Path(media).rglob("*") if p.is_file())


def jpeg_with_gps(size=(40, 30)):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS latitude: where the resident stood
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def image_bytes(kind="PNG", size=(20, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=kind)
    return buffer.getvalue()


def big_png():
    """A PNG over 5 MB: noise does not compress."""
    noise = Image.frombytes("RGB", (1400, 1400), bytes(range(256)) * (1400 * 1400 * 3 // 256) + b"\0" * (1400 * 1400 * 3 % 256))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


def photo(data, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def make(place, service="street_light", where=WEST, user=None, **extra):
    data = {**LIGHT, **where, **extra} if service == "street_light" else {"service_code": service, **where, **extra}
    from django.http import QueryDict

    form = QueryDict(mutable=True)
    for key, value in data.items():
        form.setlist(key, value if isinstance(value, list) else [value])
    return lifecycle.create_request(intake.parse_new_request(form), reporter=user)


# ---- photos ---------------------------------------------------------------------------------------

def test_a_resident_sends_a_photo_with_the_report_and_it_is_kept_without_metadata(client, place, media):
    client.force_login(place.resident.user)
    response = client.post("/requests311/new/?service=street_light",
                           {**LIGHT, **WEST, "description": "灯不亮", "media": photo(jpeg_with_gps(), "IMG_0001.jpg")})
    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert request.photo.name.startswith("requests311/") and "IMG_0001" not in request.photo.name
    assert request.media_url == f"http://testserver/requests311/{request.pk}/photo/"
    with Image.open(request.photo.path) as kept:
        assert not kept.getexif() and "exif" not in kept.info
    # the photo is public with the report: anyone may fetch it, as an image that is not sniffed
    client.logout()
    served = client.get(f"/requests311/{request.pk}/photo/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert 'data-testid="report-photo"' in client.get(f"/requests311/reports/{request.pk}/").content.decode()


def test_an_open311_client_sends_a_photo_as_multipart_media(client, place):
    response = client.post("/open311/v2/requests.json", {
        "api_key": place.key.plaintext, **LIGHT, **EAST, "media": photo(image_bytes("PNG"), "p.png")})
    assert response.status_code == 200, response.content
    pk = json.loads(response.content)[0]["service_request_id"]
    found = json.loads(client.get(f"/open311/v2/requests/{pk}.json").content)[0]
    assert found["media_url"] == f"http://testserver/requests311/{pk}/photo/"
    served = client.get(f"/requests311/{pk}/photo/")
    assert served["Content-Type"] == "image/png" and Image.open(io.BytesIO(b"".join(served.streaming_content)))


BAD_PHOTOS = [
    pytest.param(lambda: image_bytes("JPEG", (400, 300))[:300], "cut.jpg", "not a JPEG, PNG or WebP", id="broken"),
    pytest.param(lambda: image_bytes("GIF"), "a.gif", "only JPEG, PNG and WebP", id="gif"),
    pytest.param(lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.jpg", "not a JPEG, PNG or WebP", id="svg"),
    pytest.param(big_png, "big.png", "at most 5 MB", id="huge"),
]


@pytest.mark.parametrize("data, name, message", BAD_PHOTOS)
def test_a_bad_photo_is_a_400_on_open311_and_nothing_is_written(client, place, media, data, name, message):
    client.cookies.clear()
    response = client.post("/open311/v2/requests.json", {
        "api_key": place.key.plaintext, **LIGHT, **EAST, "media": photo(data(), name)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in json.loads(response.content)[0]["description"]
    assert not ServiceRequest.objects.exists() and not RequestUpdate.objects.exists() and stored(media) == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize("data, name, message", BAD_PHOTOS[:2])
def test_a_bad_photo_on_the_form_is_explained_and_nothing_is_written(client, place, media, data, name, message):
    client.force_login(place.resident.user)
    response = client.post("/requests311/new/?service=street_light",
                           {**LIGHT, **WEST, "media": photo(data(), name)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not ServiceRequest.objects.exists() and stored(media) == []


def test_one_photo_and_no_media_url_beside_it(client, place, media):
    both = client.post("/open311/v2/requests.json", {
        "api_key": place.key.plaintext, **LIGHT, **EAST, "media_url": "https://example.org/a.jpg",
        "media": photo(image_bytes("PNG"), "p.png")}, HTTP_ACCEPT_LANGUAGE="en")
    two = client.post("/open311/v2/requests.json", {
        "api_key": place.key.plaintext, **LIGHT, **EAST,
        "media": [photo(image_bytes("PNG"), "p.png"), photo(image_bytes("PNG"), "q.png")]}, HTTP_ACCEPT_LANGUAGE="en")
    assert both.status_code == two.status_code == 400
    assert "not both" in both.content.decode() and "one photo" in two.content.decode()
    assert not ServiceRequest.objects.exists() and stored(media) == []


def test_the_photo_of_a_private_request_is_for_its_reporter_and_staff_only(client, place):
    client.force_login(place.resident.user)
    client.post("/requests311/new/?service=elderly_help", {
        "service_code": "elderly_help", **WEST, "attribute[needs][]": ["meals"], "attribute[lives_alone]": "yes",
        "media": photo(image_bytes("JPEG"))})
    request = ServiceRequest.objects.get()
    url = f"/requests311/{request.pk}/photo/"
    assert client.get(url).status_code == 200 and client.get(url)["Cache-Control"] == "private, no-store"
    client.force_login(place.west_worker)
    assert client.get(url).status_code == 200
    for other in (place.neighbour.user, place.east_worker):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get(f"/requests311/reports/{request.pk}/").status_code == 404
    published = json.loads(client.get(f"/open311/v2/requests/{request.pk}.json").content)[0]
    assert published["media_url"] is None and published["lat"] is None


# ---- what is published, said before sending -------------------------------------------------------

def test_the_form_says_what_is_published_and_takes_a_photo(client, place):
    client.force_login(place.resident.user)
    form = client.get("/requests311/new/?service=street_light", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'type="file" name="media"' in form
    assert 'accept="image/jpeg,image/png,image/webp"' in form
    notice = form.split('data-testid="published-notice">')[1].split("</p>")[0]
    assert "the photo you add" in notice and "never published" in notice
    assert 'data-testid="send-reminder"' in form and 'data-testid="nearby"' in form
    private = client.get("/requests311/new/?service=elderly_help").content.decode()
    assert 'data-testid="send-reminder"' not in private and 'data-testid="nearby"' not in private


# ---- nearby -----------------------------------------------------------------------------------------

def test_straight_line_distances_in_metres():
    # one thousandth of a degree of latitude is 111.2 m; of longitude at 31.23° N, 95.0 m
    assert nearby.distance_m(31.233, 121.442, 31.234, 121.442) == pytest.approx(111.2, abs=0.2)
    assert nearby.distance_m(31.233, 121.442, 31.233, 121.443) == pytest.approx(95.1, abs=0.2)


@pytest.fixture
def around(place):
    """Requests around WEST (31.2330, 121.4420): the same kind 150 m east, another kind 50 m north,
    a closed one and a private one on the spot, one 400 m away."""
    same = make(place, where={"lat": "31.2330", "long": "121.44358"})  # ≈150 m
    other = make(place, "noise", where={"lat": "31.23345", "long": "121.4420"}, **{"attribute[source]": "construction"})
    closed = make(place)
    lifecycle.change_state(closed, "closed", "修好了", place.west_worker)
    private = make(place, "elderly_help", **{"attribute[needs][]": ["meals"]})
    far = make(place, where={"lat": "31.2366", "long": "121.4420"})  # ≈400 m north
    return {"same": same, "other": other, "closed": closed, "private": private, "far": far}


def test_open_reports_nearby_same_kind_first(place, around):
    street_light = Service.objects.get(service_code="street_light")
    found = nearby.open_near(31.2330, 121.4420, 200, street_light)
    assert [r for r, _m in found] == [around["same"], around["other"]]
    assert [round(m) for _r, m in found] == [150, 50]
    assert [r for r, _m in nearby.open_near(31.2330, 121.4420, 200)] == [around["other"], around["same"]]
    assert {r for r, _m in nearby.open_near(31.2330, 121.4420, 500)} == {around["same"], around["other"], around["far"]}


def test_the_form_asks_for_nearby_reports(client, place, around):
    client.force_login(place.neighbour.user)
    answer = client.get("/requests311/nearby/", {"lat": "31.2330", "long": "121.4420", "service": "street_light"}).json()
    assert answer["radius"] == 200
    assert [(r["id"], r["same_service"], r["distance"]) for r in answer["reports"]] == [
        (around["same"].pk, True, 150), (around["other"].pk, False, 50)]
    assert answer["reports"][0]["url"] == f"/requests311/reports/{around['same'].pk}/"


@pytest.mark.parametrize("query", [
    {"lat": "31.2330"}, {"lat": "abc", "long": "121.44"}, {"lat": "91", "long": "121.44"},
    {"lat": "31.2", "long": "nan"}, {"lat": "31.2", "long": "121.4", "radius": "-5"},
    {"lat": "31.2", "long": "121.4", "radius": "999999"},
])
def test_bad_coordinates_are_a_400_everywhere(client, place, query):
    assert client.get("/requests311/nearby/", query).status_code == 400
    assert "errors" in client.get("/requests311/nearby/", query).json()
    assert client.get("/api/requests311/nearby", {"lat": "", "long": "", **query}).status_code == 400
    assert client.get("/open311/v2/requests.json", query).status_code == 400


def test_open311_finds_requests_by_lat_long_and_radius(client, place, around):
    rows = json.loads(client.get("/open311/v2/requests.json",
                                 {"lat": "31.2330", "long": "121.4420", "radius": "200", "extensions": "true"}).content)
    # closed ones too (status filters them), never a private one; nearest first, with the distance
    assert [int(r["service_request_id"]) for r in rows] == [around["closed"].pk, around["other"].pk, around["same"].pk]
    assert [round(r["extended_attributes"]["distance"]) for r in rows] == [0, 50, 150]
    open_only = json.loads(client.get("/open311/v2/requests.json",
                                      {"lat": "31.2330", "long": "121.4420", "status": "open"}).content)
    assert [int(r["service_request_id"]) for r in open_only] == [around["other"].pk, around["same"].pk]


def test_the_api_lists_nearby_reports(client, place, around):
    rows = client.get("/api/requests311/nearby", {"lat": "31.2330", "long": "121.4420",
                                                  "service_code": "street_light"}).json()
    assert [(r["service_request_id"], r["same_service"]) for r in rows] == [
        (str(around["same"].pk), True), (str(around["other"].pk), False)]
    assert client.get("/api/requests311/nearby", {"lat": "31.2", "long": "121.4",
                                                  "service_code": "nope"}).status_code == 400


# ---- following --------------------------------------------------------------------------------------

def test_a_neighbour_follows_a_report_and_hears_of_every_public_update(client, place):
    request = make(place, user=place.resident.user)
    client.force_login(place.neighbour.user)
    page = client.get(f"/requests311/reports/{request.pk}/").content.decode()
    assert 'data-testid="follow"' in page and "李红" not in page
    response = client.post(f"/requests311/reports/{request.pk}/follow/", {"action": "follow"})
    assert response.status_code == 302 and Follower.objects.filter(user=place.neighbour.user).count() == 1
    client.post(f"/requests311/reports/{request.pk}/follow/", {"action": "follow"})  # again: no change
    assert Follower.objects.count() == 1
    assert 'data-testid="following"' in client.get(f"/requests311/reports/{request.pk}/").content.decode()
    mine = client.get("/requests311/").content.decode()
    assert 'data-testid="followed"' in mine and f'href="/requests311/reports/{request.pk}/"' in mine

    lifecycle.add_internal_note(request, "物业说是开发商的事", place.west_worker)
    assert not Notification.objects.filter(user=place.neighbour.user).exists()  # internal: nobody is told
    lifecycle.change_state(request, "acknowledged", "已派人查看", place.west_worker)
    told = Notification.objects.get(user=place.neighbour.user)
    assert told.url == f"/requests311/reports/{request.pk}/"
    assert told.texts["en"][0] == f"Request #{request.pk} that you follow is now acknowledged"
    assert told.texts["zh-hans"][0] != told.texts["en"][0] and f"#{request.pk}" in told.texts["zh-hans"][0]
    assert told.texts["en"][1] == "已派人查看"
    # the reporter hears once, as the reporter, not a second time as a follower
    assert Notification.objects.filter(user=place.resident.user).count() == 1

    lifecycle.reporter_comment(request, "还是不亮", user=place.resident.user)
    assert Notification.objects.filter(user=place.neighbour.user).count() == 2
    client.post(f"/requests311/reports/{request.pk}/follow/", {"action": "unfollow"})
    lifecycle.add_note(request, "周二维修", place.west_worker)
    assert Notification.objects.filter(user=place.neighbour.user).count() == 2 and not Follower.objects.exists()


def test_who_may_follow(client, place):
    own = make(place, user=place.resident.user)
    private = make(place, "elderly_help", user=place.resident.user, **{"attribute[needs][]": ["meals"]})
    client.force_login(place.resident.user)
    response = client.post(f"/requests311/reports/{own.pk}/follow/", {"action": "follow"}, follow=True)
    assert "you are told of every update already" in response.content.decode() or "已经" in response.content.decode()
    client.force_login(place.neighbour.user)
    assert client.post(f"/requests311/reports/{private.pk}/follow/").status_code == 404
    client.force_login(place.west_worker)  # staff, not a resident
    assert client.post(f"/requests311/reports/{own.pk}/follow/").status_code == 403
    client.logout()
    assert client.post(f"/requests311/reports/{own.pk}/follow/").status_code == 302  # to sign in
    assert not Follower.objects.exists()
    assert "Sign in" in client.get(f"/requests311/reports/{own.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_following_on_the_api(client, place):
    request = make(place, user=place.resident.user)
    private = make(place, "elderly_help", **{"attribute[needs][]": ["meals"]})
    url = f"/api/requests311/requests/{request.pk}/following"
    assert client.post(url).status_code == 401
    client.force_login(place.neighbour.user)
    assert client.get(url).json() == {"service_request_id": str(request.pk), "following": False}
    assert client.post(url).json()["following"] is True
    assert Follower.objects.get().user == place.neighbour.user
    assert client.delete(url).json()["following"] is False and not Follower.objects.exists()
    assert client.post(f"/api/requests311/requests/{private.pk}/following").status_code == 404
    assert client.post("/api/requests311/requests/999999/following").status_code == 404
    assert client.get(f"/api/requests311/requests/{10**30}/following").status_code in (404, 422)  # never a 500
    client.force_login(place.resident.user)
    assert client.post(url).status_code == 400  # one's own report
    client.force_login(make_staff(StaffRole.Role.GRID_WORKER, place.subdistrict, grid=place.east))
    assert client.post(url).status_code == 403
    assert not Follower.objects.exists()


def test_a_follower_reads_notices_in_their_language(place):
    request = make(place)
    other = make_resident(make_household(Compound.objects.get(code="a")), "王芳", datetime.date(1990, 1, 1))
    lifecycle.follow(request, other.user)
    lifecycle.change_state(request, "closed", "已修复", place.west_worker)
    told = Notification.objects.get(user=other.user)
    from django.utils import translation

    with translation.override("en"):
        assert told.shown_subject == f"Request #{request.pk} that you follow is now closed"
    with translation.override("zh-hans"):
        assert told.shown_subject == told.texts["zh-hans"][0]


def test_an_id_no_database_can_hold_is_a_404(client, place):
    huge = 10**30
    for url in (f"/requests311/reports/{huge}/", f"/requests311/{huge}/photo/"):
        assert client.get(url).status_code == 404
    client.force_login(place.neighbour.user)
    assert client.post(f"/requests311/reports/{huge}/follow/").status_code == 404


def test_staff_see_possible_duplicates_nearby(client, place, around):
    client.force_login(place.west_worker)
    page = client.get(f"/requests311/staff/{around['same'].pk}/").content.decode()
    listed = page.split('data-testid="staff-nearby"')[1].split("</ul>")[0]
    # from the lamp 150 m east: the noise 155 m away; the closed, private and far ones are not candidates
    assert f"/requests311/staff/{around['other'].pk}/" in listed
    for name in ("same", "closed", "private", "far"):
        assert f"/requests311/staff/{around[name].pk}/" not in listed


# ---- photos with a reporter's update ----------------------------------------------------------------

def test_the_reporter_adds_a_photo_to_a_comment(client, place, media):
    request = make(place, user=place.resident.user)
    client.force_login(place.resident.user)
    bad = client.post(f"/requests311/{request.pk}/action/", {"action": "comment", "text": "还是不亮",
                                                              "media": photo(image_bytes("GIF"), "a.gif")}, follow=True)
    assert "GIF" in bad.content.decode()
    assert not RequestUpdate.objects.filter(kind="note").exists() and stored(media) == []
    client.post(f"/requests311/{request.pk}/action/", {"action": "comment", "text": "还是不亮",
                                                        "media": photo(jpeg_with_gps(), "night.jpg")})
    update = RequestUpdate.objects.get(kind="note")
    assert update.media_url == f"http://testserver/requests311/updates/{update.pk}/photo/"
    with Image.open(update.photo.path) as kept:
        assert not kept.getexif()
    assert 'data-testid="update-photo"' in client.get(f"/requests311/{request.pk}/").content.decode()
    client.logout()
    assert client.get(f"/requests311/updates/{update.pk}/photo/")["Content-Type"] == "image/jpeg"
    stream = json.loads(client.get("/open311/v2/servicerequestupdates.json").content)
    assert stream[-1]["media_url"] == update.media_url


def test_an_open311_update_takes_a_photo_and_refuses_a_bad_one(client, place, media):
    request = make(place, account_id="acct-7")
    fields = {"api_key": place.key.plaintext, "service_request_id": str(request.pk), "status": "open",
              "description": "灯杆编号 JN-0456", "account_id": "acct-7"}
    bad = client.post("/open311/v2/servicerequestupdates.json", {**fields, "media": photo(b"not an image", "x.jpg")},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "not a JPEG, PNG or WebP" in bad.content.decode()
    assert not RequestUpdate.objects.filter(kind="note").exists() and stored(media) == []
    good = client.post("/open311/v2/servicerequestupdates.json", {**fields, "media": photo(image_bytes("WEBP"), "p.webp")})
    assert good.status_code == 200
    update = RequestUpdate.objects.get(pk=json.loads(good.content)[0]["update_id"])
    assert update.photo.name.endswith(".webp") and update.media_url.endswith(f"/requests311/updates/{update.pk}/photo/")


def test_the_photo_of_an_update_to_a_private_request_is_not_public(client, place):
    request = make(place, "elderly_help", user=place.resident.user, **{"attribute[needs][]": ["meals"]})
    update = lifecycle.reporter_comment(request, "她今天没开门", user=place.resident.user,
                                        photo=check_image(photo(image_bytes("PNG"), "a.png")))
    url = f"/requests311/updates/{update.pk}/photo/"
    assert client.get(url).status_code == 404
    client.force_login(place.neighbour.user)
    assert client.get(url).status_code == 404
    client.force_login(place.resident.user)
    assert client.get(url).status_code == 200


def test_staff_take_photos_down(client, place, media, django_capture_on_commit_callbacks):
    client.force_login(place.resident.user)
    client.post("/requests311/new/?service=street_light", {**LIGHT, **WEST, "media": photo(image_bytes("JPEG"))})
    request = ServiceRequest.objects.get()
    client.post(f"/requests311/{request.pk}/action/", {"action": "comment", "text": "夜里",
                                                        "media": photo(image_bytes("PNG"), "n.png")})
    assert len(stored(media)) == 2 and request.updates.exclude(photo="").count() == 1
    with pytest.raises(lifecycle.LifecycleError):  # another grid's worker
        lifecycle.remove_photos(request, place.east_worker)
    assert len(stored(media)) == 2
    client.force_login(place.west_worker)
    assert 'data-testid="remove-photos"' in client.get(f"/requests311/staff/{request.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the change is committed
        response = client.post(f"/requests311/staff/{request.pk}/action/", {"action": "remove_photos"})
    assert response.status_code == 302 and stored(media) == []
    request.refresh_from_db()
    assert not request.photo and not request.media_url
    assert not RequestUpdate.objects.exclude(photo="").exists() and not RequestUpdate.objects.exclude(media_url="").exists()
    assert request.internal_notes.get().author == place.west_worker
    assert json.loads(client.get(f"/open311/v2/requests/{request.pk}.json").content)[0]["media_url"] is None
    assert client.get(f"/requests311/{request.pk}/photo/").status_code == 404
    with pytest.raises(lifecycle.LifecycleError):  # nothing left to take down
        lifecycle.remove_photos(request, place.west_worker)
