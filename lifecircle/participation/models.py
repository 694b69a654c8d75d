"""Residents taking part in community governance.

* **Participatory processes** (幸福合伙人, 幸福家门口, 幸福合作社, ...) run through dated phases –
  collect ideas → discuss → vote → carry out → report back – and the phase of the day decides what
  residents may do. The **Happy 18 discussion bar** (快乐18议事吧) is a standing discussion space
  without phases: topics and comments are always open there, supports never.
* **Proposals** (topics, in the discussion bar) may be placed on the map, carry **comments with
  replies**, collect **one support per verified resident of the sub-district**, can be **hidden by a
  moderator** with a reason the author sees, and, once adopted, get **follow-ups** with photos.
* **The representatives' window** (人大代表接待窗口): a resident writes to a People's Congress
  representative; the thread is public or private as the resident chooses, and a private thread is
  readable by nobody but the resident and that representative.

The business rules live in ``services.py``; the models hold the data and the constraints the
database itself must keep.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.masking import mask_name
from lifecircle.accounts.models import Resident
from lifecircle.community.models import SubDistrict
from lifecircle.directory.models import Facility

PROPOSE, COMMENT, SUPPORT = "propose", "comment", "support"


def _bilingual(obj, field):
    english = getattr(obj, f"{field}_en", "")
    if english and (get_language() or "").startswith("en"):
        return english
    return getattr(obj, field)


class Process(models.Model):
    """A participatory process with phases, or a standing discussion space (no phases)."""

    class Kind(models.TextChoices):
        PROCESS = "process", _("participatory process")
        SPACE = "space", _("standing discussion space")

    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="participatory_processes",
                                    verbose_name=_("sub-district"))
    slug = models.SlugField(_("short name in addresses"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROCESS)
    title = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    summary = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    illustrative = models.BooleanField(_("illustrative data"), default=False)
    meeting_code = models.SlugField(
        _("code of its meetings"), max_length=48, blank=True,
        help_text=_("Events whose code starts with this (e.g. happy18-meeting) are listed on the process's page as "
                    "its meetings; leave empty if it holds none."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("participatory process")
        verbose_name_plural = _("participatory processes")
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.title

    @property
    def display_title(self):
        return _bilingual(self, "title")

    @property
    def display_summary(self):
        return _bilingual(self, "summary")

    @property
    def is_space(self):
        return self.kind == self.Kind.SPACE

    def phase_on(self, day):
        """The phase running on ``day``, or None (before, between or after the phases)."""
        return next((p for p in self.phases.all() if p.starts_on <= day <= p.ends_on), None)

    def current_phase(self):
        return self.phase_on(timezone.localdate())

    def allowed_actions(self, day=None):
        """What residents may do on ``day`` (today by default): a set of PROPOSE, COMMENT, SUPPORT."""
        if self.is_space:
            return {PROPOSE, COMMENT}
        phase = self.phase_on(day or timezone.localdate())
        return set(Phase.ACTIONS[phase.kind]) if phase else set()

    def phase_for(self, action):
        """The first phase in which ``action`` is open, to tell residents when they can do it."""
        return next((p for p in self.phases.all() if action in Phase.ACTIONS[p.kind]), None)


class Phase(models.Model):
    """One dated step of a process; the steps follow each other in a fixed order without overlap."""

    class Kind(models.TextChoices):
        COLLECT = "collect", _("collect ideas")
        DISCUSS = "discuss", _("discuss")
        VOTE = "vote", _("vote")
        CARRY_OUT = "carry_out", _("carry out")
        REPORT_BACK = "report_back", _("report back")

    ORDER = [Kind.COLLECT, Kind.DISCUSS, Kind.VOTE, Kind.CARRY_OUT, Kind.REPORT_BACK]
    #: What residents may do in each phase. Proposals only while ideas are collected, supports only
    #: while voting; comments while collecting, discussing and on the report back.
    ACTIONS = {
        Kind.COLLECT: (PROPOSE, COMMENT),
        Kind.DISCUSS: (COMMENT,),
        Kind.VOTE: (SUPPORT,),
        Kind.CARRY_OUT: (),
        Kind.REPORT_BACK: (COMMENT,),
    }

    process = models.ForeignKey(Process, models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=12, choices=Kind.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["process", "kind"], name="participation_one_phase_of_each_kind"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="participation_phase_ends_after_it_starts"),
        ]

    def __str__(self):
        return f"{self.process}: {self.get_kind_display()} {self.starts_on}–{self.ends_on}"


def check_phase_order(phases):
    """ValidationError unless ``phases`` (of one process) are each dated, of different kinds, and follow
    each other in the order collect → discuss → vote → carry out → report back without overlapping."""
    kinds = [p.kind for p in phases]
    for kind in set(kinds):
        if kinds.count(kind) > 1:
            raise ValidationError(_("A process has one phase “%(phase)s”, not %(count)d.")
                                  % {"phase": Phase.Kind(kind).label, "count": kinds.count(kind)})
    for phase in phases:
        if phase.starts_on and phase.ends_on and phase.ends_on < phase.starts_on:
            raise ValidationError(_("The phase “%(phase)s” ends before it starts.") % {"phase": phase.get_kind_display()})
    ordered = sorted(phases, key=lambda p: Phase.ORDER.index(p.kind))
    for earlier, later in zip(ordered, ordered[1:]):
        if later.starts_on <= earlier.ends_on:
            raise ValidationError(
                _("The phase “%(later)s” must start after the phase “%(earlier)s” ends (%(day)s).")
                % {"later": later.get_kind_display(), "earlier": earlier.get_kind_display(), "day": earlier.ends_on})


class Moderated(models.Model):
    """Content a moderator can hide with a reason; the author still sees it and the reason."""

    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("hidden by"))
    reviewed_at = models.DateTimeField(_("reviewed by a moderator"), null=True, blank=True)
    illustrative = models.BooleanField(_("illustrative data"), default=False)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        abstract = True

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def author_label(self):
        """The author as the public sees them: a masked name (王*明)."""
        return mask_name(self.author.name) if self.author else ""

    def is_author(self, user):
        return bool(user and user.is_authenticated and self.author_id and self.author.user_id == user.pk)


class Category(models.TextChoices):
    """What a proposal is about: one list for every process, so a resident can follow a subject
    (say, ageing well) across the sub-district's processes and the discussion bar."""

    PUBLIC_SPACE = "public_space", _("streets and public space")
    GREENERY = "greenery", _("greenery and environment")
    SAFETY = "safety", _("safety")
    AGEING = "ageing", _("older residents")
    CHILDREN = "children", _("children and families")
    CULTURE = "culture", _("culture and neighbourliness")
    SERVICES = "services", _("community services")
    OTHER = "other", _("other")


class Proposal(Moderated):
    """A proposal in a process, or a topic in a standing discussion space."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ADOPTED = "adopted", _("adopted")
        NOT_ADOPTED = "not_adopted", _("not adopted")

    process = models.ForeignKey(Process, models.CASCADE, related_name="proposals", verbose_name=_("process"))
    author = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="proposals",
                               verbose_name=_("author"))
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), help_text=_("Sanitised HTML: only a small set of safe tags is kept."))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.OTHER,
                                db_index=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    photo = models.ImageField(_("photo"), upload_to="participation/proposals/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        permissions = [("moderate", _("Can moderate participation: hide, unhide, adopt, follow up"))]
        constraints = [
            models.CheckConstraint(condition=Q(lon__isnull=True, lat__isnull=True) | Q(lon__isnull=False, lat__isnull=False),
                                   name="participation_proposal_lon_and_lat_together"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_topic(self):
        return self.process.is_space

    @property
    def located(self):
        return self.lon is not None and self.lat is not None


class Follow(models.Model):
    """A user following one proposal (or discussion-bar topic), or a whole category: they are told of
    new comments, decisions and follow-ups on the proposal, or of each new proposal in the category."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="participation_follows")
    proposal = models.ForeignKey(Proposal, models.CASCADE, null=True, blank=True, related_name="follows",
                                 verbose_name=_("proposal"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, blank=True)
    created_at = models.DateTimeField(_("followed since"), default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(condition=(Q(proposal__isnull=False, category="") | Q(proposal__isnull=True) & ~Q(category="")),
                                   name="participation_follow_one_thing"),
            models.UniqueConstraint(fields=["user", "proposal"], condition=Q(proposal__isnull=False),
                                    name="participation_follow_proposal_once"),
            models.UniqueConstraint(fields=["user", "category"], condition=~Q(category=""),
                                    name="participation_follow_category_once"),
        ]

    def __str__(self):
        return f"{self.user} → {self.proposal or self.get_category_display()}"


class Comment(Moderated):
    """A comment on a proposal, or a reply to another comment (replies nest to any depth)."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="comments", verbose_name=_("proposal"))
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="replies",
                               verbose_name=_("in reply to"))
    author = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="participation_comments",
                               verbose_name=_("author"))
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.pk} on {self.proposal}"


class Support(models.Model):
    """One verified resident's support for one proposal; the database refuses a second."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="supports")
    resident = models.ForeignKey(Resident, models.CASCADE, related_name="participation_supports")
    created_at = models.DateTimeField(_("supported"), default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["proposal", "resident"], name="participation_one_support_each")]

    def __str__(self):
        return f"{self.resident} → {self.proposal}"


class ModerationAction(models.Model):
    """The log of what moderators did: every hide, unhide, review, decision and follow-up."""

    class Action(models.TextChoices):
        HIDE = "hide", _("hidden")
        UNHIDE = "unhide", _("shown again")
        REVIEW = "review", _("reviewed")
        ADOPT = "adopt", _("adopted")
        NOT_ADOPT = "not_adopt", _("not adopted")
        FOLLOW_UP = "follow_up", _("follow-up recorded")

    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("moderator"))
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    process = models.ForeignKey(Process, models.CASCADE, related_name="+", verbose_name=_("process"))
    proposal = models.ForeignKey(Proposal, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("proposal"))
    comment = models.ForeignKey(Comment, models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("comment"))
    target = models.CharField(_("what"), max_length=200, help_text=_("Kept when the item is later deleted."))
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("moderator action")
        verbose_name_plural = _("moderator actions")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.target}"


class FollowUp(models.Model):
    """What was done about an adopted proposal, and when."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="follow_ups", verbose_name=_("proposal"))
    body = models.TextField(_("what was done"))
    done_on = models.DateField(_("done on"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    illustrative = models.BooleanField(_("illustrative data"), default=False)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["done_on", "pk"]

    def __str__(self):
        return f"{self.proposal} – {self.done_on}"


class FollowUpPhoto(models.Model):
    follow_up = models.ForeignKey(FollowUp, models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="participation/follow-ups/%Y/%m/")

    class Meta:
        verbose_name = _("follow-up photo")
        verbose_name_plural = _("follow-up photos")


class Representative(models.Model):
    """A People's Congress representative (人大代表) who receives residents at the service centre."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.PROTECT, related_name="representative")
    subdistrict = models.ForeignKey(SubDistrict, models.CASCADE, related_name="representatives",
                                    verbose_name=_("sub-district"))
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    title = models.CharField(_("title (Chinese)"), max_length=200, blank=True,
                             help_text=_("e.g. 静安区人大代表"))
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    reception = models.CharField(_("reception hours (Chinese)"), max_length=300, blank=True)
    reception_en = models.CharField(_("reception hours (English)"), max_length=300, blank=True)
    facility = models.ForeignKey(Facility, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("reception window at"))
    active = models.BooleanField(_("receiving letters"), default=True)
    illustrative = models.BooleanField(_("illustrative data"), default=False)

    class Meta:
        verbose_name = _("People's Congress representative")
        verbose_name_plural = _("People's Congress representatives")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return _bilingual(self, "name")

    @property
    def display_title(self):
        return _bilingual(self, "title")

    @property
    def display_reception(self):
        return _bilingual(self, "reception")


class Thread(models.Model):
    """A resident's letter to a representative and the replies; public or private as the resident chose."""

    representative = models.ForeignKey(Representative, models.PROTECT, related_name="threads",
                                       verbose_name=_("representative"))
    resident = models.ForeignKey(Resident, models.CASCADE, related_name="representative_threads",
                                 verbose_name=_("resident"))
    subject = models.CharField(_("subject"), max_length=120)
    is_public = models.BooleanField(_("public"), default=False)
    illustrative = models.BooleanField(_("illustrative data"), default=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    first_reply_at = models.DateTimeField(_("first reply"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)

    class Meta:
        verbose_name = _("letter to a representative")
        verbose_name_plural = _("letters to representatives")
        ordering = ["-last_message_at", "-pk"]

    def __str__(self):
        return self.subject

    @property
    def resident_label(self):
        return mask_name(self.resident.name)

    def is_party(self, user):
        if not (user and user.is_authenticated):
            return False
        return self.resident.user_id == user.pk or self.representative.user_id == user.pk


class ThreadMessage(models.Model):
    thread = models.ForeignKey(Thread, models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    from_representative = models.BooleanField(_("from the representative"), default=False)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
