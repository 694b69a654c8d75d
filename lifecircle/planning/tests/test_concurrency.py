"""Two planners changing one scenario at once take turns (the scenario's row lock), so the second
sees the first's change: it gets a clear reason, never a database error or a half-applied change."""

import pytest
from django.db import connection

from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.planning import scenarios
from lifecircle.planning.models import ScenarioChange, ScenarioFacility
from lifecircle.testing import messages, race


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks are proven on PostgreSQL (bin/test runs it); SQLite's in-memory test "
                           "database reports 'table is locked' instead of waiting")
@pytest.mark.django_db(transaction=True)
def test_two_planners_adding_the_same_code_at_once():
    scenario = scenarios.create_scenario(load_pack(MINI), "Plan A")

    def add(_):
        scenarios.add_facility(scenario, None, category="senior_meals", lon=121.4482, lat=31.2338, code="dup")

    outcomes = ["added" if m == "ok" else m for m in messages(race(add, [1, 2]), scenarios.PlanningError)]
    assert sorted(outcomes) == ["This scenario already has a facility with code 'dup'.", "added"]
    assert ScenarioFacility.objects.filter(scenario=scenario, code="dup").count() == 1
    assert ScenarioChange.objects.filter(scenario=scenario, action="add").count() == 1
