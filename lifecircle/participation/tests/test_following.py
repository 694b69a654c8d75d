"""Categories, search and filters, following proposals and categories, and a process's meetings."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from lifecircle.bookings.models import Event
from lifecircle.notifications.models import Notification
from lifecircle.participation import services
from lifecircle.participation.models import Follow, Proposal

from .helpers import COLLECT_DAY, DISCUSS_DAY, INSIDE, REPORT_DAY, VOTE_DAY, on

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamps(world):
    with on(COLLECT_DAY):
        lamp = services.propose(world.alice.user, world.process, "给弄堂装路灯", "晚上太黑，老人怕摔。", category="safety")
        bench = services.propose(world.bob.user, world.process, "口袋公园加长椅", "树荫下放两张长椅。", category="greenery")
        other = services.propose(world.carol.user, world.process, "楼道灯坏了", "三号楼楼道灯不亮。")
    return lamp, bench, other


def test_a_proposal_has_a_category_and_an_unknown_one_is_refused(world, lamps):
    lamp, bench, other = lamps
    assert (lamp.category, bench.category, other.category) == ("safety", "greenery", "other")
    with on(COLLECT_DAY), pytest.raises(ValidationError) as refused:
        services.propose(world.alice.user, world.process, "标题", "正文", category="weather")
    assert "category" in refused.value.message_dict
    assert Proposal.objects.count() == 3


def test_search_finds_every_word_in_title_or_text_within_a_category(world, lamps):
    lamp, bench, other = lamps
    everything = services.listed_proposals(world.process)
    assert set(services.search(everything, "灯")) == {lamp, other}
    assert set(services.search(everything, "灯 老人")) == {lamp}  # every word must occur
    assert set(services.search(everything, "灯", "safety")) == {lamp}
    assert set(services.search(everything, "", "greenery")) == {bench}
    with pytest.raises(ValidationError):
        services.search(everything, "", "weather")
    with pytest.raises(ValidationError):
        services.search(everything, "长" * 101)


def test_the_process_page_filters_and_answers_400_for_a_bad_filter(client, world, lamps):
    with on(DISCUSS_DAY):
        page = client.get("/participation/p/p/?q=灯&category=safety")
        assert page.status_code == 200
        text = page.content.decode()
        assert "给弄堂装路灯" in text and "楼道灯坏了" not in text and "口袋公园加长椅" not in text
        assert 'data-testid="search-count"' in text
        for bad in ("?category=weather", "?q=" + "x" * 101):
            refused = client.get("/participation/p/p/" + bad)
            assert refused.status_code == 400, bad
            text = refused.content.decode()
            assert 'data-testid="search-errors"' in text and "口袋公园加长椅" in text  # the full list stays


def test_following_a_proposal_tells_of_comments_decisions_and_follow_ups_in_each_language(world, lamps):
    lamp = lamps[0]
    with on(COLLECT_DAY):
        services.follow(world.bob.user, lamp)
        services.follow(world.bob.user, lamp)  # twice changes nothing
        assert Follow.objects.filter(user=world.bob.user).count() == 1
    with on(DISCUSS_DAY):
        services.comment(world.carol.user, lamp, "同意，晚上确实黑。")
    told = Notification.objects.filter(user=world.bob.user).order_by("pk")
    assert told.count() == 1 and told[0].url.startswith(f"/participation/proposals/{lamp.pk}/")
    assert set(told[0].texts) == {"zh-hans", "en"} and "which you follow" in told[0].texts["en"][0]
    with on(DISCUSS_DAY):  # the follower's own comment does not notify them
        services.comment(world.bob.user, lamp, "我也同意")
    assert told.count() == 1
    with on(VOTE_DAY):
        services.decide(world.moderator, lamp, True, "采纳")
    with on(REPORT_DAY):
        services.record_follow_up(world.moderator, lamp, "已安装六盏路灯", datetime.date(2026, 7, 2))
    subjects = [n.texts["en"][0] for n in told]
    assert len(subjects) == 3 and "has been adopted" in subjects[1] and subjects[2].startswith("News on")
    # the author is told once per event, as the author, not a second time as a follower
    services.follow(world.alice.user, lamp)
    with on(REPORT_DAY):
        services.comment(world.carol.user, lamp, "路灯很亮")
    assert Notification.objects.filter(user=world.alice.user, subject__contains=lamp.title).count() == \
        Notification.objects.filter(user=world.alice.user).count()
    assert services.unfollow(world.bob.user, lamp) == 1
    with on(REPORT_DAY):
        services.comment(world.carol.user, lamp, "谢谢")
    assert told.count() == 3


def test_following_a_category_tells_of_new_proposals_in_it_only(world, lamps):
    with on(COLLECT_DAY):
        services.follow(world.carol.user, category="safety")
        services.propose(world.alice.user, world.process, "路口装凸面镜", "转角看不见来车。", category="safety")
        services.propose(world.alice.user, world.process, "种一棵树", "门口种树。", category="greenery")
        services.propose(world.carol.user, world.process, "路口画斑马线", "方便过马路。", category="safety")  # her own
    told = Notification.objects.filter(user=world.carol.user)
    assert told.count() == 1 and "路口装凸面镜" in told[0].texts["en"][0]
    with pytest.raises(ValidationError):
        services.follow(world.carol.user, category="weather")
    with pytest.raises(PermissionDenied):
        services.follow(world.nobody, category="safety")  # a category is followed by residents
    assert services.unfollow(world.carol.user, category="safety") == 1


def test_a_hidden_proposal_cannot_be_followed_by_others(world, lamps):
    lamp = lamps[0]
    services.hide(world.moderator, lamp, "重复")
    with pytest.raises(PermissionDenied):
        services.follow(world.bob.user, lamp)
    assert services.follow(world.alice.user, lamp)  # its author still can


def test_the_follow_buttons_on_the_pages(client, world, lamps):
    lamp = lamps[0]
    client.force_login(world.bob.user)
    with on(DISCUSS_DAY):
        page = client.get(f"/participation/proposals/{lamp.pk}/").content.decode()
        assert 'data-testid="follow-button"' in page
        response = client.post(f"/participation/proposals/{lamp.pk}/follow/", {"follow": "1"})
        assert response.status_code == 302
        assert 'data-testid="following"' in client.get(f"/participation/proposals/{lamp.pk}/").content.decode()
        response = client.post("/participation/categories/safety/follow/",
                               {"follow": "1", "next": "/participation/p/p/?category=safety"})
        assert response.status_code == 302 and response["Location"] == "/participation/p/p/?category=safety"
        mine = client.get("/participation/mine/").content.decode()
        assert "给弄堂装路灯" in mine and "safety" in mine
        assert client.post("/participation/categories/weather/follow/", {"follow": "1"}).status_code == 404
        assert client.get(f"/participation/proposals/{lamp.pk}/follow/").status_code == 405
        client.post(f"/participation/proposals/{lamp.pk}/follow/", {"follow": "0"})
    assert not Follow.objects.filter(user=world.bob.user, proposal=lamp).exists()
    anonymous = Client()
    assert anonymous.post(f"/participation/proposals/{lamp.pk}/follow/").status_code == 302  # to the login page
    assert Follow.objects.filter(user=world.bob.user).count() == 1


def test_the_propose_page_offers_the_map_picker_and_categories(client, world):
    client.force_login(world.alice.user)
    with on(COLLECT_DAY):
        page = client.get("/participation/p/p/propose/").content.decode()
        assert 'id="pt-place-map"' in page and "street-names.js" in page and "vendor/leaflet/leaflet.js" in page
        assert 'id="pt-place-boundary"' in page and "/api/geo/network.geojson?subdistrict=" in page
        assert 'name="category"' in page
        response = client.post("/participation/p/p/propose/", {
            "title": "路口装凸面镜", "body": "转角看不见来车。", "category": "safety",
            "lon": str(INSIDE[0]), "lat": str(INSIDE[1])})
    proposal = Proposal.objects.get(title="路口装凸面镜")
    assert response.status_code == 302 and proposal.category == "safety" and proposal.located
    with on(COLLECT_DAY):
        page = client.get(f"/participation/proposals/{proposal.pk}/").content.decode()
    assert 'id="pt-place-view"' in page and "place-map.js" in page and "street-names.js" in page


def test_the_happy_18_bar_lists_its_meetings_from_bookings_events(client, world):
    world.space.meeting_code = "happy18-meeting"
    world.space.save()
    start = timezone.now() + datetime.timedelta(days=5)
    Event.objects.create(facility=world.centre, code="happy18-meeting-2026-12", title="快乐18月度议事会",
                         title_en="Happy 18 monthly meeting", start=start, end=start + datetime.timedelta(hours=1),
                         capacity=30)
    Event.objects.create(facility=world.centre, code="choir", title="合唱", start=start,
                         end=start + datetime.timedelta(hours=1), capacity=30)
    meetings = services.meetings_of(world.space)
    assert [m.title for m in meetings] == ["Happy 18 monthly meeting"]
    page = client.get("/participation/p/happy-18/").content.decode()
    event = Event.objects.get(code="happy18-meeting-2026-12")
    assert 'data-testid="meeting"' in page and f"/bookings/events/{event.pk}/" in page and "合唱" not in page
    assert services.meetings_of(world.process) == []  # a process without a meeting code holds none


def test_the_api_takes_and_filters_by_category_and_words(client, world, lamps):
    with on(DISCUSS_DAY):
        found = client.get("/api/participation/processes/p/proposals", {"q": "灯", "category": "safety"}).json()
        assert [p["title"] for p in found] == ["给弄堂装路灯"] and found[0]["category"] == "safety"
        assert found[0]["category_label"] == "safety"
        assert client.get("/api/participation/processes/p/proposals", {"category": "weather"}).status_code == 400
        assert client.get("/api/participation/processes/p/proposals", {"q": "x" * 101}).status_code == 400
    client.force_login(world.alice.user)
    with on(COLLECT_DAY):
        made = client.post("/api/participation/processes/p/proposals", {"title": "种树", "body": "门口种树", "category": "greenery"},
                           content_type="application/json")
        assert made.status_code == 201 and made.json()["category"] == "greenery"
        refused = client.post("/api/participation/processes/p/proposals", {"title": "种树", "body": "门口", "category": "x"},
                              content_type="application/json")
        assert refused.status_code == 400 and "category" in refused.json()["detail"]
