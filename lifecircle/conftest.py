"""Fixtures for the tests that drive a real browser (marked ``browser``).

They use Debian's Chromium (``apt-get install chromium``) through Playwright's sync API; CI
installs it, so when it is missing the browser tests fail and say so rather than skip.
"""
import os
import shutil

import pytest

CHROMIUM = os.environ.get("LIFECIRCLE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters are shared (Redis under bin/test,
    a file cache otherwise) and would otherwise carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's first language (zh-hans). The test client's requests leave
    the language LocaleMiddleware chose active in the thread, which would leak into the next test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _staff_second_factor_off(settings):
    """Staff sign in with a password alone in the tests (force_login'd staff would otherwise be
    sent to verify a code); the tests of the second factor switch it back on. Production always
    requires it (settings.STAFF_TWO_FACTOR)."""
    settings.STAFF_TWO_FACTOR = False


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests last (keeping every other order, pytest-django's included).

    Playwright's sync API keeps an asyncio event loop running from the moment the browser starts
    until the session ends, and the setting that lets Django use its database under that loop
    (below) is inherited by any subprocess a later test starts, such as ``check --deploy``.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's chromium "
            "(apt-get install chromium), or LIFECIRCLE_CHROMIUM set to a Chromium binary.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("The browser tests need the playwright package (pip install -e .[test]).", pytrace=False)

    # Playwright's sync API keeps an asyncio event loop running for as long as it is open, and
    # Django refuses database access while a loop runs unless told it is safe; here it is, since
    # the tests and the live server thread only use the database synchronously.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


AXE_SCRIPT = os.path.join(os.path.dirname(__file__), "tests", "data", "axe-core", "axe.min.js")
AXE_FAILING_IMPACTS = ("serious", "critical")


def axe_violations(page, exclude=()):
    """The serious and critical accessibility violations axe-core finds on ``page`` now, as
    ``[(rule id, impact, help, [css targets, at most five])]``. ``exclude``: CSS selectors to skip
    (e.g. the Leaflet map canvas, whose tiles and markers are tested on their own)."""
    with open(AXE_SCRIPT, encoding="utf-8") as script:
        # Evaluated through the browser's debugging protocol, which the pages' Content-Security-Policy
        # (scripts from files only) does not block, as it blocks an injected <script> tag.
        page.evaluate(script.read())
    result = page.evaluate(
        """async (exclude) => {
          const context = exclude.length ? {exclude: exclude.map(selector => [selector])} : document;
          const found = await axe.run(context, {resultTypes: ["violations"]});
          return found.violations.map(v => [v.id, v.impact, v.help, v.nodes.slice(0, 5).map(n => n.target.join(" "))]);
        }""",
        list(exclude),
    )
    return [tuple(v) for v in result if v[1] in AXE_FAILING_IMPACTS]


@pytest.fixture
def axe_check():
    """``axe_check(page, exclude=())`` fails the test on any serious or critical violation axe-core
    (vendored in lifecircle/tests/data/axe-core, MPL-2.0) finds, listing each rule and where."""
    def check(page, exclude=()):
        violations = axe_violations(page, exclude)
        assert not violations, "axe-core found accessibility violations:\n" + "\n".join(
            f"- {rule} ({impact}): {text} at {', '.join(targets)}" for rule, impact, text, targets in violations)
    return check
