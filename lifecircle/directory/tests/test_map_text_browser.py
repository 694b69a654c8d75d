"""Names on the map are text, never HTML (issue 10): a grid named with markup shows the markup as
written and runs nothing. Staff type these names in the console, so a tooltip built as HTML would
be stored cross-site scripting."""
import pytest
from playwright.sync_api import expect

from lifecircle.community.models import Grid

from .test_map_browser import demo, map_page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKUP = '<img src="x" onerror="window.__injected = 1">西'


def test_grid_names_in_tooltips_are_text(map_page):  # noqa: F811
    grid = Grid.objects.order_by("pk").first()
    Grid.objects.filter(pk=grid.pk).update(name=MARKUP)
    page = map_page.open()
    labels = page.locator(".grid-label")
    expect(labels.filter(has_text=MARKUP)).to_have_count(1)
    assert page.locator(".grid-label img").count() == 0
    assert page.evaluate("window.__injected") is None
