"""`backup` while the site writes gives one consistent instant; `restore` brings exactly it back
(on SQLite here, on PostgreSQL in bin/test's second run)."""
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connections

pytestmark = pytest.mark.django_db(transaction=True)


class Writer(threading.Thread):
    """Creates groups g0, g1, … one transaction each, as a busy site would, until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop, self.written = threading.Event(), 0

    def run(self):
        try:
            while not self.stop.is_set():
                Group.objects.create(name=f"g{self.written}")
                self.written += 1
        finally:
            connections.close_all()


def wait_until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def numbers():
    return sorted(int(name[1:]) for name in Group.objects.filter(name__startswith="g").values_list("name", flat=True))


def test_backup_during_writes_restores_one_consistent_instant(tmp_path, capsys):
    writer = Writer()
    writer.start()
    try:
        wait_until(lambda: writer.written >= 20)
        call_command("backup", str(tmp_path / "site.backup"))
        at_backup = writer.written
        wait_until(lambda: writer.written >= at_backup + 20)  # and writes go on after it
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert "Backed up the database to" in capsys.readouterr().out
    assert len(numbers()) == writer.written

    call_command("restore", str(tmp_path / "site.backup"), "--noinput")
    restored = numbers()
    # every write up to one instant, none after it, none half done
    assert restored == list(range(len(restored)))
    assert 20 <= len(restored) <= at_backup < writer.written


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(tmp_path):
    Group.objects.create(name="kept")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CommandError, match="not"):
        call_command("restore", str(junk), "--noinput")
    with pytest.raises(CommandError, match="No backup"):
        call_command("restore", str(tmp_path / "missing"), "--noinput")
    assert Group.objects.filter(name="kept").exists()
