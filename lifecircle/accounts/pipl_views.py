"""The resident's "my data" pages (see, download, ask for a correction or erasure) and the staff
pages that resolve those requests. The rules are in pipl.py; these pages only ask and show."""
import csv
import datetime
import io
import json
import zipfile

from django.apps import apps as django_apps
from django.contrib.auth.decorators import login_required
from django.db import models
from django.template.defaultfilters import yesno
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecircle.errors import Refused

from . import permissions, pipl
from .access import administers
from .masking import mask_id_number, mask_phone
from .models import Resident, RightsRequest


def _actor(request):
    resident = getattr(request.user, "resident", None)
    if resident is None or resident.erased_at:
        raise PermissionDenied(_("This account is not linked to a resident."))
    return resident


def _person(request, actor):
    """The resident whose data is asked for: the actor, or an adult who consented to them acting."""
    pk = request.GET.get("person") or request.POST.get("person")
    if not pk or str(pk) == str(actor.pk):
        return actor
    person = Resident.objects.filter(pk=pk if str(pk).isdigit() else None, erased_at__isnull=True).first()
    if person is None:
        raise PermissionDenied(_("There is no such resident."))
    pipl.check_may_see(actor, person)
    return person


def _cell(model_field, value):
    """A downloaded value as a person reads it: labels for codes, yes/no, local times."""
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return yesno(value)
    if isinstance(model_field, models.DateTimeField):
        return _local(value)
    return value


def _local(iso_moment):
    return f"{timezone.localtime(datetime.datetime.fromisoformat(iso_moment)):%Y-%m-%d %H:%M}"


def _tables(apps):
    """The collected rows as (app name, [(label, header, rows)]) for the page's tables."""
    for section in apps.values():
        tables = []
        for holding in section["holdings"]:
            model = django_apps.get_model(holding["model"])
            names = [name for name in holding["columns"] if name != "id"]
            fields = [model._meta.get_field(name) for name in names]
            tables.append((holding["label"], [holding["columns"][n] for n in names],
                           [[_cell(f, row[f.name]) for f in fields] for row in holding["rows"]]))
        yield section["app"], tables


def _page(request, actor, person, error="", status=200):
    adults, _children = permissions.people_for(actor)
    data = pipl.collect(person)
    resident = data["resident"]
    context = {
        "sections": list(_tables(data["apps"])), "sent": request.GET.get("sent") == "1",
        "reads": [{**read, "at": _local(read["at"])} for read in data["staff_reads"]],
        "actor": actor, "person": person, "people": adults, "data": data, "error": error,
        "masked": {"phone": mask_phone(resident["phone"]), "id_number": mask_id_number(resident["id_number"])},
        "fields": RightsRequest.Field.choices,
        "requests": person.rights_requests.all()[:20],
        "erasure_open": person.rights_requests.filter(kind=RightsRequest.Kind.ERASURE,
                                                      status=RightsRequest.Status.OPEN).exists(),
    }
    return render(request, "accounts/my_data.html", context, status=status)


@login_required
def my_data(request):
    actor = _actor(request)
    return _page(request, actor, _person(request, actor))


def _filename(person, extension):
    return f"lifecircle-my-data-{person.pk}-{timezone.localdate():%Y%m%d}.{extension}"


@login_required
def download_json(request):
    actor = _actor(request)
    person = _person(request, actor)
    response = JsonResponse(pipl.collect(person), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "json")}"'
    return response


def _csv(rows):
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                          for k, v in row.items()} for row in rows)
    return "\ufeff" + out.getvalue()  # the byte-order mark makes spreadsheet programs read Chinese right


@login_required
def download_zip(request):
    """The same data as the JSON download, one CSV per kind of record, in folders per app."""
    actor = _actor(request)
    person = _person(request, actor)
    data = pipl.collect(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("resident.csv", _csv([data["resident"]]))
        archive.writestr("household.csv", _csv([data["household"]]))
        archive.writestr("children.csv", _csv(data["children"]))
        if data["account"]:
            archive.writestr("account.csv", _csv([data["account"]]))
        archive.writestr("staff_reads.csv", _csv(data["staff_reads"]))
        for app_label, section in data["apps"].items():
            for holding in section["holdings"]:
                archive.writestr(f"{app_label}/{holding['model'].split('.')[1]}.csv", _csv(holding["rows"]))
        archive.writestr("all.json", json.dumps(data, ensure_ascii=False, indent=2))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "zip")}"'
    return response


@login_required
@require_POST
def ask_correction(request):
    actor = _actor(request)
    person = _person(request, actor)
    try:
        pipl.request_correction(actor, person, request.POST.get("field", ""), request.POST.get("details", ""),
                                request.POST.get("new_value", ""))
    except Refused as exc:
        return _page(request, actor, person, error=str(exc), status=400)
    return redirect(f"{reverse('accounts:my_data')}?person={person.pk}&sent=1")


@login_required
@require_POST
def ask_erasure(request):
    actor = _actor(request)
    person = _person(request, actor)
    if request.POST.get("confirm") != "yes":
        return _page(request, actor, person, status=400,
                     error=_("Tick the box to confirm that you want this person's data erased."))
    try:
        pipl.request_erasure(actor, person, request.POST.get("details", ""))
    except Refused as exc:
        return _page(request, actor, person, error=str(exc), status=400)
    return redirect(f"{reverse('accounts:my_data')}?person={person.pk}&sent=1")


def _require_staff(request):
    if not request.user.is_staff:
        raise PermissionDenied(_("This page is for staff."))


@login_required
def privacy_requests(request):
    _require_staff(request)
    found = pipl.requests_for_staff(request.user)
    return render(request, "accounts/privacy_requests.html", {
        "open": found.filter(status=RightsRequest.Status.OPEN),
        "done": found.exclude(status=RightsRequest.Status.OPEN)[:50],
    })


@login_required
def privacy_request(request, pk):
    _require_staff(request)
    error, status, report = "", 200, None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "erase":
                report = pipl.erase_on_request(request.user, pk)
            elif action in ("apply", "refuse"):
                pipl.resolve(request.user, pk, action == "apply", request.POST.get("response", ""))
                return redirect("accounts:privacy_requests")
            else:
                raise Refused(_("Choose what to do with the request."))
        except Refused as exc:
            error, status = str(exc), 400
    found = pipl.open_request(request.user, pk)
    current = getattr(found.resident, found.field, "") if found.field not in ("", RightsRequest.Field.OTHER) else ""
    return render(request, "accounts/privacy_request.html", {
        "item": found, "current": current, "error": error, "report": report,
        "may_erase": administers(request.user, found.resident.household.compound.subdistrict_id),
    }, status=status)
