"""A compiled query answers what its queryset answers, with each run's ids and text and the clock
read again, and refuses a queryset whose SQL would carry anything else but constants
(lifecircle.compiled_queries)."""
import datetime
import itertools

import pytest
from django.db import connection
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
    for build in (lambda user: Resident.objects.filter(user=user, name=str(next(changing))),  # a value that changes
                  lambda user: Resident.objects.filter(name="李红"),  # an id it takes and does not use
                  lambda user: Resident.objects.filter(user=user, household=Resident.objects.first().household_id)):
        with pytest.raises(ValueError):
            CompiledQuery(build).rows(user=1)
    with pytest.raises(TypeError):
        CompiledQuery(lambda user: Resident.objects.filter(user=user)).rows(household=1)


def _named(household: int, name: str):
    return Resident.objects.filter(household_id=household, name=name).order_by("pk").values_list("pk", "name")


def test_text_is_bound_at_each_run(people):
    named = CompiledQuery(_named)
    for person in people:
        for name in ("李红", "王芳", "nobody's name; % _ \\"):
            orm = list(_named(person.household_id, name))
            assert named.rows(household=person.household_id, name=name) == orm
    assert named.rows(household=people[0].household_id, name="李红") == [(people[0].pk, "李红")]
    with pytest.raises(TypeError):  # the ORM would have asked IS NULL
        named.rows(household=people[0].household_id, name=None)


def _named_in_any_case(name: str):
    return Resident.objects.filter(name__iexact=name).values_list("pk", flat=True)


def _named_in_capitals(name: str):
    return Resident.objects.filter(name=name.upper())


def test_text_the_orm_or_the_build_changes_is_refused(people):
    """The stand-ins are altered by LIKE's escaping and by case, so text the query needs changed is
    refused rather than bound unchanged (SQLite's iexact is a LIKE, with ``_`` escaped; PostgreSQL's
    compares UPPER(...) of the text as it is, and is compiled)."""
    try:
        found = CompiledQuery(_named_in_any_case).rows(name="李_")  # (unescaped, ``_`` would find 李红)
    except ValueError:
        assert connection.vendor == "sqlite"
    else:
        assert found == list(_named_in_any_case("李_")) == [] and connection.vendor == "postgresql"
    with pytest.raises(ValueError):
        CompiledQuery(_named_in_capitals).rows(name="li")
    with pytest.raises(TypeError):  # (neither an id nor text)
        CompiledQuery(_with_a_date)


def _with_a_date(when: datetime.date):
    return Resident.objects.filter(birth_date=when)


#: The clock the tests below set: one microsecond later at each reading, from a time that is no
#: whole second (so that a time worked out from it, a midnight, is not a whole second from it).
T0 = datetime.datetime(2026, 3, 2, 9, 0, 0, 400_000, tzinfo=datetime.timezone.utc)


def _ticking_from(start):
    ticks = itertools.count()
    return lambda: start + datetime.timedelta(microseconds=next(ticks))


def _verified_lately(household):
    """Verified in the day before now, and not after it (two readings of the clock)."""
    now = timezone.now()
    return Resident.objects.filter(household_id=household, verified_at__range=(now - datetime.timedelta(days=1), now)
                                   ).order_by("pk").values_list("pk", flat=True)


def test_the_clock_is_read_again_at_each_run(people, monkeypatch):
    Resident.objects.filter(pk=people[0].pk).update(verified_at=T0 - datetime.timedelta(hours=2))
    Resident.objects.filter(pk=people[1].pk).update(verified_at=T0 + datetime.timedelta(hours=2))
    builds = []

    def counted(household):
        builds.append(household)
        return _verified_lately(household)

    lately = CompiledQuery(counted)
    monkeypatch.setattr(timezone, "now", _ticking_from(T0))  # (the two compilations see the clock move)
    assert lately.compiled("default").reads_clock
    household = people[0].household_id
    for hours, expected in ((0, [people[0].pk]), (5, [people[0].pk, people[1].pk]), (24, [people[1].pk])):
        monkeypatch.setattr(timezone, "now", lambda hours=hours: T0 + datetime.timedelta(hours=hours))
        assert [pk for (pk,) in lately.rows(household=household)] == expected == list(_verified_lately(household))
    assert len(builds) == 2  # the two compilations: later runs build nothing


def test_times_that_are_not_the_clock_plus_whole_seconds_are_refused(people, monkeypatch):
    monkeypatch.setattr(timezone, "now", _ticking_from(T0))
    changing = itertools.count()
    refused = {
        "a part of a second": lambda user: Resident.objects.filter(
            user=user, verified_at__gte=timezone.now() - datetime.timedelta(milliseconds=1500)),
        "midnight": lambda user: Resident.objects.filter(
            user=user, verified_at__gte=timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)),
        "a date": lambda user: Resident.objects.filter(user=user, birth_date__lt=timezone.localdate()),
        "another offset each time": lambda user: Resident.objects.filter(
            user=user, verified_at__gte=timezone.now() + datetime.timedelta(seconds=next(changing))),
        "a number from the clock": lambda user: Resident.objects.filter(
            user=user, name=str(timezone.now().timestamp())),
        "a time as other text": lambda user: Resident.objects.filter(user=user, name=timezone.now().isoformat()),
    }
    for why, build in refused.items():
        with pytest.raises(ValueError):
            CompiledQuery(build).rows(user=people[0].user_id)
            pytest.fail(f"{why} was compiled")


def test_a_clock_that_does_not_move_is_refused_for_a_query_that_reads_it(people, monkeypatch):
    """Under a clock that stands still, the time read and a time written in the query look alike."""
    monkeypatch.setattr(timezone, "now", lambda: T0)
    with pytest.raises(ValueError):
        CompiledQuery(_verified_lately).rows(household=people[0].household_id)
    members = CompiledQuery(lambda household: Resident.objects.filter(household_id=household).values_list("pk"))
    assert len(members.rows(household=people[0].household_id)) == 2  # (one that does not read it is compiled)
