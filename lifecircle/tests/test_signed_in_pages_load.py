"""The pages signed-in residents open most (their home, their requests, the map) under load: how many
queries each costs, and that what the map keeps in the cache changes the moment its data does."""
import re

import pytest
from django.test import Client

from lifecircle.accounts import attention
from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.community.models import Compound, Grid
from lifecircle.directory.models import Facility
from lifecircle.participation.models import Process, Proposal
from lifecircle.requests311.models import Service, ServiceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(mini):
    return make_resident(make_household(Compound.objects.get(code="a")))


def signed_in(resident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(resident.user)
    return client


def layer_count(html, key):
    return int(re.search(rf'data-layer="{key}".*?data-count="(\d+)"', html, re.S).group(1))


def test_the_map_page_reads_its_public_parts_in_one_cache_read(mini, resident, django_assert_max_num_queries):
    visitor, client = Client(HTTP_ACCEPT_LANGUAGE="en"), signed_in(resident)
    url = f"/s/{mini.code}/"
    visitor.get(url)
    # The sub-district it names and whether there are several; the legend, the layers' counts and the
    # script's configuration come from the cache (they were 3 more queries, and centre worked out anew).
    with django_assert_max_num_queries(2):
        assert visitor.get(url).status_code == 200
    # Signed in: the user and their own home, never cached (and, where staff need a second
    # factor, whether the user is staff: not under the test settings).
    with django_assert_max_num_queries(4):
        page = client.get(url)
    assert page.context["map_config"]["home"]["name"] == Compound.objects.get(code="a").display_name
    assert visitor.get(url).context["map_config"]["home"] is None


def test_the_front_page_asks_which_sub_districts_there_are_once(mini, django_assert_max_num_queries):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    visitor.get("/")
    with django_assert_max_num_queries(1):  # its view and the header's site name share the answer
        page = visitor.get("/")
    assert f"{mini.name_en} 15-minute life circle" in page.content.decode()


def test_the_map_legend_follows_every_change_at_once(mini, resident, django_capture_on_commit_callbacks):
    visitor, url = Client(HTTP_ACCEPT_LANGUAGE="en"), f"/s/{mini.code}/"

    def page():
        return visitor.get(url).content.decode()

    def places():  # as the legend shows them (a fragment kept in the cache) and as the page was given them
        page = visitor.get(url)
        shown = re.findall(r'data-category="[^"]+".*?<span class="legend-count"[^>]*>(\d+)</span>',
                           page.content.decode(), re.S)
        given = sum(c.count for g in page.context["legend_groups"] for c in g["categories"])
        assert sum(map(int, shown)) == given
        return given

    requests, proposals, facilities = layer_count(page(), "requests"), layer_count(page(), "proposals"), places()
    directory_parts = visitor.get(url).context["legend_key"]
    service = Service.objects.create(service_code="light", service_name="路灯", service_name_en="Street light",
                                     group="street")
    process = Process.objects.create(subdistrict=mini, slug="p", title="幸福家门口")
    # Each change alone, as the apps make them: the other apps' layers name their own topics.
    with django_capture_on_commit_callbacks(execute=True):
        ServiceRequest.objects.create(service=service, reporter=resident.user, resident=resident, routing="grid",
                                      lat=31.233, lon=121.445, grid=Grid.objects.filter(subdistrict=mini).first())
    assert layer_count(page(), "requests") == requests + 1
    # ... and only the layers' part is worked out again: the directory's legend and the script's
    # configuration stay in the cache (every new street report redrew them all before)
    assert visitor.get(url).context["legend_key"] == directory_parts
    with django_capture_on_commit_callbacks(execute=True):
        Proposal.objects.create(process=process, author=resident, title="路灯", body="太黑", lon=121.445, lat=31.233)
    assert layer_count(page(), "proposals") == proposals + 1
    with django_capture_on_commit_callbacks(execute=True):
        Facility.objects.create(subdistrict=mini, code="new", name="新站", lon=121.445, lat=31.233,
                                category=Facility.objects.get(code="center").category)
    assert places() == facilities + 1


def test_the_resident_home_asks_each_app_in_one_query(mini, resident, django_assert_max_num_queries,
                                                      django_assert_num_queries):
    with django_assert_num_queries(1):  # nothing waiting: one probe for every app, no app's items
        assert attention.gather(resident, resident.user) == []
    client = signed_in(resident)
    client.get("/accounts/me/")
    # user, resident with household and compound, both sides of their consents, children, the probe,
    # the header's sub-district, household members, messages (15 before).
    with django_assert_max_num_queries(8):
        page = client.get("/accounts/me/")
    assert 'data-testid="attention-none"' in page.content.decode()


def test_my_requests_page(mini, resident, django_assert_max_num_queries):
    client = signed_in(resident)
    client.get("/requests311/")
    # user, resident, the header's sub-district, mine, followed (6 before).
    with django_assert_max_num_queries(5):
        assert client.get("/requests311/").status_code == 200
