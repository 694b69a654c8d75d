"""Baby-care centres in order of the walk from the family's home, on the list and the application page."""
import pytest

from lifecircle.accounts.testing import make_child, make_household, make_resident
from lifecircle.babycare.models import AgeGroup, CareProgramme
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_centres():
    load_pack(MINI)
    for code in ("babycare", "center"):
        programme = CareProgramme.objects.create(facility=Facility.objects.get(code=code), centre_type="hourly")
        AgeGroup.objects.create(programme=programme, min_months=12, max_months=36, places=5)


def family_in(code):
    resident = make_resident(make_household(Compound.objects.get(code=code)))
    make_child(resident.household)
    return resident


def centre_codes(response):
    return [p.code for p in response.context["programmes"]]


def test_the_nearest_centre_to_the_familys_home_comes_first(client, two_centres):
    client.force_login(family_in("a").user)
    near_a = client.get("/babycare/")
    assert centre_codes(near_a) == ["center", "babycare"]
    walks = [p.walk_m for p in near_a.context["programmes"]]
    assert walks == sorted(walks) and all(w > 0 for w in walks)
    client.force_login(family_in("b").user)
    assert centre_codes(client.get("/babycare/")) == ["babycare", "center"]


def test_without_a_household_the_list_keeps_its_order_and_says_why(client, two_centres):
    response = client.get("/babycare/")
    assert response.status_code == 200
    assert all(p.walk_m is None for p in response.context["programmes"])
    assert 'data-testid="walk-order"' in response.content.decode()


def test_the_application_page_shows_the_walk_and_the_nearer_centres(client, two_centres):
    client.force_login(family_in("a").user)
    response = client.get("/babycare/centres/babycare/apply/")
    assert response.status_code == 200
    assert [p.code for p in response.context["ranked"]] == ["center", "babycare"]
    page = response.content.decode()
    assert 'data-testid="ranked-centres"' in page and response.context["walk_label"]
    assert page.index('data-code="center"') < page.index('data-code="babycare"')
