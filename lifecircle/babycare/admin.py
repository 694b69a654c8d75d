"""The staff console for baby care.

Centre managers edit their centre's age groups, places and priority rules here; applications,
offers, placements and attendance are shown (names masked in lists, every opened record logged)
but change only through the flow, which keeps the capacity and waiting-list rules.
"""
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.access import ScopedAdmin
from lifecircle.accounts.permissions import mask_name

from . import services
from .models import AgeGroup, Application, Attendance, CareProgramme, Offer, Placement, PriorityRule


class AgeGroupFormSet(forms.BaseInlineFormSet):
    """Groups of one centre must not overlap, and their places must fit the centre's capacity."""

    def clean(self):
        super().clean()
        groups = [f.cleaned_data for f in self.forms
                  if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("min_months") is not None]
        groups.sort(key=lambda g: g["min_months"])
        for before, after in zip(groups, groups[1:]):
            if after["min_months"] <= before["max_months"]:
                raise ValidationError(_("Age groups %(a)s–%(b)s and %(c)s–%(d)s months overlap.") % {
                    "a": before["min_months"], "b": before["max_months"], "c": after["min_months"], "d": after["max_months"]})
        capacity = self.instance.facility.capacity if self.instance.facility_id else None
        total = sum(g.get("places") or 0 for g in groups)
        if capacity is not None and total > capacity:
            raise ValidationError(_("The age groups have %(total)s places, more than the centre's capacity of %(capacity)s.")
                                  % {"total": total, "capacity": capacity})


class AgeGroupInline(admin.TabularInline):
    model = AgeGroup
    formset = AgeGroupFormSet
    extra = 0
    fields = ["min_months", "max_months", "places", "taken_places"]
    readonly_fields = ["taken_places"]

    @admin.display(description=_("offered or taken"))
    def taken_places(self, group):
        return group.taken() if group.pk else 0


class PriorityRuleInline(admin.StackedInline):
    model = PriorityRule
    extra = 0
    fields = [("position", "kind", "weight", "active"), "compounds"]
    filter_horizontal = ["compounds"]


@admin.register(CareProgramme)
class CareProgrammeAdmin(ScopedAdmin):
    list_display = ["facility", "centre_type", "places", "free_places", "waiting", "offer_days", "accepting_applications",
                    "illustrative"]
    list_filter = ["centre_type", "accepting_applications", "illustrative"]
    search_fields = ["facility__name", "facility__name_en", "facility__code"]
    inlines = [AgeGroupInline, PriorityRuleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("facility")

    def get_readonly_fields(self, request, obj=None):
        return ["facility"] if obj is not None else []

    @admin.display(description=_("places"))
    def places(self, programme):
        return sum(g.places for g in programme.age_groups.all())

    @admin.display(description=_("free"))
    def free_places(self, programme):
        return sum(max(0, g.places - g.taken()) for g in programme.age_groups.all())

    @admin.display(description=_("waiting"))
    def waiting(self, programme):
        return programme.applications.filter(status=Application.Status.WAITING).count()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # More places, or a rule that changes who is first: offer what is free now.
        for group in form.instance.age_groups.all():
            services.fill_free_places(group.pk)


class PersonalRowsAdmin(ScopedAdmin):
    """Read-only lists of a centre's children: masked in lists (the access layer scopes them to the
    user's centres and logs every opened record)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("child"))
    def masked_child(self, obj):
        return mask_name(self.child_of(obj).name)


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = ["made_at", "expires_at", "status", "responded_at", "reminded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(PersonalRowsAdmin):
    list_display = ["masked_child", "programme", "age_group", "start_date", "status", "created_at"]
    list_filter = ["status", "programme", "start_date"]
    date_hierarchy = "created_at"
    inlines = [OfferInline]
    exclude = ["child", "applicant"]
    readonly_fields = ["child_name", "applicant_name", "programme", "age_group", "start_date", "age_months_at_start",
                       "both_parents_working", "registered_hardship", "status", "created_at", "closed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child", "programme__facility", "age_group")

    def child_of(self, application):
        return application.child

    @admin.display(description=_("child"))
    def child_name(self, application):
        return f"{application.child.name} ({application.child.birth_date.isoformat()})"

    @admin.display(description=_("applicant"))
    def applicant_name(self, application):
        return f"{application.applicant.name} {application.applicant.phone}"


@admin.register(Placement)
class PlacementAdmin(PersonalRowsAdmin):
    list_display = ["masked_child", "centre", "starts_on", "ended_on"]
    list_filter = ["application__programme", "ended_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application__child", "application__programme__facility")

    def child_of(self, placement):
        return placement.application.child

    @admin.display(description=_("centre"))
    def centre(self, placement):
        return placement.application.programme


@admin.register(Attendance)
class AttendanceAdmin(PersonalRowsAdmin):
    list_display = ["date", "masked_child", "status", "reason", "reported_by_parent"]
    list_filter = ["status", "reason", "placement__application__programme", "date"]
    date_hierarchy = "date"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("placement__application__child")

    def child_of(self, record):
        return record.placement.application.child
