"""Highlighting for the database backend: the query's folded words marked in the ORIGINAL text
(diacritics kept), found through a per-character folding map; HTML-escaped, ``<mark>`` around
the matches. The engine's highlighter gives the same shape (``encoder: html``)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html import escape

from django.utils.safestring import mark_safe

SNIPPET = 180


@lru_cache(maxsize=4096)
def _fold_char(ch):
    if ch in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class _FoldTable(dict):
    """``str.translate``'s table, filled as characters are met: the code point → its folded
    form. Folding a 4,000-character snippet source is then one C call instead of a loop."""

    def __missing__(self, code):
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


class _IrregularTable(dict):
    """Another ``str.translate`` table: "" for a character that folds to exactly one, "x" for
    one that folds to none or several (a lone combining mark, "ß"); translating with it tells
    in C whether the folded text keeps every position."""

    def __missing__(self, code):
        mark = "" if len(_fold_char(chr(code))) == 1 else "x"
        self[code] = mark
        return mark


_FOLD_TABLE = _FoldTable()
_IRREGULAR_TABLE = _IrregularTable()


def _folded_with_map(text):
    """``text`` folded, and where each folded character comes from (None when every character
    folds to exactly one, as Vietnamese letters do: then the positions are the same)."""
    if not text.translate(_IRREGULAR_TABLE):
        return text.translate(_FOLD_TABLE), None
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
            if where is None:
                found.append((match.start(), match.end()))
            else:
                found.append((where[match.start()], where[match.end() - 1] + 1))
    merged = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text, marks):
    # The standard library's escape: Django's (the same text) costs a lazy wrapper per call.
    out, last = [], 0
    for start, end in marks:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def _first_spans(text, words, size):
    """``spans(text, words)`` as far as a snippet of ``size`` around the first match needs them:
    looked for in the first ~``4 × size`` characters (cut after a whole word) first, the whole
    text only when the first match and its window are not all inside them."""
    limit = 4 * size
    space = text.rfind(" ", 0, limit) if len(text) > limit + size else -1
    if space > 0:
        cut = text[:space]
        marks = spans(cut, words)
        if marks and marks[0][0] + size <= len(cut):
            return marks
    return spans(text, words)


def highlight(text, words):
    return mark_safe(_render(text, spans(text, words)))  # noqa: S308 (escaped above)


def snippet(text, words, size=SNIPPET):
    """A window of ``text`` around its first match, highlighted ("" for no text)."""
    text = " ".join((text or "").split())
    if not text:
        return mark_safe("")
    marks = _first_spans(text, words, size)
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
