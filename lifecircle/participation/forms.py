"""Forms of the participation pages. They give the browser the limits (maxlength, accept) and check
the shape of what is sent; the rules themselves – who, when, what is allowed – are in services.py."""
from django import forms
from django.utils.translation import gettext_lazy as _

from lifecircle.dates import IsoDateInput
from lifecircle.images import ACCEPT as IMAGE_TYPES
from lifecircle.images import MAX_PHOTOS

from .models import Category
from .text import BODY_MAX, REASON_MAX, TITLE_MAX


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX,
                            help_text=_("At most 120 characters."))
    body = forms.CharField(label=_("Your proposal"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("At most 5,000 characters."))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER, required=False,
                                 help_text=_("Residents who follow this category are told of your proposal."))
    lon = forms.FloatField(label=_("Longitude"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    lat = forms.FloatField(label=_("Latitude"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
                            help_text=_("JPEG, PNG or WebP, at most 5 MB."))


class SearchForm(forms.Form):
    """The search and category filter above a process's proposals (GET; bad values answer 400)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("words in the title or text")}))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *Category.choices])


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class LetterForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=TITLE_MAX)
    body = forms.CharField(label=_("Your letter"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("At most 5,000 characters."))
    visibility = forms.ChoiceField(
        label=_("Who may read it"), widget=forms.RadioSelect,
        choices=[("private", _("Private: only the representative and I")),
                 ("public", _("Public: everyone may read the letter and the replies"))])


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 5}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the author sees it)"), max_length=REASON_MAX)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Decision note"), max_length=BODY_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    body = forms.CharField(label=_("What was done"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    done_on = forms.DateField(label=_("Done on"), widget=IsoDateInput())
    # The photos (input name "photos", several allowed) are read from request.FILES by the view.
    max_photos = MAX_PHOTOS
