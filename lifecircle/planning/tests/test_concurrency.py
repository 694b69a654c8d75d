"""Two planners changing one scenario at once take turns (the scenario's row lock), so the second
sees the first's change: it gets a clear reason, never a database error or a half-applied change."""
import threading

import pytest
from django.db import connection
from django.utils import translation

from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.planning import scenarios
from lifecircle.planning.models import ScenarioChange, ScenarioFacility


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks are proven on PostgreSQL (bin/test runs it); SQLite's in-memory test "
                           "database reports 'table is locked' instead of waiting")
@pytest.mark.django_db(transaction=True)
def test_two_planners_adding_the_same_code_at_once():
    scenario = scenarios.create_scenario(load_pack(MINI), "Plan A")
    barrier = threading.Barrier(2)
    outcomes = []

    def add():
        try:
            with translation.override("en"):
                barrier.wait()
                scenarios.add_facility(scenario, None, category="senior_meals", lon=121.4482, lat=31.2338, code="dup")
            outcomes.append("added")
        except scenarios.PlanningError as exc:
            outcomes.append(str(exc))
        except Exception as exc:  # a database error would be a failure of the rule
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["This scenario already has a facility with code 'dup'.", "added"]
    assert ScenarioFacility.objects.filter(scenario=scenario, code="dup").count() == 1
    assert ScenarioChange.objects.filter(scenario=scenario, action="add").count() == 1
