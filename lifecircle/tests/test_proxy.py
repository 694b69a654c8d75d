"""Behind proxies the client is the right-most untrusted X-Forwarded-For entry, never the first."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lifecircle.proxy import client_address

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("remote, forwarded, proxies, expected", [
    ("203.0.113.5", "6.6.6.6", 0, "203.0.113.5"),  # no proxy configured: the header is ignored
    ("10.0.0.1", "198.51.100.7", 1, "198.51.100.7"),
    ("10.0.0.1", "6.6.6.6, 198.51.100.7", 1, "198.51.100.7"),  # the forged first value is not believed
    ("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1", 2, "198.51.100.7"),  # two proxies
    ("10.0.0.1", "", 1, "10.0.0.1"),
    ("10.0.0.2", "198.51.100.7", 2, "10.0.0.2"),  # fewer entries than proxies: not through them all
])
def test_client_address(remote, forwarded, proxies, expected):
    assert client_address(remote, forwarded, proxies) == expected


def proxy_ssl_header(**env):
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.SECURE_PROXY_SSL_HEADER)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lifecircle.settings", "LIFECIRCLE_ENV": "production",
           "SECRET_KEY": "x" * 50, **env}
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_proxy_https_header_is_believed_only_when_a_proxy_is_configured():
    assert proxy_ssl_header() == "None"  # reached directly: a client could send X-Forwarded-Proto itself
    assert proxy_ssl_header(TRUSTED_PROXIES="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"
