"""Nothing acknowledged is lost: under ~20 writes a second, gunicorn workers are killed (SIGKILL,
as the out-of-memory killer or a crash would) and every request the server answered 200 to is in
the database afterwards. A request is acknowledged only after its transaction commits, so a
worker that dies takes with it only requests it never answered.

The server is a real ``manage.py serve`` (gunicorn, two workers) on its own SQLite file, so the
test needs no database of pytest's and runs the same on either suite pass."""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
RATE, SECONDS = 20, 6


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workers_of(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def test_acknowledged_requests_survive_killed_workers(tmp_path):
    env = {**os.environ, "LIFECIRCLE_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
           "DJANGO_SETTINGS_MODULE": "lifecircle.requests311.tests.durability_settings", "DEBUG": "0",
           "PYTHONPATH": str(REPO)}
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    subprocess.run([*manage, "load_open311_services"], env=env, check=True, capture_output=True)
    key = subprocess.run([*manage, "create_open311_key", "durability test"], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen([*manage, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                               "--no-collectstatic"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    acknowledged, failed, killed = {}, [], []
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/open311/v2/services.json", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)

        def write(n):
            body = urllib.parse.urlencode({
                "api_key": key, "service_code": "noise", "attribute[source]": "construction",
                "address_string": f"durability {n}", "description": f"durability write {n}"}).encode()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/open311/v2/requests.json", body, timeout=10) as r:
                    acknowledged[n] = json.loads(r.read())[0]["service_request_id"]
            except (OSError, urllib.error.HTTPError) as exc:
                failed.append((n, repr(exc)))

        threads, start = [], time.monotonic()
        for n in range(RATE * SECONDS):
            time.sleep(max(0.0, start + n / RATE - time.monotonic()))
            if n in (RATE * 2, RATE * 4):  # kill a worker at 2 s and another at 4 s, mid-stream
                victim = workers_of(server.pid)[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            thread = threading.Thread(target=write, args=(n,))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(15)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

    assert len(killed) == 2 and len(acknowledged) >= RATE * SECONDS * 0.6, (len(acknowledged), failed[:5])
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        stored = dict(db.execute("SELECT id, description FROM requests311_servicerequest").fetchall())
    lost = {n: pk for n, pk in acknowledged.items() if stored.get(int(pk)) != f"durability write {n}"}
    assert not lost, f"{len(lost)} acknowledged requests are not stored: {lost}"
