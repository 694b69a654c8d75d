"""The service finder (/s/<code>/find/): by need or keyword in both languages, nearest walk on the
network from "my home" first, filters that say what they keep, and 400 for values naming nothing."""
import datetime
import math

import pytest
from django.utils import timezone, translation

from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.community.packs import PackError, load_pack
from lifecircle.community.tests.test_packs import MINI, copy_pack, edit_feature
from lifecircle.directory import finder
from lifecircle.directory.models import Facility
from lifecircle.geo.distance import haversine_m
from lifecircle.testing import client, english  # noqa: F401  (pages and reasons read in English)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini():
    subdistrict = load_pack(MINI)
    Facility.objects.filter(code="canteen").update(eligibility="seniors", cost="subsidised", languages=["zh", "wuu"],
                                                   last_checked=datetime.date(2026, 11, 20))
    Facility.objects.filter(code="babycare").update(eligibility="families", cost="fee", languages=["zh", "en"])
    Facility.objects.filter(code="center").update(cost="free", languages=["zh", "en", "csl"])
    return subdistrict


def codes(response):
    return [e.facility.code for e in response.context["result"].entries]


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_nearest_walk_from_the_chosen_home_comes_first(client, mini):
    near_a = codes(client.get("/s/mini/find/?home=a"))
    near_b = codes(client.get("/s/mini/find/?home=b"))
    assert near_a[0] == "canteen" and near_b[0] == "babycare"
    assert sorted(near_a) == sorted(near_b) == ["babycare", "canteen", "center"]
    entries = client.get("/s/mini/find/?home=a").context["result"].entries
    metres = [e.metres for e in entries]
    assert metres == sorted(metres)
    home = Compound.objects.get(code="a")
    for entry in entries:  # walks on the streets, never shorter than the straight line
        assert entry.metres >= haversine_m(home.lon, home.lat, entry.facility.lon, entry.facility.lat) - 1
        assert entry.minutes == max(1, math.ceil(entry.metres / 60))


def test_without_a_home_the_list_asks_for_one_and_is_in_name_order(client, mini):
    response = client.get("/s/mini/find/")
    assert response.status_code == 200
    assert not response.context["result"].walks_known
    assert "Choose your home" in response.content.decode() or "选择" in response.content.decode()


def test_a_signed_in_resident_starts_from_their_household(client, mini):
    resident = make_resident(make_household(Compound.objects.get(code="b")))
    client.force_login(resident.user)
    response = client.get("/s/mini/find/")
    assert response.context["query"].home.code == "b" and response.context["query"].home_from_account
    assert codes(response)[0] == "babycare"
    assert codes(client.get("/s/mini/find/?home=a"))[0] == "canteen"  # a chosen compound wins


@pytest.mark.parametrize("q, expected", [
    ("助餐", ["canteen"]),            # a Chinese category name
    ("MEAL assistance", ["canteen"]),  # an English one, any case, every word
    ("infant", ["babycare"]),
    ("no-such-thing-anywhere", []),
])
def test_keywords_match_names_and_categories_in_both_languages(client, mini, q, expected):
    assert sorted(codes(client.get("/s/mini/find/", {"q": q, "home": "a"}))) == expected


def test_need_selects_a_group_or_one_category(client, mini):
    assert codes(client.get("/s/mini/find/?need=children")) == ["babycare"]
    assert codes(client.get("/s/mini/find/?need=senior_meals")) == ["canteen"]
    # a further service counts: the canteen also offers day care
    assert codes(client.get("/s/mini/find/?need=senior_day_care")) == ["canteen"]


def test_filters_for_eligibility_cost_and_language(client, mini):
    assert sorted(codes(client.get("/s/mini/find/?for=seniors"))) == ["canteen", "center"]
    assert codes(client.get("/s/mini/find/?for=anyone")) == ["center"]
    assert codes(client.get("/s/mini/find/?cost=free")) == ["center"]
    assert sorted(codes(client.get("/s/mini/find/?cost=subsidised"))) == ["canteen", "center"]
    assert codes(client.get("/s/mini/find/?language=csl")) == ["center"]
    assert sorted(codes(client.get("/s/mini/find/?language=en"))) == ["babycare", "center"]


def test_open_now_hides_closed_places_and_closed_ones_say_when_they_open(mini):
    saturday_evening = local(2026, 12, 5, 19, 0)
    query = finder.Query(home=Compound.objects.get(code="a"))
    result = finder.search(mini, query, now=saturday_evening)
    by_code = {e.facility.code: e for e in result.entries}
    assert by_code["center"].open_now
    assert not by_code["babycare"].open_now
    assert by_code["babycare"].opens_next == local(2026, 12, 7, 8, 30)  # Monday
    with translation.override("en"):
        assert by_code["babycare"].opens_next_label == "opens Mon 08:30"
        assert by_code["canteen"].opens_next_label == "opens tomorrow 06:30"
    with translation.override("zh-hans"):
        assert by_code["babycare"].opens_next_label == "周一 08:30开门"
    only_open = finder.search(mini, finder.Query(open_now=True), now=saturday_evening)
    assert [e.facility.code for e in only_open.entries] == ["center"] and only_open.hidden_closed == 2


def test_each_entry_shows_when_it_was_last_checked(client, mini):
    page = client.get("/s/mini/find/?home=a").content.decode()
    assert "Details last checked on 2026-11-20" in page
    assert "Details not yet checked with the facility" in page


def test_chinese_page(client, mini):
    client.cookies["django_language"] = "zh-hans"
    response = client.get("/s/mini/find/?home=a", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "分钟" in response.content.decode()


@pytest.mark.parametrize("query, words", [
    ("home=nowhere", "nowhere"),
    ("for=martians", "martians"),
    ("cost=cheap", "cheap"),
    ("language=klingon", "klingon"),
    ("open=yes", "yes"),
    ("need=rocket_science", "rocket_science"),
    ("q=" + "x" * 101, "too long"),
])
def test_bad_input_is_a_400_that_says_what_is_wrong(client, mini, query, words):
    response = client.get("/s/mini/find/?" + query)
    assert response.status_code == 400
    assert words in response.context["error"]
    assert response.context["result"] is None


def test_another_subdistricts_compound_is_not_a_home_here(client, mini):
    other = mini.__class__.objects.create(code="other", name="别处", city="上海市", district="静安区")
    Compound.objects.create(subdistrict=other, code="far", name="远处", lon=121.5, lat=31.2)
    assert client.get("/s/mini/find/?home=far").status_code == 400
    assert client.get("/s/nowhere/find/").status_code == 404


def test_pack_loads_the_finder_fields_and_rejects_bad_ones(tmp_path):
    pack_copy = copy_pack(MINI, tmp_path / "pack")
    edit_feature(pack_copy, "facilities.geojson", 0, eligibility="seniors", cost="free", languages=["zh", "wuu"],
                 last_checked="2026-11-01")
    load_pack(pack_copy)
    canteen = Facility.objects.get(code="canteen")
    assert (canteen.eligibility, canteen.cost, canteen.languages, canteen.last_checked) == (
        "seniors", "free", ["zh", "wuu"], datetime.date(2026, 11, 1))
    assert Facility.objects.get(code="center").eligibility == "anyone"  # optional: the default
    edit_feature(pack_copy, "facilities.geojson", 0, eligibility="aliens", cost="cheap", languages=["xx"],
                 last_checked="someday")
    with pytest.raises(PackError) as failed:
        load_pack(pack_copy)
    text = str(failed.value)
    for word in ("aliens", "cheap", "xx", "someday"):
        assert word in text


def test_a_facility_with_unknown_languages_does_not_validate(mini, admin_client):
    from django.core.exceptions import ValidationError

    canteen = Facility.objects.get(code="canteen")
    canteen.full_clean()
    for bad in (["zh", "klingon"], "zh", [1]):
        canteen.languages = bad
        with pytest.raises(ValidationError) as failed:
            canteen.full_clean()
        assert "languages" in failed.value.message_dict
    page = admin_client.get(f"/admin/directory/facility/{canteen.pk}/change/")
    assert page.status_code == 200 and b"last_checked" in page.content


def test_the_hsds_export_carries_eligibility_cost_languages_and_the_checked_date(mini):
    from lifecircle.directory import hsds

    services = list(hsds.build(subdistrict="mini").services.values())
    checked = [s for s in services if "assured_date" in s]
    assert len(checked) == 2  # the canteen's two services (meals, day care); the others were never checked
    canteen = checked[0]
    assert canteen["assured_date"] == "2026-11-20"
    assert [language["code"] for language in canteen["languages"]] == ["zh", "wuu"]
    assert "60" in canteen["eligibility_description"] and "Subsidised" in canteen["fees_description"]


def test_without_a_street_network_the_list_says_why_it_has_no_walks(client, mini):
    from lifecircle.community.models import PedestrianNetwork

    PedestrianNetwork.objects.filter(subdistrict=mini).delete()
    response = client.get("/s/mini/find/?home=a")
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.walks_known
    assert "street network" in result.walk_problem or "路网" in result.walk_problem
    assert len(result.entries) == 3 and all(e.metres is None for e in result.entries)
