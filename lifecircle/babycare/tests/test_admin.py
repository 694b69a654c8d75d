"""The staff console: a centre's staff see only their centre's children, masked in lists and
logged when opened; a centre manager edits age groups, places and priority rules."""
import datetime

import pytest

from lifecircle.accounts.models import AccessLog, StaffRole
from lifecircle.accounts.testing import make_staff
from lifecircle.babycare import services
from lifecircle.babycare.models import AgeGroup, Application, PriorityRule

from .helpers import family

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 9, 1)


@pytest.fixture
def manager(centre):
    return make_staff(StaffRole.Role.CENTRE_MANAGER, centre.facility.subdistrict, facility=centre.facility)


def programme_form(centre, groups=None, **changes):
    """The POST data of the programme's change form, with its two inlines."""
    data = {"centre_type": centre.centre_type, "offer_days": centre.offer_days, "accepting_applications": "on",
            "notes": "", "notes_en": ""}
    groups = groups if groups is not None else [(g.pk, g.min_months, g.max_months, g.places) for g in centre.age_groups.all()]
    initial = sum(1 for g in groups if g[0])
    data.update({"age_groups-TOTAL_FORMS": len(groups), "age_groups-INITIAL_FORMS": initial,
                 "age_groups-MIN_NUM_FORMS": 0, "age_groups-MAX_NUM_FORMS": 1000})
    for i, (pk, low, high, places) in enumerate(groups):
        data.update({f"age_groups-{i}-id": pk or "", f"age_groups-{i}-programme": centre.pk,
                     f"age_groups-{i}-min_months": low, f"age_groups-{i}-max_months": high, f"age_groups-{i}-places": places})
    rules = list(centre.priority_rules.all())
    data.update({"priority_rules-TOTAL_FORMS": len(rules), "priority_rules-INITIAL_FORMS": len(rules),
                 "priority_rules-MIN_NUM_FORMS": 0, "priority_rules-MAX_NUM_FORMS": 1000})
    for i, rule in enumerate(rules):
        data.update({f"priority_rules-{i}-id": rule.pk, f"priority_rules-{i}-programme": centre.pk,
                     f"priority_rules-{i}-position": rule.position, f"priority_rules-{i}-kind": rule.kind,
                     f"priority_rules-{i}-weight": rule.weight, f"priority_rules-{i}-active": "on",
                     f"priority_rules-{i}-compounds": [c.pk for c in rule.compounds.all()]})
    data.update(changes)
    return data


def url(centre):
    return f"/admin/babycare/careprogramme/{centre.pk}/change/"


def test_staff_see_only_their_centres_applications_masked_and_opening_one_is_logged(client, centre, other_centre, clock, staff_user):
    mother, baby = family(child="王小宝")
    mine = services.apply(mother.user, centre, baby, START).application
    parent, elsewhere = family(child="陈小宝")
    services.apply(parent.user, other_centre, elsewhere, START)
    client.force_login(staff_user)
    response = client.get("/admin/babycare/application/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "王*宝" in page and "王小宝" not in page and "陈*宝" not in page
    response = client.get(f"/admin/babycare/application/{mine.pk}/change/")
    assert response.status_code == 200 and "王小宝" in response.content.decode()
    log = AccessLog.objects.get(user=staff_user)
    assert (log.child, log.resident, log.action) == (baby, mother, "view")
    other = Application.objects.get(child=elsewhere)
    assert client.get(f"/admin/babycare/application/{other.pk}/change/").status_code == 302  # not theirs: not found
    assert client.post(f"/admin/babycare/application/{mine.pk}/change/", {"status": "placed"}).status_code == 403


def test_a_centre_manager_raises_places_and_the_waiting_list_gets_offers(client, centre, clock, manager):
    waiting = []
    for i in range(3):
        parent, child = family(child=f"孩子{i}")
        waiting.append(services.apply(parent.user, centre, child, START).application)
    assert [a.status for a in waiting] == ["offered", "offered", "waiting"]
    client.force_login(manager)
    toddlers, older = centre.age_groups.all()
    response = client.post(url(centre), programme_form(centre, groups=[(toddlers.pk, 12, 23, 3), (older.pk, 24, 36, 3)]))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    waiting[2].refresh_from_db()
    assert waiting[2].status == Application.Status.OFFERED


def test_a_centre_manager_edits_priority_rules(client, centre, manager):
    client.force_login(manager)
    data = programme_form(centre)
    data["priority_rules-2-weight"] = 45
    assert client.post(url(centre), data).status_code == 302
    assert PriorityRule.objects.get(programme=centre, kind="hardship").weight == 45


@pytest.mark.parametrize("groups, message", [
    ([("toddlers", 12, 25, 2), ("older", 24, 36, 3)], "Age groups 12–25 and 24–36 months overlap."),
    ([("toddlers", 12, 23, 10), ("older", 24, 36, 11)], "The age groups have 21 places, more than the centre&#x27;s capacity of 20."),
    ([("toddlers", 6, 23, 2), ("older", 24, 36, 3)], "An age group must lie within 12–36 months, the youngest first."),
    ([("toddlers", 12, 23, 0), ("older", 24, 36, 3)], "1 places of this group are offered or taken"),
])
def test_bad_age_groups_are_refused(client, centre, clock, manager, groups, message):
    parent, child = family()
    services.apply(parent.user, centre, child, START)  # holds one toddler place
    ids = {"toddlers": centre.age_groups.get(min_months=12).pk, "older": centre.age_groups.get(min_months=24).pk}
    client.force_login(manager)
    before = list(AgeGroup.objects.values_list("min_months", "max_months", "places"))
    response = client.post(url(centre), programme_form(centre, groups=[(ids[k], a, b, p) for k, a, b, p in groups]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(AgeGroup.objects.values_list("min_months", "max_months", "places")) == before


def test_baby_care_staff_may_not_edit_the_programme_and_others_do_not_see_it(client, centre, other_centre, staff_user):
    client.force_login(staff_user)
    assert client.get(url(centre)).status_code == 200  # view only
    assert client.post(url(centre), programme_form(centre)).status_code == 403
    outsider = make_staff(StaffRole.Role.CENTRE_MANAGER, other_centre.facility.subdistrict, facility=other_centre.facility)
    client.force_login(outsider)
    page = client.get("/admin/babycare/careprogramme/").content.decode()
    assert "第二宝宝屋" in page and "宝宝屋</a>" not in page.replace("第二宝宝屋</a>", "")
