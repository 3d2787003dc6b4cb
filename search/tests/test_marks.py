"""Highlighting: the query's folded words found in the original text. ``marks.spans`` matches
with character classes over the original text; ``marks._folded_spans`` folds the text first
(the way it was done before, kept for texts where classes are not exact). Both must find the
same words at the same places, on Vietnamese and on whatever else a file's text holds."""

import html
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import marks

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
ALPHABET = (
    VIETNAMESE
    + VIETNAMESE.upper()
    + "bcdghklmnpqrstvx0123456789 .,;:-/()\n\t_"
    + "ßẞﬁİıŉǰ\u0301\u0323\u200bK\u212aÅ\u00b2Σςσ"  # folds to several or none, odd cases
    + "\U0001d400\U0001f600"  # outside the Basic Multilingual Plane
)


def _reference(text, words):
    return marks._merged(
        marks._folded_spans(text, tuple(sorted(set(words), key=len, reverse=True)))
    )


@pytest.mark.parametrize(
    ("text", "words", "marked"),
    [
        ("Nghị quyết số 12-NQ/TW", ("nghi", "quyet"), ["Nghị", "quyết"]),
        ("ĐẢNG BỘ tỉnh; Đảng bộ xã", ("dang", "bo"), ["ĐẢNG", "BỘ", "Đảng", "bộ"]),
        ("hoạt động, triển khai", ("dong",), ["động"]),
        ("donghai không phải đông hải", ("dong", "hai"), ["đông", "hải"]),
        ("số 12-NQ/TW", ("12", "nq", "tw"), ["12", "NQ", "TW"]),
        # decomposed text (a Word file's): folded first, the combining marks inside the marks
        (unicodedata.normalize("NFD", "Nghị quyết"), ("nghi", "quyet"), None),
        ("Straße và strasse", ("strasse",), None),
        ("Kelvin \u212a và K", ("k",), ["\u212a", "K"]),
        ("", ("dang",), []),
    ],
)
def test_spans_mark_whole_folded_words_in_the_original(text, words, marked):
    found = marks.spans(text, words)
    assert found == _reference(text, words)
    if marked is not None:
        assert [text[s:e] for s, e in found] == marked


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=ALPHABET, max_size=80),
    st.lists(
        st.text(alphabet=VIETNAMESE + "bcdghklmnpqrstvx0123456789", min_size=1, max_size=6),
        min_size=1,
        max_size=3,
    ),
)
def test_spans_equal_folding_the_text_first(text, raw_words):
    words = tuple(marks._fold_one(w) for w in raw_words)
    words = tuple(w for w in words if w)
    if not words:
        return
    assert marks.spans(text, words) == _reference(text, words)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
def test_a_word_taken_from_the_text_is_found_in_it(text):
    words = tuple(w for w in marks._fold_one(text).split() if w.isalnum())[:3]
    if not words:
        return
    assert marks.spans(text, words) == _reference(text, words)


def test_the_classes_are_exact_for_every_character_of_the_plane():
    """What ``_classes`` files under a letter folds to it, and every other character either
    folds to itself or sends the text to the folding path."""
    folds_to, moved, irregular = marks._classes()
    for folded, chars in folds_to.items():
        assert all(marks._fold_one(ch) == folded for ch in chars)
    for ch in ("ạ", "Ậ", "Đ", "đ", "\u212a"):
        assert ch in moved
    for ch in ("\u0301", "ß", "\ud800", "\U0001d400"):
        assert irregular.search(ch)
    assert not irregular.search("Nghị quyết số 12-NQ/TW, ngày 03/12/2026.")


def test_snippet_and_highlight_keep_the_diacritics_and_escape_html():
    words = ("chinh", "don", "dang")
    assert str(marks.highlight("<b>Chỉnh đốn Đảng</b>", words)) == (
        "&lt;b&gt;<mark>Chỉnh</mark> <mark>đốn</mark> <mark>Đảng</mark>&lt;/b&gt;"
    )
    text = "Mở đầu. " * 60 + "Xây dựng, chỉnh đốn Đảng và hệ thống chính trị. " + "Kết. " * 60
    snippet = str(marks.snippet(text, words))
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>chỉnh</mark> <mark>đốn</mark> <mark>Đảng</mark>" in snippet


def _render_escaping_every_piece(text, spans_):
    out, last = [], 0
    for start, end in spans_:
        out.append(html.escape(text[last:start]) + f"<mark>{html.escape(text[start:end])}</mark>")
        last = end
    return "".join(out) + html.escape(text[last:])


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("aăđ Ắ&<>\"'x;"), max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=6),
)
def test_rendering_escapes_exactly_as_escaping_every_piece(text, cuts):
    """The fast path (nothing to escape: pieces joined as they are) and the escaping path give
    what escaping every piece gives."""
    points = sorted({min(c, len(text)) for c in cuts})
    spans_ = list(zip(points[::2], points[1::2], strict=False))
    assert marks._render(text, spans_) == _render_escaping_every_piece(text, spans_)
