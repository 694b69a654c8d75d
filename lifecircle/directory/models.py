"""The service directory: service categories and the standard they are judged by, facilities,
their rooms and opening hours, and the points of interest on the map of happiness."""
import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.community.models import BilingualName, Grid, Located, SubDistrict

from . import hours


class ServiceCategory(BilingualName):
    """A kind of service residents need within a walk (senior meals, infant care, ...)."""

    class Group(models.TextChoices):
        ELDERLY = "elderly", _("elderly")
        CHILDREN = "children", _("children and families")
        HEALTH = "health", _("health")
        CULTURE = "culture", _("culture and sport")
        COMMUNITY = "community", _("community affairs")
        COMMERCE = "commerce", _("daily shopping")
        OPEN_SPACE = "open_space", _("open space")

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    color = models.CharField(_("map colour"), max_length=7, default="#3366cc")
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["group", "slug"]

    def standard_row(self):
        """The row of the active standard that says how far this service may be, or None."""
        return StandardRow.objects.filter(standard__active=True, category=self).first()


class Standard(models.Model):
    """One published version of a walking-distance standard, such as Shanghai's 2016 guideline.

    Versions are immutable once published, so a coverage figure can always name the exact rules
    it was computed with; an admin edits a standard by copying it into a new draft version.
    """

    code = models.SlugField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=300)
    source = models.TextField(_("source"), help_text=_("The document this standard is taken from."))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_standard_version"),
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True), name="one_active_standard"),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    @property
    def is_published(self):
        return self.published_at is not None

    def clean(self):
        if self.active and not self.is_published:
            raise ValidationError(_("Only a published version can be active."))

    def publish(self):
        """Freeze this version and make it the one coverage is judged by."""
        if not self.rows.exists():
            raise ValidationError(_("A standard with no rows cannot be published."))
        Standard.objects.filter(active=True).exclude(pk=self.pk).update(active=False)
        self.published_at = self.published_at or timezone.now()
        self.active = True
        self.save()

    def new_draft(self):
        """A new unpublished version with a copy of this one's rows, for editing."""
        latest = Standard.objects.filter(code=self.code).order_by("-version").first()
        draft = Standard.objects.create(
            code=self.code, version=latest.version + 1, title=self.title, source=self.source, notes=self.notes
        )
        StandardRow.objects.bulk_create(
            StandardRow(
                standard=draft, category=row.category, tier_minutes=row.tier_minutes,
                threshold_m=row.threshold_m, source=row.source, note=row.note,
            )
            for row in self.rows.all()
        )
        return draft


class StandardRow(models.Model):
    """How far residents may walk to one category: its life-circle tier and distance threshold.

    Tiers do not nest: a facility serves only the needs of the categories it offers, so a
    15-minute-tier centre never counts toward a 5-minute need.
    """

    class Tier(models.IntegerChoices):
        FIVE = 5, _("5-minute")
        TEN = 10, _("10-minute")
        FIFTEEN = 15, _("15-minute")

    standard = models.ForeignKey(Standard, models.CASCADE, related_name="rows")
    category = models.ForeignKey(ServiceCategory, models.PROTECT, related_name="standard_rows")
    tier_minutes = models.PositiveSmallIntegerField(_("tier (minutes)"), choices=Tier.choices)
    threshold_m = models.PositiveIntegerField(_("walking threshold (m)"))
    source = models.CharField(_("source"), max_length=500, help_text=_("Document and clause this row cites."))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("standard row")
        verbose_name_plural = _("standard rows")
        ordering = ["standard", "tier_minutes", "category__slug"]
        constraints = [models.UniqueConstraint(fields=["standard", "category"], name="one_row_per_category")]

    def __str__(self):
        return f"{self.category}: {self.tier_minutes} min / {self.threshold_m} m"

    def clean(self):
        if self.standard_id and self.standard.is_published:
            raise ValidationError(_("This version is published; copy it into a new draft to change it."))
        if not 50 <= (self.threshold_m or 0) <= 5000:
            raise ValidationError({"threshold_m": _("A walking threshold must lie between 50 m and 5000 m.")})

    def save(self, *args, **kwargs):
        if self.pk and Standard.objects.filter(pk=self.standard_id, published_at__isnull=False).exists():
            raise ValidationError(_("This version is published; copy it into a new draft to change it."))
        super().save(*args, **kwargs)


class Place(BilingualName, Located):
    """What facilities and points of interest share: where they are and how to reach them."""

    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="+")
    grid = models.ForeignKey(Grid, models.SET_NULL, null=True, blank=True, related_name="+")
    code = models.SlugField(_("code"), max_length=64)
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    opening_hours = models.CharField(
        _("opening hours"), max_length=300, blank=True,
        help_text=_('OpenStreetMap syntax, e.g. "Mo-Fr 08:30-17:00; Sa 09:00-12:00" or "24/7".'),
    )
    website = models.URLField(_("website"), blank=True)
    illustrative = models.BooleanField(
        _("illustrative"), default=False, help_text=_("Position or figures are approximate, not surveyed.")
    )

    class Meta:
        abstract = True

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        try:
            hours.parse(self.opening_hours)
        except hours.HoursError as exc:
            errors["opening_hours"] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    @property
    def weekly_hours(self):
        return hours.parse(self.opening_hours)

    def is_open_at(self, moment):
        """Whether the place is open at the aware datetime ``moment`` (local time applies)."""
        return self._open_at(timezone.localtime(moment), self.exceptions_by_date())

    def _open_at(self, local, exceptions):
        exception = exceptions.get(local.date())
        if exception is not None:
            return exception.is_open_at(local)
        return hours.is_open(self.weekly_hours, local)

    def exception_on(self, day):
        return self.exceptions_by_date().get(day)

    def exceptions_by_date(self):
        """{date: the hours exception of that day}, read afresh on each call; a point of interest has none."""
        return {}

    def spans_on_record(self):
        """Every span of its weekly hours and of its dated exceptions."""
        return list(self.weekly_hours)

    def opens_next(self, moment, days=8):
        """The local datetime the place next opens after the aware ``moment``, looking ``days``
        ahead (hours exceptions included); None when it does not open in that time."""
        # The zone, the exceptions and the weekly hours are read once, not for every day and span:
        # a city's lists ask this of thousands of closed places each night.
        zone = timezone.get_current_timezone()
        local = timezone.localtime(moment, zone)
        exceptions, weekly = self.exceptions_by_date(), self.weekly_hours
        minute = datetime.timedelta(minutes=1)
        for offset in range(days):
            day = local.date() + datetime.timedelta(days=offset)
            exception = exceptions.get(day)
            spans = exception.spans() if exception is not None else hours.spans_on(weekly, day)
            for span in sorted(spans, key=lambda s: s.start):
                start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(span.start // 60, span.start % 60)), zone)
                # a span from midnight that only continues yesterday's is not an opening
                if start > local and not self._open_at(timezone.localtime(start - minute, zone), exceptions):
                    return timezone.localtime(start, zone)
        return None


class Facility(Place):
    """A place that provides services: a canteen, a baby-care centre, a service centre, ..."""

    class CapacityUnit(models.TextChoices):
        PLACES = "places", _("places")
        SEATS = "seats", _("seats")
        MEALS_PER_DAY = "meals_per_day", _("meals per day")
        PEOPLE = "people", _("people at a time")

    category = models.ForeignKey(ServiceCategory, models.PROTECT, related_name="facilities")
    services = models.ManyToManyField(
        ServiceCategory, blank=True, related_name="offered_by",
        help_text=_("Further categories this facility also offers, besides its main one."),
    )
    operator = models.CharField(_("operator"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    capacity_unit = models.CharField(
        _("capacity unit"), max_length=20, choices=CapacityUnit.choices, default=CapacityUnit.PLACES
    )
    class Eligibility(models.TextChoices):
        ANYONE = "anyone", _("anyone")
        RESIDENTS = "residents", _("residents of the sub-district")
        SENIORS = "seniors", _("people aged 60 and over")
        FAMILIES = "families", _("families with children under 3")

    class Cost(models.TextChoices):
        FREE = "free", _("free")
        SUBSIDISED = "subsidised", _("subsidised")
        FEE = "fee", _("fee")

    #: Languages a facility's staff may serve in (codes kept in ``languages``).
    LANGUAGES = {
        "zh": _("Mandarin"), "wuu": _("Shanghainese"), "en": _("English"), "csl": _("Chinese Sign Language"),
    }

    active = models.BooleanField(_("open for service"), default=True)
    # What a service finder (Open Referral / 211) tells a resident before they walk there.
    eligibility = models.CharField(_("who may use it"), max_length=20, choices=Eligibility.choices,
                                   default=Eligibility.ANYONE)
    cost = models.CharField(_("cost"), max_length=20, choices=Cost.choices, blank=True,
                            help_text=_("Empty when not known."))
    languages = models.JSONField(_("languages served"), default=list, blank=True,
                                 help_text=_('Codes, e.g. ["zh", "wuu", "en"]: zh Mandarin, wuu Shanghainese, '
                                             'en English, csl Chinese Sign Language.'))
    last_checked = models.DateField(_("details last checked"), null=True, blank=True,
                                    help_text=_("The day someone last confirmed these details with the facility."))
    # When the facility, its rooms or its dated hours last changed (HSDS last_modified, modified_after).
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["subdistrict", "category__slug", "code"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "code"], name="unique_facility_code")]

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        unknown = check_languages(self.languages)
        if unknown:
            errors["languages"] = [unknown]
        if errors:
            raise ValidationError(errors)

    def language_names(self):
        """The languages served, in the reader's language, in the order listed."""
        return [str(self.LANGUAGES[code]) for code in self.languages or [] if code in self.LANGUAGES]

    def all_categories(self):
        """The main category and every further service, each once."""
        extra = [c for c in self.services.all() if c.pk != self.category_id]
        return [self.category, *extra]

    def exceptions_by_date(self):
        # Iterating .all() lets a prefetch_related("hours_exceptions") serve a whole list at once.
        return {e.date: e for e in self.hours_exceptions.all()}

    def spans_on_record(self):
        return [*super().spans_on_record(), *(span for e in self.hours_exceptions.all() for span in e.spans())]


def check_languages(value):
    """Why ``value`` is not a list of known language codes (a sentence), or "" when it is."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        return str(_("Languages must be a list of codes."))
    unknown = [code for code in value if code not in Facility.LANGUAGES]
    if unknown:
        return str(_("Unknown language code(s): %(codes)s; known: %(known)s.")
                   % {"codes": ", ".join(unknown), "known": ", ".join(Facility.LANGUAGES)})
    return ""


class HoursException(models.Model):
    """A day when a facility keeps other hours than its weekly ones (a holiday, a closure)."""

    facility = models.ForeignKey(Facility, models.CASCADE, related_name="hours_exceptions")
    date = models.DateField(_("date"))
    opening_hours = models.CharField(
        _("hours that day"), max_length=100, blank=True, help_text=_('e.g. "09:00-12:00"; empty means closed.')
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("hours exception")
        verbose_name_plural = _("hours exceptions")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["facility", "date"], name="one_exception_per_day")]

    def __str__(self):
        return f"{self.date}: {self.opening_hours or _('closed')}"

    def clean(self):
        try:
            self.spans()
        except hours.HoursError as exc:
            raise ValidationError({"opening_hours": str(exc)}) from None

    def spans(self):
        day = hours.WEEKDAYS[self.date.weekday()]
        text = f"{day} {self.opening_hours}" if self.opening_hours else ""
        return [s for s in hours.parse(text) if s.weekday == self.date.weekday()]

    def is_open_at(self, local: datetime.datetime):
        return hours.is_open(self.spans(), local)


class Room(BilingualName):
    """A room or function inside a facility (the service center's lecture hall, reading area, ...)."""

    class Kind(models.TextChoices):
        EXHIBITION_HALL = "exhibition_hall", _("exhibition hall")
        STUDIO = "studio", _("studio")
        LECTURE_HALL = "lecture_hall", _("lecture hall")
        READING_AREA = "reading_area", _("reading area")
        REPRESENTATIVES_WINDOW = "representatives_window", _("representatives' window")
        MEETING_ROOM = "meeting_room", _("meeting room")
        PERFORMANCE_STAGE = "performance_stage", _("performance stage")
        BABY_CARE = "baby_care", _("baby care")
        CHILDREN_CENTRE = "children_centre", _("children's service centre")
        CLASSROOM = "classroom", _("classroom")
        VOLUNTEER_CENTRE = "volunteer_centre", _("volunteer service centre")
        SCIENCE_CENTRE = "science_centre", _("science centre")
        SERVICE_STATION = "service_station", _("service station")
        DINING_ROOM = "dining_room", _("dining room")
        ACTIVITY_ROOM = "activity_room", _("activity room")
        CARE_ROOM = "care_room", _("care room")
        OTHER = "other", _("other")

    facility = models.ForeignKey(Facility, models.CASCADE, related_name="rooms")
    code = models.SlugField(_("code"), max_length=64)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    bookable = models.BooleanField(_("bookable by residents"), default=False)
    requires_approval = models.BooleanField(_("booking needs staff approval"), default=False)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["facility", "code"]
        constraints = [models.UniqueConstraint(fields=["facility", "code"], name="unique_room_code")]


class PointOfInterest(Place):
    """A place on the map of happiness that is not a service: heritage, parks, creative parks, shops."""

    class Kind(models.TextChoices):
        HERITAGE = "heritage", _("heritage site")
        CREATIVE_PARK = "creative_park", _("creative park")
        PARK = "park", _("park")
        BOOK_STATION = "book_station", _("library / book station")
        SHOP = "shop", _("shop")
        MARKET = "market", _("market")
        LANDMARK = "landmark", _("landmark")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    heritage_designation = models.CharField(_("heritage designation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("point of interest")
        verbose_name_plural = _("points of interest")
        ordering = ["subdistrict", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "code"], name="unique_poi_code")]
