import datetime

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from lifecircle.community import scope
from lifecircle.community.models import SubDistrict
from lifecircle.planning import reports
from lifecircle.planning.coverage import LIVE
from lifecircle.planning.models import Scenario


class Command(BaseCommand):
    help = ("Write the per-grid planning report (coverage by tier and category, people not covered, plan check, "
            "facility use of the live services and requests with response times) of the live directory or of a "
            "scenario, as PDF, CSV or GeoJSON.")

    def add_arguments(self, parser):
        parser.add_argument("output", help="file to write; '-' writes CSV or GeoJSON to standard output")
        parser.add_argument("--format", choices=["pdf", "csv", "geojson"], help="default: from the file's extension")
        parser.add_argument("--scenario", help="scenario id or name (default: the live directory)")
        parser.add_argument("--subdistrict", help="sub-district code (needed when several are loaded)")
        parser.add_argument("--date", help="the last day of the facility-use and request figures, YYYY-MM-DD "
                                           "(default: today)")

    def handle(self, output, format=None, scenario=None, subdistrict=None, date=None, **options):
        fmt = format or output.rsplit(".", 1)[-1].lower()
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date '{date}' is not a date like 2026-06-01") from None
        if fmt not in ("pdf", "csv", "geojson"):
            raise CommandError(f"cannot tell the format from '{output}'; give --format pdf, csv or geojson")
        try:
            target = scope.resolve(subdistrict)
        except Http404:
            raise CommandError(f"no sub-district '{subdistrict}'") from None
        except scope.SubDistrictNotNamed:
            loaded = ", ".join(SubDistrict.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"several sub-districts are loaded ({loaded}): name one with --subdistrict"
                               if loaded else "no sub-district is loaded") from None
        state = LIVE
        if scenario:
            found = Scenario.objects.filter(subdistrict=target)
            found = found.filter(pk=int(scenario)) if scenario.isdigit() else found.filter(name=scenario)
            state = found.first()
            if state is None:
                raise CommandError(f"no scenario '{scenario}' in {target.code}")
        if fmt == "pdf":
            if output == "-":
                raise CommandError("a PDF needs a file name, not '-'")
            content = reports.to_pdf(target, state, today)
        else:
            content = (reports.to_csv if fmt == "csv" else reports.to_geojson)(target, state, today)
        if output == "-":
            self.stdout.write(content)
            return
        mode, data = ("wb", content) if isinstance(content, bytes) else ("w", content)
        with open(output, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
            f.write(data)
        self.stdout.write(self.style.SUCCESS(f"{fmt.upper()} report of {reports.state_name(state)} written to {output}"))
