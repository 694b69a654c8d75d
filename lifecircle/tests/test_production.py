"""Production mode: settings from the environment, `check --deploy` clean, `serve` serving pages
and fingerprinted static files through gunicorn and WhiteNoise."""
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({
        "LIFECIRCLE_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "LIFECIRCLE_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "SECURE_SSL_REDIRECT": "0", "LIFECIRCLE_FIELD_KEY": "x9aWZM2sqbE1tS8QdV6mHk0Jr3uYpL7cNfGe4oTiBwA=",
    })
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True)


def test_check_deploy_is_clean(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path, SECURE_SSL_REDIRECT="1"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_check_deploy_fails_without_a_field_key(tmp_path):
    env = production_env(tmp_path)
    del env["LIFECIRCLE_FIELD_KEY"]
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0 and "LIFECIRCLE_FIELD_KEY" in result.stderr


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_gunicorn_with_static_files(tmp_path):
    env = production_env(tmp_path)
    assert manage("migrate", "--noinput", env=env).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = urllib.request.urlopen(base + "/api/openapi.json", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("serve did not answer within 20 s")
        assert page.status == 200
        manifest = (tmp_path / "static" / "staticfiles.json").read_text()
        hashed = next(name for name in json.loads(manifest)["paths"].values() if name.startswith("admin/css/base."))
        static = urllib.request.urlopen(f"{base}/static/{hashed}", timeout=5)
        assert static.status == 200 and "max-age=315360000" in static.headers["Cache-Control"]
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    # The site's walking networks are loaded before the workers take requests (lifecircle.startup),
    assert "prepared the walking networks of 0 sub-district(s), 0 facilities and 0 points of interest" in output
    # and its page templates and tables of view addresses compiled
    assert "page templates and the addresses of every view" in output


def test_a_worker_starts_on_a_site_not_yet_migrated_and_says_so(tmp_path):
    """Preparing the networks at start-up never stops a worker from starting: it says why not."""
    started = subprocess.run([sys.executable, "-c", "import lifecircle.wsgi"], cwd=PROJECT,
                             env=production_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    assert "could not prepare the walking networks and facilities at start-up" in started.stderr
