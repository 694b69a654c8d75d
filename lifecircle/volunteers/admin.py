from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts import permissions
from lifecircle.accounts.access import ScopedAdmin

from .models import Activity, Certificate, HoursRecord, Role, Shift, SignUp, Skill, Volunteer


@admin.register(Skill)
class SkillAdmin(ScopedAdmin):
    list_display = ["slug", "name", "name_en"]
    search_fields = ["slug", "name", "name_en"]


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdmin):
    list_display = ["masked_name", "availability", "active", "joined_at"]
    list_filter = ["active", "skills"]
    search_fields = ["resident__name"]
    raw_id_fields = ["resident"]
    filter_horizontal = ["skills"]

    list_select_related = ["resident"]

    @admin.display(description=_("name"))
    def masked_name(self, volunteer):
        return permissions.mask_name(volunteer.resident.name)


class ManagedByFacility(ScopedAdmin):
    """Staff see the activities of their own facility, and their roles, shifts, sign-ups and hours
    (the access layer); administrators see all."""


class RoleInline(admin.TabularInline):
    model = Role
    extra = 1
    fields = ["name", "name_en", "description", "required_skill"]
    show_change_link = True


@admin.register(Activity)
class ActivityAdmin(ManagedByFacility):
    list_display = ["title", "facility", "published", "organiser", "created_at"]
    list_filter = ["published", "facility"]
    search_fields = ["title", "title_en"]
    inlines = [RoleInline]

    def save_model(self, request, activity, form, change):
        if not change and activity.organiser_id is None:
            activity.organiser = request.user
        super().save_model(request, activity, form, change)


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 1
    fields = ["starts_at", "ends_at", "capacity"]


@admin.register(Role)
class RoleAdmin(ManagedByFacility):
    list_display = ["name", "activity", "required_skill"]
    list_filter = ["activity"]
    inlines = [ShiftInline]


@admin.register(Shift)
class ShiftAdmin(ManagedByFacility):
    list_display = ["__str__", "starts_at", "ends_at", "capacity"]
    list_filter = ["role__activity"]
    date_hierarchy = "starts_at"


class ReadOnly(ManagedByFacility):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SignUp)
class SignUpAdmin(ReadOnly):
    list_display = ["shift", "masked_volunteer", "status", "created_at", "cancelled_at"]
    list_filter = ["status", "shift__role__activity"]

    @admin.display(description=_("volunteer"))
    def masked_volunteer(self, signup):
        return permissions.mask_name(signup.volunteer.resident.name)


@admin.register(HoursRecord)
class HoursRecordAdmin(ReadOnly):
    list_display = ["date", "masked_volunteer", "activity", "hours", "recorded_by"]
    list_filter = ["activity"]
    date_hierarchy = "date"

    @admin.display(description=_("volunteer"))
    def masked_volunteer(self, record):
        return permissions.mask_name(record.volunteer.resident.name)


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
    list_display = ["code", "masked_name", "total_hours", "issued_at", "issued_by"]
    search_fields = ["=code"]

    @admin.display(description=_("name"))
    def masked_name(self, certificate):
        return permissions.mask_name(certificate.name)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
