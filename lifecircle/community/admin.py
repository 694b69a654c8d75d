"""The staff console for the places of each sub-district, through the access layer: every staff
member sees their own sub-district's grids and compounds; only its administrators change them, and
an administrator of one sub-district sees nothing of another's."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.access import ScopedAdmin, ScopedInline

from .models import Building, Compound, Grid, SubDistrict


@admin.register(SubDistrict)
class SubDistrictAdmin(ScopedAdmin):
    list_display = ["name", "name_en", "district", "city", "illustrative"]
    search_fields = ["name", "name_en", "code"]

    # A sub-district is made by loading its pack, and removing one removes everything in it: the
    # installation's superusers do both, never one sub-district's administrator.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    list_display = ["code", "name", "name_en", "subdistrict", "compound_count"]
    list_filter = ["subdistrict"]
    search_fields = ["name", "name_en", "code"]

    @admin.display(description=_("compounds"))
    def compound_count(self, grid):
        return grid.compounds.count()


class BuildingInline(ScopedInline, admin.TabularInline):
    model = Building
    extra = 0


@admin.register(Compound)
class CompoundAdmin(ScopedAdmin):
    list_display = ["code", "name", "grid", "households", "population", "aged_60_plus", "aged_0_3", "illustrative"]
    list_filter = ["subdistrict", "grid", "illustrative"]
    search_fields = ["name", "name_en", "code", "address"]
    inlines = [BuildingInline]
