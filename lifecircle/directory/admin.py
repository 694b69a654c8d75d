from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.access import ScopedAdmin, ScopedInline

from .models import Facility, HoursException, PointOfInterest, Room, ServiceCategory, Standard, StandardRow


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(ScopedAdmin):
    list_display = ["slug", "name", "name_en", "group", "color"]
    list_filter = ["group"]
    search_fields = ["slug", "name", "name_en"]


class StandardRowInline(admin.TabularInline):
    model = StandardRow
    extra = 0

    def has_change_permission(self, request, standard=None):
        return standard is None or not standard.is_published

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(Standard)
class StandardAdmin(ScopedAdmin):
    list_display = ["title", "version", "published_at", "active"]
    list_filter = ["code", "active"]
    readonly_fields = ["published_at", "active"]
    inlines = [StandardRowInline]
    actions = ["publish", "new_draft"]

    def get_readonly_fields(self, request, standard=None):
        if standard and standard.is_published:
            return ["code", "version", "title", "source", "published_at", "active"]
        return self.readonly_fields

    @admin.action(description=_("Publish and make active"))
    def publish(self, request, queryset):
        for standard in queryset:
            try:
                standard.publish()
                self.message_user(request, _("Published %s.") % standard)
            except ValidationError as exc:
                self.message_user(request, f"{standard}: {' '.join(exc.messages)}", messages.ERROR)

    @admin.action(description=_("Copy into a new draft version"))
    def new_draft(self, request, queryset):
        for standard in queryset:
            draft = standard.new_draft()
            self.message_user(request, _("Created draft %s.") % draft)


class RoomInline(ScopedInline, admin.TabularInline):
    model = Room
    extra = 0
    fields = ["code", "name", "name_en", "kind", "floor", "capacity", "bookable", "requires_approval"]


class HoursExceptionInline(ScopedInline, admin.TabularInline):
    model = HoursException
    extra = 0


@admin.register(Facility)
class FacilityAdmin(ScopedAdmin):
    """A centre manager edits their own facilities only (the access layer); administrators all."""

    list_display = ["code", "name", "category", "grid", "capacity", "capacity_unit", "opening_hours", "active",
                    "last_checked"]
    list_filter = ["subdistrict", "category", "grid", "active", "illustrative", "eligibility", "cost"]
    search_fields = ["code", "name", "name_en", "address", "operator"]
    filter_horizontal = ["services"]
    inlines = [RoomInline, HoursExceptionInline]
    fieldsets = [
        (None, {"fields": ["subdistrict", "code", "name", "name_en", "category", "services", "active"]}),
        (_("Where"), {"fields": ["address", "address_en", "lon", "lat", "grid"]}),
        (_("Service"), {"fields": ["operator", "phone", "email", "website", "capacity", "capacity_unit", "opening_hours"]}),
        # What the service finder filters on and shows; last_checked is the date on every entry.
        (_("For the service finder"), {"fields": ["eligibility", "cost", "languages", "last_checked"]}),
        (_("Description"), {"fields": ["description", "description_en", "illustrative"]}),
    ]


@admin.register(Room)
class RoomAdmin(ScopedAdmin):
    list_display = ["code", "name", "facility", "kind", "capacity", "bookable", "requires_approval"]
    list_filter = ["kind", "bookable", "facility"]
    search_fields = ["code", "name", "name_en"]


@admin.register(PointOfInterest)
class PointOfInterestAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "grid", "heritage_designation", "illustrative"]
    list_filter = ["subdistrict", "kind", "grid"]
    search_fields = ["code", "name", "name_en", "address"]
