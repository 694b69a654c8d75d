"""The PDF report embeds its Chinese font (a subset of WenQuanYi Micro Hei), so every viewer shows
the characters, and it reads as a report: names rather than codes, and the list of gaps."""
import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from lifecircle.planning import reports

from .test_api_pages import mini, planner  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def fonts_of(reader):
    found = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def test_the_pdf_embeds_its_chinese_font_and_the_text_extracts(planner):  # noqa: F811
    with translation.override("zh-hans"):
        pdf = planner.get("/s/mini/planning/report/?state=live&format=pdf", HTTP_ACCEPT_LANGUAGE="zh-hans").content
    reader = PdfReader(io.BytesIO(pdf))
    fonts = fonts_of(reader)
    # Every font is embedded but reportlab's page default, Helvetica: one of the 14 fonts every PDF
    # viewer has, which cannot show Chinese and is used for none of the text.
    assert fonts and all(embedded for name, embedded in fonts.items() if name != "/Helvetica"), fonts
    assert any("WenQuanYiMicroHei" in name for name in fonts), fonts
    text = "".join(page.extract_text() for page in reader.pages)
    assert "东网格" in text and "西网格" in text  # the grid names, extracted as Chinese text
    assert "STSong" not in "".join(fonts)


def test_the_report_lists_the_gaps_by_name(mini):  # noqa: F811
    from django.utils import translation

    with translation.override("en"):
        gaps = reports.gap_list(mini)
        assert gaps and all(g["compound_name"] and g["category_name"] for g in gaps)
        reader = PdfReader(io.BytesIO(reports.to_pdf(mini)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Gaps: residential compounds beyond the walking distance" in text
    first = gaps[0]
    assert first["compound_name"] in text and first["category_name"] in text
