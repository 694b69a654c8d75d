import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lifecircle.community.models import Compound, SubDistrict
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility, HoursException, Standard, StandardRow

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english():
    """These tests read the English messages; the site's default language is zh-hans."""
    with translation.override("en"):
        yield


@pytest.fixture
def mini(db):
    return load_pack(MINI)


def test_open_now_follows_weekly_hours_and_exceptions(mini):
    canteen = Facility.objects.get(code="canteen")
    weekday_lunch = datetime.datetime(2026, 9, 30, 12, 0, tzinfo=SHANGHAI)
    assert canteen.is_open_at(weekday_lunch)
    assert not canteen.is_open_at(weekday_lunch.replace(hour=15))
    national_day = datetime.datetime(2026, 10, 1, 12, 0, tzinfo=SHANGHAI)
    assert not canteen.is_open_at(national_day)  # closed by the exception
    HoursException.objects.create(facility=canteen, date="2026-10-02", opening_hours="10:00-11:00", reason="short")
    canteen = Facility.objects.get(code="canteen")
    assert canteen.is_open_at(datetime.datetime(2026, 10, 2, 10, 30, tzinfo=SHANGHAI))
    assert not canteen.is_open_at(datetime.datetime(2026, 10, 2, 12, 0, tzinfo=SHANGHAI))


def test_open_now_is_judged_in_local_time(mini):
    babycare = Facility.objects.get(code="babycare")  # Mo-Fr 08:30-17:00 Shanghai time
    utc_morning = datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.timezone.utc)  # 09:00 in Shanghai
    assert babycare.is_open_at(utc_morning)


def test_bad_hours_and_coordinates_fail_validation(mini):
    facility = Facility.objects.get(code="babycare")
    facility.opening_hours = "weekdays"
    facility.lat = 123
    with pytest.raises(ValidationError) as error:
        facility.full_clean()
    assert "opening_hours" in error.value.message_dict and "lon" in error.value.message_dict


def test_age_groups_cannot_exceed_population(mini):
    compound = Compound.objects.get(code="a")
    compound.aged_0_3 = compound.population + 1
    with pytest.raises(ValidationError, match="cannot exceed"):
        compound.full_clean()


def test_published_standard_is_frozen_and_edited_through_a_draft(mini):
    standard = Standard.objects.get(active=True)
    row = standard.rows.get(category__slug="infant_care")
    row.threshold_m = 800
    with pytest.raises(ValidationError, match="published"):
        row.save()
    draft = standard.new_draft()
    assert draft.version == standard.version + 1 and not draft.is_published
    assert draft.rows.count() == standard.rows.count()
    draft_row = draft.rows.get(category__slug="infant_care")
    draft_row.threshold_m = 800
    draft_row.save()
    assert row.category.standard_row().threshold_m == 500  # still the published version
    draft.publish()
    assert row.category.standard_row().threshold_m == 800
    assert Standard.objects.filter(active=True).count() == 1
    assert StandardRow.objects.get(pk=row.pk).threshold_m == 500  # the old version kept its figure


def test_threshold_outside_walking_range_is_refused(mini):
    draft = Standard.objects.get(active=True).new_draft()
    row = draft.rows.first()
    row.threshold_m = 20000
    with pytest.raises(ValidationError, match="between 50 m and 5000 m"):
        row.full_clean()


def test_an_empty_standard_cannot_be_published(db):
    standard = Standard.objects.create(code="empty", title="Empty", source="none")
    with pytest.raises(ValidationError, match="no rows"):
        standard.publish()


def test_unpublished_standard_cannot_be_active(db):
    with pytest.raises(ValidationError, match="published"):
        Standard(code="x", title="x", source="x", active=True).full_clean()


def test_subdistrict_boundary_must_be_a_valid_polygon(db):
    sub = SubDistrict(code="x", name="x", city="c", district="d", boundary={"type": "Point", "coordinates": [1, 2]})
    with pytest.raises(ValidationError, match="Polygon"):
        sub.full_clean()
