"""Age 1–3 on the start date (12 to 36 whole months), the age group chosen by that age, and the
other conditions of an application."""
import datetime

import pytest

from lifecircle.babycare import services
from lifecircle.babycare.models import AgeGroup, Application

from .helpers import family, snapshot

pytestmark = pytest.mark.django_db


def test_age_is_counted_on_the_start_date_not_today(centre, clock):
    mother, baby = family(child="王小宝", birth=datetime.date(2025, 10, 15))  # 7 months old today
    before = snapshot()
    with pytest.raises(services.Refused) as refused:
        services.apply(mother.user, centre, baby, datetime.date(2026, 9, 1))
    assert str(refused.value) == ("王小宝 will be 10 months old on 2026-09-01; this centre takes children aged 1–3 "
                                  "(12 to 36 months old on the start date).")
    with pytest.raises(services.Refused, match="11 months old on 2026-10-14"):
        services.apply(mother.user, centre, baby, datetime.date(2026, 10, 14))
    assert snapshot() == before
    outcome = services.apply(mother.user, centre, baby, datetime.date(2026, 10, 15))  # the first birthday
    assert outcome.application.age_months_at_start == 12
    assert outcome.application.age_group.min_months == 12


def test_a_child_who_will_be_older_than_36_months_is_refused(centre, clock):
    mother, child = family(child="张大宝", birth=datetime.date(2023, 6, 1))  # 36 months today
    with pytest.raises(services.Refused, match=r"张大宝 will be 37 months old on 2026-07-01; this centre takes children aged 1–3"):
        services.apply(mother.user, centre, child, datetime.date(2026, 7, 1))
    outcome = services.apply(mother.user, centre, child, datetime.date(2026, 6, 30))  # still 36 whole months
    assert outcome.application.age_months_at_start == 36
    assert outcome.application.age_group.max_months == 36


def test_the_age_group_follows_the_age_on_the_start_date(centre, clock):
    mother, baby = family(birth=datetime.date(2024, 9, 20))  # 20 months today
    soon = services.apply(mother.user, centre, baby, datetime.date(2026, 6, 8)).application
    assert (soon.age_months_at_start, soon.age_group.label) == (20, "12–23 months")
    services.withdraw(mother.user, soon.pk)
    later = services.apply(mother.user, centre, baby, datetime.date(2026, 9, 20)).application
    assert (later.age_months_at_start, later.age_group.label) == (24, "24–36 months")


def test_a_centre_without_a_group_for_the_age_says_so(centre, clock):
    AgeGroup.objects.filter(programme=centre, min_months=12).delete()
    mother, baby = family(birth=datetime.date(2025, 3, 10))
    with pytest.raises(services.Refused, match=r"14 months old on 2026-06-01, and this centre has no group for that age "
                                               r"\(its groups: 24–36 months\)"):
        services.apply(mother.user, centre, baby, datetime.date(2026, 6, 1))
    assert not Application.objects.exists()


def test_an_unborn_child_is_refused(centre, clock):
    mother, baby = family(birth=datetime.date(2026, 8, 1))
    with pytest.raises(services.Refused, match="will not yet be born on 2026-07-01"):
        services.apply(mother.user, centre, baby, datetime.date(2026, 7, 1))


def test_the_start_date_must_be_today_or_later_and_within_a_year(centre, clock):
    mother, baby = family()
    with pytest.raises(services.Refused, match="The start date 2026-05-31 has passed"):
        services.apply(mother.user, centre, baby, datetime.date(2026, 5, 31))
    with pytest.raises(services.Refused, match="no later than 2027-06-02"):
        services.apply(mother.user, centre, baby, datetime.date(2027, 6, 3))
    assert not Application.objects.exists()
    assert services.apply(mother.user, centre, baby, datetime.date(2026, 6, 1)).application.pk


def test_a_centre_that_is_not_taking_applications_refuses(centre, clock):
    centre.accepting_applications = False
    centre.save()
    mother, baby = family()
    with pytest.raises(services.Refused, match="Baby care is not taking applications at the moment"):
        services.apply(mother.user, centre, baby, datetime.date(2026, 9, 1))
    assert not Application.objects.exists()


def test_age_group_rules_for_the_console(centre):
    with pytest.raises(Exception, match="must lie within 12–36 months"):
        AgeGroup(programme=centre, min_months=6, max_months=11, places=3).full_clean()
    with pytest.raises(Exception, match="must lie within 12–36 months"):
        AgeGroup(programme=centre, min_months=30, max_months=40, places=3).full_clean()
    with pytest.raises(Exception, match="overlaps 12–23 months"):
        AgeGroup(programme=centre, min_months=20, max_months=26, places=3).full_clean()
