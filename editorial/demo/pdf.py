"""A real PDF for each demo document (reportlab, a Vietnamese font), in private storage."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile

from sotay_plugins.storage import private_storage

from .texts import PDF_SECTIONS

# --- PDFs --------------------------------------------------------------------------------------

PDF_FONT = "SotayDocument"


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from sotay_plugins.members.cards import font_path

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(PDF_FONT, str(font_path())))
    return PDF_FONT


def document_pdf(*, issuer, kind_label, number, issued_on, summary, place="Thái Bình"):
    """A one-page A4 party document in the usual layout (issuer and number left, the Party's
    name right, the kind, the summary, three sections), marked as demo data. Deterministic bytes."""
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    base = ParagraphStyle(
        "base",
        fontName=font,
        fontSize=11.5,
        leading=16,
        alignment=TA_JUSTIFY,
        firstLineIndent=8 * mm,
    )
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER, firstLineIndent=0)
    title = ParagraphStyle("title", parent=center, fontSize=15, leading=20, spaceBefore=8)
    head = ParagraphStyle("head", parent=base, firstLineIndent=0, spaceBefore=8)
    note = ParagraphStyle("note", parent=center, fontSize=8.5, leading=11)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{kind_label} {number}",
        author=issuer,
        subject="Văn bản mẫu — Sổ tay đảng viên điện tử",
        invariant=1,
    )
    when = (
        f"{place}, ngày {issued_on.day:02d} tháng {issued_on.month:02d} năm {issued_on.year}"
        if issued_on
        else f"{place}, ngày … tháng … năm …"
    )
    header = Table(
        [
            [Paragraph(issuer.upper(), center), Paragraph("ĐẢNG CỘNG SẢN VIỆT NAM", center)],
            [Paragraph("*", center), Paragraph("—————", center)],
            [Paragraph(f"Số {number}", center), Paragraph(f"<i>{when}</i>", center)],
        ],
        colWidths=[75 * mm, 92 * mm],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        header,
        Spacer(1, 8 * mm),
        Paragraph(kind_label.upper(), title),
        Paragraph(summary, center),
        Spacer(1, 6 * mm),
    ]
    for heading, text in PDF_SECTIONS:
        story += [Paragraph(heading, head), Paragraph(text, base)]
    story += [
        Spacer(1, 14 * mm),
        Paragraph(
            "VĂN BẢN MẪU — DỮ LIỆU TRÌNH DIỄN CỦA SỔ TAY ĐẢNG VIÊN ĐIỆN TỬ, "
            "KHÔNG PHẢI VĂN BẢN THẬT",
            note,
        ),
    ]
    doc.build(story)
    return out.getvalue()


def store_pdf(name, data):
    """Write ``data`` at ``name`` in private storage (replacing a different file of that name)."""
    storage = private_storage()
    if storage.exists(name):
        with storage.open(name, "rb") as fh:
            if fh.read() == data:
                return name
        storage.delete(name)
    return storage.save(name, ContentFile(data, name=name.rsplit("/", 1)[-1]))
