"""Sign-ups racing for the last places, on PostgreSQL (bin/test runs it there; SQLite serialises all
writes anyway): 12 volunteers, each a thread with its own connection, for a shift of 5."""
import datetime

import pytest
from django.db import connection

from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.volunteers import services
from lifecircle.volunteers.models import SignUp
from lifecircle.testing import messages, race

from .conftest import NOW, at

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL (bin/test runs it)"),
    pytest.mark.django_db(transaction=True),
]


def test_twelve_volunteers_race_for_five_places(world):
    from lifecircle.volunteers.models import Shift

    shift = Shift.objects.create(role=world.guide, starts_at=at(8, 9), ends_at=at(8, 11), capacity=5)
    compound = Compound.objects.get(code="b")
    racers = [services.register(make_resident(make_household(compound, f"r-{i}"), f"志愿者{i}", datetime.date(1980, 1, 1)))
              for i in range(12)]

    def sign_up(volunteer):
        services.sign_up(volunteer, shift, now=NOW)

    results = messages(race(sign_up, racers), services.VolunteerError)
    assert sorted(results) == ["This shift is full."] * 7 + ["ok"] * 5, results
    assert SignUp.objects.filter(shift=shift, status="signed_up").count() == 5
