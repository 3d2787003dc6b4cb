"""PDF pieces shared by the exports: Vietnamese fonts, A4 page templates, a bar chart drawn with
ReportLab's graphics (vector, no JavaScript) and the table beside it.

Fonts: Noto Sans from Debian (``fonts-noto-core``: ``/usr/share/fonts/truetype/noto``), else the
Noto Sans of the ``fontpkg-noto-sans`` wheel, else DejaVu Sans (``fonts-dejavu-core``); every one
has the Vietnamese letters. ``SOTAY_EXPORT_FONT_DIRS`` (settings) adds folders to look in first.
They are embedded (subset) in every PDF.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

REGULAR, BOLD = "SotayExport", "SotayExport-Bold"
CANDIDATES = (
    ("/usr/share/fonts/truetype/noto", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)


class FontMissing(RuntimeError):
    pass


def font_files():
    """(regular, bold) font paths: the first family found, in the order of the module doc."""
    folders = [(d, *CANDIDATES[0][1:]) for d in getattr(settings, "SOTAY_EXPORT_FONT_DIRS", ())]
    for folder, regular, bold in (*folders, CANDIDATES[0]):
        if (Path(folder) / regular).exists():
            bold_path = Path(folder) / bold
            return Path(folder) / regular, bold_path if bold_path.exists() else None
    try:
        from fontpkg_noto_sans import ROOT

        variable = Path(ROOT) / "files" / "NotoSans[wdth,wght].ttf"
        if variable.exists():
            return variable, None
    except ImportError:
        pass
    folder, regular, bold = CANDIDATES[1]
    if (Path(folder) / regular).exists():
        return Path(folder) / regular, Path(folder) / bold
    raise FontMissing(
        "No Vietnamese font for PDF exports: apt-get install -y fonts-noto-core "
        "(or fonts-dejavu-core)."
    )


@lru_cache(maxsize=1)
def register_fonts():
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = font_files()
    pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold or regular)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD


@lru_cache(maxsize=1)
def styles():
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=10, leading=13)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=15, leading=19),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=8
        ),
    }


def document(target, *, title, author=""):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    return SimpleDocTemplate(
        target,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author=author,
        creator="Sổ tay đảng viên điện tử",
    )


def page_footer(text):
    """A ``onPage`` callback writing ``text`` and the page number at the foot of each page."""
    from reportlab.lib.units import mm

    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(doc.leftMargin, 8 * mm, text)
        canvas.drawRightString(
            doc.pagesize[0] - doc.rightMargin, 8 * mm, _("Trang %(n)s") % {"n": doc.page}
        )
        canvas.restoreState()

    return draw


def heading(title, lines):
    """The title and the lines under it (unit, period, filters, when and by whom)."""
    from reportlab.platypus import Paragraph, Spacer

    s = styles()
    flow = [Paragraph(escape(title), s["title"])]
    flow += [Paragraph(escape(line), s["base"]) for line in lines]
    flow.append(Spacer(1, 6))
    return flow


def escape(text):
    from xml.sax.saxutils import escape as xml_escape

    return xml_escape(str(text))


def table(rows, widths, *, header_rows=1, numeric_from=1):
    """A plain grid table; ``rows`` of strings (Paragraph-wrapped so long names wrap)."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    s = styles()
    data = [[Paragraph(escape(value), s["cell"]) for value in row] for row in rows]
    result = Table(data, colWidths=widths, repeatRows=header_rows)
    result.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return result


def bar_chart(labels, values, *, width, caption, value_max=None):
    """A horizontal bar chart (ReportLab graphics: vector, fonts embedded) of ``values`` (numbers;
    None drawn as 0) with ``labels``; its caption says what it shows. The table beside it holds
    the same figures, so nothing is read from the chart alone."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    register_fonts()
    count = max(len(values), 1)
    bar_height = 14
    height = count * bar_height + 40
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 20
    chart.width, chart.height = width - 190, count * bar_height
    chart.data = [[float(v or 0) for v in values] or [0]]
    chart.categoryAxis.categoryNames = [shorten(label, 32) for label in labels] or [""]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.reverseDirection = True
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max([float(v or 0) for v in values] or [0])
    chart.valueAxis.valueMax = value_max or (top * 1.1 if top else 1)
    chart.bars[0].fillColor = colors.HexColor("#b71c1c")
    chart.barLabelFormat = lambda v: f"{v:,.0f}".replace(",", ".") if v == int(v) else f"{v:.1f}"
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    drawing.add(String(0, height - 10, caption, fontName=BOLD, fontSize=9))
    return drawing


def shorten(text, length):
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def number(value):
    """A figure as a Vietnamese reader writes it (1.234; 56,7); "—" when there is none."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


def made_line(user):
    now = timezone.localtime()
    return _("Lập lúc %(at)s, người yêu cầu: %(who)s") % {
        "at": f"{now:%H:%M %d/%m/%Y}",
        # never the username: a member's is their CCCD (Decree 13/2023)
        "who": user.get_full_name() or _("tài khoản số %(pk)s") % {"pk": user.pk},
    }
