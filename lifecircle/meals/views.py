"""Pages of senior meal assistance: the week's menus (public), ordering and statements (residents),
and the production and delivery lists (staff). Every page works without JavaScript."""
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lifecircle import errors
from lifecircle.accounts.models import Resident
from lifecircle.accounts.permissions import people_for, resident_of, staff_facility_ids
from lifecircle.dates import parse_day

from . import services
from .models import MEAL_ORDER, MealOrder, MealPoint, Menu, meal_facilities, monday_of


def _int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _week_days(monday):
    return [monday + datetime.timedelta(days=i) for i in range(7)]


def menu(request):
    """meals:menu — a canteen's or breakfast point's published menus for one week."""
    facilities = list(meal_facilities().select_related("category"))
    chosen = next((f for f in facilities if f.pk == _int(request.GET.get("facility"))), None)
    chosen = chosen or (facilities[0] if facilities else None)
    monday = monday_of(parse_day(request.GET.get("week"), "week", timezone.localdate()))
    days = []
    if chosen is not None:
        menus = services.week_menus(chosen, monday)
        for day in _week_days(monday):
            days.append({"date": day, "menus": [m for m in menus if m.date == day]})
    else:
        menus = []
    point = MealPoint.for_facility(chosen) if chosen else None
    return render(request, "meals/menu.html", {
        "facilities": facilities, "facility": chosen, "point": point, "monday": monday, "days": days,
        "previous_week": monday - datetime.timedelta(days=7), "next_week": monday + datetime.timedelta(days=7),
        "illustrative": any(m.illustrative for m in menus) or bool(chosen and chosen.illustrative),
        "now": timezone.now(),
    })


def _open_menus(facility, now):
    """Published menus of ``facility`` still taking orders, soonest first."""
    today = timezone.localdate(now)
    point = MealPoint.for_facility(facility)
    menus = services.week_menus(facility, monday_of(today)) + services.week_menus(
        facility, monday_of(today) + datetime.timedelta(days=7))
    return [m for m in menus if point.cutoff(m.date, m.meal) >= now]


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    """meals:mine — order a meal, see and cancel one's orders, read the monthly statement."""
    try:
        actor = resident_of(request.user)
    except PermissionDenied as exc:
        return render(request, "meals/not_resident.html", {"reason": str(exc)}, status=403)

    if request.method == "POST":
        return _mine_post(request, actor)

    now = timezone.now()
    people, _children = people_for(actor)
    person = next((p for p in people if p.pk == _int(request.GET.get("for"))), actor)
    facilities = list(meal_facilities())
    facility = next((f for f in facilities if f.pk == _int(request.GET.get("facility"))), None)
    facility = facility or (facilities[0] if facilities else None)
    open_menus = _open_menus(facility, now) if facility else []
    point = MealPoint.for_facility(facility) if facility else None
    month = request.GET.get("month") or timezone.localdate(now).strftime("%Y-%m")
    try:
        statement = services.statement(person, month)
    except errors.Refused as exc:
        messages.error(request, exc.message)
        month = timezone.localdate(now).strftime("%Y-%m")
        statement = services.statement(person, month)
    orders = list(services.orders_of(actor).filter(menu__date__gte=timezone.localdate(now)))
    services.log_orders_read(request.user, orders, "meals page")
    if statement["orders"]:
        services.log_orders_read(request.user, statement["orders"][:1], f"meals statement {statement['month']}")
    orders.sort(key=lambda o: (o.menu.date, MEAL_ORDER[o.menu.meal], o.pk))
    for order in orders:
        order.cancellable = services.can_cancel(order, now)
    may_deliver = bool(point and point.delivers and services.delivery_reason(
        point, person, timezone.localdate(now)))
    return render(request, "meals/mine.html", {
        "actor": actor, "person": person, "people": people, "facilities": facilities, "facility": facility,
        "point": point, "open_menus": open_menus, "chosen_dish": _int(request.GET.get("dish")),
        "pickup_choices": point.pickup_choices() if point else [], "may_deliver": may_deliver,
        "orders": orders, "statement": statement, "month": month,
        "csv_url": reverse("meals:mine_statement_csv") + "?" + urlencode({"month": month, "resident": person.pk}),
    })


def _mine_post(request, actor):
    back = reverse("meals:mine")
    action = request.POST.get("action")
    try:
        if action == "cancel":
            order = services.cancel_order(request.user, request.POST.get("order"))
            messages.success(request, _("Cancelled: %(dish)s, %(date)s.") % {"dish": order.item.name,
                                                                             "date": order.menu.date})
            return redirect(back)
        person = services.find_person(actor, request.POST.get("for"))
        order = services.place_order(
            request.user, request.POST.get("dish"), person=person,
            fulfilment=request.POST.get("fulfilment") or MealOrder.Fulfilment.PICKUP,
            pickup_point_id=request.POST.get("pickup_point") or None,
            dietary_notes=request.POST.get("dietary_notes"),  # absent: the notes on record
        )
        messages.success(request, _("Ordered: %(dish)s, %(date)s. To pay: ¥%(due)s (subsidy ¥%(subsidy)s).")
                         % {"dish": order.item.name, "date": order.menu.date, "due": order.amount_due,
                            "subsidy": order.subsidy})
        return redirect(back + "?" + urlencode({"for": person.pk, "facility": order.menu.facility_id}))
    except (errors.Refused, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    query = {k: request.POST[k] for k in ("for", "facility") if request.POST.get(k)}
    return redirect(back + ("?" + urlencode(query) if query else ""))


@login_required
def mine_statement_csv(request):
    """A monthly statement as CSV, for oneself or someone one acts for."""
    try:
        data = services.resident_statement(request.user, request.GET.get("resident"),
                                           request.GET.get("month") or timezone.localdate().strftime("%Y-%m"))
    except errors.Refused as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403, content_type="text/plain; charset=utf-8")
    return _csv(data)


def _csv(data):
    response = HttpResponse(services.statement_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meals-{data["month"]}-{data["resident"].pk}.csv"'
    return response


def _staff_facilities(request):
    ids = staff_facility_ids(request.user)
    facilities = meal_facilities()
    if ids is not None:
        facilities = facilities.filter(pk__in=ids)
    facilities = list(facilities)
    if not facilities:
        raise PermissionDenied(_("Only staff of a canteen or breakfast point can open this page."))
    return facilities


@login_required
@require_http_methods(["GET", "POST"])
def staff(request):
    """meals:staff — the day's production list and delivery list, statements, publishing the week."""
    try:
        facilities = _staff_facilities(request)
    except PermissionDenied as exc:
        return render(request, "meals/not_resident.html", {"reason": str(exc)}, status=403)
    source = request.POST if request.method == "POST" else request.GET
    facility = next((f for f in facilities if f.pk == _int(source.get("facility"))), facilities[0])
    day = parse_day(source.get("date"), "date", timezone.localdate())

    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                n = services.publish_week(request.user, facility, parse_day(request.POST.get("week"), "week", day))
                messages.success(request, _("%(n)s menus published.") % {"n": n})
            elif request.POST.get("action") == "copy":
                copies = services.copy_week(request.user, facility, parse_day(request.POST.get("from_week"), "from_week", day),
                                            parse_day(request.POST.get("to_week"), "to_week", day + datetime.timedelta(days=7)))
                messages.success(request, _("%(n)s menus copied; check and publish them.") % {"n": len(copies)})
        except (errors.Refused, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", None) or str(exc))
        return redirect(reverse("meals:staff") + "?" + urlencode({"facility": facility.pk, "date": day}))

    export = request.GET.get("format", "")
    if export:
        return _list_csv(request, facility, day, export)
    month = request.GET.get("month") or day.strftime("%Y-%m")
    try:
        people = services.statement_people(request.user, facility, month)
    except errors.Refused as exc:
        messages.error(request, exc.message)
        month = day.strftime("%Y-%m")
        people = services.statement_people(request.user, facility, month)
    monday = monday_of(day)
    week_menus = Menu.objects.filter(facility=facility, date__gte=monday, date__lt=monday + datetime.timedelta(days=7))
    return render(request, "meals/staff.html", {
        "facilities": facilities, "facility": facility, "day": day, "monday": monday,
        "next_monday": monday + datetime.timedelta(days=7),
        "production": services.production_list(request.user, facility, day),
        "deliveries": services.delivery_list(request.user, facility, day),
        "people": people, "month": month,
        "week_total": week_menus.count(), "week_unpublished": week_menus.filter(published_at__isnull=True).count(),
    })


#: The lists the staff page exports as CSV (``?format=…``): the list and its file name.
LIST_EXPORTS = {"production.csv": ("production", services.production_list, services.production_csv),
                "deliveries.csv": ("deliveries", services.delivery_list, services.delivery_csv)}


def _list_csv(request, facility, day, export):
    """The day's production or delivery list as CSV; an unknown ``format`` is a 400 naming the choices."""
    if export not in LIST_EXPORTS:
        raise BadRequest(_("format: '%(value)s' is not one of %(choices)s.") % {
            "value": export[:40], "choices": ", ".join(LIST_EXPORTS)})
    name, rows, to_csv = LIST_EXPORTS[export]
    response = HttpResponse(to_csv(rows(request.user, facility, day)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meals-{name}-{facility.code}-{day.isoformat()}.csv"'
    return response


@login_required
def staff_statement(request, resident_id):
    """A resident's monthly statement at the staff member's facility (page, or CSV with ?format=csv)."""
    person = get_object_or_404(Resident, pk=resident_id)
    try:
        facilities = _staff_facilities(request)
        facility = next((f for f in facilities if f.pk == _int(request.GET.get("facility"))), None)
        month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
        data = services.staff_statement(request.user, person, month, facility)
    except errors.Refused as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    except PermissionDenied as exc:
        return render(request, "meals/not_resident.html", {"reason": str(exc)}, status=403)
    if request.GET.get("format") == "csv":
        return _csv(data)
    query = {"month": data["month"], "format": "csv"}
    if facility:
        query["facility"] = facility.pk
    return render(request, "meals/statement.html", {
        "statement": data, "facility": facility, "person": person,
        "csv_url": reverse("meals:staff_statement", args=[person.pk]) + "?" + urlencode(query),
    })
