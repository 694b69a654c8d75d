"""The second-factor pages: enrol an authenticator app (a QR code), and verify a code at sign-in.

Who must use them is decided in security.py. Enrolment is only for someone with no confirmed
device: a member of staff who lost their phone asks an administrator to delete the device in
the staff console (TOTP devices), so a stolen password alone can never enrol a new one. Wrong
codes slow down (django-otp doubles the wait after each failure).
"""
import base64

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Six-digit code from your authenticator app"), max_length=8,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("accounts:home")


@login_required
def verify(request):
    if not user_has_device(request.user):
        return redirect(f"{reverse('accounts:two_factor_enrol')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
            if device.verify_token(code):
                otp_login(request, device)
                return redirect(_next(request))
        form.add_error("code", _("That code is not right (or it has expired). Wait for a new code and try again."))
    return render(request, "accounts/two_factor.html", {"form": form, "next": _next(request)},
                  status=400 if form.errors else 200)


@login_required
def enrol(request):
    if user_has_device(request.user):
        return redirect("accounts:two_factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=_("authenticator app"), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", _("That code is not right. Check the clock of your phone and enter the newest code."))
    return render(request, "accounts/two_factor_enrol.html", {
        "form": form, "next": _next(request),
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "secret": base64.b32encode(device.bin_key).decode(),
    }, status=400 if form.errors else 200)
