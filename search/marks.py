"""Highlighting for the database backend: the query's folded words marked in the ORIGINAL text
(diacritics kept), found through a per-character folding map; HTML-escaped, ``<mark>`` around
the matches. The engine's highlighter gives the same shape (``encoder: html``)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import mark_safe

SNIPPET = 180


@lru_cache(maxsize=4096)
def _fold_char(ch):
    if ch in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _folded_with_map(text):
    chars, where = [], []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            chars.append(c)
            where.append(i)
    return "".join(chars), where


def spans(text, words):
    """(start, end) of every whole-word occurrence of ``words`` (folded) in ``text``."""
    if not text or not words:
        return []
    folded, where = _folded_with_map(text)
    pattern = re.compile(
        r"(?<!\w)("
        + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
        + r")(?!\w)"
    )
    found = []
    for match in pattern.finditer(folded):
        if match.end() > match.start():
            found.append((where[match.start()], where[match.end() - 1] + 1))
    merged = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text, marks):
    out, last = [], 0
    for start, end in marks:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def highlight(text, words):
    return mark_safe(_render(text, spans(text, words)))  # noqa: S308 (escaped above)


def snippet(text, words, size=SNIPPET):
    """A window of ``text`` around its first match, highlighted ("" for no text)."""
    text = " ".join((text or "").split())
    if not text:
        return mark_safe("")
    marks = spans(text, words)
    start = 0
    if marks:
        start = max(0, marks[0][0] - size // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < marks[0][0] else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    inside = [
        (max(s, start) - start, min(e, end) - start) for s, e in marks if s < end and e > start
    ]
    body = _render(text[start:end], inside)
    return mark_safe(  # noqa: S308 (escaped in _render)
        ("…" if start else "") + body + ("…" if end < len(text) else "")
    )
