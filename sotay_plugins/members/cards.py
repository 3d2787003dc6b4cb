"""Members' QR credentials on paper and on screen: the QR as inline SVG (the member's app page)
and the printable cards (PDF, A4, 8 cards a page, one batch per cell).

The QR holds a signed token (``credentials.card_token`` / ``app_token``), never the bare CCCD.
Vietnamese text in the PDF needs a Unicode TrueType font: Noto Sans from the pip package
``fontpkg-noto-sans`` (requirements.txt), else DejaVu Sans from Debian's ``fonts-dejavu-core``;
with neither, :class:`CardFontMissing` says what to install.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import qrcode
import qrcode.constants
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from . import credentials

FONT_NAME = "SotayCard"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


class CardFontMissing(ImproperlyConfigured):
    pass


# --- the QR matrix ------------------------------------------------------------------------


def qr_matrix(text, *, border=4):
    """The QR code of ``text`` as rows of booleans (True = dark), quiet zone included."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def _runs(row):
    """(start, length) of each run of dark modules in a row."""
    start = None
    for x, dark in enumerate([*row, False]):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            yield start, x - start
            start = None


def qr_svg(text, *, label=""):
    """An inline SVG of the QR code: black on white, one path, scales to its container."""
    matrix = qr_matrix(text)
    size = len(matrix)
    path = "".join(f"M{x} {y}h{n}v1h-{n}z" for y, row in enumerate(matrix) for x, n in _runs(row))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'class="qr" role="img" aria-label="{escape(label)}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


# --- the member's app page ------------------------------------------------------------------


def app_qr(member):
    """The rotating QR for the member's app page: ``{"token", "expires_at", "seconds"}``."""
    now = timezone.now()
    return {
        "token": credentials.app_token(member),
        "expires_at": now + timezone.timedelta(seconds=credentials.APP_TOKEN_SECONDS),
        "seconds": credentials.APP_TOKEN_SECONDS,
    }


# --- printable cards ------------------------------------------------------------------------


def font_path():
    try:
        from fontpkg_noto_sans import ROOT

        path = Path(ROOT) / "files" / "NotoSans[wdth,wght].ttf"
        if path.exists():
            return path
    except ImportError:
        pass
    if DEJAVU.exists():
        return DEJAVU
    raise CardFontMissing(
        "No Unicode font for Vietnamese card text: pip install fontpkg-noto-sans "
        "(requirements.txt), or apt-get install -y fonts-dejavu-core."
    )


@lru_cache(maxsize=1)
def _register_font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path())))
    return FONT_NAME


COLUMNS, ROWS = 2, 4  # 8 cards on an A4 page


def cards_pdf(members, *, cell_name=""):
    """A4 pages of 8 cards each (name, cell, card QR, instructions), as PDF bytes.

    ``members``: Member instances (``full_name``, ``pk``, ``qr_version``, and ``cell.name``
    unless ``cell_name`` is given). Cut lines are dashed; each card is 105 × 74 mm.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font = _register_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(
        _("Thẻ QR điểm danh — %(cell)s") % {"cell": cell_name}
        if cell_name
        else _("Thẻ QR điểm danh")
    )
    pdf.setAuthor(_("Sổ tay đảng viên điện tử"))
    page_w, page_h = A4
    card_w, card_h = page_w / COLUMNS, page_h / ROWS
    title = _("THẺ ĐIỂM DANH SINH HOẠT ĐẢNG")
    lines = [
        _("Đưa thẻ cho bí thư chi bộ quét"),
        _("mã QR khi đến sinh hoạt."),
        _("Mất thẻ: báo ngay bí thư"),
        _("để thu hồi và cấp thẻ mới."),
    ]
    members = list(members)
    for index, member in enumerate(members):
        slot = index % (COLUMNS * ROWS)
        if index and slot == 0:
            pdf.showPage()
        if slot == 0:
            _cut_lines(pdf, page_w, page_h, card_w, card_h)
        x0 = (slot % COLUMNS) * card_w
        y0 = page_h - (slot // COLUMNS + 1) * card_h
        pad = 6 * mm
        qr_side = card_h - 2 * pad - 8 * mm
        _draw_qr(
            pdf, credentials.card_token(member), x0 + card_w - pad - qr_side, y0 + pad, qr_side
        )
        text_x, text_w = x0 + pad, card_w - 3 * pad - qr_side
        pdf.setFillColorRGB(0.72, 0.11, 0.11)
        pdf.setFont(font, 7.5)
        pdf.drawString(text_x, y0 + card_h - pad - 2 * mm, title)
        pdf.setFillColorRGB(0, 0, 0)
        y = _wrapped(
            pdf, member.full_name, font, 12.5, text_x, y0 + card_h - pad - 9 * mm, text_w, 2
        )
        cell = cell_name or getattr(getattr(member, "cell", None), "name", "")
        y = _wrapped(pdf, cell, font, 8.5, text_x, y - 1.5 * mm, text_w, 3)
        pdf.setFont(font, 7)
        pdf.setFillColorRGB(0.2, 0.2, 0.2)
        line_y = y0 + pad + (len(lines) - 1) * 3.2 * mm
        for line in lines:
            pdf.drawString(text_x, line_y, line)
            line_y -= 3.2 * mm
        pdf.setFillColorRGB(0, 0, 0)
    if not members:
        pdf.setFont(font, 12)
        pdf.drawString(20 * mm, page_h - 30 * mm, _("Chi bộ chưa có đảng viên nào đang sinh hoạt."))
    pdf.save()
    return out.getvalue()


def _cut_lines(pdf, page_w, page_h, card_w, card_h):
    pdf.saveState()
    pdf.setStrokeColorRGB(0.6, 0.6, 0.6)
    pdf.setLineWidth(0.4)
    pdf.setDash(3, 3)
    for col in range(1, COLUMNS):
        pdf.line(col * card_w, 0, col * card_w, page_h)
    for row in range(1, ROWS):
        pdf.line(0, row * card_h, page_w, row * card_h)
    pdf.restoreState()


def _draw_qr(pdf, text, x, y, side):
    matrix = qr_matrix(text)
    module = side / len(matrix)
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + side - (row_index + 1) * module
        for start, length in _runs(row):
            path.rect(x + start * module, top, length * module, module)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawPath(path, stroke=0, fill=1)


def _wrapped(pdf, text, font, size, x, y, width, max_lines):
    """Draw ``text`` word-wrapped to ``width``, at most ``max_lines`` (the last one cut with …);
    return the y below it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pdf.setFont(font, size)
    lines = []
    for word in (text or "").split():
        if lines and stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    for index, line in enumerate(lines):
        if index == len(lines) - 1:
            while stringWidth(line, font, size) > width and len(line) > 1:
                line = line[:-2] + "…"
        pdf.drawString(x, y, line)
        y -= size * 1.2
    return y


def revoke_card(member, *, actor=None):
    """Revoke every QR credential of the member (a lost card): bump ``qr_version``."""
    from django.db.models import F
    from wagtail.log_actions import log
    from wagtail.log_actions import registry as log_actions

    from .models import Member

    Member.objects.filter(pk=member.pk).update(qr_version=F("qr_version") + 1)
    member.refresh_from_db(fields=["qr_version"])
    if log_actions.action_exists("sotay_members.revoke_qr"):  # see log_actions.py
        log(member, "sotay_members.revoke_qr", user=actor)
    return member
