"""Meal assistance for seniors: the canteens' and breakfast points' menus, orders with a cut-off,
pickup or home delivery, and the age-based subsidy each meal gets.

A ``Menu`` is one facility's offer for one meal (breakfast, lunch or dinner) on one day; its
``MenuItem`` rows are the dishes (usually set meals) with their price and the portions cooked.
A ``MealOrder`` is one portion of one dish for one resident: the price, the subsidy and the
amount due are stored as they were when it was ordered.
"""
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import Resident
from lifecircle.community.models import BilingualName, SubDistrict
from lifecircle.directory.models import Facility

#: Facilities that offer one of these categories (as main category or further service) cook or hand out meals.
MEAL_CATEGORIES = ("senior_meals", "breakfast")


def meal_facilities():
    """Active facilities that publish menus: senior canteens and breakfast points."""
    return (
        Facility.objects.filter(active=True)
        .filter(Q(category__slug__in=MEAL_CATEGORIES) | Q(services__slug__in=MEAL_CATEGORIES))
        .distinct()
        .order_by("subdistrict", "code")
    )


def offers_meals(facility):
    return meal_facilities().filter(pk=facility.pk).exists()


def monday_of(day):
    return day - datetime.timedelta(days=day.weekday())


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", _("breakfast")
    LUNCH = "lunch", _("lunch")
    DINNER = "dinner", _("dinner")


MEAL_ORDER = {Meal.BREAKFAST: 0, Meal.LUNCH: 1, Meal.DINNER: 2}


class DietaryTag(models.TextChoices):
    SOFT = "soft", _("soft")
    LOW_SALT = "low_salt", _("low salt")
    LOW_SUGAR = "low_sugar", _("low sugar")
    LOW_FAT = "low_fat", _("low fat")
    VEGETARIAN = "vegetarian", _("vegetarian")
    HALAL = "halal", _("halal")


def tag_labels(tags):
    labels = dict(DietaryTag.choices)
    return [labels.get(tag, tag) for tag in tags]


class MealPoint(models.Model):
    """How one canteen or breakfast point takes orders: cut-off times, pickup points, delivery.

    A cut-off is "N days before the meal, at a time of day": breakfast by 17:00 the day before,
    lunch by 09:00 the same day, and so on. A facility without a row uses the defaults.
    """

    facility = models.OneToOneField(Facility, models.CASCADE, related_name="meal_point", verbose_name=_("facility"))
    breakfast_cutoff_days = models.PositiveSmallIntegerField(
        _("breakfast: order days before"), default=1, validators=[MaxValueValidator(14)])
    breakfast_cutoff_time = models.TimeField(_("breakfast: order by"), default=datetime.time(17, 0))
    lunch_cutoff_days = models.PositiveSmallIntegerField(
        _("lunch: order days before"), default=0, validators=[MaxValueValidator(14)])
    lunch_cutoff_time = models.TimeField(_("lunch: order by"), default=datetime.time(9, 0))
    dinner_cutoff_days = models.PositiveSmallIntegerField(
        _("dinner: order days before"), default=0, validators=[MaxValueValidator(14)])
    dinner_cutoff_time = models.TimeField(_("dinner: order by"), default=datetime.time(14, 0))
    pickup_points = models.ManyToManyField(
        Facility, blank=True, related_name="+", verbose_name=_("further pickup points"),
        help_text=_("Other points (such as breakfast points) where this facility's meals may be collected."),
    )
    delivers = models.BooleanField(_("delivers to homes"), default=False)
    delivery_min_age = models.PositiveSmallIntegerField(
        _("delivery from age"), default=80, validators=[MaxValueValidator(120)],
        help_text=_("Residents this old or older may have meals delivered; so may those staff flag as living "
                    "alone or disabled."),
    )

    class Meta:
        verbose_name = _("meal point")
        verbose_name_plural = _("meal points")

    def __str__(self):
        return str(self.facility)

    @classmethod
    def for_facility(cls, facility):
        """The facility's ordering rules, or the defaults (unsaved) when it has none."""
        try:
            return facility.meal_point
        except cls.DoesNotExist:
            return cls(facility=facility)

    def clean(self):
        if self.facility_id and not offers_meals(self.facility):
            raise ValidationError({"facility": _("This facility offers neither senior meals nor breakfast.")})

    def cutoff(self, day, meal):
        """The aware moment after which orders for ``meal`` on ``day`` are closed."""
        days = getattr(self, f"{meal}_cutoff_days")
        at = getattr(self, f"{meal}_cutoff_time")
        local = datetime.datetime.combine(day - datetime.timedelta(days=days), at)
        return timezone.make_aware(local, timezone.get_default_timezone())

    def pickup_choices(self):
        """Where this facility's meals may be collected: the facility itself first, then the others."""
        others = [] if self.pk is None else list(self.pickup_points.filter(active=True).exclude(pk=self.facility_id))
        return [self.facility, *others]


class Menu(models.Model):
    """One facility's menu for one meal on one day."""

    facility = models.ForeignKey(Facility, models.PROTECT, related_name="menus", verbose_name=_("facility"))
    date = models.DateField(_("date"))
    meal = models.CharField(_("meal"), max_length=10, choices=Meal.choices)
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("e.g. the season's menu"))
    note_en = models.CharField(_("note (English)"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False,
                                       help_text=_("Demo content, not a real menu."))

    class Meta:
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        ordering = ["facility", "date", "meal"]
        constraints = [models.UniqueConstraint(fields=["facility", "date", "meal"], name="one_menu_per_meal")]

    def __str__(self):
        return f"{self.facility} {self.date} {self.get_meal_display()}"

    @property
    def is_published(self):
        return self.published_at is not None

    def clean(self):
        if self.facility_id and not offers_meals(self.facility):
            raise ValidationError({"facility": _("This facility offers neither senior meals nor breakfast.")})


class MenuItem(BilingualName):
    """A dish (usually a set meal) on a menu: its price and the portions cooked."""

    menu = models.ForeignKey(Menu, models.CASCADE, related_name="items", verbose_name=_("menu"))
    tags = models.JSONField(_("dietary tags"), default=list, blank=True)
    price = models.DecimalField(_("price (¥)"), max_digits=7, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0"))])
    portions = models.PositiveIntegerField(_("portions available"), validators=[MaxValueValidator(5000)])
    position = models.PositiveSmallIntegerField(_("order on the menu"), default=0)

    class Meta:
        verbose_name = _("dish")
        verbose_name_plural = _("dishes")
        ordering = ["menu", "position", "pk"]

    def clean(self):
        errors = {}
        if not isinstance(self.tags, list) or any(tag not in DietaryTag.values for tag in self.tags):
            errors["tags"] = _("Dietary tags must be a list of: %(tags)s.") % {"tags": ", ".join(DietaryTag.values)}
        if self.pk:
            ordered = self.ordered_count()
            if self.portions is not None and self.portions < ordered:
                errors["portions"] = _("%(n)s portions are already ordered; there cannot be fewer.") % {"n": ordered}
        if errors:
            raise ValidationError(errors)

    def ordered_count(self):
        return self.orders.filter(status=MealOrder.Status.PLACED).count()

    @property
    def tag_labels(self):
        return tag_labels(self.tags)


class SubsidyTier(models.Model):
    """How much of each meal's price a sub-district pays for residents of an age, from a date."""

    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="+", verbose_name=_("sub-district"))
    min_age = models.PositiveSmallIntegerField(_("from age"), validators=[MaxValueValidator(130)])
    max_age = models.PositiveSmallIntegerField(_("to age (inclusive)"), null=True, blank=True,
                                               validators=[MaxValueValidator(130)],
                                               help_text=_("Empty: no upper limit."))
    amount = models.DecimalField(_("subsidy per meal (¥)"), max_digits=6, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to (inclusive)"), null=True, blank=True,
                                    help_text=_("Empty: until further notice."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = _("subsidy tier")
        verbose_name_plural = _("subsidy tiers")
        ordering = ["subdistrict", "-effective_from", "min_age"]

    def __str__(self):
        ages = f"{self.min_age}–{self.max_age}" if self.max_age is not None else f"{self.min_age}+"
        return f"{ages}: ¥{self.amount} ({self.effective_from})"

    def clean(self):
        if self.max_age is not None and self.min_age is not None and self.max_age < self.min_age:
            raise ValidationError({"max_age": _("The upper age cannot be below the lower one.")})
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("A tier cannot end before it starts.")})
        if self.subdistrict_id and self.min_age is not None and self.effective_from:
            clash = self.overlapping().first()
            if clash:
                raise ValidationError(_("This tier overlaps another for the same ages and dates: %(tier)s.")
                                      % {"tier": clash})

    def overlapping(self):
        tiers = SubsidyTier.objects.filter(subdistrict_id=self.subdistrict_id).exclude(pk=self.pk)
        tiers = tiers.filter(Q(max_age__isnull=True) | Q(max_age__gte=self.min_age))
        if self.max_age is not None:
            tiers = tiers.filter(min_age__lte=self.max_age)
        tiers = tiers.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))
        if self.effective_to is not None:
            tiers = tiers.filter(effective_from__lte=self.effective_to)
        return tiers

    @classmethod
    def applying(cls, subdistrict, age, day):
        """The tier for someone of ``age`` eating on ``day``, or None (no subsidy)."""
        return (
            cls.objects.filter(subdistrict=subdistrict, min_age__lte=age, effective_from__lte=day)
            .filter(Q(max_age__isnull=True) | Q(max_age__gte=age))
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            .order_by("-effective_from", "-min_age")
            .first()
        )


class DeliveryNeed(models.Model):
    """Staff's record that a resident lives alone or is disabled, which makes them eligible for delivery."""

    resident = models.OneToOneField(Resident, models.CASCADE, related_name="delivery_need", verbose_name=_("resident"))
    lives_alone = models.BooleanField(_("lives alone"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("delivery need")
        verbose_name_plural = _("delivery needs")

    def __str__(self):
        return str(self.resident)

    @property
    def qualifies(self):
        return self.lives_alone or self.disabled


class MealOrder(models.Model):
    """One portion of one dish for one resident, with what it cost when it was ordered."""

    class Status(models.TextChoices):
        PLACED = "placed", _("ordered")
        CANCELLED = "cancelled", _("cancelled")

    class Fulfilment(models.TextChoices):
        PICKUP = "pickup", _("pickup")
        DELIVERY = "delivery", _("home delivery")

    resident = models.ForeignKey(Resident, models.PROTECT, related_name="meal_orders", verbose_name=_("diner"))
    ordered_by = models.ForeignKey(Resident, models.PROTECT, related_name="+", verbose_name=_("ordered by"))
    menu = models.ForeignKey(Menu, models.PROTECT, related_name="orders", verbose_name=_("menu"))
    item = models.ForeignKey(MenuItem, models.PROTECT, related_name="orders", verbose_name=_("dish"))
    fulfilment = models.CharField(_("pickup or delivery"), max_length=10, choices=Fulfilment.choices)
    pickup_point = models.ForeignKey(Facility, models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("pickup point"))
    delivery_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    dietary_notes = models.CharField(_("dietary notes"), max_length=300, blank=True)
    price = models.DecimalField(_("price (¥)"), max_digits=7, decimal_places=2)
    subsidy = models.DecimalField(_("subsidy (¥)"), max_digits=7, decimal_places=2)
    amount_due = models.DecimalField(_("amount due (¥)"), max_digits=7, decimal_places=2)
    subsidy_tier = models.ForeignKey(SubsidyTier, models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("subsidy tier"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLACED)
    created_at = models.DateTimeField(_("ordered"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("cancelled by"))

    class Meta:
        verbose_name = _("meal order")
        verbose_name_plural = _("meal orders")
        ordering = ["-menu__date", "menu__meal", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "menu"], condition=Q(status="placed"),
                                    name="one_meal_per_resident_and_menu"),
        ]

    def __str__(self):
        return f"{self.resident} {self.menu}: {self.item}"

    @property
    def is_active(self):
        return self.status == self.Status.PLACED
