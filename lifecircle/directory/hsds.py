"""The service directory as Open Referral HSDS 3 (Human Services Data Specification) objects.

Pure functions over the ORM: :func:`build` reads the directory once and returns an :class:`Export`
holding every HSDS object by id; the other functions shape those objects the way the HSDS API
returns them (a data package, a fully nested service or organization, list pages). The HTTP side
is in ``hsds_api.py``; the JSON schemas the output is tested against are vendored in
``hsds_schema/`` (see its README for the version).

Mapping:

* ``organization`` — one per distinct facility operator, plus one per sub-district (it holds the
  facilities that name no operator, or name the sub-district itself).
* ``location`` — one per facility (``physical``), with its address, phone, opening hours and rooms.
* ``service`` — one per facility and category it offers (its main category and further services),
  linked to a ``taxonomy_term`` of the "lifecircle-service-categories" taxonomy by an ``attribute``.
* ``service_at_location`` — one per service, linking it to its facility's location.
* ``schedule`` — the weekly hours (``freq`` WEEKLY, ``byday``, ``opens_at``/``closes_at``) on the
  location and on each service-at-location, and one single-date schedule (``valid_from`` =
  ``valid_to``) per hours exception.
* ``service_capacity`` with a ``unit`` — the facility's capacity, on the service of its main
  category.
* ``last_modified`` of a service — when its facility, one of its rooms or one of its dated hours
  exceptions was last saved (``Facility.updated_at``). Loading a pack again saves them all and so
  counts as a change: a client syncing with ``modified_after`` fetches more, never less. A renamed
  category or a new walking standard does not move it.

Every id is a UUID 5 over :data:`NAMESPACE` and the object's codes, so exporting the same data twice
gives the same ids. Text is Chinese first; English goes into ``alternate_name`` and, after a blank
line, into free-text descriptions.
"""
import datetime
import math
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import override

from lifecircle.community.models import SubDistrict

from .models import Facility, Room, ServiceCategory, StandardRow

HSDS_VERSION = "3.1.3"  # the release the export follows (it uses 3.0 and 3.1 fields only)
HSDS_SCHEMA_SOURCE = "openreferral/specification, schema/, branch 3.2, commit 149f77cdef6e8a2d617114a0ad31d3861a3bfe8a"

# Never change this: every exported id is derived from it.
NAMESPACE = uuid.UUID("5b0f3a52-8d2e-5c43-9a61-0c6f1e2d7a4b")

CATEGORY_TAXONOMY = "lifecircle-service-categories"
ROOM_TAXONOMY = "lifecircle-room-kinds"

RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAYS_ZH = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
DAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

GROUPS_ZH = {
    "elderly": "养老服务", "children": "儿童与家庭", "health": "健康服务", "culture": "文化体育",
    "community": "社区事务", "commerce": "日常购物", "open_space": "公共空间",
}
ROOM_KINDS_ZH = {
    "exhibition_hall": "展厅", "studio": "工作室", "lecture_hall": "报告厅", "reading_area": "阅览区",
    "representatives_window": "代表接待窗口", "meeting_room": "会议室", "performance_stage": "演出舞台",
    "baby_care": "托育点", "children_centre": "儿童服务中心", "classroom": "教室",
    "volunteer_centre": "志愿者服务中心", "science_centre": "科普中心", "service_station": "服务站",
    "dining_room": "餐厅", "activity_room": "活动室", "care_room": "照护室", "other": "其他",
}
# The platform serves Shanghai, a province-level municipality: its addresses' state/province.
STATE_PROVINCE = "上海市"

UNITS_ZH = {"places": "名额", "seats": "座位", "meals_per_day": "餐/日", "people": "人（同时在场）"}

ILLUSTRATIVE_NOTE = "示意数据：位置与数字为近似值，并非实测。\n\nIllustrative: position and figures are approximate, not surveyed."


def stable_id(*parts):
    """The UUID 5 of ``parts`` joined with ':' under the lifecircle namespace, as a string."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _english(label):
    with override("en"):
        return str(label)


def _bilingual(zh, en):
    """Chinese text with the English after a blank line; either alone when the other is missing."""
    zh, en = (zh or "").strip(), (en or "").strip()
    if zh and en and zh != en:
        return f"{zh}\n\n{en}"
    return zh or en


def _compact(obj, keep=()):
    """``obj`` without keys whose value is None, "" or [] (except those in ``keep``)."""
    return {k: v for k, v in obj.items() if k in keep or v not in (None, "", [])}


def _utc_offset(moment):
    """The offset of the site's time zone at ``moment``: (hours as a number, "+08:00")."""
    offset = moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    text = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return (minutes // 60 if minutes % 60 == 0 else minutes / 60), text


# --- schedules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyRule:
    """Open on ``days`` (0 = Monday) from minute ``start`` to minute ``end``.

    ``end`` < ``start`` means the span runs past midnight into the next day; (0, 1440) is all day.
    """

    days: tuple
    start: int
    end: int


def weekly_rules(spans):
    """Group weekly :class:`hours.Span` s into :class:`WeeklyRule` s, one per distinct time span.

    The parser splits "Fr 22:00-02:00" into Fr 22:00-24:00 and Sa 00:00-02:00; those halves are
    joined again so HSDS gets one schedule that closes at 02:00 (the next day).
    """
    spans = sorted(set(spans), key=lambda s: (s.weekday, s.start))
    joined = {}  # evening span -> the next morning's span it continues into
    taken = set()
    for span in spans:
        if span.end == 1440 and span.start > 0:
            following = next(
                (s for s in spans if s.weekday == (span.weekday + 1) % 7 and s.start == 0 and s.end < 1440
                 and s not in taken),
                None,
            )
            if following is not None:
                joined[span] = following
                taken.add(following)
    pieces = []
    for span in spans:
        if span in taken:
            continue
        end = joined[span].end if span in joined else span.end
        pieces.append((span.weekday, span.start, end))
    by_time = defaultdict(list)
    for day, start, end in pieces:
        by_time[(start, end)].append(day)
    rules = [WeeklyRule(tuple(sorted(days)), start, end) for (start, end), days in by_time.items()]
    return sorted(rules, key=lambda r: (r.days[0], r.start))


def _clock(minute):
    minute %= 1440
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _days_text(days):
    """("周一至周五", "Mon-Fri") for a run of three or more days, lists otherwise, "每天"/"Daily" for all."""
    days = sorted(days)
    if len(days) == 7:
        return "每天", "Daily"
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAYS_ZH[days[0]]}至{DAYS_ZH[days[-1]]}", f"{DAYS_EN[days[0]]}-{DAYS_EN[days[-1]]}"
    return "、".join(DAYS_ZH[d] for d in days), ", ".join(DAYS_EN[d] for d in days)


def _times_text(start, end):
    """("08:30-17:00", "08:30-17:00") with the next-day and all-day cases spelt out."""
    if start == 0 and end == 1440:
        return "全天24小时", "open 24 hours"
    if end == 1440:
        return f"{_clock(start)}-午夜", f"{_clock(start)}-midnight"
    if end < start:
        return f"{_clock(start)}-次日{_clock(end)}", f"{_clock(start)}-{_clock(end)} (next day)"
    return f"{_clock(start)}-{_clock(end)}", f"{_clock(start)}-{_clock(end)}"


def _opening(start, end, offset):
    """HSDS ``opens_at``/``closes_at``: HH:MM with the UTC offset; all day is 00:00-23:59 (the HSDS advice)."""
    if start == 0 and end == 1440:
        return f"00:00{offset}", f"23:59{offset}"
    return f"{_clock(start)}{offset}", f"{_clock(end)}{offset}"


def schedules_for(owner_key, owner_id, facility, ctx):
    """The HSDS schedules of ``facility``'s hours, attached to the object ``owner_key`` = ``owner_id``."""
    result = []
    for rule in weekly_rules(facility.weekly_hours):
        byday = ",".join(RRULE_DAYS[d] for d in rule.days)
        opens_at, closes_at = _opening(rule.start, rule.end, ctx.offset_text)
        days_zh, days_en = _days_text(rule.days)
        times_zh, times_en = _times_text(rule.start, rule.end)
        result.append({
            "id": stable_id("schedule", owner_id, "weekly", byday, rule.start, rule.end),
            owner_key: owner_id,
            "freq": "WEEKLY",
            "interval": 1,
            "byday": byday,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "timezone": ctx.offset_hours,
            "description": f"{days_zh} {times_zh} / {days_en} {times_en}",
        })
    for exception in facility.hours_exceptions.all():
        day = exception.date.isoformat()
        byday = RRULE_DAYS[exception.date.weekday()]
        reason = exception.reason.strip()
        spans = exception.spans()
        common = {owner_key: owner_id, "valid_from": day, "valid_to": day, "dtstart": day}
        if not spans:
            result.append({
                "id": stable_id("schedule", owner_id, "exception", day, "closed"),
                **common,
                "description": f"{day} 不开放" + (f"（{reason}）" if reason else "") + f" / closed on {day}"
                + (f" ({reason})" if reason else ""),
                "notes": "closed",
            })
            continue
        for span in spans:
            opens_at, closes_at = _opening(span.start, span.end, ctx.offset_text)
            times_zh, times_en = _times_text(span.start, span.end)
            result.append({
                "id": stable_id("schedule", owner_id, "exception", day, span.start, span.end),
                **common,
                "freq": "WEEKLY",
                "byday": byday,
                "count": 1,
                "opens_at": opens_at,
                "closes_at": closes_at,
                "timezone": ctx.offset_hours,
                "description": f"{day} 特别开放时间 {times_zh}" + (f"（{reason}）" if reason else "")
                + f" / special hours on {day}: {times_en}" + (f" ({reason})" if reason else ""),
            })
    return result


# --- the export ----------------------------------------------------------------------------------


@dataclass
class _Context:
    now: datetime.datetime
    offset_hours: float
    offset_text: str
    standard_rows: dict


@dataclass
class Export:
    """Every exported HSDS object by id, in a stable order (dicts keep insertion order)."""

    organizations: dict = field(default_factory=dict)
    locations: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)
    service_at_locations: dict = field(default_factory=dict)
    taxonomies: dict = field(default_factory=dict)
    taxonomy_terms: dict = field(default_factory=dict)
    # For filters: the taxonomy term ids (with their parents) each service is classified under.
    service_term_ids: dict = field(default_factory=dict)
    generated_at: str = ""


def _utc(moment):
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z") \
        if moment else None


def touch_facility(sender, instance, **kwargs):
    """A room or a dated exception changed: its facility (and so its HSDS services) changed then."""
    Facility.objects.filter(pk=instance.facility_id).update(updated_at=timezone.now())


#: The languages a facility may list (Facility.LANGUAGES), named in both languages; codes are ISO 639.
LANGUAGE_NAMES = {"zh": "中文 Chinese", "wuu": "上海话 Shanghainese", "en": "英语 English",
                  "csl": "中国手语 Chinese Sign Language"}
#: Who may use a facility and what it costs (Facility.Eligibility, Facility.Cost), in both languages.
ELIGIBILITY_TEXT = {"anyone": "所有人 / Anyone", "residents": "本街道居民 / Residents of the sub-district",
                    "seniors": "60岁及以上老人 / People aged 60 and over",
                    "families": "有3岁以下婴幼儿的家庭 / Families with children under 3"}
COST_TEXT = {"free": "免费 / Free", "subsidised": "有补贴 / Subsidised", "fee": "收费 / Fee"}


def _language(owner_id, code="zh"):
    return {"id": stable_id("language", owner_id, code), "name": LANGUAGE_NAMES.get(code, code), "code": code}


def _phone(owner_id, number):
    return {"id": stable_id("phone", owner_id, number), "number": number, "type": "voice"}


def _taxonomies(export, categories):
    category_taxonomy = {
        "id": stable_id("taxonomy", CATEGORY_TAXONOMY),
        "name": "lifecircle 社区生活圈服务类别 / lifecircle service categories",
        "description": _bilingual(
            "15分钟社区生活圈中居民步行可达的服务类别，按服务群体分组。",
            "Kinds of service residents need within a walk in a 15-minute community life circle, grouped by "
            "the people they serve.",
        ),
        "version": "1",
    }
    room_taxonomy = {
        "id": stable_id("taxonomy", ROOM_TAXONOMY),
        "name": "lifecircle 设施功能空间 / lifecircle room kinds",
        "description": _bilingual("社区设施内的房间与功能空间类型。", "Kinds of rooms and functions inside a community facility."),
        "version": "1",
    }
    for taxonomy in (category_taxonomy, room_taxonomy):
        export.taxonomies[taxonomy["id"]] = taxonomy

    def term(taxonomy, code, name, description, parent_id=None):
        obj = _compact({
            "id": stable_id("taxonomy_term", taxonomy["id"], code),
            "code": code,
            "name": name,
            "description": description or name,
            "parent_id": parent_id,
            "taxonomy": CATEGORY_TAXONOMY if taxonomy is category_taxonomy else ROOM_TAXONOMY,
            "taxonomy_id": taxonomy["id"],
            "language": "zh",
        })
        export.taxonomy_terms[obj["id"]] = obj
        return obj

    group_terms = {}
    for value, label in ServiceCategory.Group.choices:
        zh = GROUPS_ZH.get(value, _english(label))
        group_terms[value] = term(category_taxonomy, f"group:{value}", zh, _bilingual(zh, _english(label).capitalize()))
    category_terms = {}
    for category in categories:
        parent = group_terms.get(category.group)
        category_terms[category.pk] = term(
            category_taxonomy, category.slug, category.name,
            _bilingual(category.description or category.name, category.description_en or category.name_en),
            parent and parent["id"],
        )
    room_terms = {}
    for value, label in Room.Kind.choices:
        zh = ROOM_KINDS_ZH.get(value, _english(label))
        room_terms[value] = term(room_taxonomy, value, zh, _bilingual(zh, _english(label)))
    return category_terms, room_terms


def _organizations(export, facilities, subdistricts):
    """Create the organizations; return {facility pk: organization id}."""
    owner = {}
    by_operator = defaultdict(list)
    for sd in subdistricts:
        org_id = stable_id("organization", "subdistrict", sd.code)
        description = _bilingual(
            f"{sd.city}{sd.district}{sd.name}：组织15分钟社区生活圈，维护本服务目录。",
            f"{sd.name_en or sd.name}: runs the 15-minute community life circle and keeps this service directory.",
        )
        if sd.data_notice:
            description = f"{description}\n\n{sd.data_notice}"
        export.organizations[org_id] = _compact({
            "id": org_id, "name": sd.name, "alternate_name": sd.name_en, "description": description,
        })
    for facility in facilities:
        operator = facility.operator.strip()
        if not operator or operator == facility.subdistrict.name:
            owner[facility.pk] = stable_id("organization", "subdistrict", facility.subdistrict.code)
        else:
            by_operator[operator].append(facility)
    for operator in sorted(by_operator):
        run = by_operator[operator]
        org_id = stable_id("organization", "operator", operator)
        names_zh = "、".join(f.name for f in run)
        names_en = ", ".join(f.name_en or f.name for f in run)
        export.organizations[org_id] = {
            "id": org_id,
            "name": operator,
            "description": _bilingual(
                f"{operator}：运营社区设施 {len(run)} 处（{names_zh}）。",
                f"Operates {len(run)} community {'facility' if len(run) == 1 else 'facilities'} ({names_en}).",
            ),
        }
        for facility in run:
            owner[facility.pk] = org_id
    return owner


def _location(facility, org_id, room_terms, ctx):
    sd = facility.subdistrict
    location_id = stable_id("location", sd.code, facility.code)
    description = _bilingual(facility.description, facility.description_en)
    if facility.illustrative:
        description = f"{description}\n\n{ILLUSTRATIVE_NOTE}" if description else ILLUSTRATIVE_NOTE
    address = None
    if facility.address.strip():
        address = {
            "id": stable_id("address", location_id),
            "address_1": facility.address.strip(),
            "city": sd.city,
            "region": sd.district,
            "state_province": STATE_PROVINCE,
            "postal_code": "",  # required by HSDS; not recorded in the directory
            "country": "CN",
            "address_type": "physical",
        }
    attributes = []
    for room in sorted(facility.rooms.all(), key=lambda r: r.code):
        term = room_terms.get(room.kind) or room_terms[Room.Kind.OTHER]
        details = [f"容纳{room.capacity}人 / up to {room.capacity} people" if room.capacity else "",
                   f"楼层 {room.floor} / floor {room.floor}" if room.floor else "",
                   "可预约 / bookable" if room.bookable else ""]
        attributes.append(_compact({
            "id": stable_id("attribute", location_id, "room", room.code),
            "link_id": location_id,
            "link_entity": "location",
            "link_type": "room",
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
            "label": f"{room.name} / {room.name_en}" if room.name_en else room.name,
            "value": "; ".join(d for d in details if d),
        }))
    return location_id, _compact({
        "id": location_id,
        "location_type": "physical",
        "organization_id": org_id,
        "name": facility.name,
        "alternate_name": facility.name_en,
        "description": description,
        "latitude": facility.lat,
        "longitude": facility.lon,
        "external_identifier": f"{sd.code}/{facility.code}",
        "external_identifier_type": "lifecircle facility code (sub-district/facility)",
        "languages": [_language(location_id)],
        "addresses": [address] if address else [],
        "phones": [_phone(location_id, facility.phone)] if facility.phone.strip() else [],
        "schedules": schedules_for("location_id", location_id, facility, ctx),
        "attributes": attributes,
    })


def _capacity(service_id, facility, ctx):
    unit_code = facility.capacity_unit
    known = unit_code in Facility.CapacityUnit.values
    unit_en = _english(Facility.CapacityUnit(unit_code).label) if known else unit_code
    unit = {
        "id": stable_id("unit", unit_code),
        "name": f"{UNITS_ZH.get(unit_code, unit_en)} / {unit_en}",
        "scheme": "lifecircle",
        "identifier": unit_code,
    }
    return {
        "id": stable_id("service_capacity", service_id),
        "unit": unit,
        "available": facility.capacity,
        "maximum": facility.capacity,
        "description": _bilingual(
            f"设计容量：{facility.capacity} {UNITS_ZH.get(unit_code, unit_en)}（非实时余量）。",
            f"Design capacity: {facility.capacity} {unit_en} (not live availability).",
        ),
        "updated": ctx.now.isoformat(timespec="milliseconds"),
    }


def _service_area(service_id, facility, category, ctx):
    row = ctx.standard_rows.get(category.pk)
    if row is None:
        return []
    sd = facility.subdistrict
    return [{
        "id": stable_id("service_area", service_id),
        "name": f"{sd.name}：{facility.name}步行{row.threshold_m}米范围内",
        "description": _bilingual(
            f"按{row.tier_minutes}分钟生活圈标准，服务步行{row.threshold_m}米内的居民（{row.source}）。",
            f"Serves residents within a {row.threshold_m} m walk, the {row.tier_minutes}-minute tier of the "
            f"life-circle standard.",
        ),
    }]


def _services(export, facility, org_id, location_id, category_terms, ctx):
    sd = facility.subdistrict
    for index, category in enumerate(facility.all_categories()):
        service_id = stable_id("service", sd.code, facility.code, category.slug)
        term = category_terms[category.pk]
        name_en = " - ".join(p for p in (facility.name_en, category.name_en) if p)
        description = _bilingual(
            facility.description or category.description or f"{facility.name}提供{category.name}服务。",
            facility.description_en or category.description_en
            or (f"{facility.name_en} offers {category.name_en}." if facility.name_en and category.name_en else ""),
        )
        service = _compact({
            "id": service_id,
            "organization_id": org_id,
            "name": f"{facility.name} - {category.name}",
            "alternate_name": name_en,
            "description": description,
            "url": facility.website,
            "email": facility.email,
            "status": "active" if facility.active else "inactive",
            "last_modified": _utc(facility.updated_at),
            "phones": [_phone(service_id, facility.phone)] if facility.phone.strip() else [],
            "languages": [_language(service_id, code) for code in facility.languages or ["zh"]],
            "eligibility_description": ELIGIBILITY_TEXT.get(facility.eligibility, ""),
            "fees_description": COST_TEXT.get(facility.cost, ""),
            # The day the details were last confirmed with the facility (the finder shows it too).
            "assured_date": facility.last_checked.isoformat() if facility.last_checked else "",
            "service_areas": _service_area(service_id, facility, category, ctx),
            "capacities": [_capacity(service_id, facility, ctx)] if index == 0 and facility.capacity else [],
            "attributes": [{
                "id": stable_id("attribute", service_id, term["id"]),
                "link_id": service_id,
                "link_entity": "service",
                "link_type": "service_category",
                "taxonomy_term_id": term["id"],
                "taxonomy_term": term,
                "label": category.name,
            }],
        })
        export.services[service_id] = service
        export.service_term_ids[service_id] = {term["id"], *([term["parent_id"]] if "parent_id" in term else [])}
        sal_id = stable_id("service_at_location", sd.code, facility.code, category.slug)
        export.service_at_locations[sal_id] = _compact({
            "id": sal_id,
            "service_id": service_id,
            "location_id": location_id,
            "description": f"{category.name} @ {facility.name}",
            "schedules": schedules_for("service_at_location_id", sal_id, facility, ctx),
        })


def build(now=None, subdistrict=None):
    """Read the directory and return its :class:`Export` (optionally for one sub-district's code)."""
    now = timezone.localtime(now or timezone.now())
    offset_hours, offset_text = _utc_offset(now)
    ctx = _Context(
        now=now, offset_hours=offset_hours, offset_text=offset_text,
        standard_rows={r.category_id: r for r in StandardRow.objects.filter(standard__active=True)},
    )
    subdistricts = SubDistrict.objects.order_by("code")
    facilities = Facility.objects.select_related("subdistrict", "category").prefetch_related(
        "services", "hours_exceptions", "rooms"
    ).order_by("subdistrict__code", "code")
    if subdistrict:
        subdistricts = subdistricts.filter(code=subdistrict)
        facilities = facilities.filter(subdistrict__code=subdistrict)
    facilities = list(facilities)
    export = Export(generated_at=now.isoformat(timespec="milliseconds"))
    category_terms, room_terms = _taxonomies(export, ServiceCategory.objects.order_by("group", "slug"))
    owner = _organizations(export, facilities, list(subdistricts))
    for facility in facilities:
        location_id, location = _location(facility, owner[facility.pk], room_terms, ctx)
        export.locations[location_id] = location
        _services(export, facility, owner[facility.pk], location_id, category_terms, ctx)
    return export


# --- shapes of the HSDS API ----------------------------------------------------------------------


def package(export):
    """The whole export as one object: each kind of HSDS object in a list, linked by ids."""
    return {
        "version": HSDS_VERSION,
        "description": "lifecircle 社区生活圈服务目录 / lifecircle community life-circle service directory "
                       f"(Open Referral HSDS {HSDS_VERSION}; schemas: {HSDS_SCHEMA_SOURCE})",
        "generated_at": export.generated_at,
        "organizations": list(export.organizations.values()),
        "services": list(export.services.values()),
        "locations": list(export.locations.values()),
        "service_at_locations": list(export.service_at_locations.values()),
        "taxonomies": list(export.taxonomies.values()),
        "taxonomy_terms": list(export.taxonomy_terms.values()),
    }


def full_service(export, service_id, with_organization=True):
    """A service with its organization and its service-at-locations, each with its location nested."""
    service = export.services.get(service_id)
    if service is None:
        return None
    at_locations = [
        {**sal, "location": export.locations[sal["location_id"]]}
        for sal in export.service_at_locations.values() if sal["service_id"] == service_id
    ]
    result = {**service, "service_at_locations": at_locations}
    if with_organization:
        result["organization"] = export.organizations[service["organization_id"]]
    return result


def full_organization(export, organization_id):
    """An organization with its locations and its fully nested services."""
    organization = export.organizations.get(organization_id)
    if organization is None:
        return None
    return _compact({
        **organization,
        "locations": [loc for loc in export.locations.values() if loc.get("organization_id") == organization_id],
        "services": [
            full_service(export, s["id"], with_organization=False)
            for s in export.services.values() if s["organization_id"] == organization_id
        ],
    })


def matches(obj, search):
    """Whether ``search`` occurs (case-insensitively) in the object's name, alternate name or description."""
    needle = search.strip().casefold()
    return any(needle in (obj.get(key) or "").casefold() for key in ("name", "alternate_name", "description"))


def page_of(items, page=1, per_page=50):
    """An HSDS ``Page``: the ``page``-th (from 1) slice of ``per_page`` items, with the counts."""
    items = list(items)
    total_pages = math.ceil(len(items) / per_page)
    contents = items[(page - 1) * per_page:page * per_page]
    return {
        "total_items": len(items),
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
