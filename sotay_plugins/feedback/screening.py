"""Keyword screening: every list's words and phrases matched at once (Aho–Corasick).

Text and terms are folded alike (``sotay_plugins.text.fold``: no diacritics, no case), then
matched twice: word by word (``" tham nhung "`` inside the text's words joined by single spaces),
and squeezed (every letter and digit run together) for terms of at least
``FEEDBACK_SQUEEZE_MIN`` letters, which catches "t.h.a.m n-h-u-n-g" and "thamnhung". A hit flags
the feedback for review; it is never dropped.

The automatons are built once per version of the lists (the latest ``updated_at`` and the
count of active lists) and kept in the process, not rebuilt per request.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

import ahocorasick
from django.conf import settings
from django.db.models import Count, Max

#: Bytes that are not an ASCII letter or digit become spaces (after folding to ASCII).
_SEPARATORS = bytes(b if chr(b).isascii() and chr(b).isalnum() else 0x20 for b in range(256))
_lock = threading.Lock()
_cache: dict = {}


def words(text):
    """The folded words of ``text`` (``sotay_plugins.text.fold``'s rule: no diacritics, no case,
    đ → d), letters and digits only. Written for speed: once decomposed, every mark is a
    non-ASCII code point, dropped in C by the ASCII encoder, so no Python loop runs per
    character, and separators are mapped to spaces by one byte table."""
    text = (text or "").replace("đ", "d").replace("Đ", "d")
    ascii_bytes = unicodedata.normalize("NFD", text).encode("ascii", "ignore").lower()
    return ascii_bytes.translate(_SEPARATORS).decode("ascii").split()


def squeeze_min():
    return getattr(settings, "FEEDBACK_SQUEEZE_MIN", 6)


@dataclass
class Matcher:
    spaced: ahocorasick.Automaton | None
    squeezed: ahocorasick.Automaton | None

    def find(self, text):
        """The matched terms (as the lists write them), in order of first appearance."""
        tokens = words(text)
        found = {}
        if self.spaced is not None:
            haystack = " " + " ".join(tokens) + " "
            for _end, term in self.spaced.iter(haystack):
                found.setdefault(term, None)
        if self.squeezed is not None:
            for _end, term in self.squeezed.iter("".join(tokens)):
                found.setdefault(term, None)
        return list(found)


def build(terms):
    """A matcher of ``terms`` (strings as written by the lists' keepers)."""
    spaced, squeezed = ahocorasick.Automaton(), ahocorasick.Automaton()
    n_spaced = n_squeezed = 0
    minimum = squeeze_min()
    for term in terms:
        parts = words(term)
        if not parts:
            continue
        spaced.add_word(" " + " ".join(parts) + " ", term)
        n_spaced += 1
        joined = "".join(parts)
        if len(joined) >= minimum:
            squeezed.add_word(joined, term)
            n_squeezed += 1
    if n_spaced:
        spaced.make_automaton()
    if n_squeezed:
        squeezed.make_automaton()
    return Matcher(spaced if n_spaced else None, squeezed if n_squeezed else None)


def _version():
    from .models import KeywordList

    row = KeywordList.objects.filter(is_active=True).aggregate(n=Count("pk"), at=Max("updated_at"))
    return (row["n"], row["at"])


def current_matcher():
    """The matcher of every active list, rebuilt only when a list changed (one cheap query)."""
    from .models import KeywordList

    version = _version()
    matcher = _cache.get(version)
    if matcher is None:
        with _lock:
            matcher = _cache.get(version)
            if matcher is None:
                terms = []
                for terms_text in KeywordList.objects.filter(is_active=True).values_list(
                    "terms", flat=True
                ):
                    terms.extend(line.strip() for line in terms_text.splitlines() if line.strip())
                matcher = build(terms)
                _cache.clear()
                _cache[version] = matcher
    return matcher


def screen(text):
    """The terms of the active lists found in ``text`` (empty: nothing to review)."""
    return current_matcher().find(text)
