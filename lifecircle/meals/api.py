"""JSON API of senior meal assistance: the week's menus (public), ordering and cancelling (residents,
signed in), statements, and the staff's production and delivery lists and menu publishing."""
import datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import WithJsonSchema

from lifecircle.accounts.models import Resident
from lifecircle.dates import parse_day
from lifecircle.accounts.permissions import resident_of

from . import services
from .models import DietaryTag, Meal, MealPoint, meal_facilities, monday_of

router = Router(tags=["meals"])


def meal_facility(facility_id):
    facility = meal_facilities().filter(pk=facility_id).first()
    if facility is None:
        raise HttpError(404, f"no canteen or breakfast point has id {facility_id}; GET /api/meals/points lists them")
    return facility


# ---- schemas -----------------------------------------------------------------------------------


class MealCutoffOut(Schema):
    meal: str
    days_before: int
    # Local wall-clock time (Asia/Shanghai) without an offset, so not JSON Schema's "time" format.
    time: Annotated[datetime.time, WithJsonSchema({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]$",
                                                   "description": "local time, HH:MM:SS"})]


class MealPointOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    address: str
    opening_hours: str
    delivers: bool
    delivery_min_age: int
    cutoffs: list[MealCutoffOut]
    pickup_points: list[int]


class MealDishOut(Schema):
    id: int
    name: str
    name_en: str
    tags: list[str]
    price: Decimal
    portions: int
    left: int


class MealMenuOut(Schema):
    id: int
    facility: int
    date: datetime.date
    meal: str
    note: str
    note_en: str
    order_by: datetime.datetime = Field(description="Orders and cancellations close at this moment.")
    illustrative: bool
    dishes: list[MealDishOut]


class MealOrderIn(Schema):
    dish: int = Field(description="id of the dish (from GET /api/meals/menus)")
    resident: int | None = Field(None, description="whom the meal is for; default yourself. Someone outside your "
                                                   "household needs their consent on record.")
    fulfilment: str = Field("pickup", description="pickup or delivery")
    pickup_point: int | None = Field(None, description="where to collect it; default the canteen itself")
    dietary_notes: str | None = Field(None, description="default: the resident's health and dietary notes")


class MealOrderOut(Schema):
    id: int
    resident: int
    resident_name: str
    ordered_by: int
    facility: int
    facility_name: str
    date: datetime.date
    meal: str
    dish: int
    dish_name: str
    fulfilment: str
    pickup_point: int | None
    delivery_address: str
    dietary_notes: str
    price: Decimal
    subsidy: Decimal
    amount_due: Decimal
    status: str
    can_cancel: bool


class MealStatementOut(Schema):
    resident: int
    month: str
    meals: int
    price: Decimal
    subsidy: Decimal
    amount_due: Decimal
    orders: list[MealOrderOut]


class MealProductionDishOut(Schema):
    id: int
    name: str
    name_en: str
    tags: list[str]
    portions: int
    ordered: int
    left: int
    pickup: int
    delivery: int
    dietary_notes: list[tuple[str, int]] = Field(description="each distinct note with how many orders carry it")


class MealProductionOut(Schema):
    meal: str
    published: bool
    total: int
    dishes: list[MealProductionDishOut]


class MealDeliveryOut(Schema):
    id: int
    meal: str
    dish: str
    name: str
    address: str
    phone: str
    dietary_notes: str
    masked: bool = Field(description="true when you do not work at this facility, so personal data is masked")


class MealDishIn(Schema):
    name: str
    name_en: str = ""
    tags: list[str] = Field([], description="any of: " + ", ".join(DietaryTag.values))
    price: Decimal
    portions: int


class MealMenuIn(Schema):
    facility: int
    date: datetime.date
    meal: str = Field(description="breakfast, lunch or dinner")
    note: str = ""
    note_en: str = ""
    publish: bool = False
    dishes: list[MealDishIn]


class MealWeekIn(Schema):
    facility: int
    week: datetime.date = Field(description="any day of the week; the week starts on Monday")


class MealCopyWeekIn(Schema):
    facility: int
    from_week: datetime.date
    to_week: datetime.date


class MealCountOut(Schema):
    count: int


def order_out(order, now=None):
    menu = order.menu
    return {
        "id": order.pk, "resident": order.resident_id, "resident_name": order.resident.name,
        "ordered_by": order.ordered_by_id, "facility": menu.facility_id, "facility_name": menu.facility.name,
        "date": menu.date, "meal": menu.meal, "dish": order.item_id, "dish_name": order.item.name,
        "fulfilment": order.fulfilment, "pickup_point": order.pickup_point_id,
        "delivery_address": order.delivery_address, "dietary_notes": order.dietary_notes, "price": order.price,
        "subsidy": order.subsidy, "amount_due": order.amount_due, "status": order.status,
        "can_cancel": services.can_cancel(order, now),
    }


def statement_out(data):
    now = timezone.now()
    return {**{k: data[k] for k in ("month", "meals", "price", "subsidy", "amount_due")},
            "resident": data["resident"].pk, "orders": [order_out(o, now) for o in data["orders"]]}


def this_month():
    return timezone.localdate().strftime("%Y-%m")


# ---- public ------------------------------------------------------------------------------------


@router.get("/meals/points", response=list[MealPointOut])
def points(request):
    """Canteens and breakfast points that publish menus, with their ordering cut-offs, pickup points and
    whether they deliver."""
    result = []
    for facility in meal_facilities():
        point = MealPoint.for_facility(facility)
        result.append({
            "id": facility.pk, "code": facility.code, "name": facility.name, "name_en": facility.name_en,
            "address": facility.address, "opening_hours": facility.opening_hours, "delivers": point.delivers,
            "delivery_min_age": point.delivery_min_age,
            "cutoffs": [{"meal": m, "days_before": getattr(point, f"{m}_cutoff_days"),
                         "time": getattr(point, f"{m}_cutoff_time")} for m in Meal.values],
            "pickup_points": [f.pk for f in point.pickup_choices()],
        })
    return result


@router.get("/meals/menus", response=list[MealMenuOut])
def menus(request, facility: int, week: str | None = Query(None, description="YYYY-MM-DD")):
    """The published menus of one canteen or breakfast point for a week (default this week), with the
    portions left of each dish and when ordering closes."""
    place = meal_facility(facility)
    monday = monday_of(parse_day(week, "week", timezone.localdate()))
    return [
        {"id": m.pk, "facility": place.pk, "date": m.date, "meal": m.meal, "note": m.note, "note_en": m.note_en,
         "order_by": m.cutoff_at, "illustrative": m.illustrative,
         "dishes": [{"id": i.pk, "name": i.name, "name_en": i.name_en, "tags": i.tags, "price": i.price,
                     "portions": i.portions, "left": i.left} for i in m.items.all()]}
        for m in services.week_menus(place, monday)
    ]


# ---- residents ---------------------------------------------------------------------------------


@router.post("/meals/orders", response={201: MealOrderOut}, auth=django_auth)
def place_order(request, payload: MealOrderIn):
    """Order one portion of a dish for yourself or for someone you may act for. Refused (nothing changes)
    after the cut-off, when the dish is sold out, when the person already has a dish for that meal, for
    delivery to someone not eligible, without consent, or for a resident not yet verified."""
    person = None
    if payload.resident is not None:
        person = Resident.objects.filter(pk=payload.resident).first()
        if person is None:
            raise HttpError(404, "there is no such resident")
    order = services.place_order(request.user, payload.dish, person=person, fulfilment=payload.fulfilment,
                                 pickup_point_id=payload.pickup_point, dietary_notes=payload.dietary_notes)
    return Status(201, order_out(order))


@router.get("/meals/orders", response=list[MealOrderOut], auth=django_auth)
def my_orders(request, month: str | None = None):
    """Your orders and those of the people you act for, newest meal first; ``month`` (YYYY-MM) narrows them."""
    actor = resident_of(request.user)
    orders = services.orders_of(actor)
    if month:
        first, after = services.month_bounds(month)
        orders = orders.filter(menu__date__gte=first, menu__date__lt=after)
    now = timezone.now()
    orders = list(orders.order_by("-menu__date", "menu__meal", "pk"))
    services.log_orders_read(request.user, orders, "api meals orders")
    return [order_out(o, now) for o in orders]


@router.post("/meals/orders/{order_id}/cancel", response=MealOrderOut, auth=django_auth)
def cancel_order(request, order_id: int):
    """Cancel an order before its cut-off; the portion becomes free again. Refused after the cut-off."""
    return order_out(services.cancel_order(request.user, order_id))


@router.get("/meals/statement", response=MealStatementOut, auth=django_auth)
def my_statement(request, month: str | None = None, resident: int | None = None):
    """A monthly statement (default this month) for yourself or someone you act for: each meal's price,
    subsidy and amount due, and the totals."""
    return statement_out(services.resident_statement(request.user, resident, month or this_month()))


@router.get("/meals/statement.csv", auth=django_auth, response={200: str},
            openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}})
def my_statement_csv(request, month: str | None = None, resident: int | None = None):
    """The same monthly statement as CSV."""
    return csv_response(services.resident_statement(request.user, resident, month or this_month()))


def csv_response(data):
    response = HttpResponse(services.statement_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meals-{data["month"]}-{data["resident"].pk}.csv"'
    return response


# ---- staff -------------------------------------------------------------------------------------


@router.get("/meals/staff/production", response=list[MealProductionOut], auth=django_auth)
def production(request, facility: int, date: str = Query("", description="YYYY-MM-DD (needed)")):
    """The kitchen's production list for a day: portions ordered per meal and dish, split into pickup and
    delivery, with the dietary notes counted (no names). Staff of the facility only."""
    rows = services.production_list(request.user, meal_facility(facility), parse_day(date, "date", required=True))
    return [{**row, "dishes": row["dishes"]} for row in rows]


@router.get("/meals/staff/deliveries", response=list[MealDeliveryOut], auth=django_auth)
def deliveries(request, facility: int, date: str = Query("", description="YYYY-MM-DD (needed)")):
    """The day's home deliveries. Names, addresses and phones are whole only for staff working at the
    facility (masked for others, such as sub-district administrators); every read is logged."""
    return services.delivery_list(request.user, meal_facility(facility), parse_day(date, "date", required=True))


@router.get("/meals/staff/statement", response=MealStatementOut, auth=django_auth)
def staff_statement(request, resident: int, month: str, facility: int | None = None):
    """A resident's monthly statement at your facilities (or at ``facility``). The read is logged."""
    person = get_object_or_404(Resident, pk=resident)
    place = meal_facility(facility) if facility is not None else None
    return statement_out(services.staff_statement(request.user, person, month, place))


@router.get("/meals/staff/statement.csv", auth=django_auth, response={200: str},
            openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}})
def staff_statement_csv(request, resident: int, month: str, facility: int | None = None):
    """The same statement as CSV. The read is logged."""
    person = get_object_or_404(Resident, pk=resident)
    place = meal_facility(facility) if facility is not None else None
    return csv_response(services.staff_statement(request.user, person, month, place))


@router.post("/meals/staff/menus", response={201: MealMenuOut}, auth=django_auth)
def save_menu(request, payload: MealMenuIn):
    """Create or replace a day's menu for one meal (refused once residents have ordered from it)."""
    place = meal_facility(payload.facility)
    menu = services.save_menu(request.user, place, payload.date, payload.meal,
                              [d.dict() for d in payload.dishes], payload.note, payload.note_en, payload.publish)
    point = MealPoint.for_facility(place)
    return Status(201, {"id": menu.pk, "facility": place.pk, "date": menu.date, "meal": menu.meal, "note": menu.note,
                 "note_en": menu.note_en, "order_by": point.cutoff(menu.date, menu.meal),
                 "illustrative": menu.illustrative,
                 "dishes": [{"id": i.pk, "name": i.name, "name_en": i.name_en, "tags": i.tags, "price": i.price,
                             "portions": i.portions, "left": i.portions} for i in menu.items.all()]})


@router.post("/meals/staff/weeks/publish", response=MealCountOut, auth=django_auth)
def publish_week(request, payload: MealWeekIn):
    """Publish every menu of a week, so residents can see and order from it."""
    return {"count": services.publish_week(request.user, meal_facility(payload.facility), payload.week)}


@router.post("/meals/staff/weeks/copy", response={201: MealCountOut}, auth=django_auth)
def copy_week(request, payload: MealCopyWeekIn):
    """Copy a week's menus to another week (unpublished), e.g. to repeat the season's menu. Refused
    when the target week already has menus."""
    copies = services.copy_week(request.user, meal_facility(payload.facility), payload.from_week, payload.to_week)
    return Status(201, {"count": len(copies)})

