"""Checking and cleaning what a client sends: every problem is found before anything is written.

``parse_new_request`` reads the form fields of GeoReport v2 "POST Service Request" (the same
names the resident page uses) and returns clean values, or raises Open311Error listing every
problem. Text is reduced to plain text: the spec says a description "may contain line breaks, but
not html or code", so markup is removed with nh3 (the Ammonia sanitiser) and what remains is
stored as text, which every page and the XML writer escape on output.
"""
import html
import math
import re

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from lifecircle import caching
from lifecircle.geography import check_lon_lat
from lifecircle.images import check_image

from .models import Service, ServiceAttribute
from .wire import XML_INVALID, ErrorList, parse_w3c

DESCRIPTION_MAX = 4000  # GeoReport v2: "free form text limited to 4,000 characters"
ATTRIBUTE_VALUE_MAX = 1000
ATTRIBUTE_FIELDS_MAX = 50
FIELD_LIMITS = {  # field → longest accepted value
    "address_string": 300, "address_id": 100, "email": 254, "phone": 30, "first_name": 100, "last_name": 100,
    "account_id": 100, "device_id": 100, "media_url": 500,
}
_ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\[\]]*)\](\[\])?$")
_url_validator = URLValidator(schemes=["http", "https"])


def plain_text(value, multiline=True):
    """``value`` as plain text: no markup, no characters XML cannot carry, tidy line breaks."""
    text = XML_INVALID.sub("", value or "")
    text = html.unescape(nh3.clean(text, tags=set()))
    text = XML_INVALID.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


def check_media_url(value, errors, field="media_url"):
    if not value:
        return ""
    try:
        _url_validator(value)
    except ValidationError:
        errors.add(400, _("%(field)s must be an http:// or https:// address.") % {"field": field})
        return ""
    return value


def parse_photo(files, data, errors):
    """The checked, re-encoded copy of the ``media`` upload (lifecircle.images), or None. A photo
    and a media_url at once are refused: the request has one media_url, which then names the photo."""
    uploads = files.getlist("media") if files is not None else []
    if not uploads:
        return None
    if len(uploads) > 1:
        errors.add(400, _("Send one photo as media."))
        return None
    if (data.get("media_url") or "").strip():
        errors.add(400, _("Send either a photo (media) or a media_url, not both."))
        return None
    try:
        return check_image(uploads[0])
    except ValidationError as exc:
        errors.add(400, " ".join(exc.messages))
        return None


def read_lat_long(lat_text, lon_text, errors):
    """(lat, lon) from two texts in WGS84 decimal degrees, or (None, None) with the reason added."""
    try:
        lat, lon = float(lat_text), float(lon_text)
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValueError("not finite")
        check_lon_lat(lon, lat)
    except ValueError:
        errors.add(400, _("lat and long must be WGS84 decimal degrees: lat between -90 and 90, "
                          "long between -180 and 180 (got lat=%(lat)s, long=%(long)s).")
                   % {"lat": lat_text[:30], "long": lon_text[:30]})
        return None, None
    return lat, lon


def parse_location(data, errors):
    """(lat, lon, address_string, address_id) from lat & long, address_string or address_id."""
    lat_text, lon_text = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    address = plain_text(data.get("address_string"), multiline=False)
    address_id = plain_text(data.get("address_id"), multiline=False)
    lat = lon = None
    if lat_text or lon_text:
        if not (lat_text and lon_text):
            errors.add(400, _("lat and long must be sent together."))
        else:
            lat, lon = read_lat_long(lat_text, lon_text, errors)
    elif not (address or address_id):
        errors.add(400, _("A location is required: send lat and long, address_string or address_id."))
    return lat, lon, address, address_id


def attribute_fields(data):
    """{code: [values]} from attribute[code]=value and attribute[code][]=value fields."""
    found = {}
    for name in data:
        match = _ATTRIBUTE_FIELD.match(name)
        if match:
            found.setdefault(match.group(1), []).extend(data.getlist(name))
    return found


def _attribute_value(attribute, values, errors):
    label = f"attribute[{attribute.code}]"
    values = [v for v in (str(v).strip() for v in values) if v]
    if any(len(v) > ATTRIBUTE_VALUE_MAX for v in values):
        errors.add(400, _("%(field)s is longer than %(max)d characters.") % {"field": label, "max": ATTRIBUTE_VALUE_MAX})
        return None
    if not values:
        if attribute.required:
            errors.add(400, _("%(field)s is required: %(description)s")
                       % {"field": label, "description": attribute.display_description})
        return None
    kind = ServiceAttribute.Datatype
    if attribute.datatype != kind.MULTIVALUELIST and len(values) > 1:
        errors.add(400, _("%(field)s takes one value.") % {"field": label})
        return None
    if attribute.datatype in (kind.SINGLEVALUELIST, kind.MULTIVALUELIST):
        keys = {v.key for v in attribute.values.all()}
        wrong = [v for v in values if v not in keys]
        if wrong:
            errors.add(400, _("%(field)s: %(values)s is not one of the keys %(keys)s.")
                       % {"field": label, "values": ", ".join(repr(w[:40]) for w in wrong), "keys": ", ".join(sorted(keys))})
            return None
        return list(dict.fromkeys(values)) if attribute.datatype == kind.MULTIVALUELIST else values[0]
    value = values[0]
    if attribute.datatype == kind.NUMBER:
        try:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(value)
        except ValueError:
            errors.add(400, _("%(field)s must be a number.") % {"field": label})
            return None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if attribute.datatype == kind.DATETIME:
        try:
            return parse_w3c(value).isoformat()
        except ValueError:
            errors.add(400, _("%(field)s must be a W3C date-time with a timezone, e.g. 2026-03-01T10:00:00+08:00.")
                       % {"field": label})
            return None
    if attribute.datatype == kind.STRING and ("\n" in value or "\r" in value):
        errors.add(400, _("%(field)s must be a single line.") % {"field": label})
        return None
    return plain_text(value, multiline=attribute.datatype == kind.TEXT)


def parse_attributes(service, data, errors):
    sent = attribute_fields(data)
    if len(sent) > ATTRIBUTE_FIELDS_MAX:
        errors.add(400, _("Too many attribute fields (%(count)d); at most %(max)d.")
                   % {"count": len(sent), "max": ATTRIBUTE_FIELDS_MAX})
        return {}
    if service is None:
        return {}
    attributes = _active_services().get(service.service_code, (service, {}))[1]
    for code in sent:
        if code not in attributes:
            errors.add(400, _("attribute[%(code)s] is not an attribute of service %(service)s; "
                              "GET services/%(service)s lists them.") % {"code": code[:64], "service": service.service_code})
        elif not attributes[code].variable:
            errors.add(400, _("attribute[%(code)s] only informs and takes no value.") % {"code": code})
    cleaned = {}
    for attribute in attributes.values():
        if not attribute.variable:
            continue
        value = _attribute_value(attribute, sent.get(attribute.code, []), errors)
        if value is not None:
            cleaned[attribute.code] = value
    return cleaned


def parse_contact(data, errors):
    contact = {}
    for field in ("email", "phone", "first_name", "last_name", "account_id", "device_id"):
        raw = data.get(field) or ""
        if len(raw) > FIELD_LIMITS[field]:
            errors.add(400, _("%(field)s is longer than %(max)d characters.") % {"field": field, "max": FIELD_LIMITS[field]})
            raw = ""
        contact[field] = plain_text(raw, multiline=False)
    if contact["email"]:
        try:
            validate_email(contact["email"])
        except ValidationError:
            errors.add(400, _("email '%(email)s' is not an e-mail address.") % {"email": contact["email"][:60]})
    return contact


def parse_description(data, errors, field="description", required=False):
    raw = data.get(field) or ""
    if len(raw) > DESCRIPTION_MAX:
        errors.add(400, _("%(field)s is %(length)d characters long; at most %(max)d are accepted.")
                   % {"field": field, "length": len(raw), "max": DESCRIPTION_MAX})
        return ""
    text = plain_text(raw)
    if required and not text:
        errors.add(400, _("%(field)s is required.") % {"field": field})
    return text


def kept_services():
    """Every service by pk (inactive ones too: old requests name them), with its attributes and
    their values, kept in each process until a service or attribute changes: every new request,
    list and read needs them, and queries on each for what changes a few times a year were a
    third of a report's cost."""
    return _kept()[0]


def _active_services():
    """{service_code: (service, {attribute code: attribute, with its values})} for the active
    services, kept with them (a report looked it up twice, building it each time)."""
    return _kept()[1]


def prepare_worker():
    """Read the services and their attributes into this process before its first request
    (lifecircle.startup), not on a worker's first report. Returns how many services are active."""
    return len(_active_services())


def _kept():
    return caching.in_this_process(["open311-services"], "requests311.services", _read_services)


def _read_services():
    services = {s.pk: s for s in Service.objects.prefetch_related("attributes__values")}
    active = {s.service_code: (s, {a.code: a for a in s.attributes.all()}) for s in services.values() if s.active}
    return services, active


def find_service(code, errors):
    code = (code or "").strip()
    if not code:
        errors.add(400, _("service_code is required; GET services lists them."))
        return None
    service, _attributes = _active_services().get(code, (None, None))
    if service is None:
        errors.add(404, _("service_code '%(code)s' was not found; GET services lists them.") % {"code": code[:64]})
    return service


def parse_new_request(data, files=None):
    """Clean values for a new request from GeoReport v2 form fields (and the ``media`` photo among
    ``files``, when sent as multipart/form-data); Open311Error lists every problem."""
    errors = ErrorList()
    service = find_service(data.get("service_code"), errors)
    lat, lon, address, address_id = parse_location(data, errors)
    for field in ("address_string", "address_id", "media_url"):
        if len(data.get(field) or "") > FIELD_LIMITS[field]:
            errors.add(400, _("%(field)s is longer than %(max)d characters.") % {"field": field, "max": FIELD_LIMITS[field]})
    cleaned = {
        "service": service, "lat": lat, "lon": lon, "address_string": address[:300], "address_id": address_id[:100],
        "description": parse_description(data, errors),
        "media_url": check_media_url((data.get("media_url") or "").strip()[:500], errors),
        "attributes": parse_attributes(service, data, errors),
        "photo": parse_photo(files, data, errors),
        **parse_contact(data, errors),
    }
    errors.raise_if_any()
    return cleaned
