"""The resident home puts what needs attention first (offers to accept, answers, bookings waiting),
each with a status badge in words, gathered from the apps' own hooks."""
import datetime

import pytest
from django.utils import timezone

from lifecircle.accounts import attention
from lifecircle.accounts.testing import make_child, make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI

pytestmark = pytest.mark.django_db


def test_items_come_from_each_app_most_pressing_first(client):
    from lifecircle.babycare.models import AgeGroup, Application, CareProgramme, Offer
    from lifecircle.bookings.models import Booking
    from lifecircle.directory.models import Facility, Room
    from lifecircle.requests311.models import RequestUpdate, Service, ServiceRequest

    load_pack(MINI)
    now = timezone.now()
    resident = make_resident(make_household(Compound.objects.get(code="a")))
    neighbour = make_resident(make_household(Compound.objects.get(code="b"), "2-202"), name="李四")
    centre = Facility.objects.get(code="center")
    room = Room.objects.create(facility=centre, code="r1", name="会议室", kind="meeting_room", bookable=True)
    waiting = Booking.objects.create(room=room, booker=resident, purpose="读书会", attendees=5,
                                     start=now + datetime.timedelta(days=2), end=now + datetime.timedelta(days=2, hours=2))
    Booking.objects.create(room=room, booker=neighbour, purpose="别人的", attendees=5,
                           start=now + datetime.timedelta(days=3), end=now + datetime.timedelta(days=3, hours=2))
    service = Service.objects.create(service_code="light", service_name="路灯", service_name_en="Street light", group="street")
    mine = ServiceRequest.objects.create(service=service, reporter=resident.user, resident=resident, routing="grid")
    RequestUpdate.objects.create(request=mine, kind="submitted", state="open", by_reporter=True)
    RequestUpdate.objects.create(request=mine, kind="state", state="in_progress", note="已派人")
    programme = CareProgramme.objects.create(facility=Facility.objects.get(code="babycare"), centre_type="hourly")
    group = AgeGroup.objects.create(programme=programme, min_months=24, max_months=36, places=1)
    child = make_child(resident.household)
    application = Application.objects.create(programme=programme, age_group=group, child=child, applicant=resident,
                                             start_date=now.date(), age_months_at_start=30, status="offered",
                                             created_at=now)
    Offer.objects.create(application=application, made_at=now, expires_at=now + datetime.timedelta(days=3))

    items = attention.gather(resident, resident.user)
    assert [i.kind for i in items] == ["action", "answered", "waiting"]
    assert child.name in items[0].text and items[1].url.endswith(f"/{mine.pk}/")
    assert items[2].url == waiting.get_absolute_url()
    assert attention.gather(neighbour, neighbour.user)[0].text.endswith("别人的")

    client.force_login(resident.user)
    page = client.get("/accounts/me/").content.decode()
    assert page.count('data-testid="attention-item"') == 3
    assert page.index('data-testid="attention"') < page.index('class="ui-tiles"')


def test_nothing_waiting_says_so(client):
    load_pack(MINI)
    resident = make_resident(make_household(Compound.objects.get(code="a")))
    client.force_login(resident.user)
    page = client.get("/accounts/me/").content.decode()
    assert 'data-testid="attention-none"' in page
    assert 'href="/s/mini/find/" data-testid="finder-tile"' in page


def test_the_home_page_does_not_import_service_apps():
    import ast
    import pathlib

    for name in ("attention.py", "views.py"):
        tree = ast.parse((pathlib.Path(attention.__file__).parent / name).read_text())
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if any(app in m for app in ("babycare", "bookings", "requests311"))]


def _probing_configs():
    from django.apps import apps

    return [config for config in apps.get_app_configs() if hasattr(config, "resident_attention_probe")]


def _asked_through_the_orm(configs, resident):
    return [config for config in configs if config.resident_attention_probe(resident, resident.user).exists()]


def test_the_probes_are_compiled_once_and_answer_as_the_orm_does_as_the_clock_moves(monkeypatch):
    from lifecircle.babycare.models import AgeGroup, Application, CareProgramme, Offer
    from lifecircle.bookings.models import Booking
    from lifecircle.directory.models import Facility, Room
    from lifecircle.requests311.models import RequestUpdate, Service, ServiceRequest

    load_pack(MINI)
    now = timezone.now()
    resident = make_resident(make_household(Compound.objects.get(code="a")))
    booker = make_resident(make_household(Compound.objects.get(code="b"), "2-202"), name="李四")
    nobody = make_resident(make_household(Compound.objects.get(code="b"), "3-303"), name="赵五")
    room = Room.objects.create(facility=Facility.objects.get(code="center"), code="r1", name="会议室",
                               kind="meeting_room", bookable=True)
    Booking.objects.create(room=room, booker=booker, purpose="读书会", attendees=5, status="confirmed",
                           decided_at=now - datetime.timedelta(days=6, hours=20),
                           start=now + datetime.timedelta(days=2), end=now + datetime.timedelta(days=2, hours=2))
    service = Service.objects.create(service_code="light", service_name="路灯", service_name_en="Street light",
                                     group="street")
    request = ServiceRequest.objects.create(service=service, reporter=resident.user, routing="grid")
    RequestUpdate.objects.create(request=request, kind="state", state="in_progress", note="已派人")
    programme = CareProgramme.objects.create(facility=Facility.objects.get(code="babycare"), centre_type="hourly")
    group = AgeGroup.objects.create(programme=programme, min_months=24, max_months=36, places=1)
    application = Application.objects.create(
        programme=programme, age_group=group, child=make_child(resident.household), applicant=resident,
        start_date=now.date(), age_months_at_start=30, status="offered", created_at=now)
    Offer.objects.create(application=application, made_at=now, expires_at=now + datetime.timedelta(hours=1))
    configs = _probing_configs()
    assert attention._compiled_probes(tuple(configs), "default") is not None
    people = (resident, booker, nobody)

    def labels(found):
        return [[config.label for config in configs] for configs in found]

    orm = [_asked_through_the_orm(configs, person) for person in people]
    assert labels(orm) == [["babycare", "requests311"], ["bookings"], []]
    assert [attention._probed(configs, person, person.user) for person in people] == orm
    # hours later (the compiled SQL reads the clock again): the offer expired, the booking's
    # decision is old news; and no app builds its probe again
    later = now + datetime.timedelta(hours=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    orm = [_asked_through_the_orm(configs, person) for person in people]
    assert labels(orm) == [["requests311"], [], []]
    for config in configs:
        monkeypatch.setattr(config, "resident_attention_probe", _refuse)
    assert [attention._probed(configs, person, person.user) for person in people] == orm


def _refuse(*args):
    raise AssertionError("the probe was built again")


class _Probing:
    def __init__(self, probe):
        self.resident_attention_probe = probe


def test_probes_that_need_more_than_ids_and_the_clock_are_asked_through_the_orm_each_time():
    from lifecircle.accounts.models import Resident

    refused = {
        "a field of the resident": lambda resident, user: Resident.objects.filter(name=resident.name),
        "a field of the user": lambda resident, user: Resident.objects.filter(phone=user.username),
        "a date": lambda resident, user: Resident.objects.filter(birth_date__lt=timezone.localdate()),
        "a time that stays": lambda resident, user: Resident.objects.filter(
            verified_at__gte=timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)),
        "a query while built": lambda resident, user: Resident.objects.filter(
            pk__in=list(Resident.objects.values_list("pk", flat=True))),
    }
    for why, probe in refused.items():
        assert attention._compiled_probes((_Probing(probe),), "default") is None, why
    compiled = attention._compiled_probes((_Probing(lambda resident, user: Resident.objects.filter(
        household=resident.household_id, user=user, verified_at__gte=timezone.now() - datetime.timedelta(days=1))),),
        "default").compiled("default")
    assert compiled.reads_clock
    assert {source for source, _ in compiled.recipe} >= {"household", "resident", "user"}
