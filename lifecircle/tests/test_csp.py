"""Content-Security-Policy: no inline script may run, so no template may need one."""
import re
from pathlib import Path

import pytest

TEMPLATES = sorted(Path(__file__).resolve().parents[1].glob("**/templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


@pytest.mark.django_db
def test_every_page_says_no_inline_script(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script_src == "'self'"
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("lifecircle/", 1)[-1])
def test_no_template_has_inline_script_or_handlers(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "move the script to a static file (or data to json_script)"
    assert not INLINE_HANDLER.search(text), "attach the handler from a static script"


def test_favicon_ico_leads_to_the_sites_icon(client):
    """Pages without an icon link (API docs, staff console) make browsers ask for /favicon.ico;
    a 404 there shows as a console error on every such page."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("directory/favicon.svg")
