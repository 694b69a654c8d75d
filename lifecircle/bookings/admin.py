"""Staff console for bookings and events: staff see only their own facility's records, residents'
names are masked in lists, and opening a record that shows a person is written to the access log."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from lifecircle import errors
from lifecircle.accounts import permissions
from lifecircle.accounts.access import ScopedAdmin

from . import services
from .models import Booking, Event, Registration


class FacilityScopedAdmin(ScopedAdmin):
    """Rows of the facilities the user works at (administrators: all), through the access layer,
    which also logs every opened record that shows a person."""


@admin.register(Booking)
class BookingAdmin(FacilityScopedAdmin):
    list_display = ["room", "start", "end", "status", "masked_booker", "group_name", "attendees"]
    list_filter = ["status", "room__facility", "room"]
    search_fields = ["purpose", "group_name", "room__name"]
    date_hierarchy = "start"
    list_select_related = ["room", "booker"]
    readonly_fields = ["room", "booker", "group_name", "purpose", "attendees", "start", "end", "status", "decided_by",
                       "decided_at", "rejection_reason", "cancelled_at", "reminder_sent_at", "created_at", "updated_at"]
    actions = ["approve"]

    def has_add_permission(self, request):
        return False  # residents book on the site, where every rule is checked

    def has_delete_permission(self, request, obj=None):
        return False  # cancel or reject instead, so the resident is told

    @admin.display(description=_("booked by"))
    def masked_booker(self, booking):
        return permissions.mask_name(booking.booker.name)

    @admin.action(description=_("Approve the selected pending bookings"))
    def approve(self, request, queryset):
        for booking in queryset:
            try:
                services.approve_booking(request.user, booking)
            except (errors.Refused, PermissionDenied) as exc:
                self.message_user(request, f"{booking}: {getattr(exc, 'message', exc)}", messages.ERROR)
            else:
                self.message_user(request, _("Approved: %(booking)s") % {"booking": booking}, messages.SUCCESS)


@admin.register(Event)
class EventAdmin(FacilityScopedAdmin):
    list_display = ["title", "kind", "facility", "room", "start", "capacity", "places_left", "cancelled_at"]
    list_filter = ["kind", "facility", "cancelled_at"]
    search_fields = ["title", "title_en"]
    date_hierarchy = "start"
    readonly_fields = ["cancelled_at", "cancel_reason", "created_at", "updated_at"]
    actions = ["cancel_events"]

    @admin.display(description=_("places left"))
    def places_left(self, event):
        return services.places_left(event)

    def save_model(self, request, event, form, change):
        if event.facility_id:
            permissions.require_facility_staff(request.user, event.facility)
        super().save_model(request, event, form, change)
        if change:
            promoted = services.fill_from_waitlist(event)  # more places: the first in line get them
            if promoted:
                self.message_user(request, _("%(n)d moved up from the waitlist and were told.") % {"n": len(promoted)})

    @admin.action(description=_("Cancel the selected events (everyone registered is told)"))
    def cancel_events(self, request, queryset):
        for event in queryset:
            try:
                services.cancel_event(request.user, event)
            except (errors.Refused, PermissionDenied) as exc:
                self.message_user(request, f"{event}: {getattr(exc, 'message', exc)}", messages.ERROR)


@admin.register(Registration)
class RegistrationAdmin(FacilityScopedAdmin):
    list_display = ["event", "masked_participant", "status", "created_at", "checked_in_at"]
    list_filter = ["status", "event__facility", "event"]
    list_select_related = ["event", "resident", "child"]
    search_fields = ["event__title", "code"]
    readonly_fields = ["event", "resident", "child", "registered_by", "status", "code", "promoted_at", "cancelled_at",
                       "checked_in_at", "checked_in_by", "reminder_sent_at", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("participant"))
    def masked_participant(self, registration):
        return permissions.mask_name(registration.participant_name)
