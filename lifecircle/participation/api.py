"""JSON API of participation: processes, proposals, comments, supports, letters to representatives,
and the proposals placed on the map as a GeoJSON layer.

Reading needs no login, except a private letter, which only its resident and its representative
can read (anyone else gets 404). Writing uses the site's login session (and its CSRF token); the
same rules as on the pages apply, and a refusal says why: 400 bad input, 401 not logged in,
403 not allowed (not a verified resident of the sub-district, wrong phase, hidden), 409 already
supported, 429 too many posts.
"""
import datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from lifecircle.accounts.permissions import log_access, mask_name
from lifecircle.community.api import FeatureCollectionOut, filter_subdistrict
from lifecircle.geography import feature_collection, point_feature

from . import services
from .models import Comment, Process, Proposal, Representative, Support

router = Router(tags=["participation"])


class RefusalOut(Schema):
    detail: str


ERRORS = {400: RefusalOut, 401: RefusalOut, 403: RefusalOut, 404: RefusalOut, 409: RefusalOut, 429: RefusalOut}


# ---- schemas -----------------------------------------------------------------------------------

class ProcessPhaseOut(Schema):
    kind: str
    label: str
    starts_on: datetime.date
    ends_on: datetime.date
    current: bool


class ParticipatoryProcessOut(Schema):
    slug: str
    kind: str
    title: str
    title_en: str
    summary: str
    summary_en: str
    subdistrict: str
    phases: list[ProcessPhaseOut]
    current_phase: str | None
    allowed_actions: list[str]
    proposals: int
    illustrative: bool
    url: str


class ProposalFollowUpOut(Schema):
    body_html: str
    done_on: datetime.date
    photos: list[str]


class ParticipationProposalOut(Schema):
    id: int
    process: str
    kind: str
    title: str
    body_html: str
    author: str
    category: str
    category_label: str
    lon: float | None
    lat: float | None
    photo: str | None
    status: str
    decision_html: str
    supports: int
    comments: int
    supported_by_me: bool | None
    hidden: bool
    hidden_notice: str
    hidden_reason: str
    created_at: datetime.datetime
    follow_ups: list[ProposalFollowUpOut]
    illustrative: bool
    url: str


class ParticipationProposalIn(Schema):
    title: str
    body: str
    category: str = "other"
    lon: float | None = None
    lat: float | None = None


class ProposalCommentOut(Schema):
    id: int
    parent: int | None
    depth: int
    author: str
    body_html: str
    hidden: bool
    hidden_notice: str
    hidden_reason: str
    created_at: datetime.datetime


class ProposalCommentIn(Schema):
    body: str
    parent: int | None = None


class ProposalSupportOut(Schema):
    proposal: int
    supports: int


class ResponseTimesOut(Schema):
    """Answered letters' hours to the first reply, and the share of due letters answered within 7 days."""

    letters: int
    answered: int
    waiting: int
    median_hours: float | None
    mean_hours: float | None
    share_within_7_days: float | None


class RepresentativeOut(Schema):
    id: int
    name: str
    name_en: str
    title: str
    title_en: str
    reception: str
    reception_en: str
    facility: str | None
    subdistrict: str
    illustrative: bool
    response: ResponseTimesOut


class LetterSummaryOut(Schema):
    id: int
    representative: int
    representative_name: str
    subject: str
    public: bool
    resident: str
    created_at: datetime.datetime
    first_reply_at: datetime.datetime | None
    url: str


class LetterMessageOut(Schema):
    from_representative: bool
    body_html: str
    created_at: datetime.datetime


class LetterThreadOut(LetterSummaryOut):
    messages: list[LetterMessageOut]


class LetterIn(Schema):
    representative: int
    subject: str
    body: str
    public: bool = False


class LetterMessageIn(Schema):
    body: str


class LetterVisibilityIn(Schema):
    public: bool


# ---- helpers -----------------------------------------------------------------------------------

def _author(item):
    return mask_name(item.author.name) if item.author else ""


def process_dict(process, today=None):
    phases = list(process.phases.all())
    current = process.phase_on(today) if today else process.current_phase()
    return {
        "slug": process.slug, "kind": process.kind, "title": process.title, "title_en": process.title_en,
        "summary": process.summary, "summary_en": process.summary_en, "subdistrict": process.subdistrict.code,
        "phases": [{"kind": p.kind, "label": str(p.get_kind_display()), "starts_on": p.starts_on, "ends_on": p.ends_on,
                    "current": p == current} for p in phases],
        "current_phase": current.kind if current else None,
        "allowed_actions": sorted(process.allowed_actions()),
        "proposals": process.proposals.filter(hidden_at__isnull=True).count(),
        "illustrative": process.illustrative,
        "url": reverse("participation:process", args=[process.slug]),
    }


def proposal_dict(request, proposal, moderator=None):
    if moderator is None:
        moderator = services.is_moderator(request.user, proposal.process.subdistrict)
    view = services.shown(proposal, request.user, moderator)
    resident = getattr(request.user, "resident", None) if request.user.is_authenticated else None
    supports = getattr(proposal, "support_count", None)
    if supports is None:
        supports = proposal.supports.count()
    comments = getattr(proposal, "comment_count", None)
    if comments is None:
        comments = proposal.comments.filter(hidden_at__isnull=True).count()
    data = {
        "id": proposal.pk, "process": proposal.process.slug, "kind": "topic" if proposal.is_topic else "proposal",
        "title": "", "body_html": "", "author": "", "category": proposal.category,
        "category_label": proposal.get_category_display(), "lon": None, "lat": None, "photo": None,
        "status": proposal.status, "decision_html": "", "supports": supports, "comments": comments,
        "supported_by_me": (Support.objects.filter(proposal=proposal, resident=resident).exists()
                            if resident else None),
        "hidden": proposal.is_hidden, "hidden_notice": str(view.notice), "hidden_reason": view.reason,
        "created_at": proposal.created_at, "follow_ups": [], "illustrative": proposal.illustrative,
        "url": services.proposal_url(proposal),
    }
    if view.content:
        data.update({
            "title": proposal.title, "body_html": proposal.body, "author": _author(proposal),
            "lon": proposal.lon, "lat": proposal.lat, "decision_html": proposal.decision_note,
            "photo": reverse("participation:proposal_photo", args=[proposal.pk]) if proposal.photo else None,
            "follow_ups": [{"body_html": f.body, "done_on": f.done_on,
                            "photos": [reverse("participation:follow_up_photo", args=[p.pk]) for p in f.photos.all()]}
                           for f in proposal.follow_ups.all()],
        })
    return data


def comment_dict(request, comment, depth, moderator):
    view = services.shown(comment, request.user, moderator)
    return {
        "id": comment.pk, "parent": comment.parent_id, "depth": depth,
        "author": _author(comment) if view.content else "", "body_html": comment.body if view.content else "",
        "hidden": comment.is_hidden, "hidden_notice": str(view.notice), "hidden_reason": view.reason,
        "created_at": comment.created_at,
    }


def thread_summary(thread):
    return {
        "id": thread.pk, "representative": thread.representative_id, "representative_name": thread.representative.name,
        "subject": thread.subject, "public": thread.is_public, "resident": mask_name(thread.resident.name),
        "created_at": thread.created_at, "first_reply_at": thread.first_reply_at, "url": services.thread_url(thread),
    }


def _proposal(pk):
    return get_object_or_404(Proposal.objects.select_related("process__subdistrict", "author"), pk=pk)


# ---- processes and proposals -------------------------------------------------------------------

@router.get("/participation/processes", response=list[ParticipatoryProcessOut], summary="Participatory processes and discussion spaces")
def list_processes(request, subdistrict: str | None = None):
    """Every process with its dated phases, the phase running today and what residents can do in it
    (``propose``, ``comment``, ``support``)."""
    queryset = Process.objects.select_related("subdistrict").prefetch_related("phases")
    if subdistrict:
        queryset = queryset.filter(subdistrict__code=subdistrict)
    return [process_dict(p) for p in queryset]


@router.get("/participation/processes/{slug}", response=ParticipatoryProcessOut, summary="One participatory process")
def get_process(request, slug: str):
    """A process by its short name (``happy-18``, ``happiness-partner``, ...), with its phases."""
    return process_dict(get_object_or_404(Process.objects.select_related("subdistrict"), slug=slug))


@router.get("/participation/processes/{slug}/proposals", response=list[ParticipationProposalOut],
            summary="The proposals (or topics) of a process")
def list_proposals(request, slug: str, order: str = "new", status: str | None = None, q: str = "",
                   category: str = ""):
    """Proposals not hidden by a moderator. ``order``: ``new`` (newest first) or ``supports`` (most
    supported first); ``status``: ``open``, ``adopted`` or ``not_adopted``; ``q``: words that must all
    occur in the title or text (at most 100 characters); ``category``: one category's code."""
    process = get_object_or_404(Process, slug=slug)
    if order not in ("new", "supports"):
        raise HttpError(400, "order must be 'new' or 'supports'")
    queryset = services.listed_proposals(process).select_related("process__subdistrict")
    if status:
        if status not in Proposal.Status.values:
            raise HttpError(400, f"status must be one of {', '.join(Proposal.Status.values)}")
        queryset = queryset.filter(status=status)
    queryset = services.search(queryset, q, category)
    queryset = queryset.order_by("-support_count", "-created_at") if order == "supports" else queryset.order_by("-created_at")
    moderator = services.is_moderator(request.user, process.subdistrict)
    return [proposal_dict(request, p, moderator) for p in queryset.prefetch_related("follow_ups__photos")]


@router.post("/participation/processes/{slug}/proposals", auth=django_auth, response={201: ParticipationProposalOut, **ERRORS},
             summary="Make a proposal (while ideas are collected) or open a topic (in a discussion space)")
def create_proposal(request, slug: str, data: ParticipationProposalIn):
    """Verified residents of the sub-district only; title ≤ 120 characters, text ≤ 5,000 (HTML is
    sanitised); the optional place must lie inside the sub-district. Photos are added on the page."""
    process = get_object_or_404(Process.objects.select_related("subdistrict"), slug=slug)
    proposal = services.propose(request.user, process, data.title, data.body, data.lon, data.lat,
                                category=data.category)
    return Status(201, proposal_dict(request, _proposal(proposal.pk)))


@router.get("/participation/proposals/{proposal_id}", response=ParticipationProposalOut, summary="One proposal with its results")
def get_proposal(request, proposal_id: int):
    """A proposal hidden by a moderator comes without its content, except for its author and the moderators."""
    return proposal_dict(request, _proposal(proposal_id))


@router.get("/participation/proposals/{proposal_id}/comments", response=list[ProposalCommentOut],
            summary="Comments and replies, in reading order")
def list_comments(request, proposal_id: int):
    """Each comment with its ``parent`` and ``depth`` (0 for a comment on the proposal, 1 for a reply, ...)."""
    proposal = _proposal(proposal_id)
    moderator = services.is_moderator(request.user, proposal.process.subdistrict)
    if not services.shown(proposal, request.user, moderator).content:
        return []
    return [comment_dict(request, c, depth, moderator) for c, depth in services.comment_tree(proposal)]


@router.post("/participation/proposals/{proposal_id}/comments", auth=django_auth, response={201: ProposalCommentOut, **ERRORS},
             summary="Comment on a proposal, or reply to a comment")
def create_comment(request, proposal_id: int, data: ProposalCommentIn):
    """Verified residents of the sub-district, while the phase is open for comments (collecting ideas,
    discussing, reporting back; always in a discussion space). ``parent``: the comment answered.
    The authors answered are notified."""
    proposal = _proposal(proposal_id)
    parent = None
    if data.parent is not None:
        parent = Comment.objects.filter(pk=data.parent).first()
        if parent is None:
            raise HttpError(400, f"there is no comment {data.parent}")
    new = services.comment(request.user, proposal, data.body, parent)
    depth = 0
    walker = new
    while walker.parent_id:
        depth, walker = depth + 1, walker.parent
    return Status(201, comment_dict(request, new, depth, False))


@router.post("/participation/proposals/{proposal_id}/support", auth=django_auth, response={201: ProposalSupportOut, **ERRORS},
             summary="Support a proposal (during the vote, once)")
def create_support(request, proposal_id: int):
    """One support per verified resident of the sub-district per proposal, only during the vote phase."""
    proposal = _proposal(proposal_id)
    services.support(request.user, proposal)
    return Status(201, {"proposal": proposal.pk, "supports": proposal.supports.count()})


@router.get("/geo/proposals.geojson", response=FeatureCollectionOut, summary="Proposals placed on the map, as GeoJSON")
def proposals_geojson(request, subdistrict: str | None = None, process: str | None = None, status: str | None = None):
    """A layer for the map of happiness: proposals with a place that no moderator has hidden, with
    their public fields only (no author)."""
    queryset = services.with_counts(
        Proposal.objects.filter(hidden_at__isnull=True, lon__isnull=False, lat__isnull=False).select_related("process"))
    queryset = filter_subdistrict(queryset, subdistrict, field="process__subdistrict")
    if process:
        queryset = queryset.filter(process__slug=process)
    if status:
        queryset = queryset.filter(status=status)
    return feature_collection(
        point_feature(p.lon, p.lat, {
            "id": p.pk, "title": p.title, "process": p.process.slug, "process_title": p.process.title,
            "process_title_en": p.process.title_en, "kind": "topic" if p.process.is_space else "proposal",
            "status": p.status, "supports": p.support_count, "comments": p.comment_count,
            "created_at": p.created_at.isoformat(), "url": services.proposal_url(p), "illustrative": p.illustrative,
        })
        for p in queryset.order_by("pk")
    )


# ---- representatives -----------------------------------------------------------------------------

def representative_dict(rep):
    return {
        "id": rep.pk, "name": rep.name, "name_en": rep.name_en, "title": rep.title, "title_en": rep.title_en,
        "reception": rep.reception, "reception_en": rep.reception_en,
        "facility": rep.facility.code if rep.facility else None, "subdistrict": rep.subdistrict.code,
        "illustrative": rep.illustrative, "response": services.response_stats(rep),
    }


@router.get("/participation/representatives", response=list[RepresentativeOut],
            summary="People's Congress representatives receiving letters, with how quickly they answer")
def list_representatives(request, subdistrict: str | None = None):
    """Each with ``response``: hours to the first reply (median, mean) over answered letters, and the
    share answered within 7 days of the letters that have had their 7 days (private letters count, by
    their times only)."""
    queryset = services.active_representatives()
    if subdistrict:
        queryset = queryset.filter(subdistrict__code=subdistrict)
    return [representative_dict(r) for r in queryset]


@router.get("/participation/threads", response=list[LetterSummaryOut], summary="Letters to representatives")
def list_threads(request, representative: int | None = Query(None, ge=1, le=2**63 - 1), mine: bool = False):
    """Public letters, and, for a logged-in resident or representative, their own private ones
    (``mine=true`` for only those they are a party to)."""
    queryset = services.visible_threads(request.user)
    if mine:
        if not request.user.is_authenticated:
            raise HttpError(401, "log in to see your letters")
        queryset = queryset.filter(Q(resident__user=request.user) | Q(representative__user=request.user))
    if representative:
        queryset = queryset.filter(representative_id=representative)
    return [thread_summary(t) for t in queryset]


def _log_representative_read(request, thread):
    if thread.representative.user_id == request.user.pk:
        log_access(request.user, "view", f"participation letter #{thread.pk} {request.path}", resident=thread.resident)


@router.get("/participation/threads/{thread_id}", response={200: LetterThreadOut, 404: RefusalOut},
            summary="One letter and its replies")
def get_thread(request, thread_id: int):
    """A private letter is found only by its resident and its representative; anyone else gets 404."""
    thread = services.thread_for(request.user, thread_id)
    _log_representative_read(request, thread)
    return {**thread_summary(thread), "messages": [
        {"from_representative": m.from_representative, "body_html": m.body, "created_at": m.created_at}
        for m in thread.messages.all()]}


@router.post("/participation/threads", auth=django_auth, response={201: LetterSummaryOut, **ERRORS},
             summary="Write to a representative")
def create_thread(request, data: LetterIn):
    """``public``: whether everyone may read the letter and the replies; private letters are read by
    the resident and the representative only."""
    representative = get_object_or_404(Representative, pk=data.representative)
    thread = services.write_letter(request.user, representative, data.subject, data.body, data.public)
    return Status(201, thread_summary(thread))


@router.post("/participation/threads/{thread_id}/messages", auth=django_auth, response={201: LetterMessageOut, **ERRORS},
             summary="Reply in a letter thread (the representative) or write again (the resident)")
def create_message(request, thread_id: int, data: LetterMessageIn):
    """Only the resident who wrote and the representative; the other one is notified."""
    thread = services.thread_for(request.user, thread_id)
    message = services.post_message(request.user, thread, data.body)
    return Status(201, {"from_representative": message.from_representative, "body_html": message.body,
                        "created_at": message.created_at})


@router.put("/participation/threads/{thread_id}/visibility", auth=django_auth, response={200: LetterSummaryOut, **ERRORS},
            summary="Make one's letter public or private (the resident who wrote it only)")
def set_thread_visibility(request, thread_id: int, data: LetterVisibilityIn):
    """``public``: true lets everyone read the letter and its replies; false keeps them between the
    resident and the representative."""
    thread = services.thread_for(request.user, thread_id)
    services.set_visibility(request.user, thread, data.public)
    return thread_summary(thread)

