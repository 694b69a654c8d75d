"""Capacity under concurrency: many families racing for the last places of one age group.

Only PostgreSQL can prove this (SQLite serialises every write transaction), so the test runs
there: ``bin/test`` runs the suite on PostgreSQL too.
"""
import datetime

import pytest
from django.db import connection

from lifecircle.babycare import services
from lifecircle.babycare.models import AgeGroup, Application
from lifecircle.testing import race

from .helpers import family

START = datetime.date(2026, 9, 1)
RACERS = 24


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL (bin/test runs it)")
@pytest.mark.django_db(transaction=True)
def test_racing_for_the_last_places_never_exceeds_capacity(centre, clock):
    group = AgeGroup.objects.get(programme=centre, min_months=12)
    group.places = 5
    group.save()
    for i in range(2):  # two places already taken: three are left
        parent, child = family(child=f"在托{i}")
        services.accept(parent.user, services.apply(parent.user, centre, child, START).application.pk)
    racers = [family(child=f"孩子{i}") for i in range(RACERS)]

    outcomes = race(lambda racer: services.apply(racer[0].user, centre, racer[1], START), racers)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors
    assert len(outcomes) == RACERS
    offered = [o for o in outcomes if o.application.status == Application.Status.OFFERED]
    waiting = [o for o in outcomes if o.application.status == Application.Status.WAITING]
    assert len(offered) == 3 and len(waiting) == RACERS - 3
    assert group.taken() == 5
    assert Application.objects.filter(age_group=group, status__in=Application.HOLDING).count() == 5
    for outcome in waiting:
        assert outcome.message.startswith("No place is free in 12–23 months at Baby care just now; ")
        assert "on the waiting list" in outcome.message
    positions = sorted(services.standing_of(o.application).position for o in waiting)
    assert positions == list(range(1, RACERS - 3 + 1))
