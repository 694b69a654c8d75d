"""Meals through the access layer (issue 10): a former proxy loses the principal's orders at once, a
proxy's reads of a principal's orders are audited, and statements are safe to open in a spreadsheet."""
import csv
import io

import pytest

from lifecircle.accounts.models import AccessLog
from lifecircle.accounts.permissions import revoke
from lifecircle.accounts.testing import make_consent
from lifecircle.meals import services

pytestmark = pytest.mark.django_db


def test_a_former_proxy_no_longer_lists_the_principals_orders(client, world):
    consent = make_consent(principal=world.grandma, proxy=world.mother)
    services.place_order(world.mother.user, world.fish.pk, person=world.grandma)
    client.force_login(world.mother.user)
    listed = client.get("/api/meals/orders").json()
    assert [o["dietary_notes"] for o in listed] == ["少盐，软食"]
    assert AccessLog.objects.filter(user=world.mother.user, resident=world.grandma).count() == 1  # audited
    revoke(consent)
    assert client.get("/api/meals/orders").json() == []
    assert "少盐" not in client.get("/meals/mine/").content.decode()


def test_a_resident_reading_their_own_orders_is_not_logged(client, world):
    services.place_order(world.grandma.user, world.fish.pk)
    client.force_login(world.grandma.user)
    assert len(client.get("/api/meals/orders").json()) == 1
    assert not AccessLog.objects.exists()


def test_proxy_statement_reads_are_audited(client, world):
    make_consent(principal=world.grandma, proxy=world.mother)
    client.force_login(world.mother.user)
    response = client.get("/api/meals/statement", {"resident": world.grandma.pk, "month": "2026-05"})
    assert response.status_code == 200
    assert AccessLog.objects.filter(user=world.mother.user, resident=world.grandma).count() == 1


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_statement_cells_cannot_start_a_formula(world, name):
    world.fish.name = name
    world.fish.save(update_fields=["name"])
    services.place_order(world.grandma.user, world.fish.pk)
    text = services.statement_csv(services.statement(world.grandma, "2026-05"))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    dish = rows[1][3]
    assert dish == "'" + name
    assert rows[1][5] == str(world.fish.price)  # numbers stay numbers
