"""Proposals, comments with replies and supports: who, when, what, and nothing half-saved."""
import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from lifecircle.notifications.models import Notification
from lifecircle.participation import services
from lifecircle.participation.models import Comment, Proposal, Support

from .helpers import CARRY_OUT_DAY, COLLECT_DAY, DISCUSS_DAY, GAP_DAY, INSIDE, REPORT_DAY, VOTE_DAY, on

pytestmark = pytest.mark.django_db


def make_proposal(world, author=None, title="给弄堂装路灯", body="晚上太黑。", **fields):
    with on(COLLECT_DAY):
        return services.propose((author or world.alice).user, world.process, title, body, **fields)


# ---- proposing -----------------------------------------------------------------------------------

def test_a_verified_resident_proposes_while_ideas_are_collected(world):
    proposal = make_proposal(world, lon=INSIDE[0], lat=INSIDE[1])
    assert proposal.author == world.alice and proposal.status == "open"
    assert (proposal.lon, proposal.lat) == INSIDE and not proposal.is_topic


@pytest.mark.parametrize("day, phase", [(DISCUSS_DAY, "discuss"), (VOTE_DAY, "vote"), (CARRY_OUT_DAY, "carry out"),
                                        (REPORT_DAY, "report back")])
def test_proposing_outside_the_collection_phase_is_refused_with_the_dates(world, day, phase):
    with on(day), pytest.raises(PermissionDenied) as refused:
        services.propose(world.alice.user, world.process, "标题", "内容")
    message = str(refused.value)
    assert "only while ideas are collected" in message and "March 1, 2026" in message and phase in message
    assert not Proposal.objects.exists()


def test_between_phases_nothing_is_open(world):
    with on(GAP_DAY), pytest.raises(PermissionDenied, match="no phase of this process is running today"):
        services.propose(world.alice.user, world.process, "标题", "内容")


def test_topics_can_be_opened_in_the_discussion_space_on_any_day(world):
    for day in (GAP_DAY, VOTE_DAY):
        with on(day):
            topic = services.propose(world.bob.user, world.space, f"议题 {day}", "大家聊聊")
        assert topic.is_topic


@pytest.mark.parametrize("who, reason", [
    ("unverified", "not yet verified"),
    ("nobody", "Only residents registered"),
    ("outsider", "Only residents of 小小街道"),
])
def test_only_verified_residents_of_the_sub_district_may_propose(world, who, reason):
    person = getattr(world, who)
    user = person if who == "nobody" else person.user
    with on(COLLECT_DAY), pytest.raises(PermissionDenied, match=reason):
        services.propose(user, world.process, "标题", "内容")
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("lon, lat, reason", [
    (121.46, 31.233, "outside 小小街道"),
    (121.445, None, "both longitude and latitude"),
    (None, 31.233, "both longitude and latitude"),
    (200.0, 31.233, "out of range"),
    (math.nan, 31.233, "not a valid position"),
])
def test_a_place_must_be_a_valid_position_inside_the_sub_district(world, lon, lat, reason):
    with on(COLLECT_DAY), pytest.raises(ValidationError, match=reason):
        services.propose(world.alice.user, world.process, "标题", "内容", lon=lon, lat=lat)
    assert not Proposal.objects.exists()


def test_the_database_keeps_longitude_and_latitude_together(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.create(process=world.process, author=world.alice, title="t", body="b", lon=121.445)


def test_title_and_text_lengths_are_limited(world):
    with on(COLLECT_DAY):
        services.propose(world.alice.user, world.process, "题" * 120, "字" * 5000)
        with pytest.raises(ValidationError) as refused:
            services.propose(world.bob.user, world.process, "题" * 121, "字" * 5001)
    errors = refused.value.message_dict
    assert "121 characters long; the limit is 120" in errors["title"][0]
    assert "5001 characters long; the limit is 5000" in errors["body"][0]
    assert Proposal.objects.count() == 1


def test_html_is_sanitised_to_a_tiny_safe_subset(world):
    body = ('<p onclick="steal()">Hello <strong>neighbours</strong><script>alert(1)</script>'
            '<img src=x onerror=alert(2)><a href="javascript:alert(3)">bad</a> <a href="https://example.org">ok</a>'
            '<iframe src="https://evil.example"></iframe><style>body{}</style></p>')
    proposal = make_proposal(world, title="<b>Lamp</b> <script>alert(4)</script>& more", body=body)
    assert proposal.title == "Lamp & more"
    for bad in ("<script", "onclick", "onerror", "<img", "javascript:", "<iframe", "<style", "alert("):
        assert bad not in proposal.body
    assert "<strong>neighbours</strong>" in proposal.body
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">ok</a>' in proposal.body


def test_text_that_is_only_markup_is_empty(world):
    with on(COLLECT_DAY), pytest.raises(ValidationError, match="empty"):
        services.propose(world.alice.user, world.process, "标题", "<script>alert(1)</script><p></p>")


# ---- comments and replies ---------------------------------------------------------------------

@pytest.mark.parametrize("day", [COLLECT_DAY, DISCUSS_DAY, REPORT_DAY])
def test_comments_are_open_while_collecting_discussing_and_reporting_back(world, day):
    proposal = make_proposal(world)
    with on(day):
        services.comment(world.bob.user, proposal, "好主意")
    assert proposal.comments.count() == 1


@pytest.mark.parametrize("day", [VOTE_DAY, CARRY_OUT_DAY, GAP_DAY])
def test_comments_are_closed_in_the_other_phases(world, day):
    proposal = make_proposal(world)
    with on(day), pytest.raises(PermissionDenied, match="Comments are open only"):
        services.comment(world.bob.user, proposal, "好主意")
    assert not Comment.objects.exists()


def test_replies_nest_and_are_read_in_order(world):
    proposal = make_proposal(world)
    with on(DISCUSS_DAY):
        first = services.comment(world.bob.user, proposal, "一")
        second = services.comment(world.carol.user, proposal, "二")
        reply = services.comment(world.alice.user, proposal, "回复一", parent=first)
        deeper = services.comment(world.bob.user, proposal, "回复回复", parent=reply)
    tree = services.comment_tree(proposal)
    assert [(c.pk, depth) for c, depth in tree] == [(first.pk, 0), (reply.pk, 1), (deeper.pk, 2), (second.pk, 0)]


def test_a_reply_must_answer_a_comment_of_the_same_proposal(world):
    one, two = make_proposal(world), make_proposal(world, author=world.bob, title="另一个")
    with on(DISCUSS_DAY):
        comment = services.comment(world.bob.user, one, "一")
        with pytest.raises(ValidationError, match="belongs to another proposal"):
            services.comment(world.carol.user, two, "错位", parent=comment)
    assert Comment.objects.count() == 1


def test_comment_authors_are_told_of_replies_and_proposal_authors_of_comments(world):
    proposal = make_proposal(world)  # by alice
    with on(DISCUSS_DAY):
        comment = services.comment(world.bob.user, proposal, "一")
        assert list(Notification.objects.values_list("user", flat=True)) == [world.alice.user_id]
        Notification.objects.all().delete()
        reply = services.comment(world.carol.user, proposal, "回复", parent=comment)
        told = sorted(Notification.objects.values_list("user", flat=True))
        assert told == sorted([world.alice.user_id, world.bob.user_id])
        assert Notification.objects.get(user=world.bob.user).url.endswith(f"#comment-{reply.pk}")
        Notification.objects.all().delete()
        services.comment(world.alice.user, proposal, "自己回复自己的提案")  # nobody to tell
        assert not Notification.objects.exists()


def test_comment_text_is_sanitised_and_limited(world):
    proposal = make_proposal(world)
    with on(DISCUSS_DAY):
        comment = services.comment(world.bob.user, proposal, "<em>好</em><script>x()</script>")
        assert comment.body == "<em>好</em>"
        with pytest.raises(ValidationError, match="limit is 5000"):
            services.comment(world.bob.user, proposal, "长" * 5001)


# ---- supports ---------------------------------------------------------------------------------

def test_one_support_per_resident_during_the_vote(world):
    proposal = make_proposal(world)
    with on(VOTE_DAY):
        services.support(world.alice.user, proposal)
        services.support(world.bob.user, proposal)
        with pytest.raises(services.AlreadySupported, match="already supported"):
            services.support(world.bob.user, proposal)
    assert proposal.supports.count() == 2


def test_the_database_refuses_a_second_support(world):
    proposal = make_proposal(world)
    Support.objects.create(proposal=proposal, resident=world.bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(proposal=proposal, resident=world.bob)


def test_a_race_past_the_check_still_gets_the_clear_reason(world, monkeypatch):
    """Two requests check at the same moment: the unique constraint refuses the second."""
    proposal = make_proposal(world)
    Support.objects.create(proposal=proposal, resident=world.bob)
    real_filter = Support.objects.filter
    monkeypatch.setattr(Support.objects, "filter", lambda **kw: real_filter(pk=-1))  # the check sees nothing
    with on(VOTE_DAY), pytest.raises(services.AlreadySupported, match="already supported"):
        services.support(world.bob.user, proposal)
    monkeypatch.undo()
    assert Support.objects.count() == 1


@pytest.mark.parametrize("day", [COLLECT_DAY, DISCUSS_DAY, CARRY_OUT_DAY, GAP_DAY])
def test_supports_only_during_the_vote(world, day):
    proposal = make_proposal(world)
    with on(day), pytest.raises(PermissionDenied, match="only during the vote.*April 1, 2026"):
        services.support(world.bob.user, proposal)
    assert not Support.objects.exists()


@pytest.mark.parametrize("who, reason", [
    ("unverified", "not yet verified"),
    ("nobody", "Only residents registered"),
    ("outsider", "Only residents of 小小街道"),
])
def test_unverified_and_non_residents_cannot_support(world, who, reason):
    proposal = make_proposal(world)
    person = getattr(world, who)
    with on(VOTE_DAY), pytest.raises(PermissionDenied, match=reason):
        services.support(person if who == "nobody" else person.user, proposal)
    assert not Support.objects.exists()


def test_topics_in_the_discussion_space_take_no_supports(world):
    with on(VOTE_DAY):
        topic = services.propose(world.alice.user, world.space, "议题", "内容")
        with pytest.raises(PermissionDenied, match="not collected in a discussion space"):
            services.support(world.bob.user, topic)


def test_vote_counts_are_listed_with_each_proposal(world):
    one, two = make_proposal(world, title="一"), make_proposal(world, author=world.bob, title="二")
    with on(VOTE_DAY):
        for person in (world.alice, world.bob, world.carol):
            services.support(person.user, two)
        services.support(world.carol.user, one)
    counts = {p.title: p.support_count for p in services.listed_proposals(world.process)}
    assert counts == {"一": 1, "二": 3}
