"""The planners' coverage page, rendered on the server (no browser): it must carry the plan check,
the coverage table and the gap list without JavaScript, and say so plainly before anything has
been computed."""
import io
import math
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from lifecircle.accessibility.coverage import report
from lifecircle.accessibility.models import CompoundAccess
from lifecircle.accessibility.views import percent, shade, short_grid_name
from lifecircle.community.models import SubDistrict
from lifecircle.directory.models import StandardRow

# Loading a pack computes accessibility once its transaction commits, so these tests need commits.
pytestmark = pytest.mark.django_db(transaction=True)
URL = "/s/jiangning-road/planning/coverage/"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=io.StringIO())
    return SubDistrict.objects.get()


def cells(html):
    """{(category, grid): text} of the coverage table ("" = the whole sub-district)."""
    found = {}
    for row in re.finditer(r'<tr data-testid="coverage-row" data-category="([\w-]+)".*?</tr>', html, re.S):
        for grid, text in re.findall(r'<td data-grid="([\w-]*)".*?>([^<]*)</td>', row.group(0), re.S):
            found[(row.group(1), grid)] = text.strip()
    return found


def expected(subdistrict, weight):
    return {(r["category"], r["grid"] or ""): "—" if r[f"{weight}_share"] is None else f"{percent(r[f'{weight}_share'])}%"
            for r in report(subdistrict).rows}


def test_the_url():
    assert reverse("coverage", args=["jiangning-road"]) == URL


def test_the_page_renders_the_plan_check_table_and_gaps_on_the_server(client, demo):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    rows = StandardRow.objects.filter(standard__active=True).count()
    assert html.count('data-testid="coverage-row"') == rows
    assert html.count('data-testid="grid-column"') == demo.grids.count()
    assert cells(html) == expected(demo, "population")
    assert len(cells(html)) == rows * (demo.grids.count() + 1)
    # The plan check: grid 4 has no day care.
    assert re.search(r'data-grid="grid-4" data-met="false"', html)
    assert html.count('data-met="true"') == 3
    # The gap list for the default service (day care, the plan's first requirement), worst first.
    gaps = [g for g in report(demo).gaps if g["category"] == "senior_day_care"]
    listed = re.findall(r'data-testid="gap-row" data-compound="([\w-]+)"', html)
    assert listed == [g["compound"] for g in gaps] and listed
    assert 'data-testid="not-computed"' not in html
    assert "/static/vendor/chartjs/chart.umd.js" in html and "coverage-config" in html


def test_the_filters_work_without_javascript(client, demo):
    html = client.get(URL, {"category": "infant_care", "weight": "aged_60_plus", "gaps": "all"}).content.decode()
    assert cells(html) == expected(demo, "aged_60_plus")
    assert re.search(r'<option value="infant_care" selected>', html)
    assert re.search(r'value="aged_60_plus" checked', html)
    listed = re.findall(r'data-testid="gap-row" data-compound="([\w-]+)" data-category="([\w-]+)"', html)
    assert len(listed) == len(report(demo).gaps)
    # Unknown values fall back to the defaults rather than failing.
    html = client.get(URL, {"category": "nonsense", "weight": "pets"}).content.decode()
    assert re.search(r'<option value="senior_day_care" selected>', html)
    assert cells(html) == expected(demo, "population")


def test_the_page_follows_the_language(client, demo):
    client.cookies["django_language"] = "en"
    html = client.get(URL).content.decode()
    assert "<h1>Service coverage</h1>" in html and "Does not meet the plan" in html
    assert "Grid 1</th>" in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get(URL).content.decode()
    assert "<h1>服务覆盖情况</h1>" in html, "is lifecircle/locale/zh_Hans/LC_MESSAGES/django.mo compiled?"
    assert "未达标" in html and "第一网格</th>" in html


def test_before_anything_is_computed_the_page_says_so(client, demo):
    CompoundAccess.objects.all().delete()
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="not-computed"' in html and "尚未计算覆盖情况" in html
    assert "compute_accessibility" in html
    assert 'data-testid="coverage-table"' not in html and 'data-testid="gap-row"' not in html
    assert 'data-computed="false"' in html
    assert 'data-grid="grid-4" data-met="false"' in html  # the plan check needs no computation
    assert "coverage.js" not in html


def test_with_nothing_loaded_the_old_address_goes_to_the_chooser_which_says_so(client):
    assert client.get(URL).status_code == 404
    response = client.get("/planning/coverage/", follow=True)
    assert response.status_code == 200 and response.redirect_chain == [("/?next=planning%2Fcoverage%2F", 302)]
    assert 'data-testid="no-data"' in response.content.decode()


def test_the_map_links_to_the_page_and_carries_the_isochrone_api(client, demo):
    html = client.get("/").content.decode()
    assert f'href="{URL}"' in html
    assert "/api/accessibility/isochrones" in html


def test_helpers():
    assert [percent(s) for s in (None, 0, 0.125, 0.285, 0.995, 1)] == [None, 0, 13, 28, 100, 100]
    assert [shade(p) for p in (None, 0, 19, 20, 59, 80, 100)] == ["none", "0", "0", "1", "2", "4", "4"]
    assert short_grid_name("第一网格（北京西路–新闸路片区）") == "第一网格"
    assert short_grid_name("Grid 1 (Beijing West Road – Xinzha Road area)") == "Grid 1"
    assert short_grid_name("东片") == "东片"
    assert math.isclose(0.285 * 100, 28.499999999999996)  # why halves are rounded as floats, the same in JS
