"""The representatives' window: letters, replies, public or private, and response times."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from lifecircle.accounts.models import AccessLog
from lifecircle.accounts.testing import make_user
from lifecircle.notifications.models import Notification
from lifecircle.participation import services
from lifecircle.participation.models import Representative, Thread, ThreadMessage

from .helpers import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(world):
    return services.write_letter(world.alice.user, world.rep, "家里的私事", "我家老人需要照护，想咨询申请条件。", public=False)


@pytest.fixture
def public(world):
    return services.write_letter(world.bob.user, world.rep, "菜场门口拥堵", "早高峰很堵，老人过马路危险。", public=True)


def test_a_resident_writes_and_the_representative_is_told(world, private):
    assert private.resident == world.alice and not private.is_public
    assert private.messages.get().body == "我家老人需要照护，想咨询申请条件。"
    note = Notification.objects.get(user=world.rep.user)
    assert note.url == f"/participation/letters/{private.pk}/"
    assert "老人" not in note.body  # the content stays in the thread, not in e-mails


def test_the_representatives_reply_tells_the_resident_and_starts_the_clock_once(world, private):
    services.post_message(world.rep.user, private, "已请街道与您联系。")
    private.refresh_from_db()
    first = private.first_reply_at
    assert first is not None
    assert Notification.objects.filter(user=world.alice.user, url=f"/participation/letters/{private.pk}/").exists()
    services.post_message(world.alice.user, private, "谢谢，还想问一下补贴。")
    assert Notification.objects.filter(user=world.rep.user).count() == 2
    services.post_message(world.rep.user, private, "补贴标准见附件说明。")
    private.refresh_from_db()
    assert private.first_reply_at == first and private.messages.count() == 4
    assert [m.from_representative for m in private.messages.all()] == [False, True, False, True]


@pytest.mark.parametrize("who, reason", [
    ("unverified", "not yet verified"), ("nobody", "Only residents registered"), ("outsider", "receives residents of 小小街道"),
])
def test_only_verified_residents_of_the_sub_district_write(world, who, reason):
    person = getattr(world, who)
    with pytest.raises(PermissionDenied, match=reason):
        services.write_letter(person if who == "nobody" else person.user, world.rep, "主题", "内容", public=True)
    assert not Thread.objects.exists()


def test_a_representative_who_is_not_receiving_letters_gets_none(world):
    Representative.objects.filter(pk=world.rep.pk).update(active=False)
    world.rep.refresh_from_db()
    with pytest.raises(PermissionDenied, match="not receiving letters"):
        services.write_letter(world.alice.user, world.rep, "主题", "内容", public=True)


def test_letters_are_limited_and_sanitised(world):
    with pytest.raises(ValidationError) as refused:
        services.write_letter(world.alice.user, world.rep, "主" * 121, "<script>x</script>", public=True)
    assert set(refused.value.message_dict) == {"subject", "body"}
    assert not Thread.objects.exists() and not ThreadMessage.objects.exists()
    thread = services.write_letter(world.alice.user, world.rep, "<i>主题</i>", "<p>您好<img src=x onerror=y></p>", True)
    assert thread.subject == "主题" and thread.messages.get().body == "<p>您好</p>"


# ---- private means private ------------------------------------------------------------------------

def outsiders(world):
    """Everyone who must never read Alice's private letter to Rep Zhao."""
    return {
        "another resident": world.bob.user,
        "another representative": world.other_rep.user,
        "a moderator": world.moderator,
        "a superuser": make_user(is_staff=True, is_superuser=True),
        "anonymous": None,
    }


def test_a_private_letter_is_read_by_its_resident_and_its_representative_only(client, world, private):
    services.post_message(world.rep.user, private, "私下回复的内容")
    page_url, api_url = f"/participation/letters/{private.pk}/", f"/api/participation/threads/{private.pk}"
    for party in (world.alice.user, world.rep.user):
        client.force_login(party)
        assert "私下回复的内容" in client.get(page_url).content.decode()
        assert client.get(api_url).json()["messages"][1]["body_html"] == "私下回复的内容"
    for label, user in outsiders(world).items():
        client.logout()
        if user:
            client.force_login(user)
        for url in (page_url, api_url):
            response = client.get(url)
            assert response.status_code == 404, (label, url)
            assert "家里的私事" not in response.content.decode() and "私下回复" not in response.content.decode()


def test_nobody_else_can_write_into_a_private_letter_or_change_it(client, world, private):
    for label, user in outsiders(world).items():
        client.logout()
        if user:
            client.force_login(user)
        page = client.post(f"/participation/letters/{private.pk}/", {"body": "偷看"})
        api = client.post(f"/api/participation/threads/{private.pk}/messages", {"body": "偷看"},
                          content_type="application/json")
        visibility = client.post(f"/participation/letters/{private.pk}/visibility/", {"public": "1"})
        assert page.status_code in (302, 404) and api.status_code in (401, 404), label
        assert visibility.status_code in (302, 404), label
        if user is not None:
            assert page.status_code == 404 and api.status_code == 404 and visibility.status_code == 404, label
    assert private.messages.count() == 1
    private.refresh_from_db()
    assert not private.is_public
    with pytest.raises(Http404):
        services.post_message(world.bob.user, private, "偷看")


def test_private_letters_are_in_no_public_list(client, world, private, public):
    assert [t["id"] for t in client.get("/api/participation/threads").json()] == [public.pk]
    page = client.get("/participation/representatives/").content.decode()
    assert "菜场门口拥堵" in page and "家里的私事" not in page
    client.force_login(world.bob.user)
    assert [t["id"] for t in client.get("/api/participation/threads").json()] == [public.pk]
    client.force_login(world.alice.user)
    assert {t["id"] for t in client.get("/api/participation/threads").json()} == {public.pk, private.pk}
    assert [t["id"] for t in client.get("/api/participation/threads?mine=true").json()] == [private.pk]
    client.force_login(world.rep.user)
    assert {t["id"] for t in client.get("/api/participation/threads?mine=true").json()} == {public.pk, private.pk}


def test_the_staff_console_does_not_show_private_letters(client, world, private, public):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    listing = client.get("/admin/participation/thread/").content.decode()
    assert "菜场门口拥堵" in listing and "家里的私事" not in listing
    response = client.get(f"/admin/participation/thread/{private.pk}/change/", follow=True)
    assert "我家老人需要照护" not in response.content.decode() and "家里的私事" not in response.content.decode()
    assert "我家老人需要照护" not in client.get("/admin/participation/threadmessage/").content.decode()


def test_a_public_letter_is_read_by_all_but_written_in_by_its_parties_only(client, world, public):
    assert "早高峰很堵" in client.get(f"/participation/letters/{public.pk}/").content.decode()
    assert client.get(f"/api/participation/threads/{public.pk}").status_code == 200
    with pytest.raises(PermissionDenied, match="Only the resident who wrote and the representative"):
        services.post_message(world.carol.user, public, "插话")
    client.force_login(world.carol.user)
    response = client.post(f"/api/participation/threads/{public.pk}/messages", {"body": "插话"},
                           content_type="application/json")
    assert response.status_code == 403 and public.messages.count() == 1


def test_only_the_writer_chooses_public_or_private(client, world, private):
    with pytest.raises(PermissionDenied, match="Only the resident who wrote decides"):
        services.set_visibility(world.rep.user, private, True)
    client.force_login(world.alice.user)
    assert client.post(f"/participation/letters/{private.pk}/visibility/", {"public": "1"}).status_code == 302
    private.refresh_from_db()
    assert private.is_public
    client.logout()
    assert client.get(f"/participation/letters/{private.pk}/").status_code == 200
    client.force_login(world.alice.user)
    assert client.put(f"/api/participation/threads/{private.pk}/visibility", {"public": False},
                      content_type="application/json").status_code == 200
    client.logout()
    assert client.get(f"/participation/letters/{private.pk}/").status_code == 404


def test_the_representative_reading_a_letter_is_logged(client, world, private):
    client.force_login(world.rep.user)
    page = client.get(f"/participation/letters/{private.pk}/").content.decode()
    assert "李红" in page  # the representative sees who wrote
    log = AccessLog.objects.get(user=world.rep.user)
    assert log.resident == world.alice and str(private.pk) in log.purpose
    client.force_login(world.alice.user)
    client.get(f"/participation/letters/{private.pk}/")
    assert AccessLog.objects.count() == 1


# ---- response times -------------------------------------------------------------------------------

def at(day, hour=9):
    return datetime.datetime(2026, 5, day, hour, tzinfo=SHANGHAI)


def letter(world, written, replied=None, rep=None):
    return Thread.objects.create(representative=rep or world.rep, resident=world.alice, subject="s", created_at=written,
                                 last_message_at=written, first_reply_at=replied)


def test_response_time_figures_per_representative(world):
    letter(world, at(1), at(1, 11))                       # 2 h
    letter(world, at(2), at(2, 19))                       # 10 h
    letter(world, at(3), at(11, 17))                      # 200 h: answered, but after 7 days
    letter(world, at(4))                                  # unanswered for 16 days: late
    letter(world, at(19))                                 # unanswered for 1 day: still in time, counts for neither
    letter(world, at(1), at(1, 10), rep=world.other_rep)  # another representative's letter
    stats = services.response_stats(world.rep, now=at(20))
    assert stats == {"letters": 5, "answered": 3, "waiting": 2, "median_hours": 10.0, "mean_hours": 70.7,
                     "share_within_7_days": 0.5}
    assert services.response_stats(world.other_rep, now=at(20))["median_hours"] == 1.0


def test_a_representative_without_letters_has_no_figures(world):
    assert services.response_stats(world.rep) == {"letters": 0, "answered": 0, "waiting": 0, "median_hours": None,
                                                  "mean_hours": None, "share_within_7_days": None}


def test_a_reply_exactly_at_7_days_counts_as_within(world):
    letter(world, at(1), at(8))
    assert services.response_stats(world.rep, now=at(20))["share_within_7_days"] == 1.0


def test_figures_are_published_with_each_representative(client, world):
    letter(world, at(1), at(1, 11))
    reps = {r["name"]: r for r in client.get("/api/participation/representatives").json()}
    assert reps["赵代表"]["response"]["median_hours"] == 2.0 and reps["赵代表"]["response"]["letters"] == 1
    assert reps["赵代表"]["facility"] == "center"
    page = client.get("/participation/representatives/").content.decode()
    assert "2.0 h" in page and "100%" in page
