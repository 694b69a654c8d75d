"""Processes and their phases: the phase of the day decides what residents may do."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lifecircle.accounts.testing import make_user
from lifecircle.participation.models import COMMENT, PROPOSE, SUPPORT, Phase, Process, check_phase_order

from .helpers import (
    BEFORE_DAY, CARRY_OUT_DAY, COLLECT_DAY, DISCUSS_DAY, GAP_DAY, PHASES, REPORT_DAY, VOTE_DAY, on,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day, phase, actions", [
    (COLLECT_DAY, "collect", {PROPOSE, COMMENT}),
    (DISCUSS_DAY, "discuss", {COMMENT}),
    (VOTE_DAY, "vote", {SUPPORT}),
    (CARRY_OUT_DAY, "carry_out", set()),
    (REPORT_DAY, "report_back", {COMMENT}),
    (GAP_DAY, None, set()),
    (BEFORE_DAY, None, set()),
])
def test_the_phase_of_the_day_decides_what_residents_may_do(world, day, phase, actions):
    current = world.process.phase_on(day)
    assert (current.kind if current else None) == phase
    assert world.process.allowed_actions(day) == actions


def test_phase_days_are_inclusive(world):
    assert world.process.phase_on(datetime.date(2026, 3, 14)).kind == "collect"
    assert world.process.phase_on(datetime.date(2026, 3, 15)).kind == "discuss"


def test_current_phase_follows_the_clock(world):
    with on(VOTE_DAY):
        assert world.process.current_phase().kind == "vote"
        assert world.process.allowed_actions() == {SUPPORT}


def test_a_discussion_space_is_always_open_for_topics_and_comments_never_supports(world):
    for day in (BEFORE_DAY, VOTE_DAY, datetime.date(2030, 1, 1)):
        assert world.space.allowed_actions(day) == {PROPOSE, COMMENT}


def _phases(*spec):
    return [Phase(kind=kind, starts_on=first, ends_on=last) for kind, first, last in spec]


def test_phase_order_accepts_the_test_process_with_its_gap():
    check_phase_order(_phases(*PHASES))


def test_phases_must_not_overlap():
    d = datetime.date
    with pytest.raises(ValidationError, match="must start after"):
        check_phase_order(_phases(("collect", d(2026, 3, 1), d(2026, 3, 14)), ("discuss", d(2026, 3, 14), d(2026, 3, 20))))


def test_phases_must_follow_the_fixed_order():
    d = datetime.date
    with pytest.raises(ValidationError, match="must start after"):
        check_phase_order(_phases(("vote", d(2026, 3, 1), d(2026, 3, 5)), ("collect", d(2026, 3, 10), d(2026, 3, 20))))


def test_a_process_has_one_phase_of_each_kind():
    d = datetime.date
    with pytest.raises(ValidationError, match="one phase"):
        check_phase_order(_phases(("collect", d(2026, 3, 1), d(2026, 3, 5)), ("collect", d(2026, 3, 10), d(2026, 3, 20))))


def test_the_database_refuses_a_phase_ending_before_it_starts_and_a_second_phase_of_a_kind(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(process=world.space, kind="vote", starts_on=datetime.date(2026, 5, 2),
                             ends_on=datetime.date(2026, 5, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(process=world.process, kind="vote", starts_on=datetime.date(2027, 1, 1),
                             ends_on=datetime.date(2027, 1, 2))


def _admin_post(client, **phases):
    data = {"subdistrict": "", "slug": "new", "kind": "process", "title": "新流程", "title_en": "", "summary": "",
            "summary_en": "", "phases-TOTAL_FORMS": str(len(phases)), "phases-INITIAL_FORMS": "0",
            "phases-MIN_NUM_FORMS": "0", "phases-MAX_NUM_FORMS": "1000"}
    for i, (kind, (first, last)) in enumerate(phases.items()):
        data.update({f"phases-{i}-kind": kind, f"phases-{i}-starts_on": first, f"phases-{i}-ends_on": last,
                     f"phases-{i}-note": ""})
    return data


def test_the_staff_console_refuses_overlapping_phases_and_saves_nothing(client, world):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    data = _admin_post(client, collect=("2026-03-01", "2026-03-14"), discuss=("2026-03-10", "2026-03-20"))
    data["subdistrict"] = str(world.mini.pk)
    response = client.post("/admin/participation/process/add/", data)
    assert response.status_code == 200 and "must start after" in response.content.decode()
    assert not Process.objects.filter(slug="new").exists()
    data = _admin_post(client, collect=("2026-03-01", "2026-03-14"), discuss=("2026-03-15", "2026-03-20"))
    data["subdistrict"] = str(world.mini.pk)
    assert client.post("/admin/participation/process/add/", data).status_code == 302
    assert Process.objects.get(slug="new").phases.count() == 2


def test_the_staff_console_shows_staff_only_their_sub_districts_processes(client, world):
    client.force_login(world.other_staff)
    page = client.get("/admin/participation/process/").content.decode()
    assert "快乐18议事吧" not in page
    client.force_login(world.moderator)
    assert "快乐18议事吧" in client.get("/admin/participation/process/").content.decode()
