"""Scheduled jobs: each runs once per slot even with two servers, a missing job is skipped, a
failing one does not stop the others (and `serve` starting it: community/tests/test_serve.py)."""
import pytest
from lifecircle.scheduler import JOBS, Job, Scheduler

pytestmark = pytest.mark.django_db


@pytest.fixture
def ran(monkeypatch):
    calls = []

    def fake_call_command(name):
        if name == "broken":
            raise RuntimeError("boom")
        calls.append(name)

    monkeypatch.setattr("lifecircle.scheduler.call_command", fake_call_command)
    monkeypatch.setattr("lifecircle.scheduler.get_commands",
                        lambda: {"expire_babycare_offers": "x", "send_booking_reminders": "x", "broken": "x"})
    return calls


def test_the_site_schedules_expiry_reminders_and_retention():
    assert {job.command for job in JOBS} == {"expire_babycare_offers", "send_booking_reminders", "apply_retention"}


def test_each_job_runs_once_per_slot_across_two_servers(ran):
    now = {"t": 1_800_000_000.0}
    jobs = [Job("expire_babycare_offers", every=300), Job("send_booking_reminders", every=900)]
    first, second = Scheduler(jobs, clock=lambda: now["t"]), Scheduler(jobs, clock=lambda: now["t"])
    second.owner = "other-server:1"
    assert first.run_due() == ["expire_babycare_offers", "send_booking_reminders"]
    assert second.run_due() == []  # the other server finds both slots claimed
    now["t"] += 300
    assert second.run_due() == ["expire_babycare_offers"]  # a new 5-minute slot; the 15-minute one is not over
    assert first.run_due() == []
    assert ran == ["expire_babycare_offers", "send_booking_reminders", "expire_babycare_offers"]


def test_a_missing_job_is_skipped_and_a_failing_one_does_not_stop_the_rest(ran, caplog):
    jobs = [Job("apply_retention", every=60), Job("broken", every=60), Job("send_booking_reminders", every=60)]
    assert Scheduler(jobs).run_due() == ["send_booking_reminders"]
    assert "apply_retention is not installed here" in caplog.text
    assert "broken failed" in caplog.text


def test_the_real_jobs_run(capsys):
    jobs = [Job("expire_babycare_offers", every=60), Job("send_booking_reminders", every=60)]
    assert Scheduler(jobs).run_due() == ["expire_babycare_offers", "send_booking_reminders"]
    out = capsys.readouterr().out
    assert "offer(s) expired" in out and "Reminders sent" in out
