"""Staff console for senior care. Staff see only their own facilities' records; names are masked in
lists and every opened record is logged. Admissions and health checks added here obey the same rules
as the staff page and the API (capacity under the place type's lock, consent, plausible readings)."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle import errors
from lifecircle.accounts import access, permissions

from . import services
from .models import (
    CARE_CATEGORIES,
    SENIOR_CATEGORIES,
    Activity,
    ActivitySignup,
    Admission,
    Attendance,
    HealthCheck,
    HealthConsent,
    PlaceType,
    facilities_offering,
)


class ScopedAdmin(access.ScopedAdmin):
    """Rows of the user's facilities (the access layer); facilities offered are senior ones. Staff
    serve any resident who comes to the counter, so the resident field takes any resident (the
    services check consent and verification); the resident lists stay scoped."""

    facility_categories = SENIOR_CATEGORIES
    open_choices = ("resident",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "facility":
            kwargs["queryset"] = facilities_offering(self.facility_categories)
        if db_field.name == "place_type":
            kwargs["queryset"] = PlaceType.objects.filter(active=True).select_related("facility")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PersonalDataMixin:
    """Masked names in lists (the access layer logs every opened record)."""

    @admin.display(description=_("resident"))
    def masked_name(self, obj):
        return permissions.mask_name(obj.resident.name)


@admin.register(PlaceType)
class PlaceTypeAdmin(ScopedAdmin):
    facility_categories = CARE_CATEGORIES
    list_display = ["facility", "kind", "cognitive_care", "capacity", "taken_today", "max_days", "active",
                    "illustrative"]
    list_filter = ["kind", "cognitive_care", "active", "facility"]

    @admin.display(description=_("taken today"))
    def taken_today(self, place_type):
        return services.occupancy(place_type, timezone.localdate())


class AdmissionForm(forms.ModelForm):
    class Meta:
        model = Admission
        fields = ["resident", "place_type", "start", "end", "cognitive_impairment", "notes"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # The admin saves inside one transaction, so the lock taken here holds until the row is written.
        place_type = services.lock_place_type(data["place_type"].pk)
        try:
            services.require_staff(self.request.user, place_type.facility)
            services.check_admission(place_type, data["resident"], data["start"], data["end"],
                                     data.get("cognitive_impairment", False), exclude=self.instance.pk)
        except errors.Refused as exc:
            raise ValidationError(exc.message) from None
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from None
        return data


@admin.register(Admission)
class AdmissionAdmin(PersonalDataMixin, ScopedAdmin):
    form = AdmissionForm
    facility_field = "place_type__facility"
    list_display = ["masked_name", "place_type", "start", "end", "cognitive_impairment", "status"]
    list_filter = ["status", "place_type__kind", "cognitive_impairment", "place_type__facility"]
    date_hierarchy = "start"
    raw_id_fields = ["resident"]
    readonly_fields = ["status", "admitted_by", "created_at", "cancelled_at", "cancelled_by"]
    list_select_related = ["resident", "place_type__facility"]
    actions = ["cancel"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def save_model(self, request, admission, form, change):
        if not change:
            admission.admitted_by = request.user
        super().save_model(request, admission, form, change)
        if not change:
            services.notify_admission(admission)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel the selected admissions"))
    def cancel(self, request, queryset):
        for admission in queryset:
            try:
                services.cancel_admission(request.user, admission.pk)
            except (errors.Refused, PermissionDenied) as exc:
                self.message_user(request, f"{admission}: {getattr(exc, 'message', exc)}", messages.ERROR)


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdmin):
    facility_field = "admission__place_type__facility"
    list_display = ["date", "masked_name", "place_type", "arrived_at"]
    list_filter = ["date"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("resident"))
    def masked_name(self, attendance):
        return permissions.mask_name(attendance.admission.resident.name)

    @admin.display(description=_("place type"))
    def place_type(self, attendance):
        return attendance.admission.place_type


class HealthConsentForm(forms.ModelForm):
    class Meta:
        model = HealthConsent
        fields = ["resident", "facility", "evidence"]

    def clean(self):
        data = super().clean()
        resident = data.get("resident")
        if resident is not None and HealthConsent.current(resident) is not None:
            raise ValidationError(_("This person's consent to health records is already on record."))
        if resident is not None and not resident.is_verified:
            raise ValidationError(_("Staff have not yet verified that this person lives in the sub-district."))
        return data


@admin.register(HealthConsent)
class HealthConsentAdmin(PersonalDataMixin, ScopedAdmin):
    """Recorded at one of the user's senior facilities; only that facility's staff revoke it. Both are
    written to the audit log."""

    form = HealthConsentForm
    list_display = ["masked_name", "facility", "evidence", "recorded_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "facility"]
    raw_id_fields = ["resident"]
    fields = ["resident", "facility", "evidence", "recorded_by", "recorded_at", "revoked_at"]
    readonly_fields = ["recorded_by", "recorded_at", "revoked_at"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, consent, form, change):
        if not change:
            consent.recorded_by, consent.recorded_at = request.user, timezone.now()
        super().save_model(request, consent, form, change)
        permissions.log_access(request.user, "consent", f"health-record consent {consent.pk} recorded in the admin",
                               resident=consent.resident)

    @admin.action(description=_("Revoke the selected consents"))
    def revoke(self, request, queryset):
        for consent in queryset.filter(revoked_at__isnull=True):
            try:
                services.revoke_consent(request.user, consent.pk)
            except (errors.Refused, PermissionDenied) as exc:
                self.message_user(request, f"{consent}: {getattr(exc, 'message', exc)}", messages.ERROR)


class HealthCheckForm(forms.ModelForm):
    class Meta:
        model = HealthCheck
        fields = ["resident", "facility", "measured_at", "systolic", "diastolic", "pulse", "glucose", "weight",
                  "notes"]

    def clean(self):
        data = super().clean()
        resident, facility = data.get("resident"), data.get("facility")
        if resident is not None:
            consent = HealthConsent.current(resident)
            if consent is None:
                raise ValidationError(_("This person has not consented to health records; record their consent "
                                        "first."))
            self.instance.consent = consent
        if facility is not None:
            try:
                services.require_staff(self.request.user, facility)
            except PermissionDenied as exc:
                raise ValidationError(str(exc)) from None
        self.instance.recorded_by = self.request.user
        return data


@admin.register(HealthCheck)
class HealthCheckAdmin(PersonalDataMixin, ScopedAdmin):
    form = HealthCheckForm
    list_display = ["measured_at", "masked_name", "facility", "blood_pressure", "pulse", "glucose", "weight"]
    list_filter = ["facility", "measured_at"]
    raw_id_fields = ["resident"]
    list_select_related = ["resident", "facility"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def has_change_permission(self, request, obj=None):  # a record of a measurement is not edited afterwards
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("blood pressure"))
    def blood_pressure(self, check):
        return check.blood_pressure


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ["start", "title", "facility", "capacity", "signed_up", "illustrative"]
    list_filter = ["facility", "illustrative"]
    date_hierarchy = "start"
    search_fields = ["title", "title_en"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_signed=Count("signups", filter=Q(signups__status=ActivitySignup.Status.SIGNED_UP)))

    @admin.display(description=_("signed up"), ordering="n_signed")
    def signed_up(self, activity):
        return activity.n_signed


@admin.register(ActivitySignup)
class ActivitySignupAdmin(PersonalDataMixin, ScopedAdmin):
    facility_field = "activity__facility"
    list_display = ["activity", "masked_name", "status", "created_at"]
    list_filter = ["status", "activity__facility"]
    list_select_related = ["activity", "resident"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
