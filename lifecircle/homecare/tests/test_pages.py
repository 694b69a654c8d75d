"""The pages and the API: the staff day, the printable round, the resident's schedule, bad input as 4xx."""
import datetime
import json

import pytest

from lifecircle.homecare import services
from lifecircle.homecare.models import CarePlan, Visit

from .conftest import DAY, at, insulin_and_lunch

TOMORROW = DAY + datetime.timedelta(days=1)


def planned(world):
    plan = services.create_plan(world.staff, world.grandma, world.home, 3, DAY, insulin_and_lunch(), DAY)
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    return services.plan_day(world.staff, world.home, TOMORROW)


def test_staff_plan_and_print_the_round(world, client):
    plan = services.create_plan(world.staff, world.grandma, world.home, 3, DAY, insulin_and_lunch(), DAY)
    services.generate_visits(world.staff, plan, TOMORROW, TOMORROW)
    client.force_login(world.staff)
    page = client.post("/homecare/staff/", {"provider": world.home.pk, "day": "2026-05-13", "action": "plan"},
                       follow=True)
    assert b"Planned on the street network" in page.content
    care_round = Visit.objects.get(need__kind="nursing").round
    page = client.get(f"/homecare/rounds/{care_round.pk}/")
    assert page.status_code == 200 and "张秀英".encode() in page.content and b"round.css" in page.content
    world.clock["now"] = at(TOMORROW, 9)
    client.force_login(world.staff)  # the next morning: yesterday's staff session has expired (STAFF_SESSION_HOURS)
    visit = Visit.objects.get(need__kind="nursing")
    page = client.post(f"/homecare/rounds/{care_round.pk}/", {"visit": visit.pk, "arrived": "07:05", "left": "07:20",
                                                             "done": "insulin", "follow_up": ""}, follow=True)
    visit.refresh_from_db()
    assert visit.status == "done"


def test_other_staff_get_a_refusal_page(world, client):
    dayplan = planned(world)
    client.force_login(world.other_staff)
    page = client.get(f"/homecare/rounds/{dayplan.rounds.first().pk}/")
    assert page.status_code == 403


def test_schedule_for_the_resident(world, client):
    planned(world)
    client.force_login(world.grandma.user)
    page = client.get("/homecare/")
    assert page.status_code == 200 and page.content.count(b'data-testid="visit"') == 2


def test_planning_view(world, client):
    planned(world)
    client.force_login(world.staff)
    page = client.get("/homecare/planning/")
    assert page.status_code == 200 and b"1 client with an active plan" in page.content


def test_api_refuses_bad_input_and_writes_nothing(world, client):
    client.force_login(world.staff)
    body = {"resident": world.grandma.pk, "provider": world.home.pk, "care_level": 3, "assessed_on": "2026-05-12",
            "start": "2026-05-12", "needs": [{"kind": "nursing", "weekdays": [2], "window_start": "04:00",
                                              "window_end": "04:30", "minutes": 15}]}
    answer = client.post("/api/homecare/plans", json.dumps(body), content_type="application/json")
    assert answer.status_code == 400 and "outside every shift" in answer.json()["detail"]
    body["needs"][0].update(window_start="07:00", window_end="07:30")
    body["care_level"] = 9
    assert client.post("/api/homecare/plans", json.dumps(body), content_type="application/json").status_code == 400
    assert CarePlan.objects.count() == 0
    body["care_level"] = 3
    answer = client.post("/api/homecare/plans", json.dumps(body), content_type="application/json")
    assert answer.status_code == 201
    plan = answer.json()["id"]
    answer = client.post(f"/api/homecare/plans/{plan}/visits", json.dumps({"first": "2026-05-11", "last": "2026-05-17"}),
                         content_type="application/json")
    assert answer.json() == {"created": 1}
    answer = client.post(f"/api/homecare/providers/{world.home.pk}/days/2026-05-13/plan")
    assert answer.status_code == 200 and answer.json()["rounds"][0]["carer"] == "王护士"


def plan_form(world, **changes):
    form = {"provider": world.home.pk, "name": "张秀英", "phone": "13812345678", "care_level": "3",
            "assessed_on": "2026-05-12", "start": "2026-05-12", "kind_0": "nursing", "weekdays_0": ["0", "2", "4"],
            "from_0": "07:00", "to_0": "07:45", "minutes_0": "15", "kind_1": "meal_delivery",
            "weekdays_1": [str(d) for d in range(7)], "from_1": "11:00", "to_1": "12:00", "minutes_1": "5"}
    form.update(changes)
    return form


def test_staff_record_a_plan_on_the_page(world, client):
    client.force_login(world.staff)
    page = client.post("/homecare/plans/new/", plan_form(world), follow=True)
    assert b"visits are scheduled" in page.content
    plan = CarePlan.objects.get()
    assert sorted(plan.needs.values_list("kind", flat=True)) == ["meal_delivery", "nursing"]
    assert Visit.objects.filter(plan=plan).count() == 6 + 14  # two weeks from a Tuesday


def test_a_refused_plan_on_the_page_says_why_and_writes_nothing(world, client):
    client.force_login(world.staff)
    page = client.post("/homecare/plans/new/", plan_form(world, from_0="04:00", to_0="04:30"))
    assert b"outside every shift" in page.content and CarePlan.objects.count() == 0
    page = client.post("/homecare/plans/new/", plan_form(world, phone="000"))
    assert b"No resident with this name" in page.content and CarePlan.objects.count() == 0


def test_api_moves_a_visit_and_refuses_a_window_outside_every_shift(world, client):
    planned(world)
    client.force_login(world.staff)
    lunch = Visit.objects.get(need__kind="meal_delivery")
    answer = client.post(f"/api/homecare/visits/{lunch.pk}/move", json.dumps(
        {"date": "2026-05-13", "window_start": "21:00", "window_end": "22:00"}), content_type="application/json")
    assert answer.status_code == 400 and "outside every shift" in answer.json()["detail"]
    lunch.refresh_from_db()
    assert lunch.window_start.hour == 11 and lunch.round_id is not None  # unchanged
    answer = client.post(f"/api/homecare/visits/{lunch.pk}/move", json.dumps(
        {"date": "2026-05-14", "reason": "family lunch"}), content_type="application/json")
    assert answer.status_code == 200 and answer.json()["date"] == "2026-05-14" and answer.json()["carer"] is None


def test_the_round_sheet_lists_meal_deliveries_in_order(world, client):
    from decimal import Decimal

    from lifecircle.meals.models import MealOrder, Menu, MenuItem

    menu = Menu.objects.create(facility=world.home, date=TOMORROW, meal="lunch")
    dish = MenuItem.objects.create(menu=menu, name="清蒸鱼套餐", price=Decimal("15.00"), portions=20)
    MealOrder.objects.create(resident=world.neighbour, ordered_by=world.neighbour, menu=menu, item=dish,
                             fulfilment="delivery", delivery_address="乙小区 7-101", price=Decimal("15.00"),
                             subsidy=Decimal("0.00"), amount_due=Decimal("15.00"))
    dayplan = planned(world)
    client.force_login(world.staff)
    page = client.get(f"/homecare/staff/?provider={world.home.pk}&day=2026-05-13")
    assert b"meal to deliver" in page.content
    drop_round = dayplan.rounds.get(meal_drops__isnull=False)
    page = client.get(f"/homecare/rounds/{drop_round.pk}/")
    assert "清蒸鱼套餐".encode() in page.content and "乙小区 7-101".encode() in page.content


def test_api_refuses_a_home_off_the_network_and_a_carer_without_the_skill_and_writes_nothing(world, client):
    from lifecircle.accounts.testing import make_household, make_resident
    from lifecircle.community.models import Compound

    from .conftest import consented

    far = Compound.objects.create(subdistrict=world.mini, code="far", name="远处", lon=121.60, lat=31.30)
    stranger = consented(make_resident(make_household(far), "孙某", datetime.date(1941, 1, 1)))
    client.force_login(world.staff)
    body = {"resident": stranger.pk, "provider": world.home.pk, "care_level": 3, "assessed_on": "2026-05-12",
            "start": "2026-05-12", "needs": [{"kind": "nursing", "weekdays": [2], "window_start": "07:00",
                                              "window_end": "07:45", "minutes": 15}]}
    answer = client.post("/api/homecare/plans", json.dumps(body), content_type="application/json")
    assert answer.status_code == 400 and "孙某's home is off the street network" in answer.json()["detail"]
    body.update(resident=world.grandma.pk, carers=[world.aide.pk])  # a personal-care aide for nursing
    answer = client.post("/api/homecare/plans", json.dumps(body), content_type="application/json")
    assert answer.status_code == 400 and "trained for nursing" in answer.json()["detail"]
    body.update(carers=[world.walker.pk])  # delivers meals, has none of the skills
    answer = client.post("/api/homecare/plans", json.dumps(body), content_type="application/json")
    assert answer.status_code == 400
    body.update(carers=[], needs=[dict(body["needs"][0], window_start="23:00", window_end="23:30")])
    answer = client.post("/api/homecare/plans", json.dumps(body), content_type="application/json")
    assert answer.status_code == 400 and "outside every shift" in answer.json()["detail"]
    assert CarePlan.objects.count() == 0 and Visit.objects.count() == 0


def test_api_refuses_a_carer_off_in_the_past_and_an_unknown_carer(world, client):
    dayplan = planned(world)
    client.force_login(world.staff)
    answer = client.post(f"/api/homecare/carers/{world.nurse.pk}/absences", json.dumps({"date": "2026-05-11"}),
                         content_type="application/json")
    assert answer.status_code == 400 and "already past" in answer.json()["detail"]
    answer = client.post("/api/homecare/carers/999999/absences", json.dumps({"date": "2026-05-13"}),
                         content_type="application/json")
    assert answer.status_code == 404
    assert not world.nurse.absences.exists()
    assert Visit.objects.filter(round__day=dayplan).count() == 2  # the rounds are as they were


def test_the_planning_view_says_what_a_new_site_would_save_in_words(world, client):
    planned(world)
    client.force_login(world.staff)
    page = client.get("/homecare/planning/").content.decode()
    found = services.new_site_saving(world.staff, world.home)
    assert f"A new site on {found['street']}, near {found['near']}" in page
    assert f"{found['minutes_saved']:.0f} minutes a day" in page and "every street junction" in page
    assert f"{found['lon']}" not in page  # words, not coordinates


def test_the_api_gives_the_new_site_and_refuses_other_staff(world, client):
    client.force_login(world.staff)
    answer = client.get(f"/api/homecare/providers/{world.home.pk}/new-site")
    assert answer.status_code == 200 and answer.json()["clients"] == 0 and answer.json()["street"] is None
    planned(world)
    answer = client.get(f"/api/homecare/providers/{world.home.pk}/new-site")
    assert answer.status_code == 200
    body = answer.json()
    assert body["provider"] == world.home.pk and body["clients"] == 1 and body["street"] and body["near"]
    assert body["minutes_saved"] == pytest.approx(body["minutes_now"] - body["minutes_with_site"])
    assert client.get("/api/homecare/providers/999999/new-site").status_code == 404
    client.force_login(world.other_staff)
    assert client.get(f"/api/homecare/providers/{world.home.pk}/new-site").status_code == 403


def test_api_refuses_to_plan_a_day_already_past_and_changes_nothing(world, client):
    dayplan = planned(world)
    before = sorted(Visit.objects.values_list("pk", "round_id", "sequence", "expected_at"))
    world.clock["now"] = at(TOMORROW + datetime.timedelta(days=1), 8)
    client.force_login(world.staff)
    answer = client.post(f"/api/homecare/providers/{world.home.pk}/days/{TOMORROW}/plan")
    assert answer.status_code == 400 and "already past cannot be planned again" in answer.json()["detail"]
    assert sorted(Visit.objects.values_list("pk", "round_id", "sequence", "expected_at")) == before
    assert dayplan.rounds.count() == len({r for _pk, r, _s, _e in before if r})


def test_api_refuses_to_move_a_visit_years_ahead_and_keeps_reasons_plain(world, client):
    planned(world)
    client.force_login(world.staff)
    lunch = Visit.objects.get(need__kind="meal_delivery")
    answer = client.post(f"/api/homecare/visits/{lunch.pk}/move", json.dumps({"date": "6947-11-01"}),
                         content_type="application/json")
    assert answer.status_code == 400 and "at most three months ahead" in answer.json()["detail"]
    lunch.refresh_from_db()
    assert lunch.date == TOMORROW and lunch.round_id is not None
    answer = client.post(f"/api/homecare/visits/{lunch.pk}/move", json.dumps(
        {"date": "2026-05-14", "reason": "\u001fFA\udbfd family lunch"}), content_type="application/json")
    assert answer.status_code == 200 and answer.json()["change_reason"] == "FA family lunch"
