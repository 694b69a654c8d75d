"""Staff console for participation.

Staff see the processes of their own sub-district only. Authors' names are masked in lists;
opening a proposal, comment or public letter records the read in the access log. Private letters
to representatives are not in the console at all: nobody but the resident and the representative
may read them. Moderation itself (hide, unhide, decide, follow up) is done on the moderation pages,
which apply the rules, tell the authors and write the moderation log; the log is read-only here.
"""
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.access import ScopedAdmin
from lifecircle.accounts.permissions import mask_name

from .models import (
    Comment, FollowUp, FollowUpPhoto, ModerationAction, Phase, Process, Proposal, Representative, Support, Thread,
    ThreadMessage, check_phase_order,
)


class SubDistrictScoped(ScopedAdmin):
    """Staff see the rows of their own sub-districts (the access layer's participation policies)."""


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PhaseFormSet(forms.models.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        phases = [f.instance for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if phases and self.instance.kind == Process.Kind.SPACE:
            raise ValidationError(_("A standing discussion space has no phases."))
        check_phase_order(phases)


class PhaseInline(admin.TabularInline):
    model = Phase
    formset = PhaseFormSet
    extra = 0


@admin.register(Process)
class ProcessAdmin(SubDistrictScoped):
    list_display = ["title", "kind", "subdistrict", "slug", "meeting_code", "illustrative"]
    list_filter = ["kind", "subdistrict", "illustrative"]
    search_fields = ["title", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [PhaseInline]


class PersonalDataMixin:
    """Masked author in lists (opening the record is logged by the access layer, as a read of the
    author's data)."""

    @admin.display(description=_("author"))
    def masked_author(self, obj):
        return mask_name(obj.author.name) if obj.author else "—"


class FollowUpInline(admin.StackedInline):
    model = FollowUp
    extra = 0
    fields = ["done_on", "body", "author", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(PersonalDataMixin, SubDistrictScoped):
    list_display = ["title", "process", "category", "masked_author", "status", "support_count", "is_hidden", "created_at"]
    list_filter = ["process", "category", "status", ("hidden_at", admin.EmptyFieldListFilter), "illustrative"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    fields = ["process", "masked_author", "title", "body", "category", "lon", "lat", "photo", "status", "decided_at",
              "decision_note", "hidden_at", "hidden_reason", "hidden_by", "reviewed_at", "created_at", "illustrative"]
    # Changes go through the moderation pages, which tell authors and keep the log; only the category
    # is edited here, so staff can file a proposal its author put under "other".
    readonly_fields = [f for f in fields if f != "category"]
    inlines = [FollowUpInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("supports"))
    def support_count(self, proposal):
        return proposal.supports.count()

    @admin.display(boolean=True, description=_("hidden"))
    def is_hidden(self, proposal):
        return proposal.is_hidden


@admin.register(Comment)
class CommentAdmin(PersonalDataMixin, SubDistrictScoped):
    list_display = ["pk", "proposal", "masked_author", "is_hidden", "created_at"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter), "proposal__process"]
    search_fields = ["body"]
    fields = ["proposal", "parent", "masked_author", "body", "hidden_at", "hidden_reason", "hidden_by", "reviewed_at",
              "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(boolean=True, description=_("hidden"))
    def is_hidden(self, comment):
        return comment.is_hidden


@admin.register(Support)
class SupportAdmin(ReadOnly, SubDistrictScoped):
    list_display = ["proposal", "created_at"]
    list_filter = ["proposal__process"]


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnly, SubDistrictScoped):
    list_display = ["at", "moderator", "action", "target", "reason"]
    list_filter = ["action", "process"]
    search_fields = ["target", "reason"]


class FollowUpPhotoInline(admin.TabularInline):
    model = FollowUpPhoto
    extra = 0
    readonly_fields = ["image"]

    def has_add_permission(self, request, obj=None):
        return False  # photos are checked and cleaned on the follow-up page


@admin.register(FollowUp)
class FollowUpAdmin(SubDistrictScoped):
    list_display = ["proposal", "done_on", "author"]
    list_filter = ["proposal__process"]
    readonly_fields = ["proposal", "author", "created_at"]
    inlines = [FollowUpPhotoInline]

    def has_add_permission(self, request):
        return False  # recorded on the follow-up page, which checks the photos and tells the author


@admin.register(Representative)
class RepresentativeAdmin(SubDistrictScoped):
    list_display = ["name", "title", "subdistrict", "facility", "active", "illustrative"]
    list_filter = ["active", "subdistrict"]
    search_fields = ["name", "name_en"]
    raw_id_fields = ["user"]


class PublicMessageInline(admin.TabularInline):
    model = ThreadMessage
    extra = 0
    fields = ["created_at", "from_representative", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Thread)
class ThreadAdmin(ReadOnly, SubDistrictScoped):
    """Public letters only: a private letter is the resident's and the representative's alone."""

    list_display = ["subject", "representative", "masked_resident", "created_at", "first_reply_at"]
    list_filter = ["representative"]
    search_fields = ["subject"]
    fields = ["subject", "representative", "masked_resident", "is_public", "created_at", "first_reply_at"]
    readonly_fields = fields
    inlines = [PublicMessageInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_public=True)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or obj.is_public)

    @admin.display(description=_("resident"))
    def masked_resident(self, thread):
        return mask_name(thread.resident.name)
