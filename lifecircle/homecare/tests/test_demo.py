"""load_homecare_demo: illustrative carers, clients with consent, plans, visits and today's rounds; safe to run again."""
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
from lifecircle.homecare.models import CarePlan, Carer, DayPlan, Visit

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 5, 14, 6, 0))  # a Thursday, before the first round


def rows():
    return [json.dumps(list(model.objects.order_by("pk").values()), default=str) for model in (Carer, CarePlan, Visit, DayPlan)]


def test_needs_the_demo_first():
    with pytest.raises(CommandError, match="run manage.py load_demo first"):
        call_command("load_homecare_demo", stdout=io.StringIO())


def test_loads_illustrative_plans_and_rounds_idempotently():
    load_pack(DEMO_PACK)
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("load_homecare_demo", stdout=io.StringIO())
        first = rows()
        call_command("load_homecare_demo", stdout=io.StringIO())
    assert rows() == first and Visit.objects.exists()
    assert CarePlan.objects.count() == 16 and not CarePlan.objects.filter(illustrative=False).exists()
    assert not Carer.objects.filter(illustrative=False).exists()
    today = DayPlan.objects.filter(date=datetime.date(2026, 5, 14))
    assert today.count() == 2 and all(d.rounds.exists() for d in today)
