"""The finder's "my home" as a typed address, resolved offline against the sub-district's own
compounds, street names and known house numbers: one match is used and described, several are
offered, none is a 400 that keeps the form filled."""
from urllib.parse import parse_qs

import pytest

from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.directory import finder, places
from lifecircle.directory.models import Facility
from lifecircle.directory.tests.test_finder import codes, mini  # noqa: F401  (the fixture)
from lifecircle.testing import client, english  # noqa: F401

pytestmark = pytest.mark.django_db

#: The mini pack's streets run west to east at these latitudes (network.osm).
NORTH_LAT, MIDDLE_LAT = 31.2355, 31.233


@pytest.fixture
def addressed(mini):
    """The mini pack with addresses: 中路's No. 20 is the service centre, whose English address
    teaches the finder that 中路 is "Zhong Road"; compounds b and c share one lane."""
    Facility.objects.filter(code="center").update(address="中路20号", address_en="No. 20 Zhong Road")
    Compound.objects.filter(code="a").update(address="静安区南路8弄")
    Compound.objects.filter(code__in=["b", "c"]).update(address="静安区北路30弄")
    return mini


def place(response):
    return response.context["query"].address.place


def test_a_street_alone_starts_from_its_middle_and_the_page_says_it_is_a_whole_street(client, addressed):
    response = client.get("/s/mini/find/", {"address": "北路"})
    assert response.status_code == 200
    taken = place(response)
    assert taken.kind == "street" and taken.street == "北路"
    assert taken.lat == pytest.approx(NORTH_LAT) and taken.lon == pytest.approx(121.445)  # its middle, between nodes
    assert 430 <= taken.accuracy_m <= 440  # half of an 857 m street, rounded up
    page = response.content.decode()
    assert "Sorted from the middle of the street 北路" in page and "not a house" in page
    assert f"about {taken.accuracy_m} m" in page
    entries = response.context["result"].entries
    expected, _ = finder.walking_metres(addressed, (taken.lon, taken.lat), [e.facility for e in entries])
    assert [e.metres for e in entries] == expected == sorted(expected)


@pytest.mark.parametrize("text", ["Zhong Road", "zhong  rd", "ＺＨＯＮＧ　ＲＯＡＤ", " 中 路 ", "中路"])
def test_street_names_in_chinese_or_english_with_any_spacing_or_width(client, addressed, text):
    taken = place(client.get("/s/mini/find/", {"address": text}))
    assert taken.kind == "street" and taken.street == "中路" and taken.lat == pytest.approx(MIDDLE_LAT)


def test_english_names_come_only_from_the_subdistricts_own_texts(client, mini):
    # Without the centre's English address nothing says 中路 is "Zhong Road": not guessed.
    response = client.get("/s/mini/find/", {"address": "Zhong Road"})
    assert response.status_code == 400


@pytest.mark.parametrize("text", ["乙小区", "compound b", "Compound  B"])
def test_a_compound_by_name_sorts_as_choosing_it(client, addressed, text):
    response = client.get("/s/mini/find/", {"address": text})
    assert place(response).kind == "compound" and place(response).compound.code == "b"
    assert codes(response) == codes(client.get("/s/mini/find/?home=b"))
    assert "Sorted from Compound B (a residential compound)" in response.content.decode()


@pytest.mark.parametrize("text", ["静安区南路8弄", "南路8弄", "南路 ８ 弄"])
def test_a_compound_by_its_address_with_or_without_the_district(client, addressed, text):
    assert place(client.get("/s/mini/find/", {"address": text})).compound.code == "a"


@pytest.mark.parametrize("text", ["中路20号", "No. 20 Zhong Road", "20 zhong rd"])
def test_a_known_house_number_starts_there(client, addressed, text):
    response = client.get("/s/mini/find/", {"address": text})
    taken = place(response)
    center = Facility.objects.get(code="center")
    assert taken.kind == "number" and taken.known == taken.number == 20
    assert (taken.lon, taken.lat) == (center.lon, center.lat)
    assert response.context["result"].entries[0].facility.code == "center"
    assert "Sorted from No. 20 中路" in response.content.decode()
    assert f"about {places.KNOWN_NUMBER_M} m accuracy" in response.content.decode()


def test_an_unknown_number_says_which_known_number_it_starts_from(client, addressed):
    page = client.get("/s/mini/find/", {"address": "中路36号"}).content.decode()
    assert "Sorted from No. 20 中路" in page and "No. 36 is not on our map" in page


def test_a_number_on_a_street_with_no_known_numbers_keeps_the_whole_street(client, addressed):
    Compound.objects.filter(code__in=["b", "c"]).update(address="")
    response = client.get("/s/mini/find/", {"address": "北路5号"})
    taken = place(response)
    assert taken.kind == "street" and taken.street == "北路" and taken.number == 5
    assert "No. 5 could not be placed" in response.content.decode()


def test_several_matches_are_offered_as_choices_that_keep_the_search(client, addressed):
    response = client.get("/s/mini/find/", {"address": "北路30弄", "q": "meal", "for": "seniors"})
    assert response.status_code == 200
    assert place(response) is None and not response.context["result"].walks_known
    choices = response.context["address_choices"]
    assert sorted(c["place"].compound.code for c in choices) == ["b", "c"]
    page = response.content.decode()
    assert page.count('data-testid="finder-choice"') == 2
    assert "could be more than one place" in page
    assert "Choose your home to list the nearest walk first" not in page
    for choice in choices:
        params = parse_qs(choice["query"])
        assert params == {"home": [choice["place"].compound.code], "q": ["meal"], "for": ["seniors"]}
        assert client.get("/s/mini/find/?" + choice["query"]).context["result"].walks_known


def test_part_of_a_name_lists_what_contains_it_and_one_character_lists_nothing(client, addressed):
    choices = client.get("/s/mini/find/", {"address": "小区"}).context["address_choices"]
    assert sorted(c["place"].compound.code for c in choices) == ["a", "b", "c"]
    assert client.get("/s/mini/find/", {"address": "路"}).status_code == 400


def test_a_street_offered_as_a_choice_links_to_that_street(client, addressed):
    Compound.objects.filter(code="c").update(name_en="Zhong Gardens")
    response = client.get("/s/mini/find/", {"address": "zhong"})
    choices = {c["place"].kind: c for c in response.context["address_choices"]}
    assert set(choices) == {"compound", "street"} and choices["compound"]["place"].compound.code == "c"
    street = client.get("/s/mini/find/?" + choices["street"]["query"])
    assert place(street).kind == "street" and place(street).street == "中路"


def test_one_name_containing_the_text_is_used_and_named(client, addressed):
    response = client.get("/s/mini/find/", {"address": "甲小"})
    assert place(response).compound.code == "a"
    assert "Sorted from Compound A" in response.content.decode()


def test_nothing_matching_is_a_400_with_the_form_still_filled(client, addressed):
    response = client.get("/s/mini/find/", {"address": "火星路99号", "q": "meal"})
    assert response.status_code == 400
    assert "“火星路99号” matches no compound, street or address" in response.context["error"]
    assert "for example “南路8弄”" in response.context["error"]  # this sub-district's own, typed as it resolves
    assert place(client.get("/s/mini/find/", {"address": "南路8弄"})).compound.code == "a"
    page = response.content.decode()
    assert 'value="火星路99号"' in page and 'value="meal"' in page and 'placeholder="e.g. 南路8弄"' in page


@pytest.mark.parametrize("query, words", [
    ({"address": "北路", "home": "a"}, "not both"),
    ({"address": "北" * 101}, "too long"),
])
def test_bad_addresses_are_400s(client, addressed, query, words):
    response = client.get("/s/mini/find/", query)
    assert response.status_code == 400 and words in response.context["error"]


def test_a_typed_address_wins_over_the_household_and_clears_the_compound_list(client, addressed):
    resident = make_resident(make_household(Compound.objects.get(code="a")))
    client.force_login(resident.user)
    response = client.get("/s/mini/find/", {"address": "乙小区"})
    assert response.context["query"].home is None and place(response).compound.code == "b"
    assert codes(response) == codes(client.get("/s/mini/find/?home=b"))


def test_chinese_page_says_what_the_address_was_taken_as(client, addressed):
    client.cookies["django_language"] = "zh-hans"
    response = client.get("/s/mini/find/", {"address": "北路"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and "分钟" in response.content.decode()
    assert 'data-testid="finder-taken-as"' in response.content.decode()


def test_a_subdistrict_without_a_network_still_finds_compounds_not_streets(client, addressed):
    from lifecircle.community.models import PedestrianNetwork

    PedestrianNetwork.objects.filter(subdistrict=addressed).delete()
    assert place(client.get("/s/mini/find/", {"address": "甲小区"})).compound.code == "a"
    assert client.get("/s/mini/find/", {"address": "中路"}).status_code == 400  # streets come from the network


def test_another_districts_address_is_not_taken_for_a_street_here(client, addressed):
    response = client.get("/s/mini/find/", {"address": "黄浦区北路5号"})
    assert response.status_code == 400 and "is in 黄浦区" in response.context["error"]
    assert place(client.get("/s/mini/find/", {"address": "上海市静安区北路"})).street == "北路"


@pytest.mark.parametrize("text, expected", [
    ("静安区康定路660弄", ("静安区", "康定路660弄")),
    ("上海市浦东新区世纪大道", ("浦东新区", "世纪大道")),
    ("康定路小区", None),
    ("天河小区3号楼", None),
    ("康定路", None),
])
def test_what_reads_as_a_district_in_front(text, expected):
    assert places._district(places.normal(text)) == expected


@pytest.mark.parametrize("text", ["#", "No.", "٣٤ 北路", "北路 99999999999999999999号", "1 2 3", "🏠", "区", "上海市",
                                  "静安区", "' OR 1=1 --", "<script>x</script>"])
def test_odd_text_is_answered_never_a_500(client, addressed, text):
    response = client.get("/s/mini/find/", {"address": text})
    assert response.status_code in (200, 400)
    assert "<script>x</script>" not in response.content.decode()


def test_a_street_named_in_latin_letters_on_the_map_is_found_however_it_is_typed(client, tmp_path):
    from lifecircle.community.packs import load_pack
    from lifecircle.community.tests.test_packs import MINI, copy_pack

    pack = copy_pack(MINI, tmp_path / "pack")
    osm = pack / "network.osm"
    osm.write_text(osm.read_text(encoding="utf-8").replace('v="北路"', 'v="North Road"'), encoding="utf-8")
    load_pack(pack)
    Compound.objects.filter(code="b").update(name_en="North Road Gardens")  # contains it: exact wins
    for text in ("North Road", "north  rd", "ＮＯＲＴＨ ＲＯＡＤ"):
        taken = place(client.get("/s/mini/find/", {"address": text}))
        assert taken.street == "North Road" and taken.lat == pytest.approx(NORTH_LAT)
