"""Staff console for bookings and events: staff see only their own facility's records, residents'
names are masked in lists, and opening a record that shows a person is written to the access log."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts import permissions
from lifecircle.directory.models import Facility, Room

from . import services
from .models import Booking, Event, Registration


class FacilityScopedAdmin(admin.ModelAdmin):
    """Rows of the facilities the user works at (administrators: all)."""

    facility_path = "facility"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = permissions.staff_facility_ids(request.user)
        if ids is None or request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.facility_path}__in": ids})


@admin.register(Booking)
class BookingAdmin(FacilityScopedAdmin):
    facility_path = "room__facility"
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        booking = self.get_object(request, object_id)
        if booking is not None:
            permissions.log_access(request.user, "view", f"admin {request.path}", resident=booking.booker)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Approve the selected pending bookings"))
    def approve(self, request, queryset):
        for booking in queryset:
            try:
                services.approve_booking(request.user, booking)
            except (services.Refused, PermissionDenied) as exc:
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = permissions.staff_facility_ids(request.user)
        if ids is not None and not request.user.is_superuser:
            if db_field.name == "facility":
                kwargs["queryset"] = Facility.objects.filter(pk__in=ids)
            elif db_field.name == "room":
                kwargs["queryset"] = Room.objects.filter(facility_id__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
            except (services.Refused, PermissionDenied) as exc:
                self.message_user(request, f"{event}: {getattr(exc, 'message', exc)}", messages.ERROR)


@admin.register(Registration)
class RegistrationAdmin(FacilityScopedAdmin):
    facility_path = "event__facility"
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        registration = self.get_object(request, object_id)
        if registration is not None:
            permissions.log_access(request.user, "view", f"admin {request.path}", resident=registration.resident,
                                   child=registration.child)
        return super().change_view(request, object_id, form_url, extra_context)
