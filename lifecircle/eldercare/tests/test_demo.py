"""load_eldercare_demo: illustrative care places and activities; safe to run again."""
import datetime
import io
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from lifecircle.community.management.commands.load_demo import DEMO_PACK
from lifecircle.community.packs import load_pack
from lifecircle.eldercare.models import Activity, PlaceType

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 5, 14, 10, 0))  # a Thursday


def rows():
    return [json.dumps(list(model.objects.order_by("pk").values()), default=str) for model in (PlaceType, Activity)]


def test_needs_the_demo_first():
    with pytest.raises(CommandError, match="run manage.py load_demo first"):
        call_command("load_eldercare_demo", stdout=io.StringIO())


def test_loads_places_and_two_weeks_of_activities_idempotently():
    load_pack(DEMO_PACK)
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("load_eldercare_demo", stdout=io.StringIO())
        first = rows()
        call_command("load_eldercare_demo", stdout=io.StringIO())
    assert rows() == first
    places = {(p.facility.code, p.kind, p.cognitive_care) for p in PlaceType.objects.all()}
    assert ("senior-service-center", "daily", True) in places
    assert ("happiness-mini-canteen", "daily", False) in places
    assert ("care-home-changping", "medium_term", False) in places
    for place_type in PlaceType.objects.all():
        place_type.full_clean()
    first_day = timezone.localtime(Activity.objects.order_by("start").first().start).date()
    last_day = timezone.localtime(Activity.objects.order_by("start").last().start).date()
    assert first_day >= datetime.date(2026, 5, 11) and last_day <= datetime.date(2026, 5, 24)
    assert Activity.objects.filter(facility__category__slug="senior_activity").exists()
    for activity in Activity.objects.all():
        activity.full_clean()
    assert not PlaceType.objects.filter(illustrative=False).exists()
    assert not Activity.objects.filter(illustrative=False).exists()
