"""Charts drawn on the server as small SVG (no JavaScript, a few KB), always shown beside a
table with the same numbers.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that say what it shows
in words (screen readers read them), a ``viewBox`` so that it shrinks to a 360-pixel phone, and
text large enough to read there. Values are escaped; labels are cut to fit.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 400
BAR = "#b3261e"  # the party red of the site's theme
GRID = "#d0d0d0"
TEXT = "#1f1f1f"


def _fmt(value, unit=""):
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:.1f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,}".replace(",", ".")
    return f"{text}{unit}"


def _cut(text, n):
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _scale(values, unit):
    top = max([v for v in values if v is not None] or [0])
    if unit == "%":
        return max(top, 100) or 100
    return top or 1


def columns(title, labels, values, unit="", short_labels=None):
    """A column chart (one column per period); ``short_labels`` under the columns (the full
    ``labels`` are in the description and the table beside it)."""
    n = max(len(values), 1)
    short_labels = short_labels or labels
    height, top_pad, bottom = 200, 26, 34
    plot = height - top_pad - bottom
    step = (WIDTH - 20) / n
    scale = _scale(values, unit)
    words = "; ".join(f"{label}: {_fmt(v, unit)}" for label, v in zip(labels, values, strict=True))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="report-chart" width="100%" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title><desc>{escape(words)}</desc>",
        f'<line x1="10" y1="{top_pad + plot}" x2="{WIDTH - 10}" y2="{top_pad + plot}" '
        f'stroke="{GRID}"/>',
    ]
    font = 18 if n <= 4 else 14 if n <= 8 else 11
    for i, (label, value) in enumerate(zip(short_labels, values, strict=True)):
        x = 10 + i * step
        h = 0 if value is None else plot * value / scale
        w = step * 0.7
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{top_pad + plot - h:.1f}" width="{w:.1f}" '
            f'height="{h:.1f}" fill="{BAR}"/>'
        )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{top_pad + plot - h - 4:.1f}" font-size="{font}" '
            f'text-anchor="middle" fill="{TEXT}">{escape(_fmt(value, unit))}</text>'
        )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{height - 14}" font-size="{font}" '
            f'text-anchor="middle" fill="{TEXT}">{escape(_cut(label, 7))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text inside is escaped)


def bars(title, labels, values, unit=""):
    """A horizontal bar chart (one bar per unit: names are long)."""
    rows = max(len(values), 1)
    row_h, label_w = 30, 170
    height = rows * row_h + 10
    scale = _scale(values, unit)
    room = WIDTH - label_w - 70
    words = "; ".join(f"{label}: {_fmt(v, unit)}" for label, v in zip(labels, values, strict=True))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="report-chart" width="100%" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title><desc>{escape(words)}</desc>",
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row_h
        w = 0 if value is None else room * value / scale
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 20}" font-size="15" text-anchor="end" '
            f'fill="{TEXT}">{escape(_cut(label, 20))}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" fill="{BAR}"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 20}" font-size="16" '
            f'fill="{TEXT}">{escape(_fmt(value, unit))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text inside is escaped)


def fmt(value, unit=""):
    return _fmt(value, unit)
