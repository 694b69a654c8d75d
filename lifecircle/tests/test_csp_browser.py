"""Under the Content-Security-Policy the pages still work in a real browser: the API docs, the
staff console, the second-factor QR code, and signing out (no console error, no CSP report)."""
from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import expect

from lifecircle.accounts.testing import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=15_000)


def signed_in(browser, live_server, user):
    django_client = Client()
    django_client.force_login(user)
    context = browser.new_context(locale="en-GB")
    context.add_cookies([{"name": "sessionid", "value": django_client.cookies["sessionid"].value,
                          "domain": urlsplit(live_server.url).hostname, "path": "/"}])
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return context, page, errors


def test_api_docs_and_staff_console_run_their_scripts(browser, live_server):
    context, page, errors = signed_in(browser, live_server, make_user("boss", is_staff=True, is_superuser=True))
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()  # drawn by Swagger UI's script
    page.goto(f"{live_server.url}/admin/auth/user/add/")
    expect(page.locator("#id_username")).to_be_visible()
    assert not errors, errors
    context.close()


def test_second_factor_qr_code_shows_and_sign_out_works(browser, live_server, settings):
    settings.STAFF_TWO_FACTOR = True
    context, page, errors = signed_in(browser, live_server, make_user("clerk", is_staff=True))
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_test_id("two-factor-enrol")).to_be_visible()
    qr = page.get_by_test_id("two-factor-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the data: image is allowed
    page.get_by_test_id("sign-out").get_by_role("button").click()
    expect(page.get_by_test_id("nav-login")).to_be_visible()
    assert not errors, errors
    context.close()
