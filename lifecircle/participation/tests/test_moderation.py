"""Moderation: hiding with a reason the author sees, the log, decisions, follow-ups with photos."""
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from lifecircle import images
from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff, make_user
from lifecircle.notifications.models import Notification
from lifecircle.participation import services
from lifecircle.participation.models import FollowUp, FollowUpPhoto, ModerationAction, Proposal

from .helpers import COLLECT_DAY, DISCUSS_DAY, REPORT_DAY, VOTE_DAY, image_bytes, on, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(world):
    with on(COLLECT_DAY):
        return services.propose(world.alice.user, world.process, "给弄堂装路灯", "晚上太黑，老人容易摔倒。",
                                lon=121.445, lat=31.233)


@pytest.fixture
def adopted(world, proposal):
    with on(VOTE_DAY):
        services.decide(world.moderator, proposal, True, "街道同意实施。")
    return proposal


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ---- who moderates -------------------------------------------------------------------------------

def test_the_centre_manager_role_gets_the_moderate_permission(world):
    assert world.moderator.has_perm("participation.moderate")
    assert services.is_moderator(world.moderator, world.mini)


@pytest.mark.parametrize("who", ["resident", "staff_elsewhere", "grid_worker", "plain_staff"])
def test_only_moderators_of_the_sub_district_may_hide(world, proposal, who):
    user = {
        "resident": world.bob.user,
        "staff_elsewhere": world.other_staff,  # administrator, but of another sub-district
        "grid_worker": make_staff(StaffRole.Role.GRID_WORKER, world.mini, grid=world.mini.grids.first()),
        "plain_staff": make_user(is_staff=True),
    }[who]
    with pytest.raises(PermissionDenied, match="Only the moderators of 小小街道"):
        services.hide(user, proposal, "广告")
    proposal.refresh_from_db()
    assert not proposal.is_hidden and not ModerationAction.objects.exists()


def test_a_superuser_may_moderate_anywhere(world, proposal):
    services.hide(make_user(is_superuser=True), proposal, "重复")
    assert Proposal.objects.get().is_hidden


@pytest.mark.parametrize("reason, message", [("", "Give a reason"), ("   ", "Give a reason"),
                                              ("<b></b>", "Give a reason"), ("理" * 501, "limit is 500")])
def test_hiding_needs_a_reason(world, proposal, reason, message):
    with pytest.raises(ValidationError, match=message):
        services.hide(world.moderator, proposal, reason)
    assert not Proposal.objects.get().is_hidden and not ModerationAction.objects.exists()


# ---- what people see of hidden things ------------------------------------------------------------

def test_the_author_sees_the_reason_others_see_only_that_a_moderator_hid_it(client, world, proposal):
    services.hide(world.moderator, proposal, "含有他人电话号码")
    url = f"/participation/proposals/{proposal.pk}/"

    client.force_login(world.alice.user)
    page = client.get(url).content.decode()
    assert "给弄堂装路灯" in page and "含有他人电话号码" in page and "only you and the moderators" in page

    for viewer in (world.bob.user, None):
        client.logout()
        if viewer:
            client.force_login(viewer)
        page = client.get(url).content.decode()
        assert "Hidden by a moderator." in page
        assert "给弄堂装路灯" not in page and "晚上太黑" not in page and "含有他人电话号码" not in page

    client.force_login(world.moderator)
    page = client.get(url).content.decode()
    assert "给弄堂装路灯" in page and "含有他人电话号码" in page


def test_the_api_hides_the_same_way(client, world, proposal):
    services.hide(world.moderator, proposal, "含有他人电话号码")
    url = f"/api/participation/proposals/{proposal.pk}"
    data = client.get(url).json()
    assert data["hidden"] and data["title"] == "" and data["body_html"] == "" and data["hidden_reason"] == ""
    assert data["lon"] is None and data["hidden_notice"] == "Hidden by a moderator."
    client.force_login(world.alice.user)
    data = client.get(url).json()
    assert data["title"] == "给弄堂装路灯" and data["hidden_reason"] == "含有他人电话号码"
    client.logout()
    assert client.get("/api/participation/processes/p/proposals").json() == []
    assert client.get("/api/geo/proposals.geojson").json()["features"] == []


def test_hidden_comments_keep_their_place_without_their_text(client, world, proposal):
    with on(DISCUSS_DAY):
        rude = services.comment(world.bob.user, proposal, "骂人的话")
        services.comment(world.carol.user, proposal, "我来回复", parent=rude)
    services.hide(world.moderator, rude, "人身攻击")
    client.force_login(world.carol.user)
    page = client.get(f"/participation/proposals/{proposal.pk}/").content.decode()
    assert "骂人的话" not in page and "人身攻击" not in page and "Hidden by a moderator." in page and "我来回复" in page
    comments = client.get(f"/api/participation/proposals/{proposal.pk}/comments").json()
    assert [(c["body_html"], c["hidden"], c["depth"]) for c in comments] == [("", True, 0), ("我来回复", False, 1)]
    client.force_login(world.bob.user)
    page = client.get(f"/participation/proposals/{proposal.pk}/").content.decode()
    assert "骂人的话" in page and "人身攻击" in page


def test_hidden_things_cannot_be_commented_replied_to_or_supported(world, proposal):
    with on(DISCUSS_DAY):
        comment = services.comment(world.bob.user, proposal, "一")
    services.hide(world.moderator, comment, "跑题")
    with on(DISCUSS_DAY), pytest.raises(PermissionDenied, match="hidden that comment"):
        services.comment(world.carol.user, proposal, "回复", parent=comment)
    services.hide(world.moderator, proposal, "重复")
    with on(DISCUSS_DAY), pytest.raises(PermissionDenied, match="hidden this proposal"):
        services.comment(world.carol.user, proposal, "评论")
    with on(VOTE_DAY), pytest.raises(PermissionDenied, match="hidden this proposal"):
        services.support(world.carol.user, proposal)


# ---- log and notifications -----------------------------------------------------------------------

def test_every_moderator_action_is_logged_and_the_author_told(world, proposal):
    services.hide(world.moderator, proposal, "重复")
    with pytest.raises(ValidationError, match="already hidden"):
        services.hide(world.moderator, proposal, "again")
    services.unhide(world.moderator, proposal, "申诉后恢复")
    with pytest.raises(ValidationError, match="not hidden"):
        services.unhide(world.moderator, proposal, "again")
    with on(DISCUSS_DAY):
        comment = services.comment(world.bob.user, proposal, "一")
    services.review(world.moderator, comment)
    with on(VOTE_DAY):
        services.decide(world.moderator, proposal, True, "")
    with on(REPORT_DAY):
        services.record_follow_up(world.moderator, proposal, "路灯已安装。", datetime.date(2026, 7, 1))
    log = list(ModerationAction.objects.order_by("pk").values_list("action", "reason", "moderator"))
    assert [(a, r) for a, r, _ in log] == [("hide", "重复"), ("unhide", "申诉后恢复"), ("review", ""), ("adopt", ""),
                                           ("follow_up", "路灯已安装。")]
    assert {m for *_, m in log} == {world.moderator.pk}
    told = Notification.objects.filter(user=world.alice.user)
    assert told.count() == 5  # hidden, shown again, comment, adopted, follow-up
    assert told.filter(body__contains="重复").exists() and told.filter(body__contains="申诉后恢复").exists()


def test_the_log_keeps_what_was_done_when_the_item_is_deleted(world, proposal):
    services.hide(world.moderator, proposal, "垃圾广告")
    Proposal.objects.all().delete()
    entry = ModerationAction.objects.get()
    assert entry.proposal is None and "给弄堂装路灯" in entry.target and entry.reason == "垃圾广告"


# ---- decisions ---------------------------------------------------------------------------------

def test_decisions_come_after_the_vote_has_started(world, proposal):
    with on(DISCUSS_DAY), pytest.raises(ValidationError, match="after the vote has started"):
        services.decide(world.moderator, proposal, True)
    with on(VOTE_DAY):
        services.decide(world.moderator, proposal, True, "<p>同意</p><script>x</script>")
        with pytest.raises(ValidationError, match="already been decided"):
            services.decide(world.moderator, proposal, False, "改主意")
    proposal.refresh_from_db()
    assert proposal.status == "adopted" and proposal.decision_note == "<p>同意</p>"


def test_not_adopting_needs_the_reason_and_tells_the_author(world, proposal):
    with on(VOTE_DAY):
        with pytest.raises(ValidationError, match="empty"):
            services.decide(world.moderator, proposal, False, "")
        services.decide(world.moderator, proposal, False, "经费不足，明年再议。")
    assert Proposal.objects.get().status == "not_adopted"
    assert Notification.objects.filter(user=world.alice.user, body__contains="经费不足").exists()


def test_a_hidden_proposal_cannot_be_decided(world, proposal):
    services.hide(world.moderator, proposal, "重复")
    with on(VOTE_DAY), pytest.raises(ValidationError, match="hidden proposal cannot be decided"):
        services.decide(world.moderator, proposal, True)


def test_supports_close_once_decided(world, proposal):
    with on(VOTE_DAY):
        services.decide(world.moderator, proposal, True)
        with pytest.raises(PermissionDenied, match="already been decided"):
            services.support(world.bob.user, proposal)


# ---- follow-ups and photos ---------------------------------------------------------------------

def test_follow_ups_only_on_adopted_proposals(world, proposal):
    with on(REPORT_DAY), pytest.raises(ValidationError, match="adopted proposals only"):
        services.record_follow_up(world.moderator, proposal, "做了", datetime.date(2026, 7, 1))
    assert not FollowUp.objects.exists()


def test_a_follow_up_cannot_be_dated_in_the_future(world, adopted):
    with on(REPORT_DAY), pytest.raises(ValidationError, match="cannot be in the future"):
        services.record_follow_up(world.moderator, adopted, "做了", datetime.date(2026, 7, 11))


@pytest.mark.parametrize("kind, ext", [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_follow_up_photos_in_jpeg_png_and_webp_are_stored_and_served(client, settings, world, adopted, kind, ext):
    with on(REPORT_DAY):
        follow_up = services.record_follow_up(world.moderator, adopted, "路灯已安装。", datetime.date(2026, 7, 1),
                                              [upload(image_bytes(kind), f"p.{ext}")])
    photo = follow_up.photos.get()
    assert photo.image.name.endswith(f".{ext}")
    with Image.open(photo.image.path) as stored:
        assert stored.format == kind
    response = client.get(f"/participation/follow-up-photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == f"image/{'jpeg' if ext == 'jpg' else ext}"


@pytest.mark.parametrize("data, name, message", [
    (image_bytes("GIF"), "p.gif", "is a GIF image; only JPEG, PNG and WebP"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "p.jpg", "not a JPEG, PNG or WebP"),
    (b"MZ\x90\x00 this is a program", "p.png", "not a JPEG, PNG or WebP"),
    (image_bytes("JPEG", size=(400, 300))[:300], "cut.jpg", "not a JPEG, PNG or WebP"),
])
def test_photos_are_checked_by_what_they_are_not_what_they_are_called(settings, world, adopted, data, name, message):
    good = upload(image_bytes("PNG"), "good.png")
    with on(REPORT_DAY), pytest.raises(ValidationError, match=message):
        services.record_follow_up(world.moderator, adopted, "路灯已安装。", datetime.date(2026, 7, 1),
                                  [good, upload(data, name)])
    # One bad photo refuses the whole follow-up: no row, no photo, no log entry, no file.
    assert not FollowUp.objects.exists() and not FollowUpPhoto.objects.exists()
    assert not ModerationAction.objects.filter(action="follow_up").exists()
    assert stored_files(settings) == []


def test_photos_over_5_mb_are_refused(settings, world, adopted, monkeypatch):
    noise = Image.frombytes("RGB", (1400, 1400), bytes(range(256)) * (1400 * 1400 * 3 // 256) + b"\0" * (1400 * 1400 * 3 % 256))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG", compress_level=0)
    big = buffer.getvalue()
    assert len(big) > images.MAX_BYTES
    with on(REPORT_DAY), pytest.raises(ValidationError, match="photos may be at most 5 MB"):
        services.record_follow_up(world.moderator, adopted, "路灯", datetime.date(2026, 7, 1), [upload(big, "big.png")])
    assert stored_files(settings) == []


def test_too_many_pixels_are_refused(world, adopted, monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100)
    with on(REPORT_DAY), pytest.raises(ValidationError, match="too large"):
        services.record_follow_up(world.moderator, adopted, "路灯", datetime.date(2026, 7, 1),
                                  [upload(image_bytes("PNG", size=(20, 20)), "p.png")])


def test_stored_photos_carry_no_metadata(world, adopted):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS latitude: where the resident stood
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(buffer, format="JPEG", exif=exif)
    with Image.open(io.BytesIO(buffer.getvalue())) as original:
        assert original.getexif()
    with on(REPORT_DAY):
        follow_up = services.record_follow_up(world.moderator, adopted, "路灯", datetime.date(2026, 7, 1),
                                              [upload(buffer.getvalue(), "gps.jpg")])
    with Image.open(follow_up.photos.get().image.path) as stored:
        assert not stored.getexif() and "exif" not in stored.info


def test_a_resident_may_add_a_photo_to_a_proposal_and_hidden_photos_are_not_served(client, settings, world):
    with on(COLLECT_DAY):
        proposal = services.propose(world.bob.user, world.process, "坏长椅", "长椅坏了",
                                    photo=upload(image_bytes("JPEG"), "../../etc/passwd.jpg"))
    assert proposal.photo.name.startswith("participation/proposals/") and "passwd" not in proposal.photo.name
    url = f"/participation/proposals/{proposal.pk}/photo/"
    assert client.get(url).status_code == 200
    services.hide(world.moderator, proposal, "照片含人脸")
    assert client.get(url).status_code == 404
    client.force_login(world.bob.user)
    assert client.get(url).status_code == 200


def test_a_bad_photo_refuses_the_proposal(settings, world):
    with on(COLLECT_DAY), pytest.raises(ValidationError, match="GIF"):
        services.propose(world.bob.user, world.process, "坏长椅", "长椅坏了", photo=upload(image_bytes("GIF"), "a.gif"))
    assert not Proposal.objects.exists() and stored_files(settings) == []
