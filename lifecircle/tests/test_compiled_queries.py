"""A compiled query answers what its queryset answers, with each run's ids, and refuses a queryset
whose SQL would carry anything but ids and constants (lifecircle.compiled_queries)."""
import datetime
import itertools

import pytest
from django.db.models import F, Q
from django.utils import timezone

from lifecircle.accounts.models import Consent, Resident
from lifecircle.accounts.testing import make_consent, make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.compiled_queries import CompiledQuery

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    load_pack(MINI)
    home, other = make_household(Compound.objects.get(code="a")), make_household(Compound.objects.get(code="a"))
    residents = [make_resident(home, "李红", datetime.date(1990, 3, 1)),
                 make_resident(home, "张秀英", datetime.date(1945, 8, 9)),
                 make_resident(other, "王芳", datetime.date(1980, 1, 2))]
    make_consent(principal=residents[1], proxy=residents[0])
    make_consent(principal=residents[2], proxy=residents[0]).delete()
    make_consent(principal=residents[0], proxy=residents[2])
    return residents


def test_objects_and_rows_are_the_querysets_with_each_runs_ids(people):
    members = CompiledQuery(lambda household: Resident.objects.filter(household_id=household).annotate(
        code=F("household__compound__subdistrict__code")))
    links = CompiledQuery(lambda resident: Consent.objects.filter(
        Q(proxy=resident) | Q(principal=resident), revoked_at__isnull=True).order_by("pk").values_list(
        "principal_id", "proxy__name", "recorded_at"))
    for person in people:  # one compilation, run with each person's ids
        orm = Resident.objects.filter(household_id=person.household_id).annotate(
            code=F("household__compound__subdistrict__code"))
        assert [(r.pk, r.name, r.birth_date, r.code) for r in members.objects(household=person.household_id)] == \
            [(r.pk, r.name, r.birth_date, r.code) for r in orm]
        orm_rows = list(Consent.objects.filter(Q(proxy=person) | Q(principal=person), revoked_at__isnull=True)
                        .order_by("pk").values_list("principal_id", "proxy__name", "recorded_at"))
        assert links.rows(resident=person.pk) == orm_rows and orm_rows  # dates converted as the ORM does
        assert all(isinstance(row[2], datetime.datetime) for row in orm_rows)


def test_a_query_with_more_than_ids_and_constants_is_refused(people):
    changing = itertools.count()
    for build in (lambda user: Resident.objects.filter(user=user, verified_at__lte=timezone.now()),  # the clock
                  lambda user: Resident.objects.filter(user=user, name=str(next(changing))),  # a value that changes
                  lambda user: Resident.objects.filter(name="李红"),  # an id it takes and does not use
                  lambda user: Resident.objects.filter(user=user, household=Resident.objects.first().household_id)):
        with pytest.raises(ValueError):
            CompiledQuery(build).rows(user=1)
    with pytest.raises(TypeError):
        CompiledQuery(lambda user: Resident.objects.filter(user=user)).rows(household=1)
