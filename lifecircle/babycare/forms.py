from django import forms
from django.utils.translation import gettext_lazy as _

from lifecircle.dates import IsoDateInput

from .models import Attendance


class ApplyForm(forms.Form):
    child = forms.TypedChoiceField(label=_("Child"), coerce=int)
    start_date = forms.DateField(label=_("Wished start date"), widget=IsoDateInput())
    both_parents_working = forms.BooleanField(label=_("Both parents work"), required=False)
    registered_hardship = forms.BooleanField(label=_("Our family is registered for hardship support"), required=False)

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [(c.pk, f"{c.name} ({c.birth_date.isoformat()})") for c in children]


class AbsenceForm(forms.Form):
    date = forms.DateField(label=_("Day"), widget=IsoDateInput())
    reason = forms.ChoiceField(label=_("Reason"), choices=Attendance.Reason.choices)
    note = forms.CharField(label=_("Note for the centre"), max_length=200, required=False)


class MarkForm(forms.Form):
    date = forms.DateField(widget=forms.HiddenInput())
    status = forms.ChoiceField(choices=Attendance.Status.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *Attendance.Reason.choices], required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


def first_error(form):
    """The first message of an invalid form, with the field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else errors[0]
    return ""
