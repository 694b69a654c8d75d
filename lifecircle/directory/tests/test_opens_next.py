"""A closed place says when it opens next (API ``opens_next``), hours exceptions included; masks
never end in a bracket."""
import datetime

import pytest
from django.utils import timezone

from lifecircle.accounts.masking import mask_name
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, HoursException

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_a_closed_place_says_when_it_opens_next(client):
    load_pack(MINI)
    place = Facility.objects.get(code="canteen")
    place.opening_hours = "Mo-Fr 08:00-17:30"
    place.save()
    friday_evening = local(2026, 12, 4, 19, 0)  # a Friday
    assert place.opens_next(friday_evening) == local(2026, 12, 7, 8, 0)  # Monday morning
    assert place.opens_next(local(2026, 12, 7, 7, 0)) == local(2026, 12, 7, 8, 0)
    HoursException.objects.create(facility=place, date=datetime.date(2026, 12, 7), opening_hours="")
    assert place.opens_next(friday_evening) == local(2026, 12, 8, 8, 0)  # closed that Monday
    data = client.get(f"/api/facilities/{place.code}").json()
    assert "opens_next" in data


def test_night_hours_do_not_count_midnight_as_an_opening():
    load_pack(MINI)
    place = Facility.objects.get(code="canteen")
    place.opening_hours = "Mo-Su 22:00-02:00"
    place.save()
    assert place.opens_next(local(2026, 12, 4, 12, 0)) == local(2026, 12, 4, 22, 0)


@pytest.mark.parametrize("name, masked", [
    ("张秀英", "张*英"), ("李红", "李*"), ("李红（女儿）", "李*"), ("王小明 (carer)", "王*明"), ("", ""),
])
def test_masks_never_keep_a_bracket(name, masked):
    assert mask_name(name) == masked
