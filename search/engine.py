"""One search over every kind of item a member can find (the facade views, API and admin call).

Each module registers what it makes findable (``registry.add_searchable(SearchableKind(...))``):
``documents`` turns an item into an index document generically, ``indexing`` keeps the
indexes current, and a backend answers: the engine (Elasticsearch or OpenSearch, when its URL
is set) or the database. A query is folded like the text (``sotay_plugins.text.tokens``:
lower case, no diacritics, đ→d).

When the engine fails or is slower than ``SEARCH_TIMEOUT`` the database answers, with a notice
for the member (never an error page); the engine is then left alone for
``SEARCH_RETRY_SECONDS`` and ``health()`` says so.

Scope: the backends filter by the scope engine's rules (the database: ``scope.visible_to``; the
engine: the same rule stored in each document), and the hits of the page are checked once more
against the items themselves (``scope.visible_to`` on the kind's findable items, one query per
kind on the page; on PostgreSQL the database backend does it inside its one statement): an item
withdrawn or narrowed a moment ago is not shown even before its index job has run.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _

from sotay_plugins.registry import registry
from sotay_plugins.text import tokens

from . import documents
from .backends import database
from .backends import engine as engine_backend
from .backends.base import Hit, Page, Query

log = logging.getLogger(__name__)

MIN_QUERY_LENGTH = 2
MAX_WORDS = 8
MAX_QUERY_CHARS = 200
SORTS = ("relevance", "date")
DOWN_KEY = "search:engine:down"
STATUS_KEY = "search:engine:status"

Results = Page  # the name earlier callers used
__all__ = ["Hit", "Page", "Query", "QueryError", "Results", "search", "suggest", "find"]


class QueryError(ValueError):
    """A query that cannot be searched; ``str()`` is the Vietnamese reason."""


def clean(query):
    return " ".join((query or "").split())[:MAX_QUERY_CHARS]


def _searchable(query):
    """The folded words of ``query`` that hold a letter or a digit ("_" is a word character to
    the tokenizer, not a letter: "__" is punctuation)."""
    return [w for w in tokens(clean(query)) if any(ch.isalnum() for ch in w)]


def _letters(words):
    return sum(ch.isalnum() for word in words for ch in word)


def words_of(query):
    words = _searchable(query)
    if _letters(words) < MIN_QUERY_LENGTH:
        raise QueryError(
            _("Xin nhập ít nhất %(n)d chữ cái hoặc chữ số để tìm.") % {"n": MIN_QUERY_LENGTH}
        )
    return words[:MAX_WORDS]


def kinds():
    return documents.kinds()


def kind_of(key):
    kind = registry.searchable.get(key)
    if kind is None:
        raise QueryError(_("Không có loại nội dung “%(kind)s”.") % {"kind": key})
    return kind


# --- the engine's health --------------------------------------------------------------------


def retry_seconds():
    return float(getattr(settings, "SEARCH_RETRY_SECONDS", 30))


def _mark(ok, error=""):
    status = {"ok": ok, "at": timezone.now().isoformat(), "error": error[:300]}
    cache.set(STATUS_KEY, status, 24 * 3600)
    if ok:
        cache.delete(DOWN_KEY)
    else:
        cache.set(DOWN_KEY, status, retry_seconds())


def engine_wanted():
    return engine_backend.flavour() is not None and cache.get(DOWN_KEY) is None


def health(probe=True):
    """What answers searches now: ``backend`` (database/opensearch/elasticsearch),
    ``engine_ok``, ``fallback`` (the database answers for a down engine), the last error."""
    flavour = engine_backend.flavour()
    out = {"backend": flavour or "database", "engine": flavour, "fallback": False}
    if flavour is None:
        return {**out, "engine_ok": None}
    if probe:
        try:
            client = engine_backend.Client()
            info = client.info()
            docs = client.count(engine_backend.alias())
            _mark(True)
            out.update(
                engine_ok=True,
                version=(info.get("version") or {}).get("number"),
                index=engine_backend.alias(),
                documents=docs,
            )
        except engine_backend.EngineError as exc:
            _mark(False, str(exc))
    status = cache.get(STATUS_KEY) or {}
    down = cache.get(DOWN_KEY) is not None
    out.setdefault("engine_ok", not down and status.get("ok", True))
    out["fallback"] = down
    if down:
        out["backend"] = "database"
        out["error"] = status.get("error", "")
    return out


# --- searching ------------------------------------------------------------------------------


def make_query(query, *, kind=None, issuer=None, year=None, sort="relevance", offset=0, limit=20):
    words = words_of(query)
    if kind:
        kind_of(kind)
    if sort not in SORTS:
        raise QueryError(_("Cách sắp xếp không hợp lệ."))
    return Query(
        raw=clean(query),
        words=tuple(words),
        kinds=tuple(kinds()),
        kind=kind or None,
        issuer=issuer,
        year=year,
        sort=sort,
        offset=max(0, offset),
        limit=max(1, limit),
    )


def _verified(user, page):
    """Drop hits the scope engine would not show now (one query per kind on the page), unless
    the backend has checked them already (the database on PostgreSQL, in its one statement)."""
    if page.checked:
        return page
    by_kind = {}
    for hit in page.hits:
        by_kind.setdefault(hit.kind, []).append(hit.id)
    allowed = set()
    for key, ids in by_kind.items():
        kind = registry.searchable.get(key)
        if kind is None:
            continue
        for pk in documents.candidates(user, kind).filter(pk__in=ids).values_list("pk", flat=True):
            allowed.add((key, pk))
    kept = [hit for hit in page.hits if (hit.kind, hit.id) in allowed]
    page.count -= len(page.hits) - len(kept)
    page.hits = kept
    return page


def _concrete(user):
    """The user behind ``request.user``: Django's lazy object, which django-otp wraps in a lazy
    object of its own. The scope engine reads the user's attributes some two hundred times
    while a search is built, each read passing through both proxies (~0.3 ms a search)."""
    while isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def search(user, query, *, kind=None, issuer=None, year=None, sort="relevance", offset=0, limit=20):
    """A page of hits for ``query`` with facets (kind, issuer, year) and counts per kind."""
    user = _concrete(user)
    q = make_query(
        query, kind=kind, issuer=issuer, year=year, sort=sort, offset=offset, limit=limit
    )
    if engine_wanted():
        started = time.monotonic()
        try:
            page = engine_backend.search(user, q)
        except engine_backend.EngineError as exc:
            log.warning("search: engine failed, answering from the database: %s", exc)
            _mark(False, str(exc))
        else:
            if time.monotonic() - started > engine_backend.timeout():
                _mark(False, "slow")
            return _verified(user, page)
        page = database.search(user, q)
        page.notice = _(
            "Máy tìm kiếm đang tạm gián đoạn: kết quả dưới đây lấy trực tiếp từ cơ sở dữ liệu "
            "nên có thể kém chính xác hơn."
        )
        return _verified(user, page)
    page = database.search(user, q)
    if engine_backend.flavour():
        page.notice = _(
            "Máy tìm kiếm đang tạm gián đoạn: kết quả dưới đây lấy trực tiếp từ cơ sở dữ liệu "
            "nên có thể kém chính xác hơn."
        )
    return _verified(user, page)


def suggest(user, query, limit=8):
    """Titles and document numbers starting like ``query`` (autocomplete); [] for too little."""
    user = _concrete(user)
    words = _searchable(query)[:MAX_WORDS]
    if not words or _letters(words) < MIN_QUERY_LENGTH:
        return []
    raw = clean(query)
    selected = kinds()
    if engine_wanted():
        try:
            return engine_backend.suggest(user, selected, words, raw, limit)
        except engine_backend.EngineError as exc:
            _mark(False, str(exc))
    return database.suggest(user, selected, words, raw, limit)


def find(user, kind_key, pk):
    """The object behind a hit, if the user may see it (None otherwise)."""
    kind = kind_of(kind_key)
    return documents.candidates(user, kind).filter(pk=pk).first()
