import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.dates import IsoDateInput


class BookingForm(forms.Form):
    """A room booking as a resident fills it in on a phone: a day, two times, how many, what for."""

    day = forms.DateField(label=_("Day"), widget=IsoDateInput())
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"))
    attendees = forms.IntegerField(label=_("How many people"), min_value=1, max_value=10000,
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    purpose = forms.CharField(label=_("What is it for"), max_length=300)
    group_name = forms.CharField(label=_("For a group or club (optional)"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if all(data.get(k) is not None for k in ("day", "start_time", "end_time")):
            tz = timezone.get_current_timezone()
            data["start"] = timezone.make_aware(datetime.datetime.combine(data["day"], data["start_time"]), tz)
            end_day = data["day"]
            if data["end_time"] == datetime.time(0, 0):  # "until 00:00" means until midnight
                end_day += datetime.timedelta(days=1)
            data["end"] = timezone.make_aware(datetime.datetime.combine(end_day, data["end_time"]), tz)
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the resident will read it)"), max_length=1000)


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("Check-in code"), max_length=40)
