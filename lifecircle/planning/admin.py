from django.contrib import admin

from lifecircle.accounts.access import ScopedAdmin

from .models import Scenario, ScenarioChange, ScenarioFacility


class ScenarioFacilityInline(admin.TabularInline):
    """Shown, not edited: a change must go through the planning pages, which recompute the results."""

    model = ScenarioFacility
    fields = ("code", "name", "category", "lon", "lat", "grid", "capacity", "active", "origin")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Scenario)
class ScenarioAdmin(ScopedAdmin):
    list_display = ("name", "subdistrict", "created_by", "created_at", "updated_at")
    list_filter = ("subdistrict",)
    search_fields = ("name", "description")
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [ScenarioFacilityInline]


@admin.register(ScenarioChange)
class ScenarioChangeAdmin(ScopedAdmin):
    list_display = ("scenario", "action", "facility_code", "seconds", "user", "at")
    list_filter = ("action", "scenario")
    search_fields = ("facility_code", "scenario__name")
    readonly_fields = [f.name for f in ScenarioChange._meta.fields]

    def has_add_permission(self, request):
        return False  # changes are made on the planning pages, which also recompute the results
