"""Elasticsearch or OpenSearch: the mapping and every query built once with ``elasticsearch.dsl``
and sent as plain bodies by the client of the engine in use (``ELASTICSEARCH_URL`` →
``elasticsearch``, ``OPENSEARCH_URL`` → ``opensearch-py``). Only ``Client`` differs.

The index: one concrete index per build (``<alias>-<timestamp>``) behind the alias
(``SEARCH_INDEX``, default ``sotay-search``); ``reindex_search`` fills a new one and swaps the
alias in one ``_aliases`` call, then drops the old one. Incremental writes go to the alias.

Vietnamese: every text field is analysed twice, per field (an index-level default analyzer is
not relied on): ``vi`` (standard tokenizer, lower case: the original diacritics) and a
``folded`` sub-field (``vi_folded``: + ``asciifolding`` with ``preserve_original``, so "Đảng"
is indexed as both "đảng" and "dang"); the same analyzers on the query side. The query:
every word must match the folded ``all`` field (title, number, text, file text), one typo
allowed in a long word (``fuzziness: AUTO``); a document number typed whole (``number_key``),
the query with its own diacritics in the title (``title``, not folded) and the folded phrase in
the title score higher. User text only ever goes into ``match`` queries, never into
``query_string``: ``*``, ``"``, ``OR``, ``field:value`` are words, not syntax.

Scope (one ``bool`` filter): a member matches items whose ``audience_org`` is one of their
cell's ancestors (terms) and whose ``positions``/``groups`` hold theirs or ``_all``; staff match
items whose ``issuer_path`` (the issuer and its ancestors) holds a unit where they have the
kind's view capability. Superusers: no filter.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils import timezone
from elasticsearch.dsl import (
    A,
    Date,
    Index,
    Integer,
    Keyword,
    Long,
    Mapping,
    Search,
    Text,
    analyzer,
    token_filter,
)
from elasticsearch.dsl import Q as DQ

from sotay_plugins.orgtree import scope

from .. import marks as text_marks
from ..documents import folded_words, number_key, number_keys, number_prefixes
from .base import Hit, Page

log = logging.getLogger(__name__)
ALL = "_all"
FACET_SIZE = 10

vi_fold = token_filter("vi_fold", "asciifolding", preserve_original=True)
VI = analyzer("vi", tokenizer="standard", filter=["lowercase"])
VI_FOLDED = analyzer("vi_folded", tokenizer="standard", filter=["lowercase", vi_fold])


class EngineError(RuntimeError):
    """The engine did not answer (down, slow, refused): callers fall back to the database."""


# --- configuration --------------------------------------------------------------------------


def flavour():
    """``"opensearch"``, ``"elasticsearch"`` or None (database search)."""
    if getattr(settings, "OPENSEARCH_URL", ""):
        return "opensearch"
    if getattr(settings, "ELASTICSEARCH_URL", ""):
        return "elasticsearch"
    return None


def alias():
    return getattr(settings, "SEARCH_INDEX", "sotay-search")


def timeout():
    """How long a member's query waits for the engine before the database answers."""
    return float(getattr(settings, "SEARCH_TIMEOUT", 2.0))


def write_timeout():
    """How long an index job's write (a bulk with its refresh) may take: not a member's wait, so
    longer than ``timeout()``. A write cut short fails the job, which the outbox retries later,
    and the item reaches the search that much later."""
    return float(getattr(settings, "SEARCH_WRITE_TIMEOUT", 30.0))


class Client:
    """The one difference between the engines: which client sends the same bodies."""

    def __init__(self, kind=None, url=None, request_timeout=None):
        self.kind = kind or flavour()
        wait = request_timeout or timeout()
        if self.kind == "opensearch":
            from opensearchpy import OpenSearch

            self.raw = OpenSearch(
                hosts=[url or settings.OPENSEARCH_URL], timeout=wait, max_retries=0
            )
        elif self.kind == "elasticsearch":
            from elasticsearch import Elasticsearch

            self.raw = Elasticsearch(
                url or settings.ELASTICSEARCH_URL, request_timeout=wait, max_retries=0
            )
        else:
            raise EngineError("no search engine configured")

    def _call(self, what, *args, **kwargs):
        try:
            return what(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 (any transport/API failure means: fall back)
            raise EngineError(f"{self.kind}: {type(exc).__name__}: {exc}") from exc

    def info(self):
        return self._call(self.raw.info)

    def search(self, index, body):
        return self._call(self.raw.search, index=index, body=body)

    def count(self, index):
        return self._call(self.raw.count, index=index)["count"]

    def create_index(self, name, body):
        return self._call(self.raw.indices.create, index=name, body=body)

    def delete_index(self, name):
        return self._call(self.raw.indices.delete, index=name)

    def aliased(self, name):
        """The concrete indices behind alias ``name`` ([] if none)."""
        try:
            return sorted(self.raw.indices.get_alias(name=name))
        except Exception:  # noqa: BLE001 (no alias yet)
            return []

    def swap_alias(self, name, new, old):
        actions = [{"remove": {"index": index, "alias": name}} for index in old]
        actions.append({"add": {"index": new, "alias": name}})
        return self._call(self.raw.indices.update_aliases, body={"actions": actions})

    def put_settings(self, index, body):
        return self._call(self.raw.indices.put_settings, index=index, body=body)

    def refresh(self, index):
        return self._call(self.raw.indices.refresh, index=index)

    def bulk(self, lines, refresh=False):
        if not lines:
            return {"errors": False, "items": []}
        kwargs = {"refresh": "true"} if refresh else {}
        if self.kind == "elasticsearch":
            result = self._call(self.raw.bulk, operations=lines, **kwargs)
        else:
            result = self._call(self.raw.bulk, body=lines, **kwargs)
        if result.get("errors"):
            bad = [
                item
                for item in result.get("items", [])
                for op in item.values()
                if op.get("status", 200) >= 300 and op.get("status") != 404
            ]
            if bad:
                raise EngineError(f"bulk refused {len(bad)} operations: {bad[:1]}")
        return result


# --- the index ------------------------------------------------------------------------------


def index_definition(name="sotay-search"):
    """Settings and mapping, built with the DSL (analyzers named on every text field)."""

    def text():
        return Text(analyzer=VI, search_analyzer=VI, fields={"folded": Text(analyzer=VI_FOLDED)})

    mapping = Mapping()
    mapping.field("kind", Keyword())
    mapping.field("object_id", Long())
    mapping.field("title", text())
    mapping.field("number", text())
    mapping.field("number_key", Keyword())
    mapping.field("body", text())
    mapping.field("all", Text(analyzer=VI_FOLDED, search_analyzer=VI_FOLDED))
    mapping.field("issuer_org", Integer())
    mapping.field("issuer_name", Keyword())
    mapping.field("issuer_path", Integer())
    mapping.field("audience_org", Integer())
    mapping.field("positions", Keyword())
    mapping.field("groups", Keyword())
    mapping.field("date", Date())
    mapping.field("year", Integer())
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0)
    index.mapping(mapping)
    return index.to_dict()


def source_of(doc):
    """The engine document of a ``documents.Doc``."""
    return {
        "kind": doc.kind,
        "object_id": doc.object_id,
        "title": doc.title,
        "number": doc.number,
        "number_key": number_key(doc.number),
        "body": doc.body,
        "all": f"{doc.title} {doc.number} {doc.body}",
        "issuer_org": doc.issuer_org_id,
        "issuer_name": doc.issuer_name,
        "issuer_path": doc.issuer_path,
        "audience_org": doc.audience_org_id,
        "positions": sorted(doc.positions) or [ALL],
        "groups": sorted(doc.groups) or [ALL],
        "date": doc.date.isoformat() if doc.date else None,
        "year": doc.year,
    }


def bulk_lines(index, docs=(), deletes=()):
    lines = []
    for doc in docs:
        lines.append({"index": {"_index": index, "_id": doc.key}})
        lines.append(source_of(doc))
    for key in deletes:
        lines.append({"delete": {"_index": index, "_id": key}})
    return lines


# --- the queries ----------------------------------------------------------------------------


def scope_filter(user, kinds):
    """The one filter that enforces scope (a DSL query), or None for a superuser."""
    if scope.is_superadmin(user):
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return DQ("match_none")
    should = []
    member = scope.subject(user)
    if member is not None:
        from sotay_plugins.orgtree.models import Organisation

        ancestors = list(
            Organisation._default_manager.filter(scope.containing(member)).values_list(
                "pk", flat=True
            )
        )
        should.append(
            DQ(
                "bool",
                filter=[
                    DQ("terms", audience_org=sorted(ancestors)),
                    DQ("terms", positions=[*sorted(member.positions), ALL]),
                    DQ("terms", groups=[member.group, ALL] if member.group else [ALL]),
                ],
            )
        )
    for kind in kinds:
        capability = scope.spec_of(kind.model).view_capability
        orgs = sorted({g.org_id for g in scope.grants(user) if g.allows(capability)})
        if orgs:
            should.append(
                DQ("bool", filter=[DQ("term", kind=kind.key), DQ("terms", issuer_path=orgs)])
            )
    if not should:
        return DQ("match_none")
    return DQ("bool", should=should, minimum_should_match=1)


def search_body(query, scope_q):
    """The search request for ``query`` (a ``base.Query``) under ``scope_q`` (DSL or None)."""
    folded = folded_words(query.raw) or query.folded
    must = DQ(
        "match",
        all={"query": folded, "operator": "and", "fuzziness": "AUTO", "prefix_length": 1},
    )
    should = [
        DQ("match_phrase", **{"title.folded": {"query": folded, "boost": 3}}),
        DQ("match", title={"query": query.raw, "operator": "and", "boost": 4}),
        DQ("match", **{"title.folded": {"query": folded, "boost": 2}}),
        DQ("match", body={"query": query.raw, "boost": 0.5}),
    ]
    keys = number_keys(query.raw)
    if keys:
        should.append(DQ("terms", number_key=keys, boost=20))
    for prefix in number_prefixes(query.raw):  # "nghi quyet 12": a number 12-NQ/…
        should.append(DQ("prefix", number_key={"value": prefix, "boost": 15}))
    filters = [DQ("terms", kind=[k.key for k in query.kinds])]
    if scope_q is not None:
        filters.append(scope_q)
    search = Search().query(DQ("bool", must=[must], should=should, filter=filters))
    post = []
    if query.kind:
        post.append(DQ("term", kind=query.kind))
    if query.issuer:
        post.append(DQ("term", issuer_org=query.issuer))
    if query.year:
        post.append(DQ("term", year=query.year))
    if post:
        search = search.post_filter(DQ("bool", filter=post))
    search.aggs.bucket("kind", A("terms", field="kind", size=50))
    search.aggs.bucket("issuer", A("terms", field="issuer_org", size=FACET_SIZE))
    search.aggs.bucket("year", A("terms", field="year", size=FACET_SIZE, order={"_key": "desc"}))
    if query.sort == "date":
        search = search.sort({"date": {"order": "desc", "missing": "_last"}}, "_score")
    else:
        search = search.sort("_score", {"date": {"order": "desc", "missing": "_last"}})
    search = search.highlight_options(pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html")
    search = search.highlight("title.folded", number_of_fragments=0)
    search = search.highlight("body.folded", fragment_size=180, number_of_fragments=1)
    search = search.source(excludes=["all"])
    search = search.extra(from_=query.offset, size=query.limit, track_total_hits=True)
    return search.to_dict()


def suggest_body(words, raw, kinds, scope_q, limit=8):
    prefix = " ".join(words)
    should = [DQ("match_phrase_prefix", **{"title.folded": {"query": prefix}})]
    key = number_key(raw)
    if key:
        should.append(DQ("prefix", number_key={"value": key, "boost": 5}))
    filters = [DQ("terms", kind=[k.key for k in kinds])]
    if scope_q is not None:
        filters.append(scope_q)
    search = Search().query(DQ("bool", should=should, minimum_should_match=1, filter=filters))
    search = search.source(includes=["kind", "object_id", "title", "number"])
    search = search.extra(size=limit)
    return search.to_dict()


# --- answers --------------------------------------------------------------------------------


def _date(value):
    if not value:
        return None
    from django.utils.dateparse import parse_datetime

    parsed = parse_datetime(value)
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _issuer_names(ids):
    from sotay_plugins.orgtree.models import Organisation

    return dict(Organisation._default_manager.filter(pk__in=ids).values_list("pk", "name"))


def page_of(answer, query):
    from django.utils.html import escape

    labels = {k.key: str(k.label) for k in query.kinds}
    order = {k.key: i for i, k in enumerate(query.kinds)}
    aggs = answer.get("aggregations", {})
    issuer_buckets = aggs.get("issuer", {}).get("buckets", [])
    names = _issuer_names([b["key"] for b in issuer_buckets])
    facets = {
        "kind": sorted(
            (
                (b["key"], labels.get(b["key"], b["key"]), b["doc_count"])
                for b in aggs.get("kind", {}).get("buckets", [])
            ),
            key=lambda row: order.get(row[0], 99),
        ),
        "issuer": [(b["key"], names.get(b["key"], ""), b["doc_count"]) for b in issuer_buckets],
        "year": [
            (b["key"], str(b["key"]), b["doc_count"])
            for b in aggs.get("year", {}).get("buckets", [])
        ],
    }
    hits = []
    for raw in answer["hits"]["hits"]:
        src, marks = raw["_source"], raw.get("highlight", {})
        title = marks.get("title.folded", [escape(src.get("title", ""))])[0]
        hits.append(
            Hit(
                kind=src["kind"],
                kind_label=labels.get(src["kind"], src["kind"]),
                id=int(src["object_id"]),
                title=src.get("title", ""),
                issuer_org=src.get("issuer_org"),
                audience_org=src.get("audience_org"),
                date=_date(src.get("date")),
                issuer_name=src.get("issuer_name", ""),
                number=src.get("number", ""),
                title_html=title,
                snippet=(marks.get("body.folded") or [""])[0]
                or text_marks.snippet(src.get("body", ""), query.words),
                score=float(raw.get("_score") or 0.0),
            )
        )
    total = answer["hits"]["total"]
    total = total["value"] if isinstance(total, dict) else int(total)
    return Page(hits, total, facets, flavour() or "engine")


def search(user, query, client=None):
    client = client or Client()
    body = search_body(query, scope_filter(user, query.kinds))
    started = time.monotonic()
    answer = client.search(alias(), body)
    log.debug("search: %s answered in %.0f ms", client.kind, (time.monotonic() - started) * 1e3)
    return page_of(answer, query)


def suggest(user, kinds, words, raw, limit=8, client=None):
    client = client or Client()
    answer = client.search(
        alias(), suggest_body(words, raw, kinds, scope_filter(user, kinds), limit)
    )
    return [
        {
            "kind": h["_source"]["kind"],
            "object_id": int(h["_source"]["object_id"]),
            "title": h["_source"].get("title", ""),
            "number": h["_source"].get("number", ""),
        }
        for h in answer["hits"]["hits"]
    ]
