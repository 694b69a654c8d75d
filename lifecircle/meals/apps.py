from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MealsConfig(AppConfig):
    name = "lifecircle.meals"
    verbose_name = _("助餐 Senior meals")
    role_permissions = {
        "administrator": ["*"],
        "centre_manager": ["view_mealpoint", "change_mealpoint", "view_menu", "add_menu", "change_menu",
                           "delete_menu", "view_menuitem", "add_menuitem", "change_menuitem", "delete_menuitem",
                           "view_mealorder", "view_subsidytier", "view_deliveryneed", "add_deliveryneed",
                           "change_deliveryneed"],
        "canteen_staff": ["view_mealpoint", "view_menu", "add_menu", "change_menu", "view_menuitem",
                          "add_menuitem", "change_menuitem", "delete_menuitem", "view_mealorder",
                          "view_subsidytier", "view_deliveryneed", "add_deliveryneed", "change_deliveryneed"],
        "grid_worker": ["view_deliveryneed", "add_deliveryneed", "change_deliveryneed"],
    }
    #: Listed on the resident and staff home pages: (url name, label).
    resident_links = [("meals:menu", _("This week's menus")), ("meals:mine", _("Order meals"))]
    staff_links = [("meals:staff", _("Meals: production and delivery lists"))]
