"""The rules of participation, shared by the pages and the API.

Every function checks who is acting and what they sent *before* it writes anything, and writes in
one transaction, so a refusal – with its reason, as PermissionDenied (not allowed), ValidationError
(bad input), RateLimited (too many posts) or Http404 (a private thread of someone else) – changes
nothing.
"""
import datetime
import statistics
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from shapely.geometry import Point

from lifecircle.accounts.access import scope_of
from lifecircle.accounts.permissions import resident_of
from lifecircle.geography import check_lon_lat, polygon_from_geojson
from lifecircle.images import check_image, check_images
from lifecircle.notifications.service import notify_in_languages

from . import meetings, ratelimit
from .models import (
    COMMENT, PROPOSE, SUPPORT, Category, Comment, Follow, FollowUp, FollowUpPhoto, ModerationAction, Phase, Proposal, Representative,
    Support, Thread, ThreadMessage,
)
from .text import clean_body, clean_reason, clean_title, plain_text

ANSWER_WITHIN = datetime.timedelta(days=7)
INFORMATION = "information"


class AlreadySupported(ValidationError):
    """The resident supports this proposal already (HTTP 409 in the API)."""

    status = 409  # read by the API's ValidationError handler (lifecircle/api.py)


# ---- who may act ---------------------------------------------------------------------------------

def is_moderator(user, subdistrict):
    """Moderators hold the ``participation.moderate`` permission (a role's group or a superuser) and,
    unless superusers, a staff role in the sub-district whose processes they moderate."""
    ids = moderated_subdistrict_ids(user)
    return ids is None or subdistrict.pk in ids


def moderated_subdistrict_ids(user):
    """The sub-districts ``user`` moderates: None for all (superusers), else a set (maybe empty). The
    access layer knows the sub-districts of the user's roles (the same the staff console scopes to)."""
    if not (user and user.is_authenticated and user.has_perm("participation.moderate")):
        return set()
    scope = scope_of(user)
    return None if scope.everything else set(scope.staff_subdistricts)


def require_moderator(user, subdistrict):
    if not is_moderator(user, subdistrict):
        raise PermissionDenied(_("Only the moderators of %(subdistrict)s can do this.") % {"subdistrict": subdistrict.name})


def participant(user, process):
    """The verified resident of the process's sub-district behind ``user``, or PermissionDenied saying why not."""
    resident = resident_of(user)
    if resident.household.compound.subdistrict_id != process.subdistrict_id:
        raise PermissionDenied(
            _("Only residents of %(subdistrict)s can take part in this; you are registered in %(yours)s.")
            % {"subdistrict": process.subdistrict.name, "yours": resident.household.compound.subdistrict.name})
    return resident


def _dates(phase):
    return f"{formats.date_format(phase.starts_on)} – {formats.date_format(phase.ends_on)}"


def check_open(process, action, day=None):
    """PermissionDenied unless the process's phase on ``day`` lets residents do ``action``."""
    day = day or timezone.localdate()
    if action in process.allowed_actions(day):
        return
    if process.is_space:
        raise PermissionDenied(_("Supports are not collected in a discussion space; it is a place to talk."))
    opens = process.phase_for(action)
    rule = {
        PROPOSE: _("New proposals are accepted only while ideas are collected"),
        COMMENT: _("Comments are open only while ideas are collected, discussed and reported back"),
        SUPPORT: _("Supports are counted only during the vote"),
    }[action]
    if opens:
        rule = f"{rule} ({_dates(opens)})"
    current = process.phase_on(day)
    if current:
        state = _("this process is now in its phase “%(phase)s” (%(dates)s).") % {
            "phase": current.get_kind_display(), "dates": _dates(current)}
    else:
        state = _("no phase of this process is running today.")
    raise PermissionDenied(f"{rule}; {state}")


def check_location(subdistrict, lon, lat):
    """(lon, lat) as floats inside the sub-district, (None, None) when no place is given, or ValidationError."""
    if lon in (None, "") and lat in (None, ""):
        return None, None
    if lon in (None, "") or lat in (None, ""):
        raise ValidationError(_("Give both longitude and latitude, or leave both empty."), code="location")
    try:
        lon, lat = check_lon_lat(lon, lat)
    except ValueError as exc:
        raise ValidationError(_("The place is not a valid position: %(error)s.") % {"error": exc}, code="location") from None
    if subdistrict.boundary and not polygon_from_geojson(subdistrict.boundary).covers(Point(lon, lat)):
        raise ValidationError(_("The place (%(lon).5f, %(lat).5f) is outside %(subdistrict)s.")
                              % {"lon": lon, "lat": lat, "subdistrict": subdistrict.name}, code="location")
    return lon, lat


def _collect(checks):
    """Run field checks, gathering every error, so a form shows all of them at once."""
    values, errors = {}, {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    return values


def _tell(user, render, url):
    """A notification written by ``render()`` → (subject, body) in every language of the site, so each
    reader sees it in theirs (``notify_in_languages``)."""
    if user is None:
        return
    notify_in_languages(user, INFORMATION, render, url)


def _what(item):
    return _("proposal") if isinstance(item, Proposal) else _("comment")


def _tell_followers(proposal, told, render, url):
    """Tell everyone following ``proposal`` who has not been told already (``told``: user ids, updated)."""
    for follow in Follow.objects.filter(proposal=proposal).exclude(user_id__in=told).select_related("user"):
        _tell(follow.user, render, url)
        told.add(follow.user_id)


def _excerpt(html_text, length=140):
    text = " ".join(plain_text(html_text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


# ---- proposals, comments, supports --------------------------------------------------------------

@ratelimit.limited()
def propose(user, process, title, body, lon=None, lat=None, photo=None, category=Category.OTHER):
    """A new proposal (a topic, in a discussion space) by a resident of the process's sub-district;
    the residents following its category are told."""
    resident = participant(user, process)
    check_open(process, PROPOSE)
    values = _collect({
        "title": lambda: clean_title(title),
        "body": lambda: clean_body(body),
        "category": lambda: check_category(category),
        "location": lambda: check_location(process.subdistrict, lon, lat),
        "photo": lambda: check_image(photo) if photo else None,
    })
    with transaction.atomic():
        proposal = Proposal(process=process, author=resident, title=values["title"], body=values["body"],
                            category=values["category"], lon=values["location"][0], lat=values["location"][1])
        if values["photo"]:
            proposal.photo.save(values["photo"].name, values["photo"], save=False)
        proposal.save()
        followers = (Follow.objects.filter(category=proposal.category).exclude(user=user).select_related("user")
                     .filter(user__resident__household__compound__subdistrict=process.subdistrict))
        for follow in followers:
            _tell(follow.user, lambda: (
                _("New in “%(category)s”: %(title)s") % {"category": proposal.get_category_display(),
                                                          "title": proposal.title},
                _excerpt(proposal.body)), proposal_url(proposal))
    return proposal


def check_category(category):
    """The category's code, or ValidationError naming the ones there are (empty means “other”)."""
    category = (category or Category.OTHER).strip() if isinstance(category, str) else category
    if category not in Category.values:
        raise ValidationError(_("Unknown category “%(category)s”; choose one of: %(choices)s.")
                              % {"category": category, "choices": ", ".join(Category.values)}, code="category")
    return category


# ---- finding proposals, following -----------------------------------------------------------------

SEARCH_MAX = 100


def search(proposals, text="", category=""):
    """``proposals`` narrowed to those whose title or text contains every word of ``text`` and, when
    given, of ``category``; ValidationError for an unknown category or an over-long search."""
    text = (text or "").strip()
    if len(text) > SEARCH_MAX:
        raise ValidationError(_("Search for at most %(max)d characters.") % {"max": SEARCH_MAX}, code="search")
    if category:
        proposals = proposals.filter(category=check_category(category))
    for word in text.split():
        proposals = proposals.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return proposals


def is_following(user, proposal=None, category=""):
    if not (user and user.is_authenticated):
        return False
    if proposal is not None:
        return Follow.objects.filter(user=user, proposal=proposal).exists()
    return Follow.objects.filter(user=user, category=category).exists()


def follow(user, proposal=None, category=""):
    """Follow a proposal (anyone who can read it) or a category (a verified resident); following twice
    changes nothing. Returns the Follow."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to follow proposals."))
    if proposal is not None:
        if proposal.is_hidden and not proposal.is_author(user):
            raise PermissionDenied(_("A moderator has hidden this proposal; it cannot be followed."))
        try:
            with transaction.atomic():
                return Follow.objects.get_or_create(user=user, proposal=proposal)[0]
        except IntegrityError:  # the same click twice at once
            return Follow.objects.get(user=user, proposal=proposal)
    category = _collect({"category": lambda: check_category(category)})["category"]
    resident_of(user)
    try:
        with transaction.atomic():
            return Follow.objects.get_or_create(user=user, category=category)[0]
    except IntegrityError:
        return Follow.objects.get(user=user, category=category)


def unfollow(user, proposal=None, category=""):
    """Stop following; returns how many follows were removed (0 when there was none)."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to follow proposals."))
    if proposal is not None:
        return Follow.objects.filter(user=user, proposal=proposal).delete()[0]
    category = _collect({"category": lambda: check_category(category)})["category"]
    return Follow.objects.filter(user=user, category=category).delete()[0]


def meetings_of(process):
    """The meetings a process holds (the Happy 18 bar's monthly meeting), from the event sources
    registered in ``meetings``: upcoming first, then the last few held."""
    return meetings.for_code(process.meeting_code) if process.meeting_code else []


@ratelimit.limited()
def comment(user, proposal, body, parent=None):
    """A comment on ``proposal``, or a reply to ``parent``; tells the authors replied to."""
    process = proposal.process
    resident = participant(user, process)
    check_open(process, COMMENT)
    if proposal.is_hidden:
        raise PermissionDenied(_("A moderator has hidden this proposal; it cannot be commented on."))
    if parent is not None:
        if parent.proposal_id != proposal.pk:
            raise ValidationError(_("The comment you reply to belongs to another proposal."), code="parent")
        if parent.is_hidden:
            raise PermissionDenied(_("A moderator has hidden that comment; it cannot be replied to."))
    body = _collect({"body": lambda: clean_body(body, _("The comment"))})["body"]
    with transaction.atomic():
        new = Comment.objects.create(proposal=proposal, parent=parent, author=resident, body=body)
        url = proposal_url(proposal) + f"#comment-{new.pk}"
        told = {user.pk}
        if parent is not None and parent.author and parent.author.user_id not in told:
            _tell(parent.author.user, lambda: (
                _("New reply to your comment on “%(title)s”") % {"title": proposal.title}, _excerpt(body)), url)
            told.add(parent.author.user_id)
        if proposal.author and proposal.author.user_id not in told:
            _tell(proposal.author.user, lambda: (
                _("New comment on “%(title)s”") % {"title": proposal.title}, _excerpt(body)), url)
            told.add(proposal.author.user_id)
        _tell_followers(proposal, told, lambda: (
            _("New comment on “%(title)s”, which you follow") % {"title": proposal.title}, _excerpt(body)), url)
    return new


def support(user, proposal):
    """One support by a verified resident of the sub-district, during the vote, once per proposal."""
    process = proposal.process
    resident = participant(user, process)
    check_open(process, SUPPORT)
    if proposal.is_hidden:
        raise PermissionDenied(_("A moderator has hidden this proposal; it cannot be supported."))
    if proposal.status != Proposal.Status.OPEN:
        raise PermissionDenied(_("This proposal has already been decided; supports are closed."))
    already = AlreadySupported(_("You have already supported this proposal; each resident can support it once."),
                               code="duplicate")
    if Support.objects.filter(proposal=proposal, resident=resident).exists():
        raise already
    try:
        with transaction.atomic():
            return Support.objects.create(proposal=proposal, resident=resident)
    except IntegrityError:  # a second request that passed the check at the same moment
        raise already from None


def with_counts(queryset):
    return queryset.annotate(
        support_count=Count("supports", distinct=True),
        comment_count=Count("comments", filter=Q(comments__hidden_at__isnull=True), distinct=True),
    )


def listed_proposals(process):
    """The proposals everyone sees in a process's list: not hidden, with support and comment counts."""
    return with_counts(process.proposals.filter(hidden_at__isnull=True).select_related("author"))


def proposal_url(proposal):
    return reverse("participation:proposal", args=[proposal.pk])


@dataclass
class Shown:
    """How one proposal or comment appears to one viewer."""

    content: bool  # whether the viewer may read it
    notice: str  # "" when not hidden
    reason: str  # the moderator's reason, for the author and moderators only


def shown(item, user, moderator=False):
    if not item.is_hidden:
        return Shown(True, "", "")
    if item.is_author(user):
        return Shown(True, _("A moderator has hidden this; only you and the moderators can see it."), item.hidden_reason)
    if moderator:
        return Shown(True, _("Hidden by a moderator."), item.hidden_reason)
    return Shown(False, _("Hidden by a moderator."), "")


def comment_tree(proposal):
    """The comments of ``proposal`` in reading order, each with its depth (replies under what they answer)."""
    comments = list(proposal.comments.select_related("author"))
    children = {}
    for c in comments:
        children.setdefault(c.parent_id, []).append(c)
    ordered = []

    def walk(parent_id, depth):
        for c in children.get(parent_id, []):
            ordered.append((c, depth))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return ordered


# ---- moderation ---------------------------------------------------------------------------------

def _process_of(item):
    return item.process if isinstance(item, Proposal) else item.proposal.process


def _log(moderator, action, item, reason=""):
    proposal = item if isinstance(item, Proposal) else item.proposal
    target = f"{_('proposal')} #{proposal.pk} “{proposal.title}”"
    if isinstance(item, Comment):
        target = f"{_('comment')} #{item.pk} · {target}"
    return ModerationAction.objects.create(
        moderator=moderator, action=action, process=proposal.process, proposal=proposal,
        comment=item if isinstance(item, Comment) else None, target=target[:200], reason=reason)


def _item_url(item):
    if isinstance(item, Proposal):
        return proposal_url(item)
    return proposal_url(item.proposal) + f"#comment-{item.pk}"


def hide(moderator, item, reason):
    """Hide a proposal or comment; the author is told why and still sees it, others see a notice."""
    require_moderator(moderator, _process_of(item).subdistrict)
    reason = _collect({"reason": lambda: clean_reason(reason)})["reason"]
    if item.is_hidden:
        raise ValidationError(_("This is already hidden."), code="state")
    now = timezone.now()
    with transaction.atomic():
        item.hidden_at, item.hidden_reason, item.hidden_by = now, reason, moderator
        item.reviewed_at = item.reviewed_at or now
        item.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "reviewed_at"])
        _log(moderator, ModerationAction.Action.HIDE, item, reason)
        if item.author:
            _tell(item.author.user, lambda: (
                _("A moderator has hidden your %(what)s") % {"what": _what(item)},
                _("Reason: %(reason)s") % {"reason": reason}), _item_url(item))
    return item


def unhide(moderator, item, reason):
    require_moderator(moderator, _process_of(item).subdistrict)
    reason = _collect({"reason": lambda: clean_reason(reason)})["reason"]
    if not item.is_hidden:
        raise ValidationError(_("This is not hidden."), code="state")
    with transaction.atomic():
        item.hidden_at, item.hidden_reason, item.hidden_by = None, "", None
        item.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
        _log(moderator, ModerationAction.Action.UNHIDE, item, reason)
        if item.author:
            _tell(item.author.user, lambda: (
                _("Your %(what)s is shown again") % {"what": _what(item)},
                _("Reason: %(reason)s") % {"reason": reason}), _item_url(item))
    return item


def review(moderator, item):
    """Mark a proposal or comment as seen by a moderator and fine: it leaves the queue."""
    require_moderator(moderator, _process_of(item).subdistrict)
    if item.reviewed_at:
        raise ValidationError(_("This has already been reviewed."), code="state")
    with transaction.atomic():
        item.reviewed_at = timezone.now()
        item.save(update_fields=["reviewed_at"])
        _log(moderator, ModerationAction.Action.REVIEW, item)
    return item


def decide(moderator, proposal, adopted, note=""):
    """Adopt a proposal, or record that it was not adopted (with the reason why); tells the author."""
    process = proposal.process
    require_moderator(moderator, process.subdistrict)
    if proposal.is_hidden:
        raise ValidationError(_("A hidden proposal cannot be decided; show it again first."), code="state")
    if proposal.status != Proposal.Status.OPEN:
        raise ValidationError(_("This proposal has already been decided (%(status)s).")
                              % {"status": proposal.get_status_display()}, code="state")
    vote = process.phases.filter(kind=Phase.Kind.VOTE).first()
    if vote and timezone.localdate() < vote.starts_on:
        raise ValidationError(_("Proposals are decided after the vote has started (%(dates)s).")
                              % {"dates": _dates(vote)}, code="phase")
    if adopted:
        note = _collect({"note": lambda: clean_body(note, _("The note")) if (note or "").strip() else ""})["note"]
    else:
        note = _collect({"note": lambda: clean_body(note, _("The reason"))})["note"]
    with transaction.atomic():
        proposal.status = Proposal.Status.ADOPTED if adopted else Proposal.Status.NOT_ADOPTED
        proposal.decided_at, proposal.decision_note = timezone.now(), note
        proposal.save(update_fields=["status", "decided_at", "decision_note"])
        _log(moderator, ModerationAction.Action.ADOPT if adopted else ModerationAction.Action.NOT_ADOPT,
             proposal, plain_text(note))
        def render(yours=True):
            if yours:
                subject = (_("Your proposal “%(title)s” has been adopted") if adopted
                           else _("Your proposal “%(title)s” was not adopted")) % {"title": proposal.title}
            else:
                subject = (_("“%(title)s”, which you follow, has been adopted") if adopted
                           else _("“%(title)s”, which you follow, was not adopted")) % {"title": proposal.title}
            return subject, _excerpt(note) if note else subject

        told = set()
        if proposal.author:
            _tell(proposal.author.user, render, proposal_url(proposal))
            told.add(proposal.author.user_id)
        _tell_followers(proposal, told, lambda: render(yours=False), proposal_url(proposal))
    return proposal


def record_follow_up(moderator, proposal, body, done_on, photos=()):
    """What was done about an adopted proposal, when, with photos (each checked before any is stored)."""
    require_moderator(moderator, proposal.process.subdistrict)
    if proposal.status != Proposal.Status.ADOPTED:
        raise ValidationError(_("Follow-ups are recorded for adopted proposals only."), code="state")

    def check_day():
        if not isinstance(done_on, datetime.date):
            raise ValidationError(_("Give the date it was done."), code="date")
        if done_on > timezone.localdate():
            raise ValidationError(_("The date it was done cannot be in the future."), code="date")
        return done_on

    values = _collect({
        "body": lambda: clean_body(body, _("The follow-up")),
        "done_on": check_day,
        "photos": lambda: check_images(photos),
    })
    with transaction.atomic():
        follow_up = FollowUp.objects.create(proposal=proposal, body=values["body"], done_on=values["done_on"],
                                            author=moderator)
        for content in values["photos"]:
            photo = FollowUpPhoto(follow_up=follow_up)
            photo.image.save(content.name, content, save=False)
            photo.save()
        _log(moderator, ModerationAction.Action.FOLLOW_UP, proposal, _excerpt(values["body"], 300))
        told = set()
        if proposal.author:
            _tell(proposal.author.user, lambda: (
                _("News on your proposal “%(title)s”") % {"title": proposal.title}, _excerpt(values["body"])),
                proposal_url(proposal))
            told.add(proposal.author.user_id)
        _tell_followers(proposal, told, lambda: (
            _("News on “%(title)s”, which you follow") % {"title": proposal.title}, _excerpt(values["body"])),
            proposal_url(proposal))
    return follow_up


# ---- the representatives' window --------------------------------------------------------------

def visible_threads(user):
    """Public threads, and the private ones ``user`` is a party to: nobody else ever sees those."""
    query = Q(is_public=True)
    if user and user.is_authenticated:
        query |= Q(resident__user=user) | Q(representative__user=user)
    return Thread.objects.filter(query).select_related("representative", "resident")


def thread_for(user, pk):
    """The thread ``pk`` if ``user`` may read it; Http404 otherwise (a private thread's existence is not told)."""
    thread = visible_threads(user).filter(pk=pk).first()
    if thread is None:
        raise Http404(_("No such letter."))
    return thread


def thread_url(thread):
    return reverse("participation:thread", args=[thread.pk])


@ratelimit.limited()
def write_letter(user, representative, subject, body, public):
    """A resident's letter to a representative of their sub-district; the representative is told."""
    resident = resident_of(user)
    if not representative.active:
        raise PermissionDenied(_("%(name)s is not receiving letters at present.") % {"name": representative.name})
    if resident.household.compound.subdistrict_id != representative.subdistrict_id:
        raise PermissionDenied(_("%(name)s receives residents of %(subdistrict)s only.")
                               % {"name": representative.name, "subdistrict": representative.subdistrict.name})
    values = _collect({
        "subject": lambda: clean_title(subject, _("The subject")),
        "body": lambda: clean_body(body, _("The letter")),
    })
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(representative=representative, resident=resident, subject=values["subject"],
                                       is_public=bool(public), created_at=now, last_message_at=now)
        ThreadMessage.objects.create(thread=thread, author=user, body=values["body"], created_at=now)
        _tell(representative.user, lambda: (
            _("New letter from a resident: %(subject)s") % {"subject": thread.subject},
            _("A resident has written to you. Open the letter to reply.")), thread_url(thread))
    return thread


@ratelimit.limited(exempt=lambda user, thread, body: thread.representative.user_id == user.pk)
def post_message(user, thread, body):
    """The representative's reply or the resident's further message; the other party is told."""
    if not thread.is_party(user):
        if thread.is_public:
            raise PermissionDenied(_("Only the resident who wrote and the representative can write in this thread."))
        raise Http404(_("No such letter."))
    from_representative = thread.representative.user_id == user.pk
    if not from_representative:
        resident_of(user)
    body = _collect({"body": lambda: clean_body(body, _("The message"))})["body"]
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        message = ThreadMessage.objects.create(thread=thread, author=user, body=body, created_at=now,
                                               from_representative=from_representative)
        thread.last_message_at = now
        if from_representative and thread.first_reply_at is None:
            thread.first_reply_at = now
        thread.save(update_fields=["last_message_at", "first_reply_at"])
        if from_representative:
            _tell(thread.resident.user, lambda: (
                _("%(name)s has replied to your letter") % {"name": thread.representative.display_name},
                thread.subject), thread_url(thread))
        else:
            _tell(thread.representative.user, lambda: (
                _("New message from a resident: %(subject)s") % {"subject": thread.subject},
                _("A resident has written again. Open the letter to reply.")), thread_url(thread))
    return message


def set_visibility(user, thread, public):
    """Only the resident who wrote chooses whether the thread is public."""
    if not thread.is_party(user):
        raise Http404(_("No such letter."))
    if thread.resident.user_id != user.pk:
        raise PermissionDenied(_("Only the resident who wrote decides whether a letter is public."))
    thread.is_public = bool(public)
    thread.save(update_fields=["is_public"])
    return thread


def response_stats(representative, now=None):
    """How quickly a representative answers: hours to the first reply (median and mean over answered
    letters) and the share of letters answered within 7 days. That share counts the letters that
    have had their 7 days (or were answered sooner); a letter written yesterday and not yet answered
    is still in time and counts for neither side. Private letters count too: only times are used."""
    now = now or timezone.now()
    rows = list(Thread.objects.filter(representative=representative).values_list("created_at", "first_reply_at"))
    hours = [(reply - written).total_seconds() / 3600 for written, reply in rows if reply]
    due = [(written, reply) for written, reply in rows if reply or now - written >= ANSWER_WITHIN]
    in_time = sum(1 for written, reply in due if reply and reply - written <= ANSWER_WITHIN)
    return {
        "letters": len(rows),
        "answered": len(hours),
        "waiting": len(rows) - len(hours),
        "median_hours": round(statistics.median(hours), 1) if hours else None,
        "mean_hours": round(statistics.fmean(hours), 1) if hours else None,
        "share_within_7_days": round(in_time / len(due), 3) if due else None,
    }


def active_representatives(subdistrict=None):
    queryset = Representative.objects.filter(active=True).select_related("facility", "subdistrict")
    return queryset.filter(subdistrict=subdistrict) if subdistrict else queryset

