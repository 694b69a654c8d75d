"""The staff console for residents, households, children and consents, through the access layer.

Grid workers see and correct their grid's people only; every foreign key (household, user,
principal, proxy) offers only rows in their scope, so nobody can be moved into, or made to act for,
someone of another grid. The ID number is never on the form: it shows masked, and the whole number
only on an explicit reveal by someone who may change the record, which is audited.
"""
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import permissions, pipl
from .access import ScopedAdmin, can_change, log_read, scope_of
from .models import AccessLog, Child, Consent, Household, Resident, StaffRole


class ResidentForm(forms.ModelForm):
    """The ID number is typed in, never shown: empty keeps the number on record."""

    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))

    class Meta:
        model = Resident
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["id_number"] = ""
        on_record = self.instance.id_number if self.instance.pk else ""
        self.fields["id_number"].help_text = (
            _("On record: %(masked)s. Leave empty to keep it; type a new number to replace it.")
            % {"masked": permissions.mask_id_number(on_record)} if on_record else _("None on record."))

    def clean_id_number(self):
        typed = self.cleaned_data["id_number"].strip()
        return typed or (self.instance.id_number if self.instance.pk else "")


@admin.register(Resident)
class ResidentAdmin(ScopedAdmin):
    form = ResidentForm
    list_display = ["masked_name", "masked_phone", "compound", "is_verified"]
    list_filter = ["household__compound__grid", "verified_at"]
    search_fields = ["name", "phone"]
    raw_id_fields = ["user", "household"]
    readonly_fields = ["verified_at", "verified_by", "reveal_link"]
    actions = ["verify"]

    def get_urls(self):
        return [path("<int:pk>/reveal-id/", self.admin_site.admin_view(self.reveal_id),
                     name="accounts_resident_reveal_id"), *super().get_urls()]

    def reveal_id(self, request, pk):
        """The whole ID number, for someone who may change this record; the reveal is audited."""
        resident = self.get_queryset(request).filter(pk=pk).first()
        if resident is None:
            raise Http404
        if not (self.has_change_permission(request, resident) and can_change(request.user, resident)):
            raise PermissionDenied
        log_read(request.user, resident, f"admin {request.path}", action="reveal")
        return TemplateResponse(request, "admin/accounts/resident/reveal_id.html", {
            **self.admin_site.each_context(request), "resident": resident, "opts": self.model._meta,
            "title": _("ID number")})

    @admin.display(description=_("whole ID number"))
    def reveal_link(self, resident):
        if not resident.pk or not resident.id_number:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:accounts_resident_reveal_id", args=[resident.pk]),
                           _("Show the whole number (recorded in the audit log)"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not scope_of(request.user).everything:
            # Only accounts nobody else is: not staff, not another resident's.
            kwargs["queryset"] = get_user_model().objects.filter(
                is_staff=False, is_superuser=False, resident__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        user_field = form.base_fields.get("user")
        if obj is not None and obj.user_id and user_field is not None:
            user_field.queryset = (user_field.queryset | get_user_model().objects.filter(pk=obj.user_id)).distinct()
        return form

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
            if can_change(request.user, resident):
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
class ChildAdmin(ScopedAdmin):
    list_display = ["masked_name", "birth_year", "household"]
    raw_id_fields = ["household"]

    @admin.display(description=_("name"))
    def masked_name(self, child):
        return permissions.mask_name(child.name)

    @admin.display(description=_("born"))
    def birth_year(self, child):
        return child.birth_date.year  # the whole date is on the (audited) record, not in the list


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ["pk", "compound", "address"]
    list_filter = ["compound__grid"]


@admin.register(Consent)
class ConsentAdmin(ScopedAdmin):
    list_display = ["proxy", "principal", "relation", "recorded_at", "revoked_at"]
    raw_id_fields = ["principal", "proxy"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, consent, form, change):
        if not change:
            consent.recorded_by = request.user
        super().save_model(request, consent, form, change)
        log_read(request.user, consent.principal, f"admin consent {consent.pk} {'changed' if change else 'recorded'}",
                 action="consent")


@admin.register(StaffRole)
class StaffRoleAdmin(ScopedAdmin):
    list_display = ["user", "role", "facility", "grid", "subdistrict"]
    list_filter = ["role", "subdistrict"]


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdmin):
    list_display = ["at", "user", "action", "resident", "child", "purpose"]
    list_filter = ["action", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
