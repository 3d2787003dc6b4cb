"""One search over every kind of item a member can find, in the database (the embedded default).

Each plugin registers what it makes findable (``registry.add_searchable(SearchableKind(...))``):
a scoped model with a folded text column. A query is folded the same way (``folding.tokens``:
lower case, no diacritics, đ→d), and an item matches when its folded text contains every word.
Who sees what is the scope engine's answer (``scope.visible_to``), applied to every kind before
anything is counted or listed: search never reveals an item, nor the number of items, outside the
caller's scope.

Cost: per kind, one COUNT and one SELECT of the hits' columns (no per-hit query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from sotay_plugins.orgtree import scope
from sotay_plugins.registry import registry
from sotay_plugins.text import tokens

MIN_QUERY_LENGTH = 2
MAX_WORDS = 8


class QueryError(ValueError):
    """A query that cannot be searched; ``str()`` is the Vietnamese reason."""


@dataclass(frozen=True)
class Hit:
    kind: str
    kind_label: str
    id: int
    title: str
    issuer_org: int | None
    audience_org: int | None
    date: date | datetime | None

    def as_dict(self):
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "id": self.id,
            "title": self.title,
            "issuer_org": self.issuer_org,
            "audience_org": self.audience_org,
            "date": self.date.isoformat() if self.date else None,
            "url": f"/tim-kiem/mo/{self.kind}/{self.id}/",
        }


@dataclass
class Results:
    hits: list[Hit]
    count: int
    counts: dict[str, int]


def words_of(query):
    words = tokens(query)
    if len("".join(words)) < MIN_QUERY_LENGTH:
        raise QueryError(
            _("Xin nhập ít nhất %(n)d chữ cái hoặc chữ số để tìm.") % {"n": MIN_QUERY_LENGTH}
        )
    return words[:MAX_WORDS]


def kinds():
    return sorted(registry.searchable.values(), key=lambda k: (k.order, k.key))


def kind_of(key):
    kind = registry.searchable.get(key)
    if kind is None:
        raise QueryError(_("Không có loại nội dung “%(kind)s”.") % {"kind": key})
    return kind


def candidates(user, kind):
    """Everything of ``kind`` the user may find (before the words)."""
    queryset = kind.queryset() if kind.queryset else kind.model._default_manager.all()
    return scope.visible_to(user, queryset)


def matching(user, kind, words):
    queryset = candidates(user, kind)
    for word in words:
        queryset = queryset.filter(**{f"{kind.folded_field}__contains": word})
    return queryset


def search(user, query, *, kind=None, offset=0, limit=20):
    """Hits newest first across the kinds (or one ``kind``), with counts per kind."""
    words = words_of(query)
    selected = [kind_of(kind)] if kind else kinds()
    per_kind, counts = [], {}
    for k in selected:
        queryset = matching(user, k, words)
        counts[k.key] = queryset.count()
        if not counts[k.key]:
            continue
        spec = scope.spec_of(k.model)
        issuer = f"{spec.org_field}_id" if spec.org_field else None
        fields = [
            "pk",
            k.title_field,
            *([issuer] if issuer else []),
            *(["audience_org_id"] if spec.audience else []),
            *([k.date_field] if k.date_field else []),
        ]
        ordering = [f"-{k.date_field}", "-pk"] if k.date_field else ["-pk"]
        for row in queryset.order_by(*ordering).values(*fields)[: offset + limit]:
            per_kind.append(
                Hit(
                    k.key,
                    str(k.label),
                    row["pk"],
                    row[k.title_field],
                    row.get(issuer) if issuer else None,
                    row.get("audience_org_id"),
                    row.get(k.date_field) if k.date_field else None,
                )
            )

    def newest(hit):
        value = hit.date
        if isinstance(value, datetime):
            return (
                value.date().toordinal() * 86400
                + value.hour * 3600
                + value.minute * 60
                + value.second
            )
        return value.toordinal() * 86400 if value else 0

    per_kind.sort(key=lambda hit: (newest(hit), hit.id), reverse=True)
    return Results(per_kind[offset : offset + limit], sum(counts.values()), counts)


def find(user, kind_key, pk):
    """The object behind a hit, if the user may see it (None otherwise)."""
    kind = kind_of(kind_key)
    return candidates(user, kind).filter(pk=pk).first()
