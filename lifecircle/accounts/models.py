"""Residents, households, consent to act for another, staff roles, the audit log of staff reads of
personal data, and residents' requests under the Personal Information Protection Law.

ID numbers are encrypted at rest (``fields.EncryptedTextField``); ``id_number_hash`` (a keyed
HMAC) finds and de-duplicates them. An erased resident keeps their row as a tombstone with every
personal field emptied (``erased_at`` set), so the records others must keep (meal statements,
attendance, volunteer hours) still add up without saying whose they were.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.community.models import Compound, Grid, SubDistrict
from lifecircle.directory.models import Facility

from . import crypto
from .fields import EncryptedTextField
from .masking import mask_name

#: What an erased resident's or child's name becomes: a marker, never a person.
ERASED_NAME = "已删除"


def age_on(birth_date, day):
    """Whole years of age on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class Household(models.Model):
    """People who live together: a parent and their children, an elderly couple, ..."""

    compound = models.ForeignKey(Compound, models.PROTECT, related_name="homes")
    address = models.CharField(_("building and room"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return f"{self.compound} {self.address}".strip()


class ResidentQuerySet(models.QuerySet):
    def with_id_number(self, id_number):
        """Residents with this ID number, found by its keyed hash (the number itself is encrypted)."""
        return self.filter(id_number_hash=crypto.lookup_hash(id_number)) if id_number.strip() else self.none()

    def living(self):
        return self.filter(erased_at__isnull=True)


class Resident(models.Model):
    """A person living in the sub-district; verified by staff before using its services."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="resident")
    household = models.ForeignKey(Household, models.PROTECT, related_name="members")
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    id_number = EncryptedTextField(_("ID number"), max_length=30, blank=True)
    id_number_hash = models.CharField(_("ID number look-up hash"), max_length=64, blank=True, editable=False,
                                      db_index=True)
    birth_date = models.DateField(_("birth date"))
    health_notes = models.TextField(_("health and dietary notes"), blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("verified by")
    )
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True, editable=False)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], condition=~models.Q(id_number_hash=""),
                                    name="one_resident_per_id_number",
                                    violation_error_message=_("Another resident has this ID number.")),
        ]

    def __str__(self):
        if self.erased_at:
            return str(_("erased resident"))
        return mask_name(self.name)  # __str__ shows up in lists and logs, where the whole name is not needed

    def clean(self):
        self.id_number_hash = crypto.lookup_hash(self.id_number)  # before the uniqueness check runs

    def save(self, *args, **kwargs):
        self.id_number_hash = crypto.lookup_hash(self.id_number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "id_number" in update_fields:
            kwargs["update_fields"] = {*update_fields, "id_number_hash"}
        super().save(*args, **kwargs)

    @property
    def is_verified(self):
        return self.verified_at is not None

    @property
    def compound(self):
        return self.household.compound

    def age(self, day=None):
        return age_on(self.birth_date, day or timezone.localdate())

    def verify(self, staff_user):
        """Record that staff checked this person lives in a compound of the sub-district."""
        self.verified_at, self.verified_by = timezone.now(), staff_user
        self.save(update_fields=["verified_at", "verified_by"])


class Child(models.Model):
    """A child of a household, for baby care and family services."""

    household = models.ForeignKey(Household, models.CASCADE, related_name="children")
    name = models.CharField(_("name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    health_notes = models.TextField(_("health notes (allergies, needs)"), blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self):
        return mask_name(self.name)

    def age_in_months(self, day: datetime.date):
        return (day.year - self.birth_date.year) * 12 + day.month - self.birth_date.month - (day.day < self.birth_date.day)


class Consent(models.Model):
    """A resident's consent, recorded by staff, for another resident to act for them."""

    principal = models.ForeignKey(Resident, models.CASCADE, related_name="consents_given", verbose_name=_("for"))
    proxy = models.ForeignKey(Resident, models.CASCADE, related_name="consents_held", verbose_name=_("acting person"))
    relation = models.CharField(_("relation"), max_length=50, help_text=_("e.g. son, daughter, carer"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    evidence = models.CharField(_("how consent was given"), max_length=200, help_text=_("e.g. signed form no. 2026-031"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent to act for")
        verbose_name_plural = _("consents to act for")

    def __str__(self):
        return f"{self.proxy} → {self.principal}"

    def clean(self):
        if self.principal_id and self.principal_id == self.proxy_id:
            raise ValidationError(_("A person does not need consent to act for themselves."))


class StaffRole(models.Model):
    """What a staff member may do, and where: one facility, one grid, or the whole sub-district."""

    class Role(models.TextChoices):
        CENTRE_MANAGER = "centre_manager", _("centre manager")
        CANTEEN_STAFF = "canteen_staff", _("canteen staff")
        BABY_CARE_STAFF = "baby_care_staff", _("baby-care staff")
        DAY_CARE_STAFF = "day_care_staff", _("day-care staff")
        GRID_WORKER = "grid_worker", _("grid worker")
        ADMINISTRATOR = "administrator", _("sub-district administrator")

    FACILITY_ROLES = {Role.CENTRE_MANAGER, Role.CANTEEN_STAFF, Role.BABY_CARE_STAFF, Role.DAY_CARE_STAFF}

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="+")
    facility = models.ForeignKey(Facility, models.CASCADE, null=True, blank=True, related_name="staff_roles")
    grid = models.ForeignKey(Grid, models.CASCADE, null=True, blank=True, related_name="staff_roles")

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [models.UniqueConstraint(fields=["user", "role", "facility", "grid"], name="unique_staff_role")]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} {self.facility or self.grid or self.subdistrict}"

    def clean(self):
        if self.role in self.FACILITY_ROLES and not self.facility_id:
            raise ValidationError({"facility": _("This role works at one facility; choose it.")})
        if self.role == self.Role.GRID_WORKER and not self.grid_id:
            raise ValidationError({"grid": _("A grid worker works in one grid; choose it.")})
        # A role is held in one sub-district: its facility or grid must be there, or the role would
        # reach into another sub-district of the installation.
        for name in ("facility", "grid"):
            place = getattr(self, name) if getattr(self, f"{name}_id") else None
            if place is not None and self.subdistrict_id and place.subdistrict_id != self.subdistrict_id:
                raise ValidationError({name: _("Choose one in the role's sub-district.")})


class AccessLog(models.Model):
    """Every time staff read a resident's personal data: who, whose, what, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("staff member"))
    resident = models.ForeignKey(Resident, models.SET_NULL, null=True, related_name="access_logs",
                                 verbose_name=_("resident"))
    child = models.ForeignKey(Child, models.SET_NULL, null=True, related_name="access_logs", verbose_name=_("child"))
    action = models.CharField(_("action"), max_length=20)
    purpose = models.CharField(_("where"), max_length=300)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at"]


class RightsRequest(models.Model):
    """A resident's request under PIPL arts. 46–47: correct something held about them, or erase it.

    The resident (or someone acting for them with consent) writes what is wrong; staff who may see
    the resident resolve it, applying or refusing with a reason, and the resident is told. Erasure
    is carried out by an administrator (``pipl.erase_resident``); the request row stays, emptied
    of its text, as the record that it was done.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("correction")
        ERASURE = "erasure", _("erasure")

    class Field(models.TextChoices):
        NAME = "name", _("name")
        PHONE = "phone", _("phone")
        ID_NUMBER = "id_number", _("ID number")
        BIRTH_DATE = "birth_date", _("birth date")
        HEALTH_NOTES = "health_notes", _("health and dietary notes")
        OTHER = "other", _("something else")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        APPLIED = "applied", _("done")
        REFUSED = "refused", _("refused")

    resident = models.ForeignKey(Resident, models.CASCADE, related_name="rights_requests", verbose_name=_("resident"))
    submitted_by = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    field = models.CharField(_("what is wrong"), max_length=20, choices=Field.choices, blank=True)
    details = models.TextField(_("details"), blank=True)
    new_value = models.CharField(_("correct value"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("resolved by"))

    class Meta:
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.resident}"
