from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts import permissions
from lifecircle.accounts.access import ScopedAdmin

from .models import ApiKey, AttributeValue, RequestUpdate, Service, ServiceAttribute, ServiceRequest


class ServiceAttributeInline(admin.TabularInline):
    model = ServiceAttribute
    extra = 0
    fields = ["order", "code", "description", "description_en", "datatype", "required", "variable", "values_link"]
    readonly_fields = ["values_link"]

    @admin.display(description=_("values"))
    def values_link(self, attribute):
        if not attribute.pk or attribute.datatype not in ServiceAttribute.LISTS:
            return ""
        url = reverse("admin:requests311_serviceattribute_change", args=[attribute.pk])
        return format_html('<a href="{}">{} ({})</a>', url, _("edit values"), attribute.values.count())


@admin.register(Service)
class ServiceAdmin(ScopedAdmin):
    list_display = ["service_code", "service_name", "group", "type", "private", "expected_hours", "active", "order"]
    list_filter = ["group", "type", "private", "active"]
    search_fields = ["service_code", "service_name", "service_name_en", "keywords"]
    list_editable = ["active", "order"]
    inlines = [ServiceAttributeInline]


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 1
    fields = ["order", "key", "name", "name_en"]


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(ScopedAdmin):
    list_display = ["service", "order", "code", "description", "datatype", "required", "variable"]
    list_filter = ["service", "datatype"]
    search_fields = ["code", "description"]
    inlines = [AttributeValueInline]


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdmin):
    """A new client's key, or a reissued one, is shown once in a message: only its hash is stored."""

    list_display = ["name", "prefix", "contact", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "contact", "prefix"]
    fields = ["name", "contact", "active", "prefix", "created_at"]
    readonly_fields = ["prefix", "created_at"]
    actions = ["reissue_keys"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.reissue(save=False)
        super().save_model(request, obj, form, change)
        if not change:
            self._show_once(request, obj, obj.plaintext)

    @admin.action(description=_("Issue new keys (the old ones stop working)"))
    def reissue_keys(self, request, queryset):
        for key in queryset:
            self._show_once(request, key, key.reissue())

    def _show_once(self, request, key, plaintext):
        self.message_user(request, _("The api_key of %(client)s is %(key)s — copy it now: it is stored only as a "
                                     "hash and cannot be shown again.") % {"client": key.name, "key": plaintext},
                          messages.WARNING)


class RequestUpdateInline(admin.TabularInline):
    model = RequestUpdate
    extra = 0
    fields = ["created_at", "kind", "state", "note", "by_reporter", "author"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ScopedAdmin):
    """Read and search; states change on the staff pages, which keep the lifecycle rules. What stays
    editable is what moderation needs: removing personal data a reporter put into the public text."""

    list_display = ["pk", "service", "state", "grid", "routing", "masked_reporter", "requested_at", "closed_at"]
    list_filter = ["state", "routing", "grid", "service", "service__private"]
    search_fields = ["=pk", "address_string", "description"]
    date_hierarchy = "requested_at"
    inlines = [RequestUpdateInline]
    readonly_fields = ["service", "lat", "lon", "state", "status_notes", "grid", "routing", "requested_at", "updated_at", "acknowledged_at",
                       "closed_at", "token", "api_key", "reporter", "resident", "attributes", "expected_at"]
    fields = ["service", "state", "status_notes", "description", "attributes", "media_url", "lat", "lon",
              "address_string", "address_id", "grid", "routing", "resident", "reporter", "first_name", "last_name",
              "phone", "email", "account_id", "device_id", "api_key", "token", "service_notice", "requested_at",
              "updated_at", "expected_at", "acknowledged_at", "closed_at"]

    def get_queryset(self, request):  # the access layer: a grid worker's grids, administrators all
        return super().get_queryset(request).select_related("service", "grid", "resident")

    def has_add_permission(self, request):
        return False  # requests come from residents, through the pages or Open311

    @admin.display(description=_("reporter"))
    def masked_reporter(self, service_request):
        return permissions.mask_name(service_request.reporter_name)
