from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Building, Compound, Grid, SubDistrict


@admin.register(SubDistrict)
class SubDistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "district", "city", "illustrative"]
    search_fields = ["name", "name_en", "code"]


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "subdistrict", "compound_count"]
    list_filter = ["subdistrict"]
    search_fields = ["name", "name_en", "code"]

    @admin.display(description=_("compounds"))
    def compound_count(self, grid):
        return grid.compounds.count()


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "grid", "households", "population", "aged_60_plus", "aged_0_3", "illustrative"]
    list_filter = ["subdistrict", "grid", "illustrative"]
    search_fields = ["name", "name_en", "code", "address"]
    inlines = [BuildingInline]
