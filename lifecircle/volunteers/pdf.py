"""The certificate of hours as a one-page A4 PDF (reportlab).

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1), which PDF readers supply
themselves, so no font file has to ship with the site. The page carries the volunteer's name, the
hours by activity, the total, the verification code, and a QR code of the page that checks it.
"""
import io

from django.utils import timezone
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .services import format_hours

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
ACCENT = colors.HexColor("#b8322a")


def _qr(url, size=32 * mm):
    widget = QrCodeWidget(url)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    return drawing


def certificate_pdf(certificate, verify_url, issuer):
    """The PDF bytes of ``certificate``; ``verify_url`` is where its code can be checked."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=22 * mm,
                                 bottomMargin=20 * mm, title=f"志愿服务时长证明 {certificate.code}",
                                 author=issuer, subject="Certificate of volunteer hours")
    title = ParagraphStyle("title", fontName=FONT, fontSize=22, leading=30, alignment=1, textColor=ACCENT)
    subtitle = ParagraphStyle("subtitle", fontName=FONT, fontSize=12, leading=16, alignment=1, textColor=colors.grey)
    body = ParagraphStyle("body", fontName=FONT, fontSize=13, leading=22)
    small = ParagraphStyle("small", fontName=FONT, fontSize=10, leading=14, textColor=colors.grey)
    issued = timezone.localtime(certificate.issued_at)
    total = format_hours(certificate.total_hours)

    story = [
        Paragraph("志愿服务时长证明", title),
        Paragraph("Certificate of Volunteer Hours", subtitle),
        Spacer(1, 10 * mm),
        Paragraph(f"兹证明 <b>{_escape(certificate.name)}</b> 参加{_escape(issuer)}组织的志愿服务，"
                  f"累计服务时长 <b>{total}</b> 小时。", body),
        Paragraph(f"This certifies that {_escape(certificate.name)} has given {total} hours of volunteer service.", small),
        Spacer(1, 8 * mm),
    ]
    rows = [["活动 Activity", "日期 Dates", "小时 Hours"]]
    for row in certificate.breakdown:
        name = row["activity"] + (f"\n{row['activity_en']}" if row.get("activity_en") else "")
        dates = row["from"] if row["from"] == row["to"] else f"{row['from']} – {row['to']}"
        rows.append([name, dates, format_hours(row["hours"])])
    rows.append(["合计 Total", "", total])
    table = Table(rows, colWidths=[85 * mm, 50 * mm, 25 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 11),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e3e1")),
        ("LINEBELOW", (0, 0), (-1, 0), 1, ACCENT),
        ("LINEABOVE", (0, -1), (-1, -1), 1, ACCENT),
        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    story += [table, Spacer(1, 12 * mm)]
    verification = Table([[
        [Paragraph(f"验证码 Verification code：<b>{certificate.code}</b>", body),
         Paragraph(f"在 {_escape(verify_url)} 输入验证码可核验本证明。", small),
         Paragraph(f"Check this certificate at {_escape(verify_url)} with its code.", small),
         Spacer(1, 4 * mm),
         Paragraph(f"签发 Issued：{issued:%Y-%m-%d}　{_escape(issuer)}", body)],
        _qr(f"{verify_url}?code={certificate.code}"),
    ]], colWidths=[125 * mm, 35 * mm])
    verification.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(verification)
    document.build(story)
    return buffer.getvalue()


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
