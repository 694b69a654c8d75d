"""The staff page's production and delivery lists print (a print stylesheet and button) and export
as CSV whose cells a spreadsheet never runs as formulas."""
import csv
import io

import pytest

from lifecircle.accounts.models import StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.meals import services

from .conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def ordered(world):
    services.place_order(world.grandma.user, world.pork.pk, fulfilment="delivery", dietary_notes="=HYPERLINK(\"x\")")
    services.place_order(world.mother.user, world.fish.pk, pickup_point_id=world.breakfast_point.pk)


def rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_production_list_as_csv(client, world, ordered):
    client.force_login(world.cook)
    response = client.get("/meals/staff/", {"facility": world.canteen.pk, "date": DAY.isoformat(),
                                            "format": "production.csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f"meals-production-{world.canteen.code}-{DAY.isoformat()}.csv" in response["Content-Disposition"]
    table = rows(response)
    assert len(table) == 3  # header, pork, fish
    pork = next(r for r in table if r[1] in (world.pork.name, world.pork.name_en))
    assert pork[2] == "1" and pork[5] == "1"
    assert pork[8].startswith("'=HYPERLINK")  # a note written like a formula stays text


def test_delivery_list_as_csv_is_masked_like_the_page(client, world, ordered):
    client.force_login(world.cook)
    table = rows(client.get("/meals/staff/", {"facility": world.canteen.pk, "date": DAY.isoformat(),
                                               "format": "deliveries.csv"}))
    assert [r[1] for r in table[1:]] == ["张秀英"] and table[1][5].startswith("'=")
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, world.mini)
    client.force_login(admin)
    table = rows(client.get("/meals/staff/", {"facility": world.canteen.pk, "date": DAY.isoformat(),
                                               "format": "deliveries.csv"}))
    assert [r[1] for r in table[1:]] == ["张*英"]


def test_bad_export_or_date_is_a_400(client, world):
    client.force_login(world.cook)
    assert client.get("/meals/staff/", {"format": "everything.xlsx"}).status_code == 400
    assert client.get("/meals/staff/", {"format": "production.csv", "date": "2026-02-30"}).status_code == 400


def test_the_page_offers_print_and_both_exports(client, world):
    client.force_login(world.cook)
    page = client.get("/meals/staff/", {"facility": world.canteen.pk, "date": DAY.isoformat()}).content.decode()
    for testid in ("print-lists", "production-csv", "deliveries-csv"):
        assert f'data-testid="{testid}"' in page
    assert 'media="print"' in page and "meals/print.js" in page
