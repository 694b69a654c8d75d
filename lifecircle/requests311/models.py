"""Residents' requests (诉求) in the Open311 GeoReport v2 model: service definitions with their
attributes, API keys, service requests with a detailed lifecycle, and the updates each change
leaves (the notes the reporter reads, and the status-update stream).

GeoReport v2 only knows ``open`` and ``closed``; the sub-district works in four states (open →
acknowledged → in progress → closed). ``ServiceRequest.status`` maps them onto the spec's two,
and the detailed state travels as an extension (``extended_attributes.detailed_status``).
"""
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lifecircle.accounts.models import Resident
from lifecircle.community.models import Grid
from lifecircle.compiled_queries import CompiledQuery


def _english(obj, field):
    value = getattr(obj, field + "_en", "")
    return value if value and (get_language() or "").startswith("en") else getattr(obj, field)


class Service(models.Model):
    """A kind of request residents can make (GeoReport v2 "service")."""

    class Type(models.TextChoices):
        REALTIME = "realtime", _("realtime: the request id is returned at once")
        BATCH = "batch", _("batch: a token is returned, exchanged later for the request id")

    service_code = models.SlugField(_("service code"), max_length=64, unique=True)
    service_name = models.CharField(_("name (Chinese)"), max_length=200)
    service_name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    group = models.CharField(_("group"), max_length=100, help_text=_("e.g. street, environment, care"))
    keywords = models.CharField(_("keywords"), max_length=300, blank=True, help_text=_("comma separated synonyms"))
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.REALTIME)
    service_notice = models.TextField(
        _("service notice"), blank=True, help_text=_("What will happen next; returned to the reporter."))
    expected_hours = models.PositiveIntegerField(
        _("expected hours to fulfil"), null=True, blank=True, help_text=_("Sets expected_datetime; leave empty for none."))
    private = models.BooleanField(
        _("private need"), default=False,
        help_text=_("Location, address and description are never published (e.g. help for an elderly neighbour)."))
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["order", "service_code"]

    def __str__(self):
        return f"{self.service_code} {self.service_name}"

    @property
    def display_name(self):
        return _english(self, "service_name")

    @property
    def display_description(self):
        return _english(self, "description")

    @property
    def metadata(self):
        """GeoReport v2: true when the client must fetch the service definition (it has attributes)."""
        return self.attributes.exists()


class ServiceAttribute(models.Model):
    """One field of a service definition (GeoReport v2 "attribute")."""

    class Datatype(models.TextChoices):
        STRING = "string", _("string (one line)")
        NUMBER = "number", _("number")
        DATETIME = "datetime", _("date and time")
        TEXT = "text", _("text (several lines)")
        SINGLEVALUELIST = "singlevaluelist", _("one value from a list")
        MULTIVALUELIST = "multivaluelist", _("several values from a list")

    LISTS = {Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST}

    service = models.ForeignKey(Service, models.CASCADE, related_name="attributes")
    code = models.SlugField(_("code"), max_length=64)
    variable = models.BooleanField(
        _("variable"), default=True, help_text=_("Unset for an attribute that only informs the user (no input)."))
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    datatype_description = models.CharField(_("datatype description"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=1)
    description = models.CharField(_("description (Chinese)"), max_length=500)
    description_en = models.CharField(_("description (English)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["service", "order"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="unique_attribute_code"),
            models.UniqueConstraint(fields=["service", "order"], name="unique_attribute_order"),
        ]

    def __str__(self):
        return f"{self.service.service_code}/{self.code}"

    @property
    def display_description(self):
        return _english(self, "description")

    def clean(self):
        if self.order == 0:
            raise ValidationError({"order": _("The order is a positive integer; 1 is shown first.")})
        if self.required and not self.variable:
            raise ValidationError({"required": _("An attribute that takes no input cannot be required.")})


class AttributeValue(models.Model):
    """An option of a singlevaluelist or multivaluelist attribute."""

    attribute = models.ForeignKey(ServiceAttribute, models.CASCADE, related_name="values")
    key = models.SlugField(_("key"), max_length=64)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        ordering = ["attribute", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["attribute", "key"], name="unique_attribute_value_key")]

    def __str__(self):
        return f"{self.key} {self.name}"

    @property
    def display_name(self):
        return _english(self, "name")


def new_api_key():
    return secrets.token_urlsafe(24)


def hash_api_key(value):
    """The stored form of an api_key. A key is 192 random bits, not a password a person chose, so
    one SHA-256 is enough (nothing to guess from), and it keeps the lookup of every POST cheap."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _unusable_key_hash():
    return hash_api_key(new_api_key())  # a key nobody was shown: usable only once reissued


class ApiKey(models.Model):
    """A key that lets one client (an app, a kiosk, a partner) submit requests.

    Only the key's SHA-256 is stored, with its first characters to tell keys apart: the key itself
    is shown once, by ``issue``/``reissue`` (the admin and ``manage.py create_open311_key`` call
    them), and can never be read back; a lost key is replaced by a new one.
    """

    PREFIX_LENGTH = 6

    name = models.CharField(_("client"), max_length=200, help_text=_("Who uses this key, e.g. the WeChat mini-program"))
    prefix = models.CharField(_("key starts with"), max_length=PREFIX_LENGTH, blank=True, editable=False)
    key_hash = models.CharField(_("key (SHA-256)"), max_length=64, unique=True, default=_unusable_key_hash,
                                editable=False)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return self.name

    @classmethod
    def issue(cls, name, contact=""):
        """A new saved key; its ``plaintext`` attribute is the key, here and nowhere else."""
        key = cls(name=name, contact=contact)
        key.reissue(save=False)
        key.save()
        return key

    def reissue(self, save=True):
        """Give this client a new key (the old one stops working); returns the new key's text."""
        self.plaintext = new_api_key()
        self.prefix = self.plaintext[:self.PREFIX_LENGTH]
        self.key_hash = hash_api_key(self.plaintext)
        if save:
            self.save(update_fields=["prefix", "key_hash"])
        return self.plaintext

    @classmethod
    def active_for(cls, value):
        """The active key whose text is ``value``, or None. Every POST asks it, so its query is
        compiled once per process (``lifecircle.compiled_queries``): compiled on every request it
        cost 0.4–0.5 ms of CPU, run again 0.2."""
        if not value:
            return None
        return next(iter(_ACTIVE_KEY.objects(key_hash=hash_api_key(value))), None)


def _active_key(key_hash: str):
    """The active key whose SHA-256 is ``key_hash`` (at most one: the hash is unique)."""
    return ApiKey._default_manager.filter(key_hash=key_hash, active=True)


_ACTIVE_KEY = CompiledQuery(_active_key)


def new_token():
    return secrets.token_urlsafe(16)


class ServiceRequest(models.Model):
    """One resident's request (GeoReport v2 "service request")."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("request state", "open")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("request state", "acknowledged")
        IN_PROGRESS = "in_progress", pgettext_lazy("request state", "in progress")
        CLOSED = "closed", pgettext_lazy("request state", "closed")
        REOPENED = "reopened", pgettext_lazy("request state", "reopened")

    class Resolution(models.TextChoices):
        """How a closed request ended, as FixMyStreet-style services report it."""
        FIXED = "", pgettext_lazy("request resolution", "done")
        DUPLICATE = "duplicate", pgettext_lazy("request resolution", "duplicate")
        NOT_RESPONSIBLE = "not_responsible", pgettext_lazy("request resolution", "not our responsibility")

    class Routing(models.TextChoices):
        GRID = "grid", _("routed to the grid that contains it")
        ADDRESS_ONLY = "address_only", _("address only: route by hand")
        OUTSIDE = "outside", _("outside every grid: route by hand")
        MANUAL = "manual", _("routed by hand")

    service = models.ForeignKey(Service, models.PROTECT, related_name="requests")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    status_notes = models.TextField(_("status notes"), blank=True)
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    # A photo sent with the report (re-encoded, no metadata: lifecircle.images); media_url then
    # points to the page that serves it.
    photo = models.ImageField(_("photo"), upload_to="requests311/%Y/%m/", blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    address_string = models.CharField(_("address"), max_length=300, blank=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    grid = models.ForeignKey(Grid, models.SET_NULL, null=True, blank=True, related_name="service_requests")
    routing = models.CharField(_("routing"), max_length=20, choices=Routing.choices)
    # Who reported it (personal data: never published).
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("reporter's account"))
    resident = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="service_requests")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    first_name = models.CharField(_("given name"), max_length=100, blank=True)
    last_name = models.CharField(_("family name"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    api_key = models.ForeignKey(ApiKey, models.SET_NULL, null=True, blank=True, related_name="requests",
                                verbose_name=_("submitted through"))
    token = models.CharField(_("token"), max_length=40, unique=True, default=new_token)
    service_notice = models.TextField(_("service notice"), blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    expected_at = models.DateTimeField(_("expected"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("first response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True, default="")
    duplicate_of = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="duplicates",
                                     verbose_name=_("duplicate of"))
    responsible_body = models.CharField(
        _("who is responsible"), max_length=200, blank=True,
        help_text=_("For a request that is not the sub-district's responsibility: who handles it instead."))

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"#{self.pk} {self.service.service_name}"

    @property
    def status(self):
        """The GeoReport v2 status: open or closed."""
        return "closed" if self.state == self.State.CLOSED else "open"

    @property
    def needs_routing(self):
        return self.grid_id is None

    @property
    def reporter_name(self):
        if self.resident_id:
            return self.resident.name
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def agency_responsible(self):
        return self.grid.name if self.grid_id else ""


class RequestUpdate(models.Model):
    """One change of a request: a new state, a note, or both. The reporter sees every one."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ROUTED = "routed", _("routed")
        STATE = "state", _("state changed")
        NOTE = "note", _("note")
        REOPENED = "reopened", _("reopened")

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="updates")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("state after"), max_length=20, choices=ServiceRequest.State.choices)
    note = models.TextField(_("note"), blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to="requests311/updates/%Y/%m/", blank=True)  # as ServiceRequest.photo
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    by_reporter = models.BooleanField(_("by the reporter"), default=False)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("request update")
        verbose_name_plural = _("request updates")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.request_id} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def status(self):
        return "closed" if self.state == ServiceRequest.State.CLOSED else "open"


class InternalNote(models.Model):
    """A note staff keep for each other about a request. Never published (not in Open311, not on the
    reporter's page) and never sent to the reporter: it is its own table so no public query can
    reach it by forgetting a filter."""

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="internal_notes")
    note = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.request_id} {self.created_at:%Y-%m-%d %H:%M}"


class Follower(models.Model):
    """A signed-in person who asked to be told of every public update of a request ("notify me of
    updates"). The reporter is always told and needs no row."""

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="followed_requests")
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["request", "user"], name="unique_request_follower")]

    def __str__(self):
        return f"#{self.request_id} → {self.user_id}"
