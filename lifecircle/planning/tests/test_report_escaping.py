"""Names go into the PDF report as text, never as markup (issue 10): a facility or grid named with
reportlab markup cannot pull a server file into the report or make it fail, and CSV cells cannot
start a spreadsheet formula."""
import csv
import io

import pytest

from lifecircle.community.models import Grid
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory.models import Facility
from lifecircle.planning import reports

pytestmark = pytest.mark.django_db

MARKUP = '<img src="/nonexistent/secret.png" width="10" height="10"/><b>unclosed'


def test_names_with_markup_are_printed_not_interpreted():
    mini = load_pack(MINI)
    Grid.objects.filter(code="west").update(name=MARKUP)
    Facility.objects.filter(code="canteen").update(name=MARKUP)
    assert reports.to_pdf(mini).startswith(b"%PDF")  # before: reportlab tried to open the file and failed


def test_report_csv_cells_cannot_start_a_formula():
    mini = load_pack(MINI)
    Grid.objects.filter(code="west").update(name='=HYPERLINK("http://x","y")')
    rows = list(csv.DictReader(io.StringIO(reports.to_csv(mini))))
    names = {row["grid_name"] for row in rows if row["grid"] == "west"}
    assert names == {'\'=HYPERLINK("http://x","y")'}
