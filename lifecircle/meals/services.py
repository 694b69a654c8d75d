"""The rules of meal assistance, shared by the API, the pages and the staff console.

Every change runs in one transaction and checks everything before writing, so a refused order or
cancellation changes nothing. Portions are counted while the menu's row is locked
(``select_for_update``), so concurrent orders can never sell more portions than were cooked.
"""
import calendar
import csv
import datetime
import io
from collections import Counter
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from lifecircle.accounts.access import log_reads_of_others, spreadsheet_safe
from lifecircle.accounts.models import Resident, StaffRole
from lifecircle.accounts.permissions import (
    check_can_act_for,
    log_access,
    mask_name,
    mask_phone,
    people_for,
    require_facility_staff,
    resident_of,
    staff_facility_ids,
)
from lifecircle.errors import Conflict, NotFound, Refused
from lifecircle.notifications.models import Notification
from lifecircle.notifications.service import notify_in_languages

from .models import (
    MEAL_ORDER,
    DeliveryNeed,
    Meal,
    MealOrder,
    MealPoint,
    Menu,
    MenuItem,
    SubsidyTier,
    meal_facilities,
    monday_of,
)


def _id(value):
    """A primary key from a form or URL; an unusable one matches nothing."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def local_text(moment):
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


# ---- residents ---------------------------------------------------------------------------------


def delivery_reason(point, person, day):
    """Why ``person`` may have meals from ``point`` delivered on ``day``, or None when they may not."""
    if not point.delivers:
        return None
    if person.age(day) >= point.delivery_min_age:
        return "age"
    need = DeliveryNeed.objects.filter(resident=person).first()
    if need is not None and need.qualifies:
        return "need"
    return None


def home_address(person):
    household = person.household
    return f"{household.compound.name} {household.address}".strip()


def subsidy_for(person, menu, price):
    """(tier, subsidy) for ``person`` eating ``menu``: the tier of their age on the day, never above the price."""
    tier = SubsidyTier.applying(menu.facility.subdistrict, person.age(menu.date), menu.date)
    amount = Decimal("0.00") if tier is None else min(tier.amount, price)
    return tier, amount


def _person(actor, person):
    person = person or actor
    if not person.is_verified:
        raise Refused(_("Staff have not yet verified that %(name)s lives in the sub-district.")
                      % {"name": person.name}, 403)
    check_can_act_for(actor, person)
    return person


def place_order(user, item_id, person=None, fulfilment=MealOrder.Fulfilment.PICKUP, pickup_point_id=None,
                dietary_notes=None):
    """Order one portion of a dish for ``person`` (default: the user's own resident record)."""
    actor = resident_of(user)
    person = _person(actor, person)
    if fulfilment not in MealOrder.Fulfilment.values:
        raise Refused(_("Choose pickup or home delivery."))
    with transaction.atomic():
        item = MenuItem.objects.filter(pk=_id(item_id)).first()
        if item is None:
            raise NotFound(_("There is no such dish."))
        menu = Menu.objects.select_for_update(of=("self",)).select_related("facility__subdistrict").get(pk=item.menu_id)
        if not menu.is_published:
            raise Refused(_("This menu has not been published yet."))
        point = MealPoint.for_facility(menu.facility)
        deadline = point.cutoff(menu.date, menu.meal)
        if timezone.now() > deadline:
            raise Refused(_("Ordering for %(meal)s on %(date)s closed at %(deadline)s.")
                          % {"meal": menu.get_meal_display(), "date": menu.date, "deadline": local_text(deadline)})
        existing = MealOrder.objects.filter(resident=person, menu=menu, status=MealOrder.Status.PLACED).first()
        if existing is not None:
            raise Refused(_("%(name)s already has %(dish)s for this meal; cancel it first to choose another dish.")
                          % {"name": person.name, "dish": existing.item.name}, 409)
        if item.portions - item.ordered_count() <= 0:
            raise Conflict(_("%(dish)s is sold out.") % {"dish": item.name})
        pickup_point, address = None, ""
        if fulfilment == MealOrder.Fulfilment.PICKUP:
            choices = point.pickup_choices()
            if pickup_point_id is None:
                pickup_point = choices[0]
            else:
                pickup_point = next((f for f in choices if str(f.pk) == str(pickup_point_id)), None)
                if pickup_point is None:
                    raise Refused(_("Meals from %(facility)s cannot be collected there.")
                                  % {"facility": menu.facility.name})
        else:
            if not point.delivers:
                raise Refused(_("%(facility)s does not deliver meals.") % {"facility": menu.facility.name})
            if delivery_reason(point, person, menu.date) is None:
                raise Refused(
                    _("%(name)s is not eligible for home delivery: it is for residents aged %(age)s or over, "
                      "or those staff have recorded as living alone or disabled.")
                    % {"name": person.name, "age": point.delivery_min_age})
            address = home_address(person)
        notes = person.health_notes if dietary_notes is None else dietary_notes
        tier, subsidy = subsidy_for(person, menu, item.price)
        order = MealOrder.objects.create(
            resident=person, ordered_by=actor, menu=menu, item=item, fulfilment=fulfilment,
            pickup_point=pickup_point, delivery_address=address, dietary_notes=(notes or "").strip()[:300],
            price=item.price, subsidy=subsidy, amount_due=item.price - subsidy, subsidy_tier=tier,
        )
        _tell(order, actor, Notification.Kind.CONFIRMATION, gettext_lazy("Meal ordered"),
              gettext_lazy("%(dish)s, %(meal)s on %(date)s at %(facility)s. Price ¥%(price)s, subsidy "
                           "¥%(subsidy)s, to pay ¥%(due)s. You can cancel until %(deadline)s."))
    return order


def cancel_order(user, order_id):
    """Cancel an order before its cut-off, freeing the portion."""
    actor = resident_of(user)
    order = MealOrder.objects.select_related("resident").filter(pk=_id(order_id)).first()
    if order is None:
        raise NotFound(_("There is no such order."))
    check_can_act_for(actor, order.resident)
    with transaction.atomic():
        menu = Menu.objects.select_for_update(of=("self",)).select_related("facility").get(pk=order.menu_id)
        order = MealOrder.objects.get(pk=order.pk)
        if order.status == MealOrder.Status.CANCELLED:
            raise Conflict(_("This order is already cancelled."))
        deadline = MealPoint.for_facility(menu.facility).cutoff(menu.date, menu.meal)
        if timezone.now() > deadline:
            raise Refused(_("Orders for %(meal)s on %(date)s could be cancelled until %(deadline)s; "
                            "please call the canteen.")
                          % {"meal": menu.get_meal_display(), "date": menu.date, "deadline": local_text(deadline)})
        order.status, order.cancelled_at, order.cancelled_by = MealOrder.Status.CANCELLED, timezone.now(), user
        order.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        _tell(order, actor, Notification.Kind.CANCELLATION, gettext_lazy("Meal order cancelled"),
              gettext_lazy("%(dish)s, %(meal)s on %(date)s at %(facility)s is cancelled."))
    return order


def _tell(order, actor, kind, subject, body):
    """Tell the resident, and whoever ordered for them, in every language of the site."""
    menu = order.menu
    deadline = MealPoint.for_facility(menu.facility).cutoff(menu.date, menu.meal)

    def text():
        return body % {
            "dish": order.item.name, "meal": menu.get_meal_display(), "date": menu.date,
            "facility": menu.facility.name, "price": order.price, "subsidy": order.subsidy,
            "due": order.amount_due, "deadline": local_text(deadline),
        }

    url = reverse("meals:mine")
    notify_in_languages(order.resident.user, kind, lambda: (subject, text()), url)
    if actor.pk != order.resident_id:
        notify_in_languages(actor.user, kind, lambda: (
            subject, _("For %(name)s: %(text)s") % {"name": order.resident.name, "text": text()}), url)


def orders_of(actor):
    """Orders of the actor and of everyone they act for now: once a consent is revoked, the former
    proxy no longer sees the principal's orders (nor the dietary notes in them), even those they placed."""
    people, _children = people_for(actor)
    return MealOrder.objects.filter(resident__in=people).select_related(
        "menu__facility", "item", "pickup_point", "resident")


def log_orders_read(user, orders, where):
    """A proxy reading a principal's orders (their dietary notes) is audited, one entry per person."""
    log_reads_of_others(user, [order.resident for order in orders], where)


def resident_statement(user, resident_id, month):
    """The statement of the user's resident, or of someone they act for (that read is audited)."""
    person = find_person(resident_of(user), resident_id)
    data = statement(person, month)
    log_reads_of_others(user, [person], f"meals statement {data['month']}")
    return data


def can_cancel(order, now=None):
    if order.status != MealOrder.Status.PLACED:
        return False
    deadline = MealPoint.for_facility(order.menu.facility).cutoff(order.menu.date, order.menu.meal)
    return (now or timezone.now()) <= deadline


# ---- menus -------------------------------------------------------------------------------------


def week_menus(facility, monday, published_only=True):
    """The facility's menus for the week starting ``monday``, each with its dishes and portions left."""
    menus = Menu.objects.filter(facility=facility, date__gte=monday, date__lt=monday + datetime.timedelta(days=7))
    if published_only:
        menus = menus.filter(published_at__isnull=False)
    menus = sorted(menus.prefetch_related("items"), key=lambda m: (m.date, MEAL_ORDER[m.meal]))
    counts = Counter(
        MealOrder.objects.filter(menu__in=menus, status=MealOrder.Status.PLACED).values_list("item_id", flat=True)
    )
    point = MealPoint.for_facility(facility)
    for menu in menus:
        menu.cutoff_at = point.cutoff(menu.date, menu.meal)
        for item in menu.items.all():
            item.left = max(0, item.portions - counts[item.pk])
    return menus


def require_staff(user, facility):
    """Staff of ``facility`` (or administrators) only; anyone else gets PermissionDenied."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Please sign in as staff."))
    require_facility_staff(user, facility)


def works_at(user, facility):
    """Whether ``user`` holds a role at ``facility`` itself (administrators of the whole sub-district do not)."""
    return StaffRole.objects.filter(user=user, facility=facility).exists()


def save_menu(user, facility, day, meal, items, note="", note_en="", publish=False):
    """Create or replace a menu that nobody has ordered from yet. ``items``: dicts of MenuItem fields."""
    require_staff(user, facility)
    if meal not in Meal.values:
        raise Refused(_("Meal must be breakfast, lunch or dinner."))
    if not items:
        raise Refused(_("A menu needs at least one dish."))
    with transaction.atomic():
        menu = Menu.objects.select_for_update().filter(facility=facility, date=day, meal=meal).first()
        if menu is not None and menu.orders.exists():
            raise Refused(_("Residents have already ordered from this menu; change its dishes in the staff "
                            "console instead."), 409)
        if menu is None:
            menu = Menu(facility=facility, date=day, meal=meal)
        menu.note, menu.note_en = note, note_en
        if publish and not menu.published_at:
            menu.published_at = timezone.now()
        new_items = [MenuItem(position=i, **fields) for i, fields in enumerate(items)]
        try:
            menu.full_clean(validate_unique=False)
            for item in new_items:
                item.full_clean(exclude=["menu"])
        except ValidationError as exc:
            raise Refused("; ".join(exc.messages)) from None
        menu.save()
        menu.items.all().delete()
        for item in new_items:
            item.menu = menu
        MenuItem.objects.bulk_create(new_items)
    return menu


def copy_week(user, facility, from_day, to_day):
    """Copy a week's menus (dishes, prices, portions) to another week, unpublished. Refused when the
    target week already has menus, so nothing is overwritten."""
    require_staff(user, facility)
    source, target = monday_of(from_day), monday_of(to_day)
    if source == target:
        raise Refused(_("Choose two different weeks."))
    week = datetime.timedelta(days=7)
    with transaction.atomic():
        menus = list(Menu.objects.filter(facility=facility, date__gte=source, date__lt=source + week)
                     .prefetch_related("items"))
        if not menus:
            raise Refused(_("The week of %(monday)s has no menus to copy.") % {"monday": source})
        if Menu.objects.filter(facility=facility, date__gte=target, date__lt=target + week).exists():
            raise Conflict(_("The week of %(monday)s already has menus; nothing was copied.") % {"monday": target})
        shift = target - source
        copies = []
        for menu in menus:
            copy = Menu.objects.create(facility=facility, date=menu.date + shift, meal=menu.meal, note=menu.note,
                                       note_en=menu.note_en, illustrative=menu.illustrative)
            MenuItem.objects.bulk_create(
                MenuItem(menu=copy, name=i.name, name_en=i.name_en, tags=list(i.tags), price=i.price,
                         portions=i.portions, position=i.position)
                for i in menu.items.all()
            )
            copies.append(copy)
    return copies


def publish_week(user, facility, day):
    """Publish every menu of the week containing ``day``; returns how many were newly published."""
    require_staff(user, facility)
    monday = monday_of(day)
    menus = Menu.objects.filter(facility=facility, date__gte=monday, date__lt=monday + datetime.timedelta(days=7))
    if not menus.exists():
        raise Refused(_("The week of %(monday)s has no menus to publish.") % {"monday": monday})
    return menus.filter(published_at__isnull=True).update(published_at=timezone.now())


# ---- staff lists -------------------------------------------------------------------------------


def production_list(user, facility, day):
    """What the kitchen cooks on ``day``: per meal and dish, portions ordered (pickup and delivery) and
    the dietary notes, counted, without names."""
    require_staff(user, facility)
    menus = sorted(Menu.objects.filter(facility=facility, date=day).prefetch_related("items"),
                   key=lambda m: MEAL_ORDER[m.meal])
    orders = list(MealOrder.objects.filter(menu__in=menus, status=MealOrder.Status.PLACED)
                  .select_related("pickup_point"))
    result = []
    for menu in menus:
        dishes = []
        for item in menu.items.all():
            mine = [o for o in orders if o.item_id == item.pk]
            notes = Counter(o.dietary_notes.strip() for o in mine if o.dietary_notes.strip())
            points = Counter(o.pickup_point.name for o in mine if o.fulfilment == MealOrder.Fulfilment.PICKUP)
            dishes.append({
                "item": item, "id": item.pk, "name": item.name, "name_en": item.name_en, "tags": item.tags,
                "portions": item.portions, "ordered": len(mine), "left": max(0, item.portions - len(mine)),
                "pickup": sum(points.values()),
                "delivery": sum(1 for o in mine if o.fulfilment == MealOrder.Fulfilment.DELIVERY),
                "pickup_points": sorted(points.items()),
                "dietary_notes": sorted(notes.items(), key=lambda kv: (-kv[1], kv[0])),
            })
        result.append({"menu": menu, "meal": menu.meal, "meal_label": menu.get_meal_display(),
                       "published": menu.is_published, "dishes": dishes,
                       "total": sum(d["ordered"] for d in dishes)})
    return result


def mask_address(address):
    """Keep the compound (first word), hide the building and room."""
    compound, _sep, rest = (address or "").partition(" ")
    return f"{compound} {'*' * min(len(rest), 6)}".strip() if rest else compound


def delivery_list(user, facility, day):
    """The meals to deliver from ``facility`` on ``day``. Names, addresses and phones are shown whole
    only to staff who work at the facility; every read is written to the audit log."""
    require_staff(user, facility)
    whole = works_at(user, facility)
    orders = (MealOrder.objects.filter(menu__facility=facility, menu__date=day, status=MealOrder.Status.PLACED,
                                       fulfilment=MealOrder.Fulfilment.DELIVERY)
              .select_related("resident", "item", "menu"))
    rows = []
    for order in sorted(orders, key=lambda o: (MEAL_ORDER[o.menu.meal], o.delivery_address, o.pk)):
        person = order.resident
        log_access(user, "view", f"meals delivery list {facility.code} {day}", resident=person)
        rows.append({
            "order": order, "id": order.pk, "meal": order.menu.meal, "meal_label": order.menu.get_meal_display(),
            "dish": order.item.name,
            "name": person.name if whole else mask_name(person.name),
            "address": order.delivery_address if whole else mask_address(order.delivery_address),
            "phone": person.phone if whole else mask_phone(person.phone),
            "dietary_notes": order.dietary_notes, "masked": not whole,
        })
    return rows


def _csv_text(header, rows):
    """CSV text with a byte-order mark (spreadsheet programs then read the Chinese); every cell goes
    through ``spreadsheet_safe``, so a dish or a note written like a formula stays text."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in [header, *rows]:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def production_csv(production):
    """The production list (``production_list``) as CSV: one row per meal and dish."""
    header = [_("Meal"), _("Dish"), _("Ordered"), _("Portions"), _("Pickup"), _("Delivery"), _("Left"),
              _("Pickup points"), _("Dietary notes")]
    rows = [[meal["meal_label"], dish["item"].display_name, dish["ordered"], dish["portions"], dish["pickup"],
             dish["delivery"], dish["left"], "; ".join(f"{name} {n}" for name, n in dish["pickup_points"]),
             "; ".join(f"{note} ×{n}" for note, n in dish["dietary_notes"])]
            for meal in production for dish in meal["dishes"]]
    return _csv_text(header, rows)


def delivery_csv(deliveries):
    """The delivery list (``delivery_list``, already masked for staff of other facilities) as CSV."""
    header = [_("Meal"), _("Diner"), _("Address"), _("Phone"), _("Dish"), _("Dietary notes")]
    return _csv_text(header, [[row["meal_label"], row["name"], row["address"], row["phone"], row["dish"],
                               row["dietary_notes"]] for row in deliveries])


# ---- statements --------------------------------------------------------------------------------


def month_bounds(month):
    """``month`` as "YYYY-MM" → (first day, first day of the next month); Refused when malformed."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = datetime.date(year, number, 1)
    except (ValueError, AttributeError):
        raise Refused(_("A month is written YYYY-MM, e.g. 2026-05.")) from None
    return first, first + datetime.timedelta(days=calendar.monthrange(year, number)[1])


def statement(person, month, facility_ids=None):
    """One resident's meals in a month: each meal's price, subsidy and amount due, and the totals.
    Cancelled orders are left out. ``facility_ids`` limits it to those facilities (staff)."""
    first, after = month_bounds(month)
    orders = (MealOrder.objects.filter(resident=person, status=MealOrder.Status.PLACED,
                                       menu__date__gte=first, menu__date__lt=after)
              .select_related("menu__facility", "item", "pickup_point"))
    if facility_ids is not None:
        orders = orders.filter(menu__facility__in=facility_ids)
    orders = sorted(orders, key=lambda o: (o.menu.date, MEAL_ORDER[o.menu.meal], o.pk))
    zero = Decimal("0.00")
    return {
        "resident": person, "month": first.strftime("%Y-%m"), "orders": orders,
        "meals": len(orders),
        "price": sum((o.price for o in orders), zero),
        "subsidy": sum((o.subsidy for o in orders), zero),
        "amount_due": sum((o.amount_due for o in orders), zero),
    }


def statement_csv(data):
    """The statement as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writerow = lambda row: writer.writerow([spreadsheet_safe(cell) for cell in row])  # noqa: E731
    writerow([_("Date"), _("Meal"), _("Facility"), _("Dish"), _("Pickup or delivery"), _("Price (¥)"),
                     _("Subsidy (¥)"), _("Amount due (¥)")])
    for order in data["orders"]:
        writerow([order.menu.date.isoformat(), order.menu.get_meal_display(), order.menu.facility.name,
                         order.item.name, order.get_fulfilment_display(), order.price, order.subsidy,
                         order.amount_due])
    writerow([_("Total"), "", "", ngettext("%(n)s meal", "%(n)s meals", data["meals"]) % {"n": data["meals"]},
                     "", data["price"],
                     data["subsidy"], data["amount_due"]])
    return out.getvalue()


def staff_statement(user, person, month, facility=None):
    """A resident's statement as staff may see it: only their facilities' meals; the read is logged."""
    ids = staff_facility_ids(user)
    if facility is not None:
        require_staff(user, facility)
        ids = {facility.pk}
    elif ids is not None:
        ids &= set(meal_facilities().values_list("pk", flat=True))
        if not ids:
            raise PermissionDenied(_("Only staff of a canteen or breakfast point can read statements."))
    data = statement(person, month, ids)
    log_access(user, "view", f"meals statement {data['month']}", resident=person)
    return data


def statement_people(user, facility, month):
    """Residents who ate at ``facility`` in ``month`` (masked names and totals), for the staff page."""
    require_staff(user, facility)
    first, after = month_bounds(month)
    orders = MealOrder.objects.filter(menu__facility=facility, status=MealOrder.Status.PLACED,
                                      menu__date__gte=first, menu__date__lt=after).select_related("resident")
    people = {}
    for order in orders:
        row = people.setdefault(order.resident_id, {"resident": order.resident, "meals": 0,
                                                    "amount_due": Decimal("0.00")})
        row["meals"] += 1
        row["amount_due"] += order.amount_due
    rows = sorted(people.values(), key=lambda r: r["resident"].pk)
    for row in rows:
        row["masked_name"] = mask_name(row["resident"].name)
    return rows


def find_person(actor, resident_id):
    """The resident ``actor`` names by id, when they may act for them (PermissionDenied otherwise)."""
    if resident_id in (None, "", actor.pk):
        return actor
    person = Resident.objects.filter(pk=_id(resident_id)).first()
    if person is None:
        raise NotFound(_("There is no such resident."))
    check_can_act_for(actor, person)
    return person
