"""What planners read: the compare page has one table per tier with unique ids and speaks of
percentage points; siting results name the street and say in words how the solver did."""
import collections
import re

import pytest
from django.utils import translation

from lifecircle.planning import scenarios

from .test_api_pages import NEAR_B, mini, planner, scenario  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_compare_page_has_one_table_per_tier_and_unique_ids(planner, scenario):  # noqa: F811
    scenarios.add_facility(scenario, None, category="senior_meals", lon=NEAR_B[0], lat=NEAR_B[1])
    content = planner.get(f"/s/mini/planning/compare/?a=live&b={scenario.pk}").content.decode()
    headings = re.findall(r"<h2 id=\"tier-(\d+)\"", content)
    assert headings and len(headings) == len(set(headings)), headings
    assert content.count('data-testid="compare-table"') == len(headings)
    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', content))
    assert not [i for i, n in ids.items() if n > 1], ids
    assert "percentage points" in content


def test_the_change_reads_as_percentage_points_in_chinese(planner, scenario):  # noqa: F811
    scenarios.add_facility(scenario, None, category="senior_meals", lon=NEAR_B[0], lat=NEAR_B[1])
    with translation.override("zh-hans"):
        content = planner.get(f"/s/mini/planning/compare/?a=live&b={scenario.pk}",
                              HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "百分点" in content and "分值" not in content


def test_siting_results_name_the_street_and_say_how_good_they_are(planner, scenario):  # noqa: F811
    page = planner.post("/s/mini/planning/siting/", {"category": "senior_meals", "model": "mclp", "k": "1",
                                                     "candidates": "nodes", "time_limit": "10", "weight": "population"})
    content = page.content.decode()
    site = page.context["result"]["sites"][0]
    # In the reader's language where the map has it (北路 has no name:en in the MINI pack).
    assert site["street"] in {"South Road", "Middle Road", "北路"}
    assert f"On {site['street']}" in content.split('data-testid="sites"')[1]
    chinese = planner.post("/s/mini/planning/siting/", {"category": "senior_meals", "model": "mclp", "k": "1",
                                                        "candidates": "nodes", "time_limit": "10",
                                                        "weight": "population"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.context["result"]["sites"][0]["street"] in {"南路", "中路", "北路"}
    assert "the solver proved that no other choice does better" in content
    assert "1300 more people would live within" in content
