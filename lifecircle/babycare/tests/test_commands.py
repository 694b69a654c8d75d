"""The demo's baby-care programmes."""
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from lifecircle.babycare.models import AgeGroup, CareProgramme, PriorityRule

pytestmark = pytest.mark.django_db


def rows():
    return {model.__name__: sorted(json.dumps(r, sort_keys=True, default=str) for r in model.objects.values())
            for model in (CareProgramme, AgeGroup, PriorityRule)}


def test_demo_programmes_for_the_five_centres_are_illustrative_and_loading_twice_changes_nothing(capsys):
    with pytest.raises(CommandError, match="run load_demo first"):
        call_command("load_babycare_demo")
    call_command("load_demo")  # calls every app's load_<app>_demo, this one included
    assert "5 centre programme(s) ready (5 new)" in capsys.readouterr().out
    programmes = CareProgramme.objects.select_related("facility")
    assert {p.facility.code: p.centre_type for p in programmes} == {
        "baby-care-grandparents": "intergenerational", "baby-care-language": "language",
        "baby-care-family-support": "family_support", "baby-care-jiangjia-lane": "early_learning",
        "baby-care-hourly": "hourly",
    }
    for programme in programmes:
        assert programme.illustrative and "示意" in programme.notes
        groups = list(programme.age_groups.all())
        assert [(g.min_months, g.max_months) for g in groups] == [(12, 23), (24, 36)]
        assert sum(g.places for g in groups) == programme.facility.capacity
        assert list(programme.priority_rules.values_list("kind", flat=True)) == [
            "near_home", "sibling_placed", "hardship", "both_parents_working"]
        assert programme.priority_rules.get(kind="near_home").compounds.exists()
    first = rows()
    call_command("load_babycare_demo")
    assert "(0 new)" in capsys.readouterr().out
    assert rows() == first
    # The public page and API show them.
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/babycare/centres")
    assert len(response.json()) == 5 and all(c["illustrative"] and c["free_places"] for c in response.json())


def test_staff_changes_survive_reloading_the_demo():
    call_command("load_demo")
    group = AgeGroup.objects.filter(programme__facility__code="baby-care-hourly", min_months=12).get()
    group.places = 4
    group.save()
    call_command("load_babycare_demo")
    group.refresh_from_db()
    assert group.places == 4
