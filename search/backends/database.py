"""The database backend (the embedded default, and the fallback when the engine is down).

Matching: every folded word of the query is a word of the entry (title, number, text, file
text). PostgreSQL reads the GIN index of the generated ``vector`` column (``@@
plainto_tsquery('simple', …)``); SQLite compares the space-delimited folded words with LIKE.

Ranking, as close to the engine's as the database allows: the document number typed whole
("12/NQ-TW" for "12-NQ/TW") first, then the query with its own diacritics inside the title
(an exact match above a folded one), then the folded phrase in the title, then each word in
the title, then (PostgreSQL) ``ts_rank`` with title and number weighted above the body; ties
newest first. Scope: ``scope.visible_to`` on the entries, with each kind's view capability.

Cost per query: PostgreSQL, one statement (the matches materialised once; facets, the count
and the ordered page with its titles and snippet sources computed from them in the database,
and the page's hits checked against the items themselves) around the scope engine's filters,
whose compiled SQL is kept per ``scope.viewer_key``. Autocomplete answers are kept a few
seconds per viewer key and index stamp (``suggest``). SQLite:
one scan of the matches' (id, kind, issuer, year, date, rank) ordered and counted in Python,
one SELECT of the page.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from functools import reduce
from operator import or_
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import BooleanField, Case, Count, F, FloatField, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Substr

from sotay_plugins import versions
from sotay_plugins.orgtree import scope
from sotay_plugins.prepared import Statement

from .. import documents, marks
from ..documents import folded_words, number_key, number_keys, number_prefixes
from ..models import BODY_LIMIT, Entry
from .base import Hit, Page

NAME = "database"
FACET_SIZE = 10
SNIPPET_SOURCE = 4000  # characters of the body a snippet is cut from


# --- writing --------------------------------------------------------------------------------

FIELDS = [
    "title",
    "title_lower",
    "title_folded",
    "number",
    "number_key",
    "body",
    "folded",
    "date",
    "year",
    "issuer_org",
    "issuer_name",
    "audience_org",
    "audience_positions",
    "audience_groups",
]


def entry_of(doc):
    return Entry(
        kind=doc.kind,
        object_id=doc.object_id,
        title=doc.title,
        title_lower=doc.title.casefold()[:500],
        title_folded=folded_words(doc.title)[:500],
        number=doc.number,
        number_key=number_key(doc.number),
        body=doc.body[:BODY_LIMIT],
        folded=f" {folded_words(f'{doc.title} {doc.number} {doc.body[:BODY_LIMIT]}')} ",
        date=doc.date,
        year=doc.year,
        issuer_org_id=doc.issuer_org_id,
        issuer_name=doc.issuer_name[:255],
        audience_org_id=doc.audience_org_id,
        audience_positions=doc.positions,
        audience_groups=doc.groups,
    )


def store(docs):
    rows = [entry_of(doc) for doc in docs if doc.issuer_org_id and doc.audience_org_id]
    if rows:
        Entry.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=FIELDS,
        )
        index_changed()
    return len(rows)


def remove(kind_key, ids):
    removed = Entry.objects.filter(kind=kind_key, object_id__in=list(ids)).delete()[0]
    index_changed()
    return removed


def analyze():
    """After a bulk write (PostgreSQL): fresh planner statistics (without them the planner
    guesses one row and picks the wrong index), and the full-text indexes' pending lists
    merged (every query reads a GIN index's pending list whole: 478 pages, 8 ms an
    autocomplete, after the province was indexed; migration 0004)."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_entry")
            cursor.execute(
                "SELECT gin_clean_pending_list('search_entry_vector'::regclass), "
                "gin_clean_pending_list('search_entry_title_vector'::regclass)"
            )


def clear(kind_keys=None):
    queryset = Entry.objects.all()
    if kind_keys is not None:
        queryset = queryset.filter(kind__in=list(kind_keys))
    removed = queryset.delete()[0]
    index_changed()
    return removed


# --- reading --------------------------------------------------------------------------------


def scoped(user, kinds):
    """The entries ``user`` may find among ``kinds``: the scope engine, once for the kinds whose
    view capabilities give ``user`` one filter (equal ``viewer_key``: for a member, every
    kind), so with no kind filter at all when every registered kind is searched under one."""
    from ..documents import kinds as registered

    by_filter = {}
    for kind in kinds:
        capability = scope.spec_of(kind.model).view_capability
        group = by_filter.setdefault(scope.viewer_key(user, Entry, capability), (capability, []))
        group[1].append(kind.key)
    everything = {k.key for k in registered()}
    parts = []
    for capability, keys in by_filter.values():
        base = Entry.objects.all()
        if len(by_filter) > 1 or set(keys) != everything:
            base = base.filter(kind__in=keys)
        parts.append(scope.visible_to(user, base, capability=capability))
    return reduce(or_, parts) if parts else Entry.objects.none()


def _postgres():
    return connection.vendor == "postgresql"


def matching(queryset, words):
    if _postgres():
        return queryset.filter(
            RawSQL(
                '"search_entry"."vector" @@ plainto_tsquery(\'simple\', %s)',
                [" ".join(words)],
                output_field=BooleanField(),
            )
        )
    for word in words:
        queryset = queryset.filter(folded__contains=f" {word} ")
    return queryset


def _in_title(word):
    """``word`` is a word of the title (or the document number, which the title vector holds)."""
    return (
        Q(title_folded=word)
        | Q(title_folded__startswith=f"{word} ")
        | Q(title_folded__endswith=f" {word}")
        | Q(title_folded__contains=f" {word} ")
        | Q(number_key=word)
    )


def _rank(query):
    """The rank (see the module's docstring): the document number's parts, then the title's,
    which count only for an entry whose title holds a query word as a word (a word found only
    inside another one, "an" in "ban", earns nothing). ``_rank_sql`` is the same in SQL."""
    keys = number_keys(query.raw)
    raw = " ".join(query.raw.casefold().split())
    parts, titled = [], []
    if keys:
        parts.append(Case(When(number_key__in=keys, then=Value(20.0)), default=Value(0.0)))
    for prefix in number_prefixes(query.raw):  # "nghi quyet 12": a number 12-NQ/…
        parts.append(
            Case(When(number_key__startswith=prefix, then=Value(15.0)), default=Value(0.0))
        )
    if raw:
        titled.append(Case(When(title_lower__contains=raw, then=Value(4.0)), default=Value(0.0)))
    if len(query.words) > 1:
        titled.append(
            Case(When(title_folded__contains=query.folded, then=Value(2.0)), default=Value(0.0))
        )
    for word in query.words:
        titled.append(Case(When(title_folded__contains=word, then=Value(1.0)), default=Value(0.0)))
    if _postgres():
        titled.append(
            RawSQL(
                'ts_rank("search_entry"."title_vector", plainto_tsquery(\'simple\', %s))',
                [query.folded],
                output_field=FloatField(),
            )
        )
    zero = Value(0.0, output_field=FloatField())
    if titled and query.words:
        parts.append(
            Case(
                When(
                    reduce(or_, (_in_title(word) for word in query.words)),
                    then=reduce(lambda a, b: a + b, titled, zero),
                ),
                default=zero,
                output_field=FloatField(),
            )
        )
    return reduce(lambda a, b: a + b, parts, zero)


def _facets(queryset, kinds):
    """Counts per kind, issuer and year from one GROUP BY (the combinations are few)."""
    labels = {k.key: str(k.label) for k in kinds}
    order = {k.key: i for i, k in enumerate(kinds)}
    by_kind, by_issuer, by_year, names = {}, {}, {}, {}
    rows = (
        queryset.order_by()
        .values("kind", "issuer_org", "issuer_name", "year")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        n = row["n"]
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + n
        by_issuer[row["issuer_org"]] = by_issuer.get(row["issuer_org"], 0) + n
        names[row["issuer_org"]] = row["issuer_name"]
        if row["year"] is not None:
            by_year[row["year"]] = by_year.get(row["year"], 0) + n
    return {
        "kind": sorted(
            ((key, labels.get(key, key), n) for key, n in by_kind.items()),
            key=lambda row: order.get(row[0], 99),
        ),
        "issuer": sorted(
            ((key, names[key], n) for key, n in by_issuer.items()),
            key=lambda row: (-row[2], row[1]),
        )[:FACET_SIZE],
        "year": sorted(((key, str(key), n) for key, n in by_year.items()), reverse=True)[
            :FACET_SIZE
        ],
    }


MAX_SCAN = 20_000  # matched rows ranked in one pass; beyond that facets come from GROUP BY


def _facets_of(rows, kinds):
    labels = {k.key: str(k.label) for k in kinds}
    order = {k.key: i for i, k in enumerate(kinds)}
    by_kind, by_issuer, by_year, names = {}, {}, {}, {}
    for row in rows:
        by_kind[row[1]] = by_kind.get(row[1], 0) + 1
        by_issuer[row[2]] = by_issuer.get(row[2], 0) + 1
        names[row[2]] = row[3]
        if row[4] is not None:
            by_year[row[4]] = by_year.get(row[4], 0) + 1
    return {
        "kind": sorted(
            ((key, labels.get(key, key), n) for key, n in by_kind.items()),
            key=lambda item: order.get(item[0], 99),
        ),
        "issuer": sorted(
            ((key, names[key], n) for key, n in by_issuer.items()),
            key=lambda item: (-item[2], item[1]),
        )[:FACET_SIZE],
        "year": sorted(((key, str(key), n) for key, n in by_year.items()), reverse=True)[
            :FACET_SIZE
        ],
    }


# PostgreSQL: one statement. The matching entries the scope engine lets the user see (the
# queryset ``search`` builds, compiled by Django) are materialised once; the facets, the count
# of the selection and the page (ordered, cut, joined to its titles and snippet sources) are
# computed from them in the database, so a common word sends 20 rows to Python, not 4,000.
_ONE_STATEMENT = """
WITH m AS MATERIALIZED ({inner}),
s AS (SELECT * FROM m WHERE {selection}),
f AS (
  SELECT
    (SELECT coalesce(json_agg(json_build_array(kind, n)), '[]'::json)
       FROM (SELECT kind, count(*) AS n FROM m GROUP BY kind) k) AS kinds,
    (SELECT coalesce(json_agg(json_build_array(issuer_org, issuer_name, n)), '[]'::json)
       FROM (SELECT issuer_org, min(issuer_name) AS issuer_name, count(*) AS n FROM m
             GROUP BY issuer_org ORDER BY n DESC, min(issuer_name) COLLATE "C", issuer_org
             LIMIT {facet_size}) i
    ) AS issuers,
    (SELECT coalesce(json_agg(json_build_array(year, n)), '[]'::json)
       FROM (SELECT year, count(*) AS n FROM m WHERE year IS NOT NULL
             GROUP BY year ORDER BY year DESC LIMIT {facet_size}) y) AS years,
    (SELECT count(*) FROM s) AS total
),
p AS (SELECT pk, kind, issuer_org, issuer_name, {rank} AS rank FROM s
      ORDER BY {order} LIMIT %s OFFSET %s)
SELECT f.kinds::text, f.issuers::text, f.years::text, f.total, p.pk, p.kind,
       p.issuer_org, p.issuer_name, p.rank, e.object_id, e.title, e.audience_org_id, e.number,
       e.date, substring(e.body from 1 for {snippet_source})
FROM f LEFT JOIN p ON true LEFT JOIN search_entry e ON e.id = p.pk
ORDER BY {outer_order}
"""


def _json(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


class _Kept:
    """What this process keeps of the search's compiled SQL and answers: at most ``size``
    entries, the least recently used dropped first; safe between a worker's threads."""

    def __init__(self, size):
        self.size = size
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key, value):
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()


_MISSING = object()
_SCOPE_SQL = _Kept(2048)  # scope key → (sql, params) or None
#: How long compiled filters stay in the shared cache (their text depends only on the key and
#: the code, which ``_code_stamp`` names).
SHARED_SQL_SECONDS = 24 * 3600


def scope_sql(user, kinds):
    """``scoped(user, kinds)`` as a SQL condition on ``search_entry`` and its parameters: the
    scope engine's own filter, compiled by Django, for a statement written here. None when the
    filter needs a join (then the caller asks the ORM).

    Building and compiling that filter cost ~2 ms of CPU a query (three capabilities OR-ed);
    it is kept in this process by the scope engine's ``viewer_key`` of the user for each
    capability (equal keys, equal filter; a role or tree change moves the key), the kinds and
    the registered kinds, and shared with the other processes (``_kept_sql``). Only the SQL of
    the filter is kept, never a result."""
    key = _scope_key(user, kinds)

    def compile_():
        compiled = _compile_scope(user, kinds)
        return None if compiled is None else (compiled[0], tuple(compiled[1]))

    return _kept_sql(_SCOPE_SQL, [(key, key, compile_)])[0]


@functools.lru_cache(maxsize=1)
def _code_stamp():
    """A digest of everything but the viewer that a compiled filter's text depends on: Django's
    version and the source of the apps whose code builds it (the scope engine's, search's and
    those of every searchable kind's model). A deployment of other code shares nothing kept by
    the one before."""
    import django
    from django.apps import apps

    digest = hashlib.sha256(django.get_version().encode())
    labels = {"orgtree", "search"} | {k.model._meta.app_label for k in documents.kinds()}
    for label in sorted(labels):
        root = Path(apps.get_app_config(label).path)
        for path in sorted(root.rglob("*.py")):
            if {"tests", "migrations"} & set(path.relative_to(root).parts):
                continue
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _kept_sql(local, wanted):
    """Compiled SQL for each ``(local key, shared key, compile)`` of ``wanted``, in order: from
    this process (``local``), else from the shared cache (one round trip for all that are
    missing), else compiled here and put in both.

    Compiling is the scope engine's ORM work (~2–10 ms for a member this process has not seen:
    the filter and a check per kind); with 110,000 members a worker's own copy rarely has the
    one it needs, and a copy another worker made costs one cache read. The text is a function
    of the key and the code (``_code_stamp``) alone, so processes, machines and databases
    sharing one cache may share it."""
    found, missing = {}, []
    for i, (key, _shared, _compile) in enumerate(wanted):
        value = local.get(key, _MISSING)
        if value is _MISSING:
            missing.append(i)
        else:
            found[i] = value
    if missing:
        stamp = _code_stamp()
        names = {
            i: "search:sql:"
            + hashlib.sha256(repr((stamp, _canonical(wanted[i][1]))).encode()).hexdigest()
            for i in missing
        }
        shared = cache.get_many(list(names.values()))
        fresh = {}
        for i in missing:
            entry = shared.get(names[i])
            if entry is None:
                entry = (wanted[i][2](),)
                fresh[names[i]] = entry
            found[i] = entry[0]
            local.put(wanted[i][0], entry[0])
        if fresh:
            cache.set_many(fresh, SHARED_SQL_SECONDS)
    return [found[i] for i in range(len(wanted))]


def _scope_key(user, kinds):
    """What ``scoped(user, kinds)`` depends on: the kinds searched, the kinds registered and the
    scope engine's ``viewer_key`` of the user for each view capability among them."""
    from ..documents import kinds as registered

    capabilities = sorted({scope.spec_of(kind.model).view_capability for kind in kinds})
    return (
        tuple(kind.key for kind in kinds),
        tuple(kind.key for kind in registered()),
        tuple(scope.viewer_key(user, Entry, capability) for capability in capabilities),
    )


def _compile_scope(user, kinds):
    query = scoped(user, kinds).query
    # A join the filter still uses (an unused one, refcount 0, is left out of the SQL).
    if any(query.alias_refcount.get(alias) for alias in list(query.alias_map)[1:]):
        return None
    try:
        return query.get_compiler(connection=connection).compile(query.where)
    except EmptyResultSet:
        return "false", []
    except FullResultSet:
        return "true", []


_ITEM_SQL = _Kept(4096)  # (kind, scope key) → the kind's visibility test


def _item_key(user, kind):
    return (kind.key, kind.model, kind.queryset, scope.viewer_key(user, kind.model))


def _item_shared_key(key):
    # the same key with the model and the queryset function named (their repr holds an address)
    kind_key, model, queryset, viewer = key
    named = f"{queryset.__module__}.{queryset.__qualname__}" if queryset else None
    return (kind_key, model._meta.label, named, viewer)


def _compile_item(user, kind):
    """``documents.candidates(user, kind)`` for the one item of the row ``e`` (an entry of
    ``kind``): ``EXISTS (SELECT … WHERE <the scope engine's filter> AND pk = e.object_id)``, the
    check ``engine._verified`` makes in one ORM query per kind, here a part of the statement.

    Compiled by Django from the scope engine's ``visible_to`` on the kind's ``queryset`` and
    kept like ``scope_sql`` by the scope engine's ``viewer_key`` for the kind's model (equal
    keys, equal filter); the kind's ``queryset`` is a filter on the items' own state (live,
    published), the same SQL whenever it is compiled."""
    items = (
        documents.candidates(user, kind)
        .filter(pk=RawSQL("e.object_id", [], output_field=IntegerField()))
        .order_by()
        .values("pk")
    )
    try:
        sql, params = items.query.sql_with_params()
        return (f"EXISTS ({sql})", tuple(params))
    except EmptyResultSet:
        return ("false", ())


_CHECKS = _Kept(256)  # the text of a page check → its prepared statement
_POSITIONAL = re.compile(r"%s")


def _visible_entries(user, cursor, rows):
    """The ids of the page's entries (``(entry id, kind)`` of ``rows``) whose item ``user`` may
    still find: the check ``engine._verified`` makes in one ORM query per kind, here one
    statement for the kinds on the page, ``EXISTS (SELECT … WHERE <the scope engine's filter>
    AND pk = e.object_id)`` for each (``_compile_item``); an entry of a kind no longer registered
    is not found, as ``engine._verified`` drops it.

    The statement is prepared once per database session (``sotay_plugins.prepared``): its text
    is the same for every viewer of one shape (the values are its parameters), and planning the
    kinds' joins cost ~0.5 ms a kind on every search when the check was a part of the search's
    own statement. Only the kinds on the page are compiled and checked."""
    registered = {kind.key: kind for kind in documents.kinds()}
    present = [registered[key] for key in sorted({kind for _pk, kind in rows}) if key in registered]
    if not present:
        return set()
    wanted = []
    for kind in present:
        key = _item_key(user, kind)
        wanted.append((key, _item_shared_key(key), functools.partial(_compile_item, user, kind)))
    whens, params = [], [[pk for pk, _kind in rows]]
    for kind, (check, check_params) in zip(present, _kept_sql(_ITEM_SQL, wanted), strict=True):
        whens.append(f"WHEN %s THEN {check}")
        params.extend([kind.key, *check_params])
    sql = (
        "SELECT e.id FROM search_entry e WHERE e.id = ANY(%s) "  # noqa: S608 (compiled by Django)
        f"AND CASE e.kind {' '.join(whens)} ELSE false END"
    )
    if "%%" in sql:  # a literal "%" (a LIKE in a filter): not rewritten for PREPARE, run plain
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}
    statement = _CHECKS.get(sql)
    if statement is None:
        numbers = iter(range(len(params)))
        named = _POSITIONAL.sub(lambda _match: f"%(p{next(numbers)})s", sql)
        statement = Statement("search_page_check", named)
        _CHECKS.put(sql, statement)
    values = {f"p{i}": value for i, value in enumerate(params)}
    return {row[0] for row in statement.rows(connection, cursor, values)}


def _rank_sql(query):
    """``_rank`` in SQL (PostgreSQL), with ``strpos`` for Django's ``contains``. The title's
    parts are computed only for an entry whose title vector holds a query word: a common word
    matches thousands of entries in scope, most of them by their text, and the title's parts
    were two thirds of the time of their scan (bench/RESULTS.md, issue 15)."""
    parts, params, titled, titled_params = [], [], [], []
    keys = number_keys(query.raw)
    if keys:
        parts.append(
            f"CASE WHEN number_key IN ({', '.join(['%s'] * len(keys))}) THEN 20 ELSE 0 END"
        )
        params.extend(keys)
    for prefix in number_prefixes(query.raw):
        parts.append("CASE WHEN starts_with(number_key, %s) THEN 15 ELSE 0 END")
        params.append(prefix)
    raw = " ".join(query.raw.casefold().split())
    if raw:
        titled.append("CASE WHEN strpos(title_lower, %s) > 0 THEN 4 ELSE 0 END")
        titled_params.append(raw)
    if len(query.words) > 1:
        titled.append("CASE WHEN strpos(title_folded, %s) > 0 THEN 2 ELSE 0 END")
        titled_params.append(query.folded)
    for word in query.words:
        titled.append("CASE WHEN strpos(title_folded, %s) > 0 THEN 1 ELSE 0 END")
        titled_params.append(word)
    titled.append("ts_rank(title_vector, plainto_tsquery('simple', %s))::float8")
    titled_params.append(query.folded)
    if query.words:
        gate = " || ".join(["plainto_tsquery('simple', %s)"] * len(query.words))
        parts.append(f"CASE WHEN title_vector @@ ({gate}) THEN {' + '.join(titled)} ELSE 0 END")
        params.extend([*query.words, *titled_params])
    return " + ".join(parts) or "0", params


# Only SQL written here and the scope engine's compiled filter are pasted; values are parameters.
_INNER = (
    "SELECT id AS pk, kind, issuer_org_id AS issuer_org, issuer_name, year, date{rank}"
    " FROM search_entry WHERE ({scope}) AND vector @@ plainto_tsquery('simple', %s)"
)


def _inner_sql(user, query):
    """The matching entries the user may find (id, kind, issuer, year, date and, sorted by
    relevance, the rank) as one SELECT: written here around the scope engine's filter (no ORM
    work per query but that filter), or compiled by the ORM when the filter needs a join."""
    by_date = query.sort == "date"
    where = scope_sql(user, query.kinds)
    if where is None:
        fields = ["pk", "kind", "issuer_org", "issuer_name", "year", "date"]
        ranked = matching(scoped(user, query.kinds), query.words).order_by()
        if not by_date:
            ranked = ranked.annotate(rank=_rank(query))
            fields.append("rank")
        return ranked.values(*fields).query.sql_with_params()
    scope_where, scope_params = where
    rank, rank_params = ("", []) if by_date else _rank_sql(query)
    sql = _INNER.format(rank=f", {rank} AS rank" if rank else "", scope=scope_where)
    return sql, [*rank_params, *scope_params, " ".join(query.words)]


def _search_postgres(user, query):
    by_date = query.sort == "date"
    inner, inner_params = _inner_sql(user, query)
    selection, selection_params = ["true"], []
    for column, value in (("kind", query.kind), ("issuer_org", query.issuer), ("year", query.year)):
        if value:
            selection.append(f"{column} = %s")
            selection_params.append(value)
    if by_date:
        order = "date DESC NULLS LAST, pk DESC"
        outer_order = "e.date DESC NULLS LAST, p.pk DESC"
    else:
        order = "rank DESC, date DESC NULLS LAST, pk DESC"
        outer_order = "p.rank DESC, e.date DESC NULLS LAST, p.pk DESC"
    sql = _ONE_STATEMENT.format(
        inner=inner,
        selection=" AND ".join(selection),
        facet_size=FACET_SIZE,
        rank="0.0::float8" if by_date else "rank::float8",
        order=order,
        outer_order=outer_order,
        snippet_source=SNIPPET_SOURCE,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*inner_params, *selection_params, query.limit, query.offset])
        rows = cursor.fetchall()
        # a row: the facet columns (kind, issuer, year, total), then the page's entry (pk and
        # _hit's fields from kind to text); the facet rows have no entry
        page_rows = [row for row in rows if row[4] is not None and row[9] is not None]
        visible = _visible_entries(user, cursor, [(row[4], row[5]) for row in page_rows])
    kinds_json, issuers_json, years_json, total = rows[0][:4]
    labels = {k.key: str(k.label) for k in query.kinds}
    order_of = {k.key: i for i, k in enumerate(query.kinds)}
    facets = {
        "kind": sorted(
            ((key, labels.get(key, key), n) for key, n in _json(kinds_json)),
            key=lambda item: order_of.get(item[0], 99),
        ),
        "issuer": [(key, name, n) for key, name, n in _json(issuers_json)],
        "year": [(key, str(key), n) for key, n in _json(years_json)],
    }
    # A hit whose item the scope engine no longer shows leaves the page and the count, as
    # ``engine._verified`` does for the engine's pages.
    hits = [_hit(query, labels, *row[5:]) for row in page_rows if row[4] in visible]
    total -= len(page_rows) - len(hits)
    return Page(hits, total, facets, NAME, checked=True)


def _hit(
    query, labels, kind, issuer, issuer_name, rank, object_id, title, audience, number, date, text
):
    return Hit(
        kind=kind,
        kind_label=labels.get(kind, kind),
        id=object_id,
        title=title,
        issuer_org=issuer,
        audience_org=audience,
        date=date,
        issuer_name=issuer_name,
        number=number,
        title_html=marks.highlight(title, query.words),
        snippet=marks.snippet(text, query.words),
        score=float(rank or 0.0),
    )


def search(user, query):
    """The page, the count of the selection and the facets of what ``user`` may find.

    PostgreSQL: one statement (``_search_postgres``). SQLite: one scan of the matching entries
    (id, kind, issuer, year, date, rank) from which facets, count and order are computed in
    Python, then one query reads the page's rows."""
    if _postgres():
        return _search_postgres(user, query)
    return _search_python(query, matching(scoped(user, query.kinds), query.words))


def _search_python(query, base):
    ranked = base.order_by()
    if query.sort != "date":
        ranked = ranked.annotate(rank=_rank(query))
    fields = ["pk", "kind", "issuer_org", "issuer_name", "year", "date"]
    if _postgres():
        # The date as seconds: thousands of rows are read for a common word, and turning each
        # timestamp into a datetime cost more than the rest of the query (bench/RESULTS.md).
        ranked = ranked.annotate(
            when=RawSQL(
                'extract(epoch from "search_entry"."date")::float8', [], output_field=FloatField()
            )
        )
        fields[-1] = "when"
    rows = list(
        ranked.values_list(*fields, *([] if query.sort == "date" else ["rank"]))[: MAX_SCAN + 1]
    )
    if len(rows) > MAX_SCAN:
        return _search_grouped(query, base)
    facets = _facets_of(rows, query.kinds)
    selected = [
        row
        for row in rows
        if (not query.kind or row[1] == query.kind)
        and (not query.issuer or row[2] == query.issuer)
        and (not query.year or row[4] == query.year)
    ]
    oldest = float("-inf")

    def when(row):
        if row[5] is None:
            return oldest
        return row[5] if isinstance(row[5], float) else row[5].timestamp()

    if query.sort == "date":
        selected.sort(key=lambda row: (when(row), row[0]), reverse=True)
    else:
        selected.sort(key=lambda row: (float(row[6] or 0), when(row), row[0]), reverse=True)
    window = selected[query.offset : query.offset + query.limit]
    return Page(_hits(query, window), len(selected), facets, NAME)


def _hits(query, window):
    if not window:
        return []
    details = {
        row["pk"]: row
        for row in Entry.objects.filter(pk__in=[row[0] for row in window])
        .annotate(snippet_text=Substr("body", 1, SNIPPET_SOURCE))
        .values("pk", "object_id", "title", "audience_org", "number", "date", "snippet_text")
    }
    labels = {k.key: str(k.label) for k in query.kinds}
    hits = []
    for row in window:
        detail = details.get(row[0])
        if detail is None:
            continue
        hits.append(
            Hit(
                kind=row[1],
                kind_label=labels.get(row[1], row[1]),
                id=detail["object_id"],
                title=detail["title"],
                issuer_org=row[2],
                audience_org=detail["audience_org"],
                date=detail["date"],
                issuer_name=row[3],
                number=detail["number"],
                title_html=marks.highlight(detail["title"], query.words),
                snippet=marks.snippet(detail["snippet_text"], query.words),
                score=float(row[6]) if len(row) > 6 and row[6] is not None else 0.0,
            )
        )
    return hits


def _search_grouped(query, base):
    """Very common words: facets from one GROUP BY, the page ordered in the database."""
    facets = _facets(base, query.kinds)
    selected = base
    if query.kind:
        selected = selected.filter(kind=query.kind)
    if query.issuer:
        selected = selected.filter(issuer_org_id=query.issuer)
    if query.year:
        selected = selected.filter(year=query.year)
    count = selected.count()
    if query.sort == "date":
        rows = selected.order_by(F("date").desc(nulls_last=True), "-pk")
        fields = ["pk", "kind", "issuer_org", "issuer_name", "year", "date"]
    else:
        rows = selected.annotate(rank=_rank(query)).order_by(
            "-rank", F("date").desc(nulls_last=True), "-pk"
        )
        fields = ["pk", "kind", "issuer_org", "issuer_name", "year", "date", "rank"]
    window = list(rows.values_list(*fields)[query.offset : query.offset + query.limit])
    return Page(_hits(query, window), count, facets, NAME)


_SUGGEST = (
    "SELECT kind, object_id, title, number FROM search_entry"
    " WHERE ({scope}) AND title_vector @@ to_tsquery('simple', %s)"
    " ORDER BY {numbered}date DESC NULLS LAST, id DESC LIMIT %s"
)


def _typed_number(raw):
    """The number being typed ("04-NQ" → "04nq"), matched as the start of a document number
    whatever the title says; "" when what is typed holds no digit (no number)."""
    key = number_key(raw)
    return key if any(ch.isdigit() for ch in key) else ""


def _tsquery_prefix(words, raw=""):
    """The title's words, the last as a prefix, or (``raw`` holding a number) the number typed
    as the prefix of the number's key (the title vector holds it as one word: "04nqtu")."""
    expression = " & ".join(f"'{w}'" for w in words[:-1])
    expression = (expression + " & " if expression else "") + f"'{words[-1]}':*"
    typed = _typed_number(raw)
    return f"({expression}) | '{typed}':*" if typed else expression


INDEX_VERSION_KEY = "search:index:version"
_SUGGESTIONS = _Kept(4096)  # key → (monotonic deadline, rows)


def index_changed():
    """Every write to the index moves its stamp on (now and on commit): suggestions kept in a
    process under the old stamp are not used again."""
    versions.bump_now_and_on_commit(INDEX_VERSION_KEY)


def suggest_seconds():
    return float(getattr(settings, "SEARCH_SUGGEST_SECONDS", 30))


def suggest(user, kinds, words, raw, limit=8):
    """Titles and numbers that start like the query (the last word as a prefix), newest first
    (a document number that starts like the query first).

    Kept for ``SEARCH_SUGGEST_SECONDS`` (30; 0: not kept) under a key of everything the answer
    depends on: the index's stamp (read first; every write moves it on, ``index_changed``), the
    scope engine's ``viewer_key`` of the user for each view capability (equal keys, equal
    filter: as ``scope_sql``), the kinds, the words, the number typed and the limit. Another
    user with the same key (same cell, positions and group) gets the same rows, which the same
    statement would give them. Kept in this process and in the shared cache (Redis in
    production), so an answer one worker computed serves the others until it ends: the shared
    entry carries its deadline, which a worker's own copy keeps."""
    if not words:
        return []
    seconds = suggest_seconds()
    stamp = versions.current(INDEX_VERSION_KEY) if seconds > 0 else None  # before what it guards
    if stamp is None:  # not kept, or no stamp (the cache is down): a write could not move it
        return _suggest(user, kinds, words, raw, limit)
    key = (
        stamp,
        _scope_key(user, kinds),
        tuple(words),
        number_key(raw),
        limit,
        connection.alias,
    )
    now = time.monotonic()
    kept = _SUGGESTIONS.get(key)
    if kept is not None and kept[0] > now:
        return [dict(row) for row in kept[1]]
    shared_key = _shared_suggestion_key(key)
    shared = cache.get(shared_key)
    left = shared[0] - time.time() if shared is not None else 0
    if left > 0:
        rows = shared[1]
    else:
        rows = _suggest(user, kinds, words, raw, limit)
        left = seconds
        cache.set(shared_key, (time.time() + seconds, rows), seconds)
    _SUGGESTIONS.put(key, (now + left, [dict(row) for row in rows]))
    return [dict(row) for row in rows]


def _canonical(value):
    """``value`` with its sets sorted and its dataclasses as tuples: the same text in every
    process (a frozenset's order follows the process's string hashing)."""
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((_canonical(v) for v in value), key=repr)))
    if isinstance(value, (tuple, list)):
        return tuple(_canonical(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__, _canonical(dataclasses.astuple(value)))
    return value


def _shared_suggestion_key(key):
    digest = hashlib.sha256(repr(_canonical(key)).encode()).hexdigest()
    return f"search:suggest:{digest}"


def _suggest(user, kinds, words, raw, limit):
    where = scope_sql(user, kinds) if _postgres() else None
    if where is not None:
        key = number_key(raw)
        numbered = "starts_with(number_key, %s) DESC, " if key else ""
        sql = _SUGGEST.format(scope=where[0], numbered=numbered)
        params = [*where[1], _tsquery_prefix(words, raw), *([key] if key else []), limit]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = ("kind", "object_id", "title", "number")
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    queryset = scoped(user, kinds)
    if _postgres():
        queryset = queryset.filter(
            RawSQL(
                '"search_entry"."title_vector" @@ to_tsquery(\'simple\', %s)',
                [_tsquery_prefix(words, raw)],
                output_field=BooleanField(),
            )
        )
    else:
        last = words[-1]
        in_title = Q(title_folded__startswith=last) | Q(title_folded__contains=f" {last}")
        for word in words[:-1]:
            in_title &= Q(title_folded__contains=word)
        typed = _typed_number(raw)
        queryset = queryset.filter(
            in_title | Q(number_key__startswith=typed) if typed else in_title
        )
    key = number_key(raw)
    numbered = Case(
        When(number_key__startswith=key, then=Value(1)) if key else When(pk=None, then=Value(0)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        queryset.annotate(numbered=Coalesce(numbered, 0))
        .order_by("-numbered", F("date").desc(nulls_last=True), "-pk")
        .values("kind", "object_id", "title", "number")[:limit]
    )
    return list(rows)
