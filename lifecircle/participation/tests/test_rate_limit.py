"""At most 5 posts per user in 10 minutes (proposals, comments and letters together)."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from lifecircle.participation import services
from lifecircle.participation.models import Comment, Proposal, Thread
from lifecircle.participation.ratelimit import RateLimited

from .helpers import COLLECT_DAY, SHANGHAI, on

pytestmark = pytest.mark.django_db


def at(minute, seconds=0):
    return datetime.datetime(2026, 3, 5, 12, 0, tzinfo=SHANGHAI) + datetime.timedelta(minutes=minute, seconds=seconds)


def test_the_sixth_post_within_ten_minutes_is_refused_and_saves_nothing(world):
    with on(COLLECT_DAY):
        first = services.propose(world.alice.user, world.process, "一", "b")
        services.comment(world.alice.user, first, "二")
        services.write_letter(world.alice.user, world.rep, "三", "b", public=True)
        services.propose(world.alice.user, world.space, "四", "b")
        services.comment(world.alice.user, first, "五")
        with pytest.raises(RateLimited, match="posted 5 times in the last 10 minutes. Please wait 10 minutes and"):
            services.propose(world.alice.user, world.process, "六", "b")
        with pytest.raises(RateLimited):
            services.comment(world.alice.user, first, "六")
        with pytest.raises(RateLimited):
            services.write_letter(world.alice.user, world.rep, "六", "b", public=True)
    assert Proposal.objects.count() == 2 and Comment.objects.count() == 2 and Thread.objects.count() == 1


def test_the_window_resets(world, monkeypatch):
    """Fixed ten-minute windows (one atomic counter each, shared by every worker)."""
    import django.utils.timezone

    clock = {}
    monkeypatch.setattr(django.utils.timezone, "now", lambda: clock["now"])
    for n, minute in enumerate((0, 2, 4, 6, 8)):
        clock["now"] = at(minute)
        services.propose(world.alice.user, world.space, f"议题{n}", "b")
    clock["now"] = at(9)
    with pytest.raises(RateLimited, match="Please wait 1 minute and"):  # this window ends at minute 10
        services.propose(world.alice.user, world.space, "太快", "b")
    clock["now"] = at(10, seconds=1)
    for n in range(5):
        services.propose(world.alice.user, world.space, f"新窗口{n}", "b")  # a new window, five new posts
    with pytest.raises(RateLimited, match="Please wait 10 minutes and"):
        services.propose(world.alice.user, world.space, "又太快", "b")
    assert Proposal.objects.count() == 10


def test_the_limit_is_per_user(world):
    with on(COLLECT_DAY):
        for n in range(5):
            services.propose(world.alice.user, world.space, f"议题{n}", "b")
        services.propose(world.bob.user, world.space, "鲍勃的", "b")
    assert Proposal.objects.count() == 6


def test_refused_posts_do_not_count(world):
    with on(COLLECT_DAY):
        for _ in range(6):
            with pytest.raises(ValidationError, match="empty"):
                services.propose(world.alice.user, world.space, "", "")
        services.propose(world.alice.user, world.space, "终于写对了", "b")


def test_the_limit_can_be_set(settings, world):
    settings.PARTICIPATION_RATE_LIMIT = (2, 60)
    with on(COLLECT_DAY):
        services.propose(world.alice.user, world.space, "一", "b")
        services.propose(world.alice.user, world.space, "二", "b")
        with pytest.raises(RateLimited, match="posted 2 times in the last minute"):
            services.propose(world.alice.user, world.space, "三", "b")


def test_the_api_answers_429(client, world):
    client.force_login(world.alice.user)
    with on(COLLECT_DAY):
        codes = [client.post("/api/participation/processes/happy-18/proposals", {"title": f"t{n}", "body": "b"},
                             content_type="application/json").status_code for n in range(6)]
    assert codes == [201] * 5 + [429]


def test_the_page_says_why(client, world):
    client.force_login(world.alice.user)
    with on(COLLECT_DAY):
        for n in range(5):
            services.propose(world.alice.user, world.space, f"议题{n}", "b")
        response = client.post("/participation/p/happy-18/propose/", {"title": "第六", "body": "b"})
    assert response.status_code == 400 and "Please wait" in response.content.decode()
    assert not Proposal.objects.filter(title="第六").exists()


@pytest.mark.django_db(transaction=True)
def test_posts_sent_at_the_same_instant_are_limited_exactly(world):
    """Ten posts at once (two browser tabs, two workers): one atomic count lets exactly five in."""
    from unittest import mock

    from lifecircle.testing import messages, race

    moment = datetime.datetime(2026, 3, 5, 12, 0, tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        results = race(lambda n: services.propose(world.alice.user, world.space, f"同时{n}", "b"), list(range(10)))
    assert sorted(messages(results, RateLimited)).count("ok") == 5
    assert Proposal.objects.count() == 5
