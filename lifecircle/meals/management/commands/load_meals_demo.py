"""Illustrative meal-assistance data for the Jiangning Road demo: ordering rules for its canteens and
breakfast points, a week of menus from the Monday of the current week, and age-based subsidy tiers.

Every menu and tier is marked illustrative: the dishes, prices, portions and subsidy amounts are
made up for the demo. Safe to run again: rows are updated in place, and a menu residents have
already ordered from keeps its dishes.
"""
import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from lifecircle.community.models import SubDistrict
from lifecircle.directory.models import Facility
from lifecircle.meals.models import Meal, MealPoint, Menu, MenuItem, SubsidyTier, monday_of

SUBDISTRICT = "jiangning-road"

# facility code: (meals it serves, delivers, pickup points elsewhere)
POINTS = {
    "senior-canteen-yuyao": ([Meal.LUNCH, Meal.DINNER], True, []),
    "senior-canteen-haifang": ([Meal.LUNCH, Meal.DINNER], True, []),
    "senior-service-center": ([Meal.LUNCH], False, ["happiness-mini-canteen"]),
    "happiness-mini-canteen": ([Meal.BREAKFAST, Meal.LUNCH], True, []),
    "breakfast-jiaozhou": ([Meal.BREAKFAST], False, ["happiness-mini-canteen"]),
    "breakfast-jiangning": ([Meal.BREAKFAST], False, []),
}

# name, English name, dietary tags, price
DISHES = {
    Meal.BREAKFAST: [
        ("白粥、酱菜、白煮蛋", "Rice porridge, pickles and a boiled egg", ["soft", "low_sugar"], "4.00"),
        ("菜包与淡豆浆", "Vegetable bun and unsweetened soy milk", ["vegetarian", "low_sugar"], "4.50"),
        ("荠菜小馄饨", "Small wontons with shepherd's purse", ["soft"], "6.00"),
        ("燕麦粥与蒸蛋", "Oat porridge with steamed egg", ["soft", "low_sugar", "low_salt"], "5.00"),
        ("葱油拌面", "Scallion oil noodles", [], "6.00"),
        ("小米南瓜粥与花卷", "Millet and pumpkin porridge with a steamed roll", ["soft", "vegetarian"], "4.50"),
    ],
    Meal.LUNCH: [
        ("红烧狮子头套餐", "Braised pork meatball set", ["soft"], "16.00"),
        ("清蒸鲈鱼套餐", "Steamed sea bass set", ["soft", "low_salt"], "18.00"),
        ("番茄炒蛋套餐", "Tomato and egg set", ["soft", "vegetarian"], "13.00"),
        ("香菇青菜豆腐套餐", "Mushroom, greens and tofu set", ["vegetarian", "low_salt", "low_fat"], "12.00"),
        ("春笋烧肉套餐", "Bamboo shoots with pork set", [], "17.00"),
        ("清炖牛肉套餐", "Stewed beef set", ["halal", "soft"], "18.00"),
        ("杂粮饭时蔬套餐", "Mixed-grain rice with vegetables set", ["low_sugar", "vegetarian", "low_fat"], "12.00"),
        ("糖醋小排套餐", "Sweet-and-sour ribs set", [], "17.00"),
    ],
    Meal.DINNER: [
        ("鸡毛菜肉丝面", "Noodles with greens and shredded pork", ["soft"], "12.00"),
        ("蒸蛋羹套餐", "Steamed egg custard set", ["soft", "low_salt"], "12.00"),
        ("素什锦套餐", "Mixed vegetables set", ["vegetarian", "low_fat"], "11.00"),
        ("白切鸡套餐", "Poached chicken set", ["low_salt", "low_fat"], "15.00"),
        ("冬瓜虾仁汤面", "Winter melon and shrimp noodle soup", ["soft", "low_fat"], "13.00"),
    ],
}
DISHES_PER_MENU = {Meal.BREAKFAST: 2, Meal.LUNCH: 3, Meal.DINNER: 2}
PORTIONS = {Meal.BREAKFAST: 40, Meal.LUNCH: 60, Meal.DINNER: 30}

SEASONS = {  # month -> (note, English note)
    **dict.fromkeys([3, 4, 5], ("春季菜单（示意）", "Spring menu (illustrative)")),
    **dict.fromkeys([6, 7, 8], ("夏季菜单（示意）", "Summer menu (illustrative)")),
    **dict.fromkeys([9, 10, 11], ("秋季菜单（示意）", "Autumn menu (illustrative)")),
    **dict.fromkeys([12, 1, 2], ("冬季菜单（示意）", "Winter menu (illustrative)")),
}

# min age, max age, subsidy per meal (¥): illustrative values
TIERS = [(60, 69, "0.00"), (70, 79, "2.00"), (80, 89, "4.00"), (90, None, "6.00")]


class Command(BaseCommand):
    help = ("Load illustrative meal-assistance data for the Jiangning Road demo (run load_demo first): "
            "ordering rules, a week of menus from this Monday, subsidy tiers. Safe to run again.")

    def handle(self, **options):
        subdistrict = SubDistrict.objects.filter(code=SUBDISTRICT).first()
        if subdistrict is None:
            raise CommandError("The Jiangning Road demo is not loaded; run manage.py load_demo first.")
        facilities = {f.code: f for f in Facility.objects.filter(subdistrict=subdistrict, code__in=list(POINTS))}
        missing = sorted(set(POINTS) - set(facilities))
        if missing:
            raise CommandError(f"The demo lacks these facilities: {', '.join(missing)}")
        monday = monday_of(timezone.localdate())
        with transaction.atomic():
            for code, (meals, delivers, pickups) in POINTS.items():
                point, _ = MealPoint.objects.update_or_create(
                    facility=facilities[code], defaults={"delivers": delivers, "delivery_min_age": 80})
                point.pickup_points.set([facilities[c] for c in pickups])
            menus = 0
            for index, (code, (meals, _delivers, _pickups)) in enumerate(POINTS.items()):
                for offset in range(7):
                    day = monday + datetime.timedelta(days=offset)
                    for meal in meals:
                        self.write_menu(facilities[code], day, meal, offset * 2 + index)
                        menus += 1
            first_of_year = datetime.date(monday.year, 1, 1)
            for low, high, amount in TIERS:
                SubsidyTier.objects.update_or_create(
                    subdistrict=subdistrict, min_age=low, effective_from=first_of_year,
                    defaults={"max_age": high, "amount": Decimal(amount), "effective_to": None, "illustrative": True,
                              "note": "示意补贴标准 illustrative subsidy"},
                )
        self.stdout.write(self.style.SUCCESS(
            f"Meals demo: {len(POINTS)} meal points, {menus} menus for the week of {monday}, "
            f"{len(TIERS)} subsidy tiers."))
        self.stdout.write("Menus, prices, portions and subsidies are illustrative, not real offers.")

    def write_menu(self, facility, day, meal, rotation):
        note, note_en = SEASONS[day.month]
        menu, created = Menu.objects.get_or_create(
            facility=facility, date=day, meal=meal,
            defaults={"note": note, "note_en": note_en, "illustrative": True, "published_at": timezone.now()},
        )
        if not created:
            if menu.orders.exists():
                return  # residents have ordered from it: keep its dishes as they are
            menu.note, menu.note_en, menu.illustrative = note, note_en, True
            menu.published_at = menu.published_at or timezone.now()
            menu.save()
        dishes = DISHES[meal]
        wanted = [dishes[(rotation + i) % len(dishes)] for i in range(DISHES_PER_MENU[meal])]
        for position, (name, name_en, tags, price) in enumerate(wanted):
            MenuItem.objects.update_or_create(
                menu=menu, position=position,
                defaults={"name": name, "name_en": name_en, "tags": tags, "price": Decimal(price),
                          "portions": PORTIONS[meal]},
            )
        menu.items.filter(position__gte=len(wanted)).delete()
