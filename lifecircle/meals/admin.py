"""Staff console for meal assistance: menus and their dishes, ordering rules, subsidy tiers, delivery
needs, and the orders (read only: residents place and cancel them). Staff see only their own
facilities' records; personal data is masked in lists and every opened record is logged."""
from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts import permissions
from lifecircle.accounts.access import ScopedAdmin

from .models import DeliveryNeed, DietaryTag, MealOrder, MealPoint, Menu, MenuItem, SubsidyTier, meal_facilities


class FacilityScopedAdmin(ScopedAdmin):
    """Rows of the user's facilities (the access layer); the facilities offered are meal points."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "facility":
            kwargs["queryset"] = meal_facilities()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(MealPoint)
class MealPointAdmin(FacilityScopedAdmin):
    list_display = ["facility", "breakfast_cutoff_days", "breakfast_cutoff_time", "lunch_cutoff_days",
                    "lunch_cutoff_time", "dinner_cutoff_days", "dinner_cutoff_time", "delivers", "delivery_min_age"]
    list_filter = ["delivers"]
    filter_horizontal = ["pickup_points"]
    open_choices = ("pickup_points",)  # residents may collect at any meal point, not only the user's

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "pickup_points":
            kwargs["queryset"] = meal_facilities()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class MenuItemForm(forms.ModelForm):
    tags = forms.MultipleChoiceField(label=_("dietary tags"), choices=DietaryTag.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = MenuItem
        fields = ["position", "name", "name_en", "tags", "price", "portions"]


class MenuItemInline(admin.TabularInline):
    model = MenuItem
    form = MenuItemForm
    extra = 1
    readonly_fields = ["ordered"]

    @admin.display(description=_("ordered"))
    def ordered(self, item):
        return item.ordered_count() if item.pk else 0


@admin.register(Menu)
class MenuAdmin(FacilityScopedAdmin):
    list_display = ["date", "meal", "facility", "dishes", "orders_placed", "published_at", "illustrative"]
    list_filter = ["meal", "facility", ("published_at", admin.EmptyFieldListFilter), "illustrative"]
    date_hierarchy = "date"
    search_fields = ["items__name", "items__name_en", "note"]
    readonly_fields = ["published_at"]
    inlines = [MenuItemInline]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_items=Count("items", distinct=True),
            n_orders=Count("orders", filter=Q(orders__status=MealOrder.Status.PLACED), distinct=True),
        )

    @admin.display(description=_("dishes"), ordering="n_items")
    def dishes(self, menu):
        return menu.n_items

    @admin.display(description=_("orders"), ordering="n_orders")
    def orders_placed(self, menu):
        return menu.n_orders

    @admin.action(description=_("Publish the selected menus"))
    def publish(self, request, queryset):
        n = queryset.filter(published_at__isnull=True).update(published_at=timezone.now())
        self.message_user(request, _("%(n)s menus published.") % {"n": n})

    @admin.action(description=_("Withdraw the selected menus (only those nobody has ordered from)"))
    def unpublish(self, request, queryset):
        ordered = queryset.filter(orders__status=MealOrder.Status.PLACED).distinct()
        if ordered.exists():
            self.message_user(request, _("Residents have ordered from some of these menus; nothing was withdrawn."),
                              messages.ERROR)
            return
        n = queryset.update(published_at=None)
        self.message_user(request, _("%(n)s menus withdrawn.") % {"n": n})


@admin.register(SubsidyTier)
class SubsidyTierAdmin(ScopedAdmin):
    list_display = ["subdistrict", "min_age", "max_age", "amount", "effective_from", "effective_to", "illustrative"]
    list_filter = ["subdistrict", "effective_from"]


class PersonalDataAdmin(ScopedAdmin):
    """Masked lists (the access layer logs every opened record)."""

    @admin.display(description=_("resident"))
    def masked_name(self, obj):
        return permissions.mask_name(obj.resident.name)


@admin.register(MealOrder)
class MealOrderAdmin(PersonalDataAdmin, FacilityScopedAdmin):
    list_display = ["menu_date", "menu_meal", "facility", "item", "masked_name", "fulfilment", "price", "subsidy",
                    "amount_due", "status"]
    list_filter = ["status", "fulfilment", "menu__meal", "menu__facility"]
    date_hierarchy = "menu__date"
    list_select_related = ["menu__facility", "item", "resident"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("date"), ordering="menu__date")
    def menu_date(self, order):
        return order.menu.date

    @admin.display(description=_("meal"), ordering="menu__meal")
    def menu_meal(self, order):
        return order.menu.get_meal_display()

    @admin.display(description=_("facility"))
    def facility(self, order):
        return order.menu.facility


@admin.register(DeliveryNeed)
class DeliveryNeedAdmin(PersonalDataAdmin):
    list_display = ["masked_name", "lives_alone", "disabled", "recorded_at"]
    list_filter = ["lives_alone", "disabled"]
    raw_id_fields = ["resident"]
    readonly_fields = ["recorded_by", "recorded_at"]
    open_choices = ("resident",)  # recorded for whoever asks at the counter; the list stays scoped

    def save_model(self, request, need, form, change):
        need.recorded_by = request.user
        super().save_model(request, need, form, change)
