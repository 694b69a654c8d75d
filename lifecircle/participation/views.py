"""Pages for residents (processes, proposals, letters to representatives), moderators (queue, hide
and show with a reason, decisions, follow-ups, log) and representatives (inbox, replies).

Every page works without JavaScript: forms post back to the server, which applies the rules in
services.py and says why when it refuses.
"""
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifecircle import errors
from lifecircle.accounts.permissions import log_access
from lifecircle.community.scope import api_url

from . import services
from .forms import (
    CommentForm, DecisionForm, FollowUpForm, LetterForm, MessageForm, ProposalForm, ReasonForm, SearchForm,
)
from .models import (
    COMMENT, PROPOSE, SUPPORT, Category, Comment, Follow, FollowUpPhoto, ModerationAction, Phase, Process, Proposal, Representative,
    Support,
)

ACTION_LABELS = {PROPOSE: gettext_lazy("make proposals"), COMMENT: gettext_lazy("comment"),
                 SUPPORT: gettext_lazy("support proposals")}


FIELD_ALIASES = {"location": "lon", "note": None}


def _refused(request, exc):
    return errors.refused_page(request, "participation/refused.html", exc)


def _apply_errors(form, exc):
    """Put a service's ValidationError on the form's fields (or the whole form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = FIELD_ALIASES.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _back(request, fallback):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _actions_text(actions):
    return [str(ACTION_LABELS[a]) for a in (PROPOSE, COMMENT, SUPPORT) if a in actions]


def _eligibility(request, process):
    """None if the user may take part in ``process``, else the reason why not."""
    if not request.user.is_authenticated:
        return _("Log in as a verified resident to take part.")
    try:
        services.participant(request.user, process)
    except PermissionDenied as exc:
        return str(exc)
    return None


# ---- residents: processes and proposals -------------------------------------------------------

def index(request):
    today = timezone.localdate()
    processes = Process.objects.select_related("subdistrict").prefetch_related("phases").annotate(
        proposal_count=Count("proposals", filter=Q(proposals__hidden_at__isnull=True)))
    items = [{"process": p, "phase": p.phase_on(today), "actions": _actions_text(p.allowed_actions(today))}
             for p in processes]
    return render(request, "participation/index.html", {
        "spaces": [i for i in items if i["process"].is_space],
        "processes": [i for i in items if not i["process"].is_space],
        "representative": getattr(request.user, "representative", None) if request.user.is_authenticated else None,
        "moderator": services.moderated_subdistrict_ids(request.user) != set(),
    })


def process_detail(request, slug):
    """A process's phases, meetings and proposals, which residents can search and filter by category;
    an unknown category or an over-long search answers 400 with the reason and the full list."""
    process = get_object_or_404(Process.objects.select_related("subdistrict").prefetch_related("phases"), slug=slug)
    today = timezone.localdate()
    current = process.phase_on(today)
    actions = process.allowed_actions(today)
    order = request.GET.get("order") or ("supports" if SUPPORT in actions else "new")
    proposals = services.listed_proposals(process)
    search = SearchForm(request.GET)
    status = 200
    if search.is_valid():
        try:
            proposals = services.search(proposals, search.cleaned_data["q"], search.cleaned_data["category"])
        except ValidationError as exc:
            _apply_errors(search, exc)
    if search.errors:
        status = 400
    filtered = search.is_bound and not search.errors and any(search.cleaned_data.get(k) for k in ("q", "category"))
    category = search.cleaned_data.get("category", "") if not search.errors else ""
    proposals = (proposals.order_by("-support_count", "-created_at") if order == "supports"
                 else proposals.order_by("-created_at"))
    phases = [{"phase": p, "current": p == current, "past": p.ends_on < today} for p in process.phases.all()]
    return render(request, "participation/process.html", {
        "process": process, "phases": phases, "current": current, "actions": _actions_text(actions),
        "can_propose": PROPOSE in actions, "why_not": _eligibility(request, process), "order": order,
        "proposals": [p for p in proposals if p.status == Proposal.Status.OPEN],
        "results": proposals.filter(status=Proposal.Status.ADOPTED).prefetch_related("follow_ups__photos"),
        "not_adopted": [p for p in proposals if p.status == Proposal.Status.NOT_ADOPTED],
        "search": search, "filtered": filtered, "category": category,
        "category_label": Category(category).label if category else "",
        "following_category": bool(category) and services.is_following(request.user, category=category),
        "meetings": services.meetings_of(process),
    }, status=status)


@login_required
def propose(request, slug):
    process = get_object_or_404(Process.objects.select_related("subdistrict"), slug=slug)
    try:
        services.participant(request.user, process)
        services.check_open(process, PROPOSE)
    except PermissionDenied as exc:
        return _refused(request, exc)
    form = ProposalForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                proposal = services.propose(request.user, process, data["title"], data["body"], data["lon"],
                                            data["lat"], data["photo"], category=data["category"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Thank you: your proposal is published."))
                return redirect("participation:proposal", proposal.pk)
        status = 400
    return render(request, "participation/propose.html", {
        "process": process, "form": form,
        "boundary": process.subdistrict.boundary or None,
        "network_url": api_url("geo/network.geojson", process.subdistrict),
    }, status=status)


def _render_proposal(request, proposal, comment_form=None, status=200):
    process = proposal.process
    moderator = services.is_moderator(request.user, process.subdistrict)
    view = services.shown(proposal, request.user, moderator)
    actions = process.allowed_actions()
    resident = getattr(request.user, "resident", None) if request.user.is_authenticated else None
    comments = []
    if view.content:
        comments = [{"comment": c, "depth": min(depth, 4), "view": services.shown(c, request.user, moderator)}
                    for c, depth in services.comment_tree(proposal)]
    context = {
        "proposal": proposal, "process": process, "view": view, "moderator": moderator, "comments": comments,
        "supports": proposal.supports.count(),
        "supported": bool(resident and Support.objects.filter(proposal=proposal, resident=resident).exists()),
        "can_support": SUPPORT in actions and proposal.status == Proposal.Status.OPEN and not proposal.is_hidden,
        "can_comment": COMMENT in actions and not proposal.is_hidden,
        "why_not": _eligibility(request, process), "comment_form": comment_form or CommentForm(),
        "follow_ups": proposal.follow_ups.prefetch_related("photos") if view.content else [],
        "reason_form": ReasonForm(), "decision_form": DecisionForm(),
        "can_decide": moderator and proposal.status == Proposal.Status.OPEN and not proposal.is_hidden,
        "following": services.is_following(request.user, proposal),
        "network_url": api_url("geo/network.geojson", process.subdistrict),
    }
    return render(request, "participation/proposal.html", context, status=status)


def _proposal(pk):
    return get_object_or_404(Proposal.objects.select_related("process__subdistrict", "author"), pk=pk)


def proposal_detail(request, pk):
    return _render_proposal(request, _proposal(pk))


@login_required
@require_POST
def support(request, pk):
    proposal = _proposal(pk)
    try:
        services.support(request.user, proposal)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("Thank you: your support is counted."))
    return redirect("participation:proposal", proposal.pk)


@login_required
@require_POST
def comment(request, pk):
    proposal = _proposal(pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).first()
            if parent is None:
                raise Http404(_("No such comment."))
        try:
            new = services.comment(request.user, proposal, form.cleaned_data["body"], parent)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your comment is published."))
            return redirect(reverse("participation:proposal", args=[proposal.pk]) + f"#comment-{new.pk}")
    return _render_proposal(request, proposal, comment_form=form, status=400)


@login_required
@require_POST
def follow_proposal(request, pk):
    """Follow (``follow=1``) or stop following (``follow=0``) a proposal or discussion-bar topic."""
    proposal = _proposal(pk)
    try:
        if request.POST.get("follow") == "0":
            services.unfollow(request.user, proposal)
            messages.success(request, _("You no longer follow this."))
        else:
            services.follow(request.user, proposal)
            messages.success(request, _("You follow this now: you will be told of new comments, the decision and what is done."))
    except PermissionDenied as exc:
        return _refused(request, str(exc))
    return _back(request, reverse("participation:proposal", args=[proposal.pk]))


@login_required
@require_POST
def follow_category(request, category):
    """Follow or stop following a category: new proposals in it are notified."""
    if category not in Category.values:
        raise Http404(_("No such category."))
    try:
        if request.POST.get("follow") == "0":
            services.unfollow(request.user, category=category)
            messages.success(request, _("You no longer follow “%(category)s”.") % {"category": Category(category).label})
        else:
            services.follow(request.user, category=category)
            messages.success(request, _("You follow “%(category)s” now: you will be told of each new proposal in it.")
                             % {"category": Category(category).label})
    except PermissionDenied as exc:
        return _refused(request, str(exc))
    return _back(request, reverse("participation:mine"))


def _file(field):
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def proposal_photo(request, pk):
    proposal = _proposal(pk)
    moderator = services.is_moderator(request.user, proposal.process.subdistrict)
    if not proposal.photo or not services.shown(proposal, request.user, moderator).content:
        raise Http404(_("No such photo."))
    return _file(proposal.photo)


def follow_up_photo(request, pk):
    photo = get_object_or_404(FollowUpPhoto.objects.select_related("follow_up__proposal__process__subdistrict"), pk=pk)
    proposal = photo.follow_up.proposal
    moderator = services.is_moderator(request.user, proposal.process.subdistrict)
    if not services.shown(proposal, request.user, moderator).content:
        raise Http404(_("No such photo."))
    return _file(photo.image)


@login_required
def mine(request):
    resident = getattr(request.user, "resident", None)
    proposals = services.with_counts(Proposal.objects.filter(author=resident).select_related("process")) if resident else []
    threads = services.visible_threads(request.user).filter(resident__user=request.user) if resident else []
    follows = Follow.objects.filter(user=request.user).select_related("proposal").order_by("-created_at")
    return render(request, "participation/mine.html", {
        "resident": resident, "proposals": proposals, "threads": threads,
        "followed_proposals": [f.proposal for f in follows if f.proposal_id and not f.proposal.is_hidden],
        "followed_categories": [Category(f.category) for f in follows if f.category],
        "representative": getattr(request.user, "representative", None),
    })


# ---- moderators ---------------------------------------------------------------------------------

def _moderated(request):
    ids = services.moderated_subdistrict_ids(request.user)
    if ids == set():
        raise PermissionDenied(_("Only moderators can open this page."))
    return ids


def _within(queryset, ids, path="process__subdistrict_id"):
    return queryset if ids is None else queryset.filter(**{f"{path}__in": ids})


@login_required
def moderation(request):
    try:
        ids = _moderated(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    proposals = _within(Proposal.objects.select_related("process", "author"), ids)
    comments = _within(Comment.objects.select_related("proposal__process", "author"), ids, "proposal__process__subdistrict_id")
    return render(request, "participation/moderation.html", {
        "new_proposals": proposals.filter(reviewed_at__isnull=True, hidden_at__isnull=True).order_by("created_at"),
        "new_comments": comments.filter(reviewed_at__isnull=True, hidden_at__isnull=True).order_by("created_at"),
        "hidden_proposals": proposals.filter(hidden_at__isnull=False).order_by("-hidden_at"),
        "hidden_comments": comments.filter(hidden_at__isnull=False).order_by("-hidden_at"),
        "awaiting_follow_up": proposals.filter(status=Proposal.Status.ADOPTED, follow_ups__isnull=True,
                                               hidden_at__isnull=True),
        "to_decide": [p for p in services.with_counts(proposals.filter(
            status=Proposal.Status.OPEN, hidden_at__isnull=True,
            process__phases__kind=Phase.Kind.VOTE, process__phases__ends_on__lt=timezone.localdate()))],
        "reason_form": ReasonForm(),
    })


MODERATION_ACTIONS = {"hide", "unhide", "review", "adopt", "not_adopt"}


@login_required
@require_POST
def moderate(request, kind, pk, action):
    """One moderator action on a proposal or a comment, then back to where the moderator was."""
    if action not in MODERATION_ACTIONS or kind not in ("proposal", "comment"):
        raise Http404
    if kind == "proposal":
        item = _proposal(pk)
        fallback = reverse("participation:proposal", args=[item.pk])
    else:
        item = get_object_or_404(Comment.objects.select_related("proposal__process__subdistrict", "author"), pk=pk)
        fallback = reverse("participation:proposal", args=[item.proposal_id]) + f"#comment-{item.pk}"
        if action in ("adopt", "not_adopt"):
            raise Http404
    try:
        if action == "hide":
            services.hide(request.user, item, request.POST.get("reason", ""))
            messages.success(request, _("Hidden. The author has been told the reason."))
        elif action == "unhide":
            services.unhide(request.user, item, request.POST.get("reason", ""))
            messages.success(request, _("Shown again. The author has been told."))
        elif action == "review":
            services.review(request.user, item)
            messages.success(request, _("Marked as reviewed."))
        else:
            services.decide(request.user, item, action == "adopt", request.POST.get("note", ""))
            messages.success(request, _("Decision recorded. The author has been told."))
    except PermissionDenied as exc:
        return _refused(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request, fallback)


@login_required
def follow_up(request, pk):
    proposal = _proposal(pk)
    try:
        services.require_moderator(request.user, proposal.process.subdistrict)
    except PermissionDenied as exc:
        return _refused(request, exc)
    form = FollowUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_follow_up(request.user, proposal, form.cleaned_data["body"], form.cleaned_data["done_on"],
                                          request.FILES.getlist("photos"))
            except ValidationError as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Follow-up recorded. The author has been told."))
                return redirect("participation:proposal", proposal.pk)
        status = 400
    return render(request, "participation/follow_up.html", {"proposal": proposal, "form": form}, status=status)


@login_required
def moderation_log(request):
    try:
        ids = _moderated(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    entries = _within(ModerationAction.objects.select_related("moderator", "process"), ids)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "participation/log.html", {"page": page})


# ---- the representatives' window ---------------------------------------------------------------

def representatives(request):
    reps = [{"rep": r, "stats": services.response_stats(r)} for r in services.active_representatives()]
    public = services.visible_threads(None).annotate(replies=Count("messages", filter=Q(messages__from_representative=True)))
    return render(request, "participation/representatives.html", {"reps": reps, "public_threads": public[:50]})


@login_required
def write(request, pk):
    representative = get_object_or_404(Representative.objects.select_related("subdistrict", "facility"), pk=pk)
    form = LetterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = services.write_letter(request.user, representative, data["subject"], data["body"],
                                               data["visibility"] == "public")
            except ValidationError as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                return _refused(request, exc)
            else:
                messages.success(request, _("Your letter has been sent. You will be told when the representative replies."))
                return redirect("participation:thread", thread.pk)
        status = 400
    return render(request, "participation/write.html", {"rep": representative, "form": form}, status=status)


def thread(request, pk):
    """A letter and its replies. A private one is found only by its resident and its representative."""
    item = services.thread_for(request.user, pk)
    is_rep = request.user.is_authenticated and item.representative.user_id == request.user.pk
    is_writer = request.user.is_authenticated and item.resident.user_id == request.user.pk
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if form.is_valid():
            try:
                services.post_message(request.user, item, form.cleaned_data["body"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your message has been sent."))
                return redirect("participation:thread", item.pk)
        status = 400
    if is_rep:  # the representative reads the resident's name: recorded like every read of personal data
        log_access(request.user, "view", f"participation letter #{item.pk} {request.path}", resident=item.resident)
    return render(request, "participation/thread.html", {
        "thread": item, "thread_messages": item.messages.all(), "is_rep": is_rep, "is_writer": is_writer,
        "form": form if (is_rep or is_writer) else None,
    }, status=status)


@login_required
@require_POST
def thread_visibility(request, pk):
    item = services.thread_for(request.user, pk)
    try:
        services.set_visibility(request.user, item, request.POST.get("public") == "1")
    except PermissionDenied as exc:
        return _refused(request, exc)
    messages.success(request, _("This letter is now public.") if item.is_public else _("This letter is now private."))
    return redirect("participation:thread", item.pk)


@login_required
def inbox(request):
    representative = getattr(request.user, "representative", None)
    if representative is None:
        return _refused(request, PermissionDenied(_("This page is for People's Congress representatives.")))
    threads = representative.threads.select_related("resident").annotate(count=Count("messages"))
    return render(request, "participation/inbox.html", {
        "rep": representative, "stats": services.response_stats(representative),
        "waiting": threads.filter(first_reply_at__isnull=True).order_by("created_at"),
        "answered": threads.filter(first_reply_at__isnull=False).order_by("-last_message_at")[:100],
    })
