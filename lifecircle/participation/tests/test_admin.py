"""The staff console: every list opens, names are masked, opening a record is logged."""
import datetime

import pytest

from lifecircle.accounts.models import AccessLog
from lifecircle.accounts.testing import make_user
from lifecircle.participation import services

from .helpers import COLLECT_DAY, DISCUSS_DAY, REPORT_DAY, VOTE_DAY, image_bytes, on, upload

pytestmark = pytest.mark.django_db

MODELS = ["process", "proposal", "comment", "support", "moderationaction", "followup", "representative", "thread"]


@pytest.fixture
def filled(world):
    with on(COLLECT_DAY):
        proposal = services.propose(world.alice.user, world.process, "给弄堂装路灯", "晚上太黑。")
    with on(DISCUSS_DAY):
        services.comment(world.bob.user, proposal, "同意")
    with on(VOTE_DAY):
        services.support(world.bob.user, proposal)
        services.decide(world.moderator, proposal, True)
    with on(REPORT_DAY):
        services.record_follow_up(world.moderator, proposal, "已安装", datetime.date(2026, 7, 2),
                                  [upload(image_bytes("PNG"), "a.png")])
    services.write_letter(world.alice.user, world.rep, "公开信", "内容", public=True)
    return proposal


@pytest.mark.parametrize("who", ["superuser", "moderator"])
def test_every_list_opens_and_names_are_masked(client, world, filled, who):
    client.force_login(make_user(is_staff=True, is_superuser=True) if who == "superuser" else world.moderator)
    for model in MODELS:
        response = client.get(f"/admin/participation/{model}/")
        assert response.status_code == 200, model
        assert "李红" not in response.content.decode() and "王小明" not in response.content.decode(), model
    assert "李*" in client.get("/admin/participation/proposal/").content.decode()


def test_opening_a_proposal_in_the_console_is_logged(client, world, filled):
    client.force_login(world.moderator)
    assert client.get(f"/admin/participation/proposal/{filled.pk}/change/").status_code == 200
    log = AccessLog.objects.get(user=world.moderator)
    assert log.resident == world.alice and "admin" in log.purpose


def test_the_moderation_log_cannot_be_edited_in_the_console(client, world, filled):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert client.get("/admin/participation/moderationaction/add/").status_code == 403
