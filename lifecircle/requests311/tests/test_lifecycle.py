"""Routing to the grid that contains the place, the lifecycle, notes, reopening and notifications."""
import datetime

import pytest

from lifecircle.community.models import Grid
from lifecircle.notifications.models import Notification
from lifecircle.requests311 import intake, lifecycle
from lifecircle.requests311.lifecycle import LifecycleError
from lifecircle.requests311.models import RequestUpdate, ServiceRequest

from .conftest import EAST, OUTSIDE, T0, WEST

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Refusals are read in English here; notifications are written in the site's language (Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def make(place, service="street_light", attributes=None, **fields):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({"service_code": service, **fields})
    for code, value in (attributes or {"problem": "off"}).items():
        data[f"attribute[{code}]"] = value
    return lifecycle.create_request(intake.parse_new_request(data), api_key=place.key, now=T0)


def subjects(user):
    return [n.subject for n in Notification.objects.filter(user=user).order_by("pk")]


def test_a_request_goes_to_the_grid_that_contains_it(place):
    west = make(place, **WEST)
    east = make(place, **EAST)
    assert (west.grid, west.routing, west.agency_responsible) == (place.west, "grid", "西网格")
    assert (east.grid, east.routing, east.agency_responsible) == (place.east, "grid", "东网格")
    assert subjects(place.west_worker) == [f"新诉求 #{west.pk}：路灯损坏"]
    assert subjects(place.east_worker) == [f"新诉求 #{east.pk}：路灯损坏"]
    assert Notification.objects.get(user=place.west_worker).url == f"/requests311/staff/{west.pk}/"
    assert not Notification.objects.filter(user=place.admin).exists()


def test_a_point_on_the_line_between_two_grids_always_goes_to_the_same_one(place):
    first = make(place, lat="31.2330", long="121.445")
    second = make(place, lat="31.2330", long="121.445")
    assert first.grid == second.grid == place.east  # 'east' sorts before 'west'


def test_routing_follows_a_redrawn_grid_at_once(place, django_capture_on_commit_callbacks):
    # The grids' shapes are kept parsed in each process; a redrawn boundary must route the next request.
    assert make(place, **WEST).grid == place.west
    with django_capture_on_commit_callbacks(execute=True):
        place.east.boundary = {"type": "Polygon", "coordinates": [[
            [121.440, 31.230], [121.450, 31.230], [121.450, 31.236], [121.440, 31.236], [121.440, 31.230]]]}
        place.east.save()
    assert make(place, **WEST).grid == place.east  # the redrawn east grid now covers the west one and sorts first


def test_a_grid_with_a_broken_boundary_leaves_the_others_routing(place, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        Grid.objects.filter(pk=place.east.pk).update(boundary={"type": "Polygon", "coordinates": [[[1, 2]]]})
        from lifecircle import caching
        caching.bump("directory")  # update() sends no signal: the caller bumps, as caching says
    assert make(place, **WEST).grid == place.west and make(place, **EAST).grid is None
    assert "invalid boundary" in caplog.text


def test_outside_every_grid_or_address_only_is_flagged_for_routing_by_hand(place):
    outside = make(place, **OUTSIDE)
    address_only = make(place, address_string="江宁路某号")
    assert (outside.grid, outside.routing, outside.needs_routing) == (None, "outside", True)
    assert (address_only.grid, address_only.routing) == (None, "address_only")
    assert subjects(place.admin) == [f"诉求 #{outside.pk} 需要人工分派", f"诉求 #{address_only.pk} 需要人工分派"]
    assert not Notification.objects.filter(user__in=[place.west_worker, place.east_worker]).exists()
    lifecycle.route_by_hand(address_only, place.west, place.admin)
    address_only.refresh_from_db()
    assert (address_only.grid, address_only.routing) == (place.west, "manual")
    assert subjects(place.west_worker) == [f"新诉求 #{address_only.pk}：路灯损坏"]
    with pytest.raises(LifecycleError, match="Only sub-district administrators"):
        lifecycle.route_by_hand(outside, place.east, place.east_worker)


def test_the_lifecycle_moves_forward_and_keeps_every_note(place):
    request = make(place, **WEST)
    lifecycle.change_state(request, "acknowledged", "已受理", place.west_worker, now=T0 + datetime.timedelta(hours=2))
    lifecycle.add_note(request, "维修班组周二到", place.west_worker, now=T0 + datetime.timedelta(hours=3))
    lifecycle.change_state(request, "in_progress", "", place.west_worker, now=T0 + datetime.timedelta(hours=20))
    lifecycle.change_state(request, "closed", "已更换灯泡", place.west_worker, now=T0 + datetime.timedelta(hours=30))
    request.refresh_from_db()
    assert request.state == "closed" and request.status == "closed" and request.status_notes == "已更换灯泡"
    assert request.acknowledged_at == T0 + datetime.timedelta(hours=2)
    assert request.closed_at == request.updated_at == T0 + datetime.timedelta(hours=30)
    assert [(u.kind, u.state, u.note) for u in request.updates.all()] == [
        ("submitted", "open", ""), ("state", "acknowledged", "已受理"), ("note", "acknowledged", "维修班组周二到"),
        ("state", "in_progress", ""), ("state", "closed", "已更换灯泡")]


@pytest.mark.parametrize("path, refused", [
    (["acknowledged", "acknowledged"], "A request that is acknowledged cannot become acknowledged."),
    (["in_progress", "acknowledged"], "A request that is in progress cannot become acknowledged."),
    (["closed", "in_progress"], "A request that is closed cannot become in progress."),
    (["open"], "A request that is open cannot become open."),
    (["finished"], "'finished' is not a state."),
])
def test_forbidden_moves(place, path, refused):
    request = make(place, **WEST)
    for state in path[:-1]:
        lifecycle.change_state(request, state, "note", place.west_worker)
    before = list(RequestUpdate.objects.values_list("pk", flat=True))
    with pytest.raises(LifecycleError) as error:
        lifecycle.change_state(request, path[-1], "note", place.west_worker)
    assert str(error.value) == refused
    assert list(RequestUpdate.objects.values_list("pk", flat=True)) == before


def test_closing_needs_a_note_and_closing_at_once_counts_as_the_first_response(place):
    request = make(place, **WEST)
    with pytest.raises(LifecycleError):
        lifecycle.change_state(request, "closed", "  ", place.west_worker)
    lifecycle.change_state(request, "closed", "重复诉求，已合并到 #1", place.west_worker, now=T0 + datetime.timedelta(hours=1))
    request.refresh_from_db()
    assert request.acknowledged_at == request.closed_at == T0 + datetime.timedelta(hours=1)


def test_only_the_grids_workers_and_administrators_change_a_request(place):
    request = make(place, **WEST)
    with pytest.raises(LifecycleError, match="do not handle"):
        lifecycle.change_state(request, "acknowledged", "", place.east_worker)
    with pytest.raises(LifecycleError, match="do not handle"):
        lifecycle.add_note(request, "hello", place.resident.user)
    lifecycle.change_state(request, "acknowledged", "", place.admin)
    unrouted = make(place, **OUTSIDE)
    with pytest.raises(LifecycleError):
        lifecycle.change_state(unrouted, "acknowledged", "", place.west_worker)


def test_those_told_are_the_active_holders_of_the_role_each_once_by_pk(place):
    """grid_workers and administrators answer as the ORM would (their query is compiled once per
    process): whole users, none inactive, none twice, none holding the role only elsewhere."""
    from django.contrib.auth import get_user_model

    from lifecircle.accounts.models import StaffRole
    from lifecircle.accounts.testing import make_staff

    users, worker, admin = get_user_model(), StaffRole.Role.GRID_WORKER, StaffRole.Role.ADMINISTRATOR
    both = make_staff(worker, place.subdistrict, grid=place.west)  # works in both grids and administers
    StaffRole.objects.create(user=both, role=worker, subdistrict=place.subdistrict, grid=place.east)
    StaffRole.objects.create(user=both, role=admin, subdistrict=place.subdistrict)
    also_west = make_staff(worker, place.subdistrict, grid=place.west)
    gone = [make_staff(worker, place.subdistrict, grid=place.east), make_staff(admin, place.subdistrict)]
    users.objects.filter(pk__in=[user.pk for user in gone]).update(is_active=False)

    def orm(role, **grid):
        roles = StaffRole.objects.filter(role=role, **grid).values("user")
        return list(users.objects.filter(pk__in=roles, is_active=True).order_by("pk"))

    assert lifecycle.grid_workers(place.west) == orm(worker, grid=place.west) == [place.west_worker, both, also_west]
    assert lifecycle.grid_workers(place.east) == orm(worker, grid=place.east) == [place.east_worker, both]
    assert lifecycle.administrators() == orm(admin) == [place.admin, both]
    told = lifecycle.administrators()[1]
    assert told.get_deferred_fields() == set() and told.email == both.email


def test_a_stale_copy_cannot_move_a_request_twice(place):
    """The row is locked and re-read, so two workers acting on the same page view cannot both succeed."""
    request = make(place, **WEST)
    stale = ServiceRequest.objects.get(pk=request.pk)
    lifecycle.change_state(request, "closed", "已处理", place.west_worker)
    with pytest.raises(LifecycleError, match="closed cannot become"):
        lifecycle.change_state(stale, "acknowledged", "", place.admin)


def test_the_reporter_hears_of_every_change(place, mailoutbox, django_capture_on_commit_callbacks):
    by_resident = lifecycle.create_request(
        intake.parse_new_request(_form("street_light", {"problem": "off"}, WEST)), reporter=place.resident.user,
        resident=place.resident)
    by_app = make(place, **WEST, email="app-user@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.change_state(by_resident, "acknowledged", "已受理", place.west_worker)
        lifecycle.change_state(by_app, "closed", "已修好", place.west_worker)
    assert subjects(place.resident.user) == [f"您的诉求 #{by_resident.pk} 现在的状态：已受理"]
    note = Notification.objects.get(user=place.resident.user)
    assert note.body == "已受理" and note.url == f"/requests311/{by_resident.pk}/"
    # no account behind the app's reporter: an e-mail, sent once the change is committed
    app_mail = [m for m in mailoutbox if m.to == ["app-user@example.org"]]
    assert len(app_mail) == 1 and app_mail[0].body == "已修好"


def test_no_mail_when_the_change_is_refused(place, mailoutbox, django_capture_on_commit_callbacks):
    request = make(place, **WEST, email="app-user@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(LifecycleError):
            lifecycle.change_state(request, "closed", "", place.west_worker)
    assert mailoutbox == []


def _form(service, attributes, location):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({"service_code": service, **location})
    for code, value in attributes.items():
        data[f"attribute[{code}]"] = value
    return data


def test_the_reporter_may_reopen_within_30_days_with_a_reason(place):
    request = make(place, **WEST)
    lifecycle.change_state(request, "closed", "已修好", place.west_worker, now=T0)
    with pytest.raises(LifecycleError, match="Say why"):
        lifecycle.reopen(request, "", now=T0 + datetime.timedelta(days=1))
    lifecycle.reopen(request, "又不亮了", now=T0 + datetime.timedelta(days=30))
    request.refresh_from_db()
    assert (request.state, request.closed_at, request.status_notes) == ("reopened", None, "又不亮了")
    assert subjects(place.west_worker)[-1] == f"诉求 #{request.pk} 被报告人重新打开"
    update = request.updates.last()
    assert (update.kind, update.by_reporter) == ("reopened", True)
    with pytest.raises(LifecycleError, match="Only a closed request"):
        lifecycle.reopen(request, "again")


def test_too_late_to_reopen_for_the_reporter_but_not_for_staff(place):
    request = make(place, **WEST)
    lifecycle.change_state(request, "closed", "已修好", place.west_worker, now=T0)
    late = T0 + datetime.timedelta(days=31)
    with pytest.raises(LifecycleError, match="more than 30 days ago"):
        lifecycle.reopen(request, "又不亮了", now=late)
    with pytest.raises(LifecycleError, match="do not handle"):
        lifecycle.reopen(request, "复查", user=place.east_worker, by_reporter=False, now=late)
    lifecycle.reopen(request, "复查", user=place.west_worker, by_reporter=False, now=late)
    assert ServiceRequest.objects.get(pk=request.pk).state == "reopened"


def test_closing_time_runs_until_the_last_close(place):
    request = make(place, **WEST)
    lifecycle.change_state(request, "closed", "已修好", place.west_worker, now=T0 + datetime.timedelta(hours=5))
    lifecycle.reopen(request, "又坏了", now=T0 + datetime.timedelta(hours=8))
    lifecycle.change_state(request, "closed", "换了整套灯具", place.west_worker, now=T0 + datetime.timedelta(hours=30))
    request.refresh_from_db()
    assert request.acknowledged_at == T0 + datetime.timedelta(hours=5)
    assert request.closed_at == T0 + datetime.timedelta(hours=30)


def test_routing_ignores_a_grid_with_a_broken_boundary(place):
    Grid.objects.filter(pk=place.east.pk).update(boundary={"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})
    assert make(place, **WEST).grid == place.west


def test_default_services_load_and_reload_without_duplicates(place):
    import io

    from django.core.management import call_command

    from lifecircle.requests311.models import AttributeValue, Service

    counts = (Service.objects.count(), AttributeValue.objects.count())
    call_command("load_open311_services", stdout=io.StringIO())
    assert (Service.objects.count(), AttributeValue.objects.count()) == counts == (6, 33)
    assert Service.objects.get(service_code="elderly_help").private
