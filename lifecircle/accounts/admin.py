from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import permissions, pipl
from .models import AccessLog, Child, Consent, Household, Resident, StaffRole


class PersonalDataAdmin(admin.ModelAdmin):
    """Lists show masked data; opening a record shows it whole and writes the audit log."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=self.visible(request).values("pk"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            self.log_read(request, obj)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Resident)
class ResidentAdmin(PersonalDataAdmin):
    list_display = ["masked_name", "masked_phone", "compound", "is_verified"]
    list_filter = ["household__compound__grid", "verified_at"]
    search_fields = ["name", "phone"]
    raw_id_fields = ["user", "household"]
    readonly_fields = ["verified_at", "verified_by"]
    actions = ["verify"]

    def visible(self, request):
        return permissions.visible_residents(request.user)

    def log_read(self, request, resident):
        permissions.log_access(request.user, "view", f"admin {request.path}", resident=resident)

    @admin.display(description=_("name"))
    def masked_name(self, resident):
        return permissions.mask_name(resident.name)

    @admin.display(description=_("phone"))
    def masked_phone(self, resident):
        return permissions.mask_phone(resident.phone)

    @admin.display(boolean=True, description=_("verified"))
    def is_verified(self, resident):
        return resident.is_verified

    @admin.action(description=_("Verify: lives in a compound of the sub-district"))
    def verify(self, request, queryset):
        for resident in queryset:
            resident.verify(request.user)

    # "Delete" erases (pipl.erase_resident): the records others must keep block a real delete.
    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, _protected = super().get_deleted_objects(objs, request)
        return [str(obj) for obj in objs], counts, perms_needed, []

    def delete_model(self, request, obj):
        pipl.erase_resident(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for resident in queryset.filter(erased_at__isnull=True):
            pipl.erase_resident(resident, by=request.user)


@admin.register(Child)
class ChildAdmin(PersonalDataAdmin):
    list_display = ["masked_name", "birth_date", "household"]
    raw_id_fields = ["household"]

    def visible(self, request):
        return Child.objects.filter(household__members__in=permissions.visible_residents(request.user)).distinct()

    def log_read(self, request, child):
        permissions.log_access(request.user, "view", f"admin {request.path}", child=child)

    @admin.display(description=_("name"))
    def masked_name(self, child):
        return permissions.mask_name(child.name)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["pk", "compound", "address"]
    list_filter = ["compound__grid"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["proxy", "principal", "relation", "recorded_at", "revoked_at"]
    raw_id_fields = ["principal", "proxy"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, consent, form, change):
        if not change:
            consent.recorded_by = request.user
        super().save_model(request, consent, form, change)


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "facility", "grid", "subdistrict"]
    list_filter = ["role", "subdistrict"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "resident", "child", "purpose"]
    list_filter = ["action", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
