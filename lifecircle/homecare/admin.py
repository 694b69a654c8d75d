"""Staff console for care at home: carers (skills, shift, speed profile) and, read-only, plans and
visits. Staff see only their own providers' rows (the access layer, accounts/access.py); plans and
visits are made through the rules in services (consent, network, skills), so the console does not
edit them."""
from django.contrib import admin

from lifecircle.accounts.access import ScopedAdmin

from .models import CarePlan, Carer, Visit


@admin.register(Carer)
class CarerAdmin(ScopedAdmin):
    list_display = ("name", "provider", "shift_start", "shift_end", "profile", "active", "illustrative")
    list_filter = ("active", "profile")


class ReadOnly(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CarePlan)
class CarePlanAdmin(ReadOnly):
    list_display = ("pk", "provider", "care_level", "start", "end", "status", "illustrative")
    list_filter = ("status", "care_level")


@admin.register(Visit)
class VisitAdmin(ReadOnly):
    list_display = ("pk", "date", "window_start", "window_end", "status", "follow_up")
    list_filter = ("status", "date")
