"""The pages for residents, moderators and representatives (server-rendered, zh-hans and English)."""
import pytest
from django.test import Client

from lifecircle.accounts.views import app_links
from lifecircle.participation import services
from lifecircle.participation.models import Comment, FollowUp, ModerationAction, Proposal, Support, Thread

from .helpers import COLLECT_DAY, DISCUSS_DAY, INSIDE, REPORT_DAY, VOTE_DAY, image_bytes, on, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(world):
    with on(COLLECT_DAY):
        return services.propose(world.alice.user, world.process, "给弄堂装路灯", "晚上太黑。", lon=INSIDE[0], lat=INSIDE[1])


def test_the_index_lists_processes_and_the_discussion_bar_in_chinese_and_english(world):
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    with on(VOTE_DAY):
        page = chinese.get("/participation/").content.decode()
    assert "快乐18议事吧" in page and "幸福家门口" in page and 'lang="zh-hans"' in page
    assert "参与社区治理" in page and "现在可以：" in page and "支持提案" in page  # from the zh-hans catalog
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    with on(VOTE_DAY):
        page = english.get("/participation/").content.decode()
    assert "Happy 18 discussion bar" in page and "Happiness at Your Doorstep" in page
    assert "Participatory processes" in page and "You can now:" in page and "support proposals" in page


def test_the_process_page_shows_the_phases_and_what_residents_can_do(client, world, proposal):
    with on(COLLECT_DAY):
        client.force_login(world.bob.user)
        page = client.get("/participation/p/p/").content.decode()
    assert 'aria-current="step"' in page and "collect ideas" in page and "make proposals" in page
    assert "/participation/p/p/propose/" in page and "给弄堂装路灯" in page
    with on(VOTE_DAY):
        page = client.get("/participation/p/p/").content.decode()
    assert "/participation/p/p/propose/" not in page and "support proposals" in page


def test_a_resident_proposes_on_the_page_with_a_place_and_a_photo(client, settings, world):
    client.force_login(world.bob.user)
    with on(COLLECT_DAY):
        assert client.get("/participation/p/p/propose/").status_code == 200
        response = client.post("/participation/p/p/propose/", {
            "title": "新安里口袋公园增加遮阳棚", "body": "夏天太晒。", "lon": "121.445", "lat": "31.233",
            "photo": upload(image_bytes("PNG"), "park.png", "image/png")})
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/participation/proposals/{proposal.pk}/"
    assert proposal.photo and proposal.located
    page = client.get(response["Location"]).content.decode()
    assert "新安里口袋公园增加遮阳棚" in page and f"/participation/proposals/{proposal.pk}/photo/" in page


def test_the_propose_page_shows_every_error_and_saves_nothing(client, world):
    client.force_login(world.bob.user)
    with on(COLLECT_DAY):
        response = client.post("/participation/p/p/propose/", {
            "title": "题" * 121, "body": "", "lon": "121.46", "lat": "31.233",
            "photo": upload(b"GIF89a not really", "x.jpg")})
    page = response.content.decode()
    assert response.status_code == 400
    assert "at most 120 characters" in page and "This field is required" in page
    assert not Proposal.objects.exists()
    with on(COLLECT_DAY):
        response = client.post("/participation/p/p/propose/", {
            "title": "遮阳棚", "body": "好", "lon": "121.46", "lat": "31.233",
            "photo": upload(b"GIF89a not really", "x.jpg")})
    page = response.content.decode()
    assert response.status_code == 400 and "outside" in page and "not a JPEG, PNG or WebP image" in page
    assert not Proposal.objects.exists()


def test_the_propose_page_says_why_not(client, world):
    with on(DISCUSS_DAY):
        client.force_login(world.bob.user)
        response = client.get("/participation/p/p/propose/")
        assert response.status_code == 403 and "only while ideas are collected" in response.content.decode()
        client.force_login(world.unverified.user)
    with on(COLLECT_DAY):
        response = client.post("/participation/p/p/propose/", {"title": "t", "body": "b"})
    assert response.status_code == 403 and "not yet verified" in response.content.decode()
    assert client.get("/participation/p/nope/propose/").status_code == 404
    client.logout()
    assert client.get("/participation/p/p/propose/").status_code == 302


def test_html_in_a_proposal_cannot_run_on_the_page(client, world):
    with on(COLLECT_DAY):
        proposal = services.propose(world.alice.user, world.process, '"><script>alert(1)</script>',
                                    '<p>ok</p><script>alert(2)</script><a href="javascript:alert(3)">x</a>')
    page = client.get(f"/participation/proposals/{proposal.pk}/").content.decode()
    assert "<script>alert" not in page and "javascript:alert" not in page and "<p>ok</p>" in page


def test_supporting_on_the_page(client, world, proposal):
    client.force_login(world.bob.user)
    with on(DISCUSS_DAY):
        page = client.get(f"/participation/proposals/{proposal.pk}/").content.decode()
        assert 'data-testid="support-button"' not in page and "only during the vote" in page
        refused = client.post(f"/participation/proposals/{proposal.pk}/support/", follow=True)
        assert "only during the vote" in refused.content.decode() and not Support.objects.exists()
    with on(VOTE_DAY):
        page = client.get(f"/participation/proposals/{proposal.pk}/").content.decode()
        assert 'data-testid="support-button"' in page
        client.post(f"/participation/proposals/{proposal.pk}/support/")
        twice = client.post(f"/participation/proposals/{proposal.pk}/support/", follow=True).content.decode()
    assert "already supported" in twice and "You support this proposal." in twice
    assert Support.objects.count() == 1


def test_commenting_and_replying_on_the_page(client, world, proposal):
    client.force_login(world.bob.user)
    with on(DISCUSS_DAY):
        response = client.post(f"/participation/proposals/{proposal.pk}/comment/", {"body": "同意"})
        first = Comment.objects.get()
        assert response.status_code == 302 and response["Location"].endswith(f"#comment-{first.pk}")
        client.force_login(world.carol.user)
        client.post(f"/participation/proposals/{proposal.pk}/comment/", {"body": "我也是", "parent": first.pk})
        empty = client.post(f"/participation/proposals/{proposal.pk}/comment/", {"body": "<script>x</script>"})
        page = client.get(f"/participation/proposals/{proposal.pk}/").content.decode()
    assert empty.status_code == 400 and "empty" in empty.content.decode()
    assert "pt-depth-1" in page and "我也是" in page and "王*明" in page
    assert Comment.objects.count() == 2
    with on(VOTE_DAY):
        closed = client.post(f"/participation/proposals/{proposal.pk}/comment/", {"body": "投票期"})
    assert closed.status_code == 400 and "Comments are open only" in closed.content.decode()


def test_moderators_hide_and_show_with_a_reason_on_the_page(client, world, proposal):
    client.force_login(world.bob.user)
    assert client.get("/participation/moderation/").status_code == 403
    assert client.post(f"/participation/moderation/proposal/{proposal.pk}/hide/", {"reason": "x"}).status_code == 403
    client.force_login(world.moderator)
    queue = client.get("/participation/moderation/").content.decode()
    assert "给弄堂装路灯" in queue and 'data-testid="queue-proposal"' in queue
    no_reason = client.post(f"/participation/moderation/proposal/{proposal.pk}/hide/", {"reason": ""}, follow=True)
    assert "Give a reason" in no_reason.content.decode() and not Proposal.objects.get().is_hidden
    client.post(f"/participation/moderation/proposal/{proposal.pk}/hide/", {"reason": "重复提案",
                                                                          "next": "/participation/moderation/"})
    queue = client.get("/participation/moderation/").content.decode()
    assert 'data-testid="hidden-proposal"' in queue and "重复提案" in queue
    client.post(f"/participation/moderation/proposal/{proposal.pk}/unhide/", {"reason": "误判"})
    assert not Proposal.objects.get().is_hidden
    log = client.get("/participation/moderation/log/").content.decode()
    assert "重复提案" in log and "误判" in log and ModerationAction.objects.count() == 2
    assert client.post(f"/participation/moderation/proposal/{proposal.pk}/explode/").status_code == 404
    external = client.post(f"/participation/moderation/proposal/{proposal.pk}/review/", {"next": "https://evil.example/"})
    assert external["Location"] == f"/participation/proposals/{proposal.pk}/"


def test_reviewed_items_leave_the_queue(client, world, proposal):
    client.force_login(world.moderator)
    client.post(f"/participation/moderation/proposal/{proposal.pk}/review/")
    assert 'data-testid="queue-proposal"' not in client.get("/participation/moderation/").content.decode()


def test_deciding_and_following_up_on_the_page(client, settings, world, proposal):
    client.force_login(world.moderator)
    with on(VOTE_DAY):
        client.post(f"/participation/moderation/proposal/{proposal.pk}/adopt/", {"note": "同意实施"})
    assert Proposal.objects.get().status == "adopted"
    queue = client.get("/participation/moderation/").content.decode()
    assert f"/participation/proposals/{proposal.pk}/follow-up/" in queue  # adopted, follow-up missing
    with on(REPORT_DAY):
        bad = client.post(f"/participation/proposals/{proposal.pk}/follow-up/", {
            "body": "路灯已安装", "done_on": "2026-07-01", "photos": [upload(image_bytes("GIF"), "a.gif")]})
        assert bad.status_code == 400 and "GIF" in bad.content.decode() and not FollowUp.objects.exists()
        good = client.post(f"/participation/proposals/{proposal.pk}/follow-up/", {
            "body": "路灯已安装", "done_on": "2026-07-01",
            "photos": [upload(image_bytes("JPEG"), "a.jpg"), upload(image_bytes("WEBP"), "b.webp", "image/webp")]})
    assert good.status_code == 302 and FollowUp.objects.get().photos.count() == 2
    client.logout()
    page = client.get(f"/participation/proposals/{proposal.pk}/").content.decode()
    assert "路灯已安装" in page and page.count("/participation/follow-up-photos/") == 2
    process_page = client.get("/participation/p/p/").content.decode()
    assert 'data-testid="result"' in process_page and "路灯已安装" in process_page
    client.force_login(world.bob.user)
    assert client.get(f"/participation/proposals/{proposal.pk}/follow-up/").status_code == 403


def test_my_page_lists_my_proposals_with_the_moderators_reason_and_my_letters(client, world, proposal):
    services.hide(world.moderator, proposal, "含电话号码")
    services.write_letter(world.alice.user, world.rep, "托育名额", "希望增加", public=False)
    client.force_login(world.alice.user)
    page = client.get("/participation/mine/").content.decode()
    assert "给弄堂装路灯" in page and "含电话号码" in page and "托育名额" in page and "private" in page
    client.force_login(world.bob.user)
    page = client.get("/participation/mine/").content.decode()
    assert "给弄堂装路灯" not in page and "托育名额" not in page


def test_writing_to_a_representative_on_the_page(client, world):
    client.force_login(world.alice.user)
    assert client.get(f"/participation/representatives/{world.rep.pk}/write/").status_code == 200
    missing = client.post(f"/participation/representatives/{world.rep.pk}/write/", {"subject": "托育", "body": "希望"})
    assert missing.status_code == 400 and not Thread.objects.exists()  # public or private must be chosen
    response = client.post(f"/participation/representatives/{world.rep.pk}/write/",
                           {"subject": "托育名额", "body": "希望增加", "visibility": "private"})
    thread = Thread.objects.get()
    assert response.status_code == 302 and not thread.is_public
    client.force_login(world.outsider.user)
    refused = client.post(f"/participation/representatives/{world.rep.pk}/write/",
                          {"subject": "s", "body": "b", "visibility": "public"})
    assert refused.status_code == 403 and "receives residents of" in refused.content.decode()


def test_the_representatives_inbox_and_reply(client, world):
    waiting = services.write_letter(world.alice.user, world.rep, "托育名额", "希望增加", public=False)
    client.force_login(world.bob.user)
    assert client.get("/participation/inbox/").status_code == 403
    client.force_login(world.rep.user)
    inbox = client.get("/participation/inbox/").content.decode()
    assert 'data-testid="waiting-thread"' in inbox and "托育名额" in inbox and "李*" in inbox and "李红" not in inbox
    response = client.post(f"/participation/letters/{waiting.pk}/", {"body": "已转街道办理。"})
    assert response.status_code == 302
    inbox = client.get("/participation/inbox/").content.decode()
    assert 'data-testid="waiting-thread"' not in inbox
    waiting.refresh_from_db()
    assert waiting.first_reply_at is not None


def test_login_is_required_to_write_but_not_to_read(client, world, proposal):
    assert client.get("/participation/").status_code == 200
    assert client.get(f"/participation/proposals/{proposal.pk}/").status_code == 200
    assert client.get("/participation/representatives/").status_code == 200
    for url in ("/participation/mine/", "/participation/inbox/", "/participation/moderation/",
                f"/participation/representatives/{world.rep.pk}/write/"):
        assert client.get(url).status_code == 302, url
    assert client.post(f"/participation/proposals/{proposal.pk}/support/").status_code == 302


def test_the_home_pages_link_to_participation(client, world):
    client.force_login(world.alice.user)
    assert "/participation/" in client.get("/accounts/me/").content.decode()
    staff_urls = [url for url, label in app_links("staff_links")]
    assert "/participation/moderation/" in staff_urls and "/participation/moderation/log/" in staff_urls


def test_pages_are_phone_first_with_large_text_available(client, world, proposal):
    page = client.get(f"/participation/proposals/{proposal.pk}/").content.decode()
    assert 'name="viewport" content="width=device-width' in page and "participation/participation.css" in page
    client.cookies["lifecircle_text"] = "large"
    assert 'class="large-text"' in client.get("/participation/").content.decode()


def test_a_follow_up_date_is_a_date(client, world, proposal):
    with on(VOTE_DAY):
        services.decide(world.moderator, proposal, True)
    client.force_login(world.moderator)
    with on(REPORT_DAY):
        response = client.post(f"/participation/proposals/{proposal.pk}/follow-up/", {"body": "b", "done_on": "soon"})
    assert response.status_code == 400 and "Enter a valid date" in response.content.decode()
    assert not FollowUp.objects.exists()
