"""The member's home feed: news and documents the user may read, newest first, with what the
member's own cell and base organisation issued lately in a block of its own at the top.

Cost: one query per kind of page (news, documents). Each is a ``UNION ALL`` of two bounded,
index-friendly selects — "issued by my cell or base organisation in the last 30 days" and
"the newest of everything I may read" — merged in Python. Everything goes through
``reading.readable`` (the scope engine); nothing is cached across users.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind

from .. import reading
from ..models import DocumentPage, NewsPage

#: "Của chi bộ, đảng bộ cơ sở của đồng chí": issuers of these kinds on the member's branch.
OWN_KINDS = (OrgKind.CELL, OrgKind.SUB, OrgKind.BASE)
OWN_DAYS = 30
OWN_LIMIT = 5
NEWEST_LIMIT = 10

NEWS_FIELDS = ("title", "url_path", "published_at", "category", "featured", "issuer_org__name")
DOCUMENT_FIELDS = (
    "title",
    "url_path",
    "published_at",
    "number",
    "kind",
    "issued_on",
    "issuer_org__name",
)


@dataclass(frozen=True)
class FeedItem:
    kind: str  # "news" | "document"
    page: object
    own: bool

    @property
    def is_document(self):
        return self.kind == "document"

    @property
    def published_at(self):
        return self.page.published_at


@dataclass(frozen=True)
class Feed:
    own: list
    newest: list

    def __bool__(self):
        return bool(self.own or self.newest)


def own_q(member, *, since):
    """Items issued by the member's cell, sub-committee or base organisation since ``since``."""
    return scope.containing(member, "issuer_org") & Q(
        issuer_org__kind__in=OWN_KINDS, published_at__gte=since
    )


def _rows(user, model, fields, member, since, newest_limit):
    """(own ids, rows): one query. ``own`` rows come first in the UNION, then the newest."""
    base = (
        reading.readable(user, model)
        .select_related("issuer_org")
        .only(*fields)
        .order_by("-published_at", "-pk")
    )
    newest = base.filter(published_at__isnull=False)[:newest_limit]
    if member is None:
        return set(), list(newest)
    own = base.filter(own_q(member, since=since))[:OWN_LIMIT]
    if connection.features.supports_slicing_ordering_in_compound:
        rows = list(own.union(newest, all=True))
    else:  # SQLite (the embedded default) cannot LIMIT the parts of a UNION: two queries
        rows = [*own, *newest]
    # The UNION keeps neither order nor "which part": own ones are the ones that match the rule.
    own_ids = {row.pk for row in rows if _is_own(row, member, since)}
    return own_ids, rows


def _is_own(page, member, since):
    org = page.issuer_org
    return (
        org.kind in OWN_KINDS
        and org.tree_id == member.tree_id
        and org.lft <= member.lft
        and member.rght <= org.rght
        and page.published_at is not None
        and page.published_at >= since
    )


def build(user, *, newest_limit=NEWEST_LIMIT):
    """The feed of ``user``: two queries (news, documents), whatever they may read."""
    member = scope.subject(user)
    since = timezone.now() - timedelta(days=OWN_DAYS)
    items = {}
    own_ids = set()
    for kind, model, fields in (
        ("news", NewsPage, NEWS_FIELDS),
        ("document", DocumentPage, DOCUMENT_FIELDS),
    ):
        fields = (
            *fields,
            "issuer_org__kind",
            "issuer_org__tree_id",
            "issuer_org__lft",
            "issuer_org__rght",
        )
        ids, rows = _rows(user, model, fields, member, since, newest_limit)
        own_ids |= ids
        for row in rows:
            items[row.pk] = FeedItem(kind, row, row.pk in ids)
    ordered = sorted(
        items.values(), key=lambda item: (item.page.published_at, item.page.pk), reverse=True
    )
    own = [item for item in ordered if item.own][:OWN_LIMIT]
    shown = {item.page.pk for item in own}
    newest = [item for item in ordered if item.page.pk not in shown][:newest_limit]
    return Feed(own=own, newest=newest)


#: How long a rendered feed may be served (a publication or withdrawal makes it stale at once).
CACHE_SECONDS = 300


def cache_key(request, member):
    """Members see the same feed iff they share the cell, positions and group (the audience
    rule): the rendered card is kept per such class, per language, per tree and rights version
    (a unit moved) and per content version (``publishing.content_version``: something was
    published or withdrawn). None: not cacheable (staff rights widen what the user reads)."""
    from ..models import VIEW_LIBRARY
    from ..publishing import content_version

    user = request.user
    if member is None or scope.is_superadmin(user) or scope.managed_ranges(user, VIEW_LIBRARY):
        return None
    positions = ".".join(sorted(member.positions or ()))
    return (
        f"editorial:feed:{get_language()}:{cache.get(scope.GRANTS_VERSION_KEY)}:{content_version()}:"
        f"{member.cell_id}:{positions}:{member.group}"
    )


def home_card_depends(request):
    """What the card shows changes with a publication and with the rights and the tree (the
    member's own record is every kept page's); a staff account's card is never kept."""
    from ..publishing import CONTENT_VERSION_KEY

    if cache_key(request, scope.subject(request.user)) is None:
        return None
    return [scope.GRANTS_VERSION_KEY, CONTENT_VERSION_KEY]


def home_card(request):
    """The home card's context (None hides it: a staff account that reads nothing).

    A member's card is rendered once per audience class and served from the cache (Redis in
    production) until something is published or withdrawn, or for ``CACHE_SECONDS``: the members
    of a cell share it, and the home page skips two queries and the rendering of 15 items.
    """
    member = scope.subject(request.user)
    key = cache_key(request, member)
    if key is not None:
        html = cache.get(key)
        if html is None:
            html = render_to_string(
                "editorial/cards/feed_body.html",
                {"card": {"feed": build(request.user)}},
                request=request,
            )
            cache.set(key, html, CACHE_SECONDS)
        return {"html": html}
    feed = build(request.user)
    if not feed and member is None:
        return None
    return {"feed": feed}
