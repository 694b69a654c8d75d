"""Residents' rights under the Personal Information Protection Law (PIPL arts. 44–47): see and
download everything held about them, ask for a correction, be erased; and the retention periods.

**The registry.** Every app says, in its own ``privacy.py`` (found like ``admin.py``, on first
use), what it holds about a person: ``register(Model, links=..., on_erase=...)``. A *link* is a
field path that ends at a ``Resident``, a ``Child`` or a user account and names whose record a row
is; ``acted_by`` paths name someone who only acted (ordered a meal for their mother) and only
point to the tombstone after erasure. Foreign keys to a person that are neither (the staff member
who recorded something) are declared with ``register_actor_fields``, and models that point at a
held model without being about the person with ``register_not_personal``. The tests walk every
model and fail when one is in none of these lists, so a new app cannot forget its data.

**Erasure** (``erase_resident``) runs in one transaction, so it removes everything or nothing:

- rows registered ``DELETE`` (consents, health checks, letters, calendar links, ...) are deleted;
- rows registered ``KEEP`` (meal orders, attendance, volunteer hours, requests) are records others
  must keep: their free-text fields are emptied and optional links to the person cleared;
- the resident's own row stays as a tombstone: name ``ERASED_NAME``, no phone, ID number, notes
  or account, birth date cut to the year (age statistics need no more), a fresh household with no
  address; when nobody else lives in the household its children are erased the same way;
- the login account is deleted (or, when staff records must keep pointing at it, made unusable
  and emptied of name and e-mail); the admin's own history of the rows goes too.

Deleting a user account erases its resident first (a ``pre_delete`` signal in apps.py).

**Corrections** are asked by the resident (or whoever acts for them with consent) and resolved
by staff who may see the resident: applied, or refused with a reason; the resident is told.

Every change here checks before it writes and runs in one transaction: a refused request changes
nothing, and a staff member's reading of a request is logged like any other read of personal data.

**Retention** rules (``register_retention``) are applied by ``manage.py apply_retention``.
"""
import datetime
from dataclasses import dataclass, field
from typing import Callable

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import ProtectedError, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from lifecircle.errors import Refused

from . import access, permissions
from .masking import mask_name
from .models import ERASED_NAME, AccessLog, Child, Household, Resident, RightsRequest, StaffRole

KEEP, DELETE = "keep", "delete"


@dataclass(frozen=True)
class Holding:
    """What one model holds about a person, and what erasure does with it."""

    model: type
    links: tuple
    on_erase: str
    acted_by: tuple = ()
    blank: tuple = ()
    detach: tuple = ()
    #: Called with the person's rows and the erasure before the rows are deleted or emptied, for an
    #: app's own rule (cancel meals not yet cooked); returns nothing.
    before_erase: Callable | None = None
    #: False where "my data" shows the rows another way (the audit log, as "staff who read it").
    listed: bool = True

    @property
    def label(self):
        return self.model._meta.label

    def __post_init__(self):
        if self.on_erase not in (KEEP, DELETE):
            raise ValueError(f"{self.label}: on_erase must be KEEP or DELETE")
        for name in (*self.blank, *self.detach):
            self.model._meta.get_field(name)  # a typo fails on first use, not at the first erasure
        for path in (*self.links, *self.acted_by):
            if link_target(self.model, path) not in person_models():
                raise ValueError(f"{self.label}.{path} does not lead to a resident, child, household or account")


@dataclass
class Registry:
    holdings: list = field(default_factory=list)
    actor_fields: dict = field(default_factory=dict)  # "app.Model.field" → why it is not the person's data
    not_personal: dict = field(default_factory=dict)  # "app.Model" → why
    retention: list = field(default_factory=list)
    discovered: bool = False


_registry = Registry()


def register(model, links, on_erase, **options):
    _registry.holdings.append(Holding(model, tuple(links), on_erase, **options))


def register_actor_fields(reason, *labels):
    """Foreign keys to a person that record who *acted* (staff, a moderator), not whose data it is."""
    for label in labels:
        _registry.actor_fields[label] = reason


def register_not_personal(reason, *model_labels):
    for label in model_labels:
        _registry.not_personal[label] = reason


@dataclass(frozen=True)
class RetentionRule:
    """Rows of ``queryset(cutoff)`` are deleted, or updated with ``updates``, once past the period."""

    label: str
    queryset: Callable
    days_setting: str
    updates: dict | None = None


def register_retention(label, queryset, days_setting, updates=None):
    _registry.retention.append(RetentionRule(label, queryset, days_setting, updates))


def registry():
    if not _registry.discovered:
        _registry.discovered = True
        autodiscover_modules("privacy")
    return _registry


# --- whose rows ---------------------------------------------------------------------------------

PERSON_MODELS = (Resident, Child, Household)


def person_models():
    return (*PERSON_MODELS, get_user_model())


def link_target(model, path):
    """The model a field path such as ``placement__application__child`` ends at."""
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


@dataclass
class Person:
    """The people a set of rows is looked up for: a resident, some children, an account."""

    resident: Resident
    children: list
    user: object = None

    def match(self, model, paths):
        condition = Q(pk__in=[])
        for path in paths:
            target = link_target(model, path)
            if target is Resident:
                condition |= Q(**{path: self.resident})
            elif target is Child and self.children:
                condition |= Q(**{f"{path}__in": self.children})
            elif target is Household:
                condition |= Q(**{path: self.resident.household_id})
            elif target is get_user_model() and self.user is not None:
                condition |= Q(**{path: self.user})
        return condition


def subject_person(resident):
    """The resident, the children of their household and their account: what "my data" shows."""
    return Person(resident, list(resident.household.children.all()), resident.user)


def unregistered_links():
    """Links to a person, or to a record about one, that no app has declared: ["app.Model.field"].

    Every foreign key to a resident, child, household or account must be a registered link or an
    actor field; every foreign key to a registered model must come from a registered model or one
    declared not personal. The resident's, child's and household's own rows are erased here.
    """
    found = registry()
    covered = {(h.model, path.split("__")[0]) for h in found.holdings for path in h.links + h.acted_by}
    held = {h.model for h in found.holdings}
    missing = []
    for model in django_apps.get_models():
        if model in person_models():
            continue
        for model_field in model._meta.concrete_fields:
            if not model_field.is_relation:
                continue
            label = f"{model._meta.label}.{model_field.name}"
            if model_field.related_model in person_models():
                if (model, model_field.name) not in covered and label not in found.actor_fields:
                    missing.append(label)
            elif (model_field.related_model in held and model not in held
                  and model._meta.label not in found.not_personal):
                missing.append(label)
    return missing


# --- see and download (PIPL art. 45) ------------------------------------------------------------

def check_may_see(actor, person):
    """A resident sees their own data and that of adults who consented to them acting for them."""
    permissions.check_can_act_for(actor, person)


def _value(obj, model_field):
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        if isinstance(related, get_user_model()):  # a staff member: masked, as in "who read it"
            return mask_name(related.get_full_name() or related.username)
        return None if related is None else str(related)
    value = getattr(obj, model_field.attname)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if hasattr(value, "as_tuple"):  # Decimal: as text, exact
        return str(value)
    return value


def _fields(model, skip=("id_number_hash", "password")):
    return [f for f in (*model._meta.concrete_fields, *model._meta.many_to_many) if f.name not in skip]


def serialise(obj):
    return {f.name: [str(item) for item in getattr(obj, f.name).all()] if f.many_to_many else _value(obj, f)
            for f in _fields(type(obj))}


def _related_paths(model):
    """The foreign keys whose objects a row's export names, and theirs (a menu names its
    facility), so a year of meal orders is read in one query, not one per order."""
    paths = []
    for first in (f for f in model._meta.concrete_fields if f.is_relation):
        paths.append(first.name)
        paths += [f"{first.name}__{f.name}" for f in first.related_model._meta.concrete_fields
                  if f.is_relation and not f.null]
    return paths


def _user_data(user):
    if user is None:
        return None
    return {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None}


def staff_reads(person: Person):
    """The audit log entries of staff reading this person's (or their household's children's) data."""
    condition = Q(resident=person.resident)
    if person.children:
        condition |= Q(child__in=person.children)
    entries = AccessLog.objects.filter(condition).select_related("user", "child").order_by("-at")
    roles = {}
    for role in StaffRole.objects.filter(user__in={e.user_id for e in entries}):
        roles.setdefault(role.user_id, []).append(role.get_role_display())
    return [{
        "at": entry.at.isoformat(),
        # Policy: the resident learns the reader's role and masked name, enough to ask about a read.
        "who": mask_name(entry.user.get_full_name() or entry.user.username),
        "role": ", ".join(roles.get(entry.user_id, [])) or (_("system administrator") if entry.user.is_superuser
                                                            else _("staff")),
        "action": entry.action, "where": entry.purpose,
        "about": str(entry.child) if entry.child_id else str(person.resident),
    } for entry in entries]


def collect(resident):
    """Everything held about ``resident``, grouped by app: the body of the page and the download."""
    person = subject_person(resident)
    apps = {}
    for holding in registry().holdings:
        if not holding.listed:
            continue
        rows = holding.model.objects.filter(person.match(holding.model, holding.links + holding.acted_by))
        rows = rows.select_related(*_related_paths(holding.model)).prefetch_related(
            *[f.name for f in holding.model._meta.many_to_many])
        rows = [serialise(row) for row in rows.order_by("pk")]
        if rows:
            meta = holding.model._meta
            section = apps.setdefault(meta.app_label, {"app": str(meta.app_config.verbose_name), "holdings": []})
            section["holdings"].append({"model": holding.label, "label": str(meta.verbose_name_plural),
                                        "columns": {f.name: str(f.verbose_name) for f in _fields(holding.model)},
                                        "rows": rows})
    return {
        "generated_at": timezone.now().isoformat(),
        "resident": serialise(resident),
        "household": serialise(resident.household),
        "household_members": [m.name for m in resident.household.members.living().exclude(pk=resident.pk)],
        "children": [serialise(child) for child in person.children],
        "account": _user_data(person.user),
        "apps": apps,
        "staff_reads": staff_reads(person),
    }


# --- correction (PIPL art. 46) ------------------------------------------------------------------

def request_correction(actor, resident, field_name, details, new_value=""):
    check_may_see(actor, resident)
    if field_name not in RightsRequest.Field.values:
        raise Refused(_("Choose what is wrong."))
    details, new_value = (details or "").strip(), (new_value or "").strip()
    if not details and not new_value:
        raise Refused(_("Say what is wrong, or give the correct value."))
    if field_name != RightsRequest.Field.OTHER and not new_value:
        raise Refused(_("Give the correct value."))
    _parse(field_name, new_value)  # a date that is no date is refused now, not when staff apply it
    return RightsRequest.objects.create(resident=resident, submitted_by=actor, kind=RightsRequest.Kind.CORRECTION,
                                        field=field_name, details=details[:2000], new_value=new_value[:300])


def request_erasure(actor, resident, details=""):
    check_may_see(actor, resident)
    if resident.rights_requests.filter(kind=RightsRequest.Kind.ERASURE, status=RightsRequest.Status.OPEN).exists():
        raise Refused(_("A request to erase this person's data is already waiting for an administrator."))
    return RightsRequest.objects.create(resident=resident, submitted_by=actor, kind=RightsRequest.Kind.ERASURE,
                                        details=(details or "").strip()[:2000])


def requests_for_staff(user):
    """Open and recent requests about residents ``user`` may see (the access layer's policy for
    requests); erasures only for the administrators of the resident's sub-district."""
    found = access.staff_visible(user, RightsRequest)
    administered = access.administered_subdistrict_ids(user)
    if administered is not None:
        found = found.exclude(Q(kind=RightsRequest.Kind.ERASURE)
                              & ~Q(resident__household__compound__subdistrict__in=administered))
    return found.select_related("resident", "submitted_by")


def open_request(user, pk):
    """One request for a staff page; reading it reads the resident's data, so it is logged."""
    found = requests_for_staff(user).filter(pk=pk).first()
    if found is None:
        raise PermissionDenied(_("This request is not about a resident you may see."))
    permissions.log_access(user, "view", f"personal data request #{found.pk}", resident=found.resident)
    return found


def _parse(field_name, value):
    if field_name == RightsRequest.Field.BIRTH_DATE and value:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise Refused(_("“%(text)s” is not a date; write it as 2026-01-31.") % {"text": value}) from None
        if day > timezone.localdate():
            raise Refused(_("A birth date cannot be in the future."))
        return day
    return value


def resolve(user, pk, apply, response=""):
    """Apply or refuse a correction. Applying writes the corrected value (name, phone, ID number,
    birth date, notes) on the resident; for "something else" staff correct the record in its app
    and say so in the answer. A refusal needs a reason (PIPL art. 50). The resident is told."""
    from lifecircle.notifications.service import notify_in_languages

    response = (response or "").strip()
    with transaction.atomic():
        found = open_request(user, pk)
        found = RightsRequest.objects.select_for_update().get(pk=found.pk)
        if found.status != RightsRequest.Status.OPEN:
            raise Refused(_("This request has already been resolved."))
        if found.kind != RightsRequest.Kind.CORRECTION:
            raise Refused(_("An erasure is carried out with “Erase”, not resolved here."))
        if not apply and not response:
            raise Refused(_("Give the reason for refusing; the resident will read it."))
        if apply and found.field == RightsRequest.Field.OTHER and not response:
            raise Refused(_("Say what was corrected; the resident will read it."))
        resident = found.resident
        if apply and found.field != RightsRequest.Field.OTHER:
            value = _parse(found.field, found.new_value)
            if (found.field == RightsRequest.Field.ID_NUMBER
                    and Resident.objects.with_id_number(value).exclude(pk=resident.pk).exists()):
                raise Refused(_("Another resident has this ID number; check it with the resident."))
            setattr(resident, found.field, value)
            resident.save()
            permissions.log_access(user, "correct", f"personal data request #{found.pk}: {found.field}",
                                   resident=resident)
        found.status = RightsRequest.Status.APPLIED if apply else RightsRequest.Status.REFUSED
        found.response, found.resolved_by, found.resolved_at = response, user, timezone.now()
        found.save()
        def render():
            # Called once per language, so each reader sees the outcome in theirs; staff's own
            # words (the response) are shown as written.
            subject = _("Your correction request was carried out") if apply else _("Your correction request was refused")
            return subject, response or _("The record now reads as you asked.")

        for person in {resident, found.submitted_by} - {None}:
            notify_in_languages(person.user, "information", render, url=reverse("accounts:my_data"))
    return found


# --- erasure (PIPL art. 47) ---------------------------------------------------------------------

def _year_only(day):
    return day.replace(month=1, day=1)


def _erase_account(user):
    """Delete the login; keep an empty, unusable one where staff records must keep pointing at it."""
    try:
        with transaction.atomic():
            user.delete()
        return "deleted"
    except ProtectedError:
        user.username = f"erased-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        return "emptied"


def erase_resident(resident, by=None, rights_request=None, delete_account=True):
    """Erase ``resident``'s personal data (see the module docstring); returns what was done, per
    model: {"app.Model": ("deleted" | "emptied", count)}. ``by`` is the administrator."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if by is not None and not access.administers(by, resident.household.compound.subdistrict_id):
        raise PermissionDenied(_("Only a sub-district administrator may erase a resident's data."))
    report = {}
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        if resident.erased_at:
            raise Refused(_("This resident's data has already been erased."))
        household = resident.household
        others_remain = household.members.living().exclude(pk=resident.pk).exists()
        children = [] if others_remain else list(household.children.filter(erased_at__isnull=True))
        person = Person(resident, children, resident.user)
        for holding in registry().holdings:
            rows = holding.model.objects.filter(person.match(holding.model, holding.links))
            if holding.before_erase is not None:
                holding.before_erase(rows, person)
            if holding.on_erase == DELETE:
                report[holding.label] = ("deleted", rows.delete()[1].get(holding.label, 0))
                continue
            updates = {name: "" for name in holding.blank} | {name: None for name in holding.detach}
            count = rows.update(**updates) if updates else rows.count()
            report[holding.label] = ("emptied", count)
        for model, ids in ((Resident, [resident.pk]), (Child, [c.pk for c in children])):
            LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                    object_id__in=[str(i) for i in ids]).delete()
        now = timezone.now()
        user = resident.user
        if others_remain:  # the tombstone must not say where the others live
            resident.household = Household.objects.create(compound=household.compound, address="")
        else:
            household.address = ""
            household.save(update_fields=["address"])
            for child in children:
                child.name, child.health_notes, child.erased_at = ERASED_NAME, "", now
                child.birth_date = _year_only(child.birth_date)
                child.save()
        resident.name, resident.phone, resident.id_number, resident.health_notes = ERASED_NAME, "", "", ""
        resident.birth_date, resident.user, resident.erased_at = _year_only(resident.birth_date), None, now
        resident.save()
        if user is not None and delete_account:
            report["account"] = (_erase_account(user), 1)
        if rights_request is not None:
            RightsRequest.objects.filter(pk=rights_request.pk).update(
                status=RightsRequest.Status.APPLIED, resolved_by=by, resolved_at=now)
        if by is not None:
            permissions.log_access(by, "erase", "personal data erased (PIPL art. 47)", resident=resident)
    return report


def erase_on_request(user, pk):
    """An administrator carries out a resident's erasure request."""
    with transaction.atomic():
        found = open_request(user, pk)
        if found.kind != RightsRequest.Kind.ERASURE or found.status != RightsRequest.Status.OPEN:
            raise Refused(_("This is not an open request to erase data."))
        return erase_resident(found.resident, by=user, rights_request=found)


def erase_account_owner(sender, instance, **kwargs):
    """``pre_delete`` of a user account: erase the resident behind it, so no personal data stays."""
    resident = Resident.objects.filter(user=instance, erased_at__isnull=True).first()
    if resident is not None:
        erase_resident(resident, delete_account=False)


# --- retention ----------------------------------------------------------------------------------

MIN_AUDIT_LOG_DAYS = 183  # Cybersecurity Law art. 21(3): network logs kept "not less than six months"


def apply_retention(dry_run=False, today=None):
    """Apply every retention rule; returns [(label, days, count)]. A dry run counts and changes nothing."""
    now = today or timezone.now()
    results = []
    with transaction.atomic():
        for rule in registry().retention:
            days = getattr(settings, rule.days_setting)
            rows = rule.queryset(now - datetime.timedelta(days=days))
            if dry_run:
                count = rows.count()
            elif rule.updates is None:
                count = rows.delete()[1].get(rows.model._meta.label, 0)  # the rows themselves, as the dry run counts
            else:
                count = rows.update(**rule.updates)
            results.append((rule.label, days, count))
    return results
