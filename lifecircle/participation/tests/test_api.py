"""The JSON API: in the OpenAPI schema, same rules as the pages, clear refusals, the GeoJSON layer."""
import pytest
from django.test import Client

from lifecircle.participation import services
from lifecircle.participation.models import Comment, Proposal, Support

from .helpers import COLLECT_DAY, DISCUSS_DAY, INSIDE, VOTE_DAY, on

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_participation_router_is_in_the_openapi_schema(client, world):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/participation/processes", "/api/participation/processes/{slug}/proposals",
                 "/api/participation/proposals/{proposal_id}", "/api/participation/proposals/{proposal_id}/comments",
                 "/api/participation/proposals/{proposal_id}/support", "/api/participation/representatives",
                 "/api/participation/threads", "/api/participation/threads/{thread_id}",
                 "/api/participation/threads/{thread_id}/messages", "/api/geo/proposals.geojson"):
        assert path in paths, path
    create = paths["/api/participation/processes/{slug}/proposals"]["post"]
    assert create["tags"] == ["participation"] and {"400", "403", "429"} <= set(create["responses"])
    components = schema["components"]["schemas"]  # named so that no other app's schema replaces them
    assert {"supports", "hidden_notice", "follow_ups"} <= set(components["ParticipationProposalOut"]["properties"])
    assert {"median_hours", "share_within_7_days"} <= set(components["ResponseTimesOut"]["properties"])


def test_processes_say_their_phase_and_what_residents_can_do(client, world):
    with on(VOTE_DAY):
        processes = {p["slug"]: p for p in client.get("/api/participation/processes").json()}
    assert processes["p"]["current_phase"] == "vote" and processes["p"]["allowed_actions"] == ["support"]
    assert [p["kind"] for p in processes["p"]["phases"]] == ["collect", "discuss", "vote", "carry_out", "report_back"]
    assert [p["current"] for p in processes["p"]["phases"]] == [False, False, True, False, False]
    assert processes["happy-18"]["kind"] == "space" and processes["happy-18"]["allowed_actions"] == ["comment", "propose"]
    assert client.get("/api/participation/processes?subdistrict=other").json() == []


def test_proposing_through_the_api(client, world):
    url = "/api/participation/processes/p/proposals"
    with on(COLLECT_DAY):
        assert post(client, url, {"title": "t", "body": "b"}).status_code == 401
        client.force_login(world.alice.user)
        response = post(client, url, {"title": "装路灯", "body": "<b>太黑</b><script>x</script>", "lon": INSIDE[0],
                                      "lat": INSIDE[1]})
    assert response.status_code == 201
    data = response.json()
    assert data["body_html"] == "<b>太黑</b>" and data["author"] == "李*" and data["supports"] == 0
    assert data["url"] == f"/participation/proposals/{data['id']}/"
    with on(DISCUSS_DAY):
        refused = post(client, url, {"title": "晚了", "body": "b"})
    assert refused.status_code == 403 and "only while ideas are collected" in refused.json()["detail"]
    with on(COLLECT_DAY):
        bad = post(client, url, {"title": "x" * 121, "body": "b", "lon": 121.46, "lat": 31.233})
    assert bad.status_code == 400
    assert "limit is 120" in bad.json()["detail"] and "outside" in bad.json()["detail"]
    assert Proposal.objects.count() == 1


def test_writing_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.alice.user)
    with on(COLLECT_DAY):
        response = post(client, "/api/participation/processes/p/proposals", {"title": "t", "body": "b"})
    assert response.status_code == 403 and not Proposal.objects.exists()


def test_comments_and_replies_through_the_api(client, world):
    with on(COLLECT_DAY):
        proposal = services.propose(world.alice.user, world.process, "装路灯", "太黑")
    client.force_login(world.bob.user)
    url = f"/api/participation/proposals/{proposal.pk}/comments"
    with on(DISCUSS_DAY):
        first = post(client, url, {"body": "同意"}).json()
        reply = post(client, url, {"body": "我也同意", "parent": first["id"]})
        missing = post(client, url, {"body": "回复", "parent": 99999})
    assert reply.status_code == 201 and reply.json()["depth"] == 1 and reply.json()["parent"] == first["id"]
    assert missing.status_code == 400 and "no comment 99999" in missing.json()["detail"]
    listed = client.get(url).json()
    assert [(c["body_html"], c["depth"], c["author"]) for c in listed] == [("同意", 0, "王*明"), ("我也同意", 1, "王*明")]
    with on(VOTE_DAY):
        closed = post(client, url, {"body": "投票期间"})
    assert closed.status_code == 403 and "Comments are open only" in closed.json()["detail"]
    assert Comment.objects.count() == 2


def test_supporting_through_the_api(client, world):
    with on(COLLECT_DAY):
        proposal = services.propose(world.alice.user, world.process, "装路灯", "太黑")
    url = f"/api/participation/proposals/{proposal.pk}/support"
    client.force_login(world.bob.user)
    with on(DISCUSS_DAY):
        early = post(client, url)
    assert early.status_code == 403 and "only during the vote" in early.json()["detail"]
    with on(VOTE_DAY):
        first, second = post(client, url), post(client, url)
        client.force_login(world.unverified.user)
        unverified = post(client, url)
        client.force_login(world.outsider.user)
        outsider = post(client, url)
    assert first.status_code == 201 and first.json() == {"proposal": proposal.pk, "supports": 1}
    assert second.status_code == 409 and "already supported" in second.json()["detail"]
    assert unverified.status_code == 403 and "not yet verified" in unverified.json()["detail"]
    assert outsider.status_code == 403 and "Only residents of" in outsider.json()["detail"]
    assert Support.objects.count() == 1
    client.force_login(world.bob.user)
    data = client.get(f"/api/participation/proposals/{proposal.pk}").json()
    assert data["supports"] == 1 and data["supported_by_me"] is True


def test_listing_orders_by_supports_and_filters_by_status(client, world):
    with on(COLLECT_DAY):
        one = services.propose(world.alice.user, world.process, "一", "b")
        two = services.propose(world.bob.user, world.process, "二", "b")
    with on(VOTE_DAY):
        services.support(world.carol.user, one)
        services.decide(world.moderator, two, False, "不可行")
    url = "/api/participation/processes/p/proposals"
    assert [p["title"] for p in client.get(url + "?order=supports").json()] == ["一", "二"]
    assert [p["title"] for p in client.get(url + "?status=not_adopted").json()] == ["二"]
    assert client.get(url + "?order=random").status_code == 400
    assert client.get(url + "?status=maybe").status_code == 400


def test_the_geojson_layer_has_located_visible_proposals_with_public_fields_only(client, world):
    with on(COLLECT_DAY):
        placed = services.propose(world.alice.user, world.process, "装路灯", "太黑", lon=INSIDE[0], lat=INSIDE[1])
        services.propose(world.bob.user, world.process, "没有地点", "b")
        hidden = services.propose(world.carol.user, world.process, "广告", "b", lon=121.441, lat=31.231)
    services.hide(world.moderator, hidden, "广告")
    layer = client.get("/api/geo/proposals.geojson").json()
    assert layer["type"] == "FeatureCollection" and len(layer["features"]) == 1
    feature = layer["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [INSIDE[0], INSIDE[1]]}
    assert set(feature["properties"]) == {"id", "title", "process", "process_title", "process_title_en", "kind",
                                          "status", "supports", "comments", "created_at", "url", "illustrative"}
    assert feature["properties"]["id"] == placed.pk and "李红" not in str(layer)
    assert client.get("/api/geo/proposals.geojson?process=happy-18").json()["features"] == []
    assert len(client.get("/api/geo/proposals.geojson?subdistrict=mini").json()["features"]) == 1


def test_letters_through_the_api(client, world):
    client.force_login(world.alice.user)
    response = post(client, "/api/participation/threads", {"representative": world.rep.pk, "subject": "托育名额",
                                                          "body": "希望增加", "public": True})
    assert response.status_code == 201 and response.json()["public"] is True
    thread_id = response.json()["id"]
    client.force_login(world.rep.user)
    assert post(client, f"/api/participation/threads/{thread_id}/messages", {"body": "收到"}).status_code == 201
    client.logout()
    data = client.get(f"/api/participation/threads/{thread_id}").json()
    assert [m["from_representative"] for m in data["messages"]] == [False, True] and data["resident"] == "李*"
    client.force_login(world.outsider.user)
    refused = post(client, "/api/participation/threads", {"representative": world.rep.pk, "subject": "s", "body": "b"})
    assert refused.status_code == 403
