"""Plans, visits, rounds and records: the whole path, and each refusal changing nothing."""
import datetime

import pytest
from django.utils import translation

from lifecircle.accounts.models import AccessLog
from lifecircle.community.models import Compound
from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.eldercare.models import HealthConsent
from lifecircle.homecare import services
from lifecircle.homecare.models import CarePlan, Visit
from lifecircle.notifications.models import Notification

from .conftest import DAY, T, at, consented, insulin_and_lunch

TOMORROW = DAY + datetime.timedelta(days=1)


def make_plan(world, resident=None, needs=None, **fields):
    return services.create_plan(world.staff, resident or world.grandma, world.home, 4, DAY,
                                needs or insulin_and_lunch(), DAY, **fields)


def test_plan_visits_rounds_and_record(world):
    plan = make_plan(world)
    assert services.generate_visits(world.staff, plan, DAY, DAY + datetime.timedelta(days=6)) == 14
    assert services.generate_visits(world.staff, plan, DAY, DAY + datetime.timedelta(days=6)) == 0  # kept
    dayplan = services.plan_day(world.staff, world.home, TOMORROW)
    assert dayplan.unassigned == []
    visits = {v.need.kind: v for v in Visit.objects.filter(date=TOMORROW)}
    insulin, lunch = visits["nursing"], visits["meal_delivery"]
    assert insulin.round.carer == world.nurse  # only the nurse is trained for nursing
    assert T(7, 0) <= insulin.expected_at <= T(7, 45)
    assert T(11, 0) <= lunch.expected_at <= T(12, 0)
    assert insulin.round.walk_metres > 0  # walked on the network from the provider and back

    world.clock["now"] = at(TOMORROW, 8, 0)
    services.record_visit(world.staff, insulin.pk, at(TOMORROW, 7, 10), at(TOMORROW, 7, 25), "insulin 8 units",
                          "short of breath on the stairs", "both")
    insulin.refresh_from_db()
    assert insulin.status == Visit.Status.DONE and insulin.recorded_by == world.staff
    told = set(Notification.objects.filter(url="/homecare/").values_list("user_id", flat=True))
    assert world.daughter.user_id in told
    if world.grid_worker is not None:
        assert world.grid_worker.pk in told


def test_a_plan_needs_consent_and_changes_nothing_without(world):
    HealthConsent.objects.filter(resident=world.grandma).update(revoked_at=at(DAY, 6))
    with pytest.raises(services.Refused, match="not consented"):
        make_plan(world)
    assert CarePlan.objects.count() == 0


def test_a_home_off_the_network_is_refused(world):
    far = Compound.objects.create(subdistrict=world.mini, code="far", name="远处", lon=121.60, lat=31.30)
    person = consented(make_resident(make_household(far), "孙某", datetime.date(1941, 1, 1)))
    with pytest.raises(services.Refused, match="off the street network"):
        make_plan(world, resident=person)
    assert CarePlan.objects.count() == 0


def test_a_window_outside_every_shift_is_refused(world):
    needs = insulin_and_lunch()
    needs[0].update(window_start=T(5, 0), window_end=T(5, 30))  # the nurse starts at 6:30
    with pytest.raises(services.Refused, match="outside every shift"):
        make_plan(world, needs=needs)
    assert CarePlan.objects.count() == 0 and Visit.objects.count() == 0


def test_a_carer_without_any_needed_skill_is_refused(world):
    with pytest.raises(services.Refused, match="none of the skills"):
        make_plan(world, carer_ids=[world.nurse.pk, world.walker.pk])
    with pytest.raises(services.Refused, match="trained for nursing"):
        make_plan(world, carer_ids=[world.aide.pk])
    assert CarePlan.objects.count() == 0


def test_visits_move_and_cancel(world):
    plan = make_plan(world)
    services.generate_visits(world.staff, plan, DAY, DAY + datetime.timedelta(days=6))
    lunch = Visit.objects.get(date=TOMORROW, need__kind="meal_delivery")
    with pytest.raises(services.Refused, match="already happens"):
        services.move_visit(world.staff, lunch.pk, DAY)
    services.move_visit(world.staff, lunch.pk, TOMORROW, T(12, 0), T(12, 30), "lunch later")
    lunch.refresh_from_db()
    assert lunch.window_start == T(12, 0)
    n = services.cancel_visits(world.staff, plan, DAY + datetime.timedelta(days=3), DAY + datetime.timedelta(days=6),
                               "in hospital")
    assert n == 8
    assert Visit.objects.filter(status=Visit.Status.CANCELLED, change_reason="in hospital").count() == 8


def test_replanning_when_a_carer_is_off(world):
    plan = make_plan(world, needs=insulin_and_lunch()[1:])  # lunch only: anyone may deliver it
    other = make_plan(world, resident=world.neighbour, needs=insulin_and_lunch()[1:])
    for p in (plan, other):
        services.generate_visits(world.staff, p, TOMORROW, TOMORROW)
    services.plan_day(world.staff, world.home, TOMORROW)
    used = set(Visit.objects.filter(date=TOMORROW).values_list("round__carer", flat=True))
    off = next(iter(used))
    dayplan = services.carer_off(world.staff, off, TOMORROW, "flu")
    assert dayplan is not None and dayplan.unassigned == []
    assert off not in set(Visit.objects.filter(date=TOMORROW).values_list("round__carer", flat=True))
    assert Visit.objects.filter(date=TOMORROW, round__isnull=True).count() == 0


def test_nursing_is_listed_with_its_reason_when_the_nurse_is_off(world):
    plan = make_plan(world)
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    services.plan_day(world.staff, world.home, TOMORROW)
    dayplan = services.carer_off(world.staff, world.nurse.pk, TOMORROW, "sick")
    insulin = Visit.objects.get(date=TOMORROW, need__kind="nursing")
    assert dayplan.unassigned == [{"visit": insulin.pk, "reason": "no_skill"}]
    data = services.day_view(world.staff, world.home, TOMORROW)
    assert data["unassigned"][0]["reason"] == "no carer at work today has the skill"


def test_scope_staff_see_only_their_providers_people_and_reads_are_logged(world):
    plan = make_plan(world)
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    dayplan = services.plan_day(world.staff, world.home, TOMORROW)
    assert services.visits_for(world.other_staff).count() == 0
    with pytest.raises(services.PermissionDenied):
        services.plan_day(world.other_staff, world.home, TOMORROW)
    with pytest.raises(services.PermissionDenied):
        services.round_for(world.other_staff, dayplan.rounds.first().pk)
    before = AccessLog.objects.filter(resident=world.grandma).count()
    services.round_for(world.staff, dayplan.rounds.first().pk)
    assert AccessLog.objects.filter(resident=world.grandma, user=world.staff).count() > before


def test_scope_residents_see_their_own_and_those_they_act_for(world):
    plan = make_plan(world)
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    assert len(services.schedule_of(world.grandma.user)) == 2
    assert len(services.schedule_of(world.daughter.user)) == 2  # acts for her mother, with consent
    assert AccessLog.objects.filter(user=world.daughter.user, resident=world.grandma).exists()
    assert services.schedule_of(world.neighbour.user) == []
    assert services.visits_for(world.neighbour.user).count() == 0


def test_meal_deliveries_from_the_canteen_join_the_rounds_in_their_window(world):
    from decimal import Decimal

    from lifecircle.homecare.models import MealDrop
    from lifecircle.meals.models import Menu, MenuItem, MealOrder

    menu = Menu.objects.create(facility=world.home, date=TOMORROW, meal="lunch")
    dish = MenuItem.objects.create(menu=menu, name="清蒸鱼套餐", price=Decimal("15.00"), portions=20)
    order = MealOrder.objects.create(resident=world.neighbour, ordered_by=world.neighbour, menu=menu, item=dish,
                                     fulfilment="delivery", delivery_address="乙小区 7-101", price=Decimal("15.00"),
                                     subsidy=Decimal("0.00"), amount_due=Decimal("15.00"))
    plan = make_plan(world, needs=insulin_and_lunch()[:1])  # insulin only: the round starts with care
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    dayplan = services.plan_day(world.staff, world.home, TOMORROW)
    drop = MealDrop.objects.get(order=order)
    assert T(11, 0) <= drop.expected_at <= T(12, 0) and dayplan.unassigned == []
    care_round, visits, drops = services.round_for(world.staff, drop.round_id)
    assert drops == [drop] and AccessLog.objects.filter(user=world.staff, resident=world.neighbour).exists()


def test_a_follow_up_flag_notifies_the_chosen_side_and_is_audited(world):
    plan = make_plan(world)
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    insulin = Visit.objects.get(date=TOMORROW, need__kind="nursing")
    world.clock["now"] = at(TOMORROW, 8, 0)
    services.record_visit(world.staff, insulin.pk, at(TOMORROW, 7, 10), at(TOMORROW, 7, 25), "insulin 8 units",
                          "the stairs light is broken", "grid")
    told = list(Notification.objects.filter(url="/homecare/").values_list("user_id", flat=True))
    assert told == [world.grid_worker.pk]  # the grid worker only, not the family
    note = Notification.objects.get(user=world.grid_worker)
    assert "the stairs light is broken" in note.body and "张秀英" in note.body
    assert set(note.texts) >= {"en", "zh-hans"}  # each recipient reads it in their own language
    entry = AccessLog.objects.get(action="follow-up")
    assert entry.user == world.staff and entry.resident == world.grandma
    assert f"#{world.grid_worker.pk}" in entry.purpose and f"#{world.daughter.user_id}" not in entry.purpose


def test_a_follow_up_nobody_can_receive_is_refused_and_nothing_is_recorded(world):
    from lifecircle.accounts.models import Consent

    plan = make_plan(world)
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    insulin = Visit.objects.get(date=TOMORROW, need__kind="nursing")
    Consent.objects.filter(principal=world.grandma).update(revoked_at=at(DAY, 6))
    world.clock["now"] = at(TOMORROW, 8, 0)
    with pytest.raises(services.Refused, match="Nobody acts for 张秀英"):
        services.record_visit(world.staff, insulin.pk, at(TOMORROW, 7, 10), at(TOMORROW, 7, 25), "insulin",
                              "confused", "family")
    insulin.refresh_from_db()
    assert insulin.status == Visit.Status.PLANNED and insulin.done == ""
    assert not Notification.objects.exists() and not AccessLog.objects.filter(action="follow-up").exists()


def test_off_sick_mid_day_replans_from_where_the_carers_are(world):
    grandma = make_plan(world)  # insulin 7:00-7:45 (the nurse) and lunch 11:00-12:00
    neighbour = make_plan(world, resident=world.neighbour, needs=insulin_and_lunch()[1:])
    for plan in (grandma, neighbour):
        services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    services.plan_day(world.staff, world.home, TOMORROW)
    insulin = Visit.objects.get(date=TOMORROW, need__kind="nursing")
    nurse_round = insulin.round
    world.clock["now"] = at(TOMORROW, 9, 30)  # the nurse made the insulin visit, then fell ill
    services.record_visit(world.staff, insulin.pk, at(TOMORROW, 7, 10), at(TOMORROW, 7, 25), "insulin", "")
    dayplan = services.carer_off(world.staff, world.nurse.pk, TOMORROW, "fever")
    assert dayplan.unassigned == []
    insulin.refresh_from_db()
    assert insulin.status == Visit.Status.DONE and insulin.round_id == nurse_round.pk and insulin.sequence == 1
    assert list(nurse_round.visits.all()) == [insulin]  # the rest of her round went to others
    for lunch in Visit.objects.filter(date=TOMORROW, need__kind="meal_delivery"):
        assert lunch.round.carer in (world.aide, world.walker)
        assert T(11, 0) <= lunch.expected_at <= T(12, 0)
        assert lunch.round.leaves >= T(9, 30)  # nobody sets off in the past


def test_a_replan_keeps_what_is_done_and_lists_what_can_no_longer_be_made(world):
    plan = make_plan(world)
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    services.plan_day(world.staff, world.home, TOMORROW)
    insulin = Visit.objects.get(date=TOMORROW, need__kind="nursing")
    world.clock["now"] = at(TOMORROW, 10, 0)  # the nurse never recorded the insulin visit and is off
    dayplan = services.carer_off(world.staff, world.nurse.pk, TOMORROW, "fever")
    assert dayplan.unassigned == [{"visit": insulin.pk, "reason": "window_passed"}]
    data = services.day_view(world.staff, world.home, TOMORROW)
    assert data["unassigned"][0]["reason"] == "its time window closed before the rounds were planned again"
    lunch = Visit.objects.get(date=TOMORROW, need__kind="meal_delivery")
    assert lunch.round.carer != world.nurse and lunch.expected_at >= T(11, 0)


def test_a_replan_keeps_the_visit_a_carer_at_work_is_making_on_their_round(world):
    plan = make_plan(world, needs=[dict(insulin_and_lunch()[0], window_start=T(8, 0), window_end=T(8, 30)),
                                   insulin_and_lunch()[1]])
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    services.plan_day(world.staff, world.home, TOMORROW)
    nursing = Visit.objects.get(date=TOMORROW, need__kind="nursing")
    world.clock["now"] = at(TOMORROW, 8, 40)  # past the nurse's expected time, not yet recorded
    services.plan_day(world.staff, world.home, TOMORROW)
    nursing.refresh_from_db()
    assert nursing.round.carer == world.nurse and nursing.sequence == 1  # she is there: it stays on her round
    for visit in Visit.objects.filter(date=TOMORROW, need__kind="meal_delivery"):
        assert visit.round is not None and visit.expected_at >= T(11, 0)


def test_a_day_already_past_is_not_planned_again(world):
    plan = make_plan(world)
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    services.plan_day(world.staff, world.home, TOMORROW)
    before = sorted(Visit.objects.values_list("pk", "round_id", "sequence", "expected_at"))
    world.clock["now"] = at(TOMORROW + datetime.timedelta(days=1), 8, 0)
    with pytest.raises(services.Refused, match="already past cannot be planned again"):
        services.plan_day(world.staff, world.home, TOMORROW)
    with pytest.raises(services.Refused, match="already past"):
        services.carer_off(world.staff, world.aide.pk, TOMORROW, "flu")
    assert sorted(Visit.objects.values_list("pk", "round_id", "sequence", "expected_at")) == before
    assert not world.aide.absences.exists()


def test_a_new_site_is_found_by_the_workbench_siting_and_its_saving_is_walking_on_the_network(world):
    make_plan(world)  # insulin and lunch every day: two visits a day
    make_plan(world, resident=world.neighbour, needs=insulin_and_lunch()[1:])  # one a day
    found = services.new_site_saving(world.staff, world.home)
    assert found["clients"] == 2 and found["off_network"] == 0
    # The walking now is each visit out from the provider and back, on the street network.
    matrix = services.provider_matrix(world.home, [services.home_of(world.grandma),
                                                   services.home_of(world.neighbour)])
    now = (2 * 2 * matrix.metres[0, 1] + 1 * 2 * matrix.metres[0, 2]) / (1.2 * 60)
    assert found["minutes_now"] == pytest.approx(now, rel=0.01)
    assert 0 < found["minutes_saved"] <= found["minutes_now"]
    assert found["minutes_with_site"] == pytest.approx(found["minutes_now"] - found["minutes_saved"])
    assert found["clients_nearer"] >= 1
    # Said in words: the street it is on and the compound it is near (the MINI pack's names).
    assert found["street"] in {"Middle Road", "北路", "South Road"}  # English where the map has it
    assert found["near"] in {"Compound A", "Compound B", "Compound C"}
    with translation.override("zh-hans"):
        found = services.new_site_saving(world.staff, world.home)
    assert found["street"] in {"中路", "北路", "南路"} and found["near"] in {"甲小区", "乙小区", "丙小区"}
    with pytest.raises(services.PermissionDenied):
        services.new_site_saving(world.other_staff, world.home)


def test_the_single_site_is_the_siting_models_optimum(world):
    from lifecircle.geo import siting as engine

    make_plan(world)
    make_plan(world, resident=world.neighbour, needs=insulin_and_lunch()[1:])
    plans = list(services.CarePlan.objects.filter(provider=world.home))
    _graph, _nodes, inst, served = services.siting_instance(world.home, plans)
    j, after = services.best_single_site(inst, served)
    solved = engine.solve_pmedian(inst, 1, time_limit_s=60)  # HiGHS on the same instance
    assert solved.status == "optimal"
    assert (inst.population * after).sum() == pytest.approx(solved.objective, rel=1e-9)


def test_no_clients_no_site(world):
    assert services.new_site_saving(world.staff, world.home) is None


def test_clients_off_the_network_are_counted_not_sited(world):
    make_plan(world)
    Compound.objects.filter(code="a").update(lon=121.60, lat=31.30)  # the compound moved off the streets
    found = services.new_site_saving(world.staff, world.home)
    assert found["clients"] == 0 and found["off_network"] == 1 and "minutes_saved" not in found
