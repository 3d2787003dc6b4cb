"""Highlighting for the database backend: the query's folded words marked in the ORIGINAL text
(diacritics kept); HTML-escaped, ``<mark>`` around the matches. The engine's highlighter gives
the same shape (``encoder: html``).

A word is found where the folded text holds it whole. Folding the text first cost ~100 ns a
character (a Python lookup per character), ~5 ms of a search's 20 snippets; instead each letter
of a folded word becomes the class of every character that folds to it ("a" →
``[aAàÀáÁ…ậẬ]``), and one regular expression runs over the original text (~4× faster, and the
positions are the text's own). That is exact only where folding keeps every position and
whether a character is a letter: a text holding any other character (a lone combining mark,
"ß", a character outside the Basic Multilingual Plane) is folded first, as before.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html import escape

from django.utils.safestring import mark_safe

SNIPPET = 180


def _fold_one(ch):
    if ch in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_fold_char = lru_cache(maxsize=4096)(_fold_one)


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


_WORD = re.compile(r"\w")
_ASTRAL = "\U00010000-\U0010ffff"


def _ranges(chars):
    """A regular expression's character-class body for ``chars`` (sorted code points), with
    runs written as ranges."""
    out, codes = [], sorted(ord(c) for c in chars)
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        first, last = re.escape(chr(codes[i])), re.escape(chr(codes[j]))
        out.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "".join(out)


@lru_cache(maxsize=1)
def _classes():
    """Built once per process (~0.1 s): the characters of the Basic Multilingual Plane that
    fold to another single character, by what they fold to; and a pattern finding any
    character where folding the text first is needed (one that folds to none or several,
    changes whether it is a letter when folded, a surrogate, or one outside the plane)."""
    folds_to, irregular = {}, []
    for code in range(0x10000):
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            irregular.append(ch)
            continue
        folded = _fold_one(ch)
        if len(folded) != 1 or bool(_WORD.match(ch)) != bool(_WORD.match(folded)):
            irregular.append(ch)
        elif folded != ch:
            folds_to.setdefault(folded, []).append(ch)
    moved = {ch for chars in folds_to.values() for ch in chars}
    return folds_to, moved, re.compile(f"[{_ranges(irregular)}{_ASTRAL}]")


@lru_cache(maxsize=512)
def _pattern(words):
    r"""The whole-word pattern of ``words`` (folded, longest first) over ORIGINAL text: each
    character a class of what folds to it. None when a word holds a character outside the
    plane (then the text is folded first).

    Written for the regular-expression engine's speed (half the time of the plain form
    ``(?<!\w)(…)(?!\w)``): a lookahead of every word's first class first, which the engine
    scans for quickly, and the start-of-word test after the first character (``(?<!\w.)``:
    the character before it is not a letter)."""
    folds_to, moved, _ = _classes()

    def chars(c):
        return _ranges(folds_to.get(c, []) + ([] if c in moved else [c]))

    if any(ord(c) > 0xFFFF for word in words for c in word):
        return None
    alternatives = []
    for word in words:
        if not all(chars(c) for c in word):
            continue  # a character nothing folds to: the word is in no text
        first, rest = word[0], word[1:]
        alternatives.append(f"[{chars(first)}](?<!\\w.)" + "".join(f"[{chars(c)}]" for c in rest))
    if not alternatives:
        return re.compile("(?!)")
    firsts = "".join(chars(word[0]) for word in words if all(chars(c) for c in word))
    return re.compile(f"(?=[{firsts}])(" + "|".join(alternatives) + r")(?!\w)")


def _folded_pattern(words):
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


def spans(text, words):
    """(start, end) of every whole-word occurrence of ``words`` (folded) in ``text``."""
    if not text or not words:
        return []
    words = tuple(sorted(set(words), key=len, reverse=True))
    pattern = _pattern(words)
    if pattern is not None and not _classes()[2].search(text):
        found = [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
    else:
        found = _folded_spans(text, words)
    return _merged(found)


def _folded_spans(text, words):
    """The same matches found by folding ``text`` first (a per-character map when folding
    moves positions): the reference ``spans`` keeps to."""
    folded, where = _folded_with_map(text)
    found = []
    for match in _folded_pattern(words).finditer(folded):
        if match.end() > match.start():
            if where is None:
                found.append((match.start(), match.end()))
            else:
                found.append((where[match.start()], where[match.end() - 1] + 1))
    return found


def _merged(found):
    merged = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


#: What HTML escaping changes (``html.escape`` with quotes).
_SPECIAL = re.compile("[&<>\"']")


def _render(text, marks):
    # The standard library's escape: Django's (the same text) costs a lazy wrapper per call.
    # A text with nothing to escape (most titles and snippets) is cut and joined as it is: one
    # scan of it instead of five per piece (a search renders ~40 texts of a few pieces each).
    plain = _SPECIAL.search(text) is None
    out, last = [], 0
    for start, end in marks:
        if plain:
            out.append(text[last:start])
            out.append(f"<mark>{text[start:end]}</mark>")
        else:
            out.append(escape(text[last:start]))
            out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(text[last:] if plain else escape(text[last:]))
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
