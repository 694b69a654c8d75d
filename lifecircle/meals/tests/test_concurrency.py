"""Portions are never oversold, even when many residents order the last ones at the same moment.

Each thread has its own database connection and transaction; the menu row's lock
(``select_for_update``) makes them count the portions one after another. SQLite has no row locks
(it locks the whole database), so the proof is run on PostgreSQL (``bin/test`` does).
"""
import datetime

import pytest
from django.db import connection

from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.meals import services
from lifecircle.meals.models import MealOrder, MenuItem
from lifecircle.testing import messages, race

THREADS = 24
LAST_PORTIONS = 5

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are proven on PostgreSQL"),
]


def test_many_residents_order_the_last_portions_at_once(world):
    dish = MenuItem.objects.create(menu=world.lunch, name="最后几份", price=10, portions=LAST_PORTIONS)
    compound = Compound.objects.get(code="c")
    people = [make_resident(make_household(compound, f"{i}-1"), f"居民{i}", datetime.date(1950, 1, 1))
              for i in range(THREADS)]

    def order(person):
        services.place_order(person.user, dish.pk)

    results = messages(race(order, people), services.Refused)
    assert results.count("ok") == LAST_PORTIONS, results
    assert all(r == "最后几份 is sold out." for r in results if r != "ok"), results
    assert MealOrder.objects.filter(item=dish, status="placed").count() == LAST_PORTIONS
