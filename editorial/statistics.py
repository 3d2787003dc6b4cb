"""Reading figures for the reports module (``registry.StatisticsProvider``, issue 16).

Per cell and month, from the library and its read receipts:

- ``deployed``: documents published that month whose audience holds the cell (a document sent
  to a district counts once in each of its cells: a district's figure is "documents × cells");
- ``opened``: the (member, document) pairs opened that month by the cell's members, with the
  count of each member behind it (so that the members who never or rarely open anything can be
  listed for their secretary);
- ``audience``: members expected to read (on the rolls, the excluded groups left out);
- ``readers`` (``distinct``): members who opened at least one document in the period (month,
  quarter, year), and the rate ``readers / audience``.

A member counts in the cell they belong to now (the receipts do not keep the member's cell); a
month closed before a transfer keeps what was stored for it.

Per document (``items``, the reports' "documents deployed vs. opened"): the documents published
in a period that reached a unit (their audience holds it, or lies under it), each with the
members under the unit expected to read it and those of them who opened it. ``refresh_items``
stores, per document and unit, the members who opened it (``DocumentReach``) and, per unit,
the members expected to read (``ReadingRoster``); ``items`` then answers any unit of a
province in three queries, reading those tables only:

1. the unit's ancestors (ids);
2. ``COUNT(*)`` of the documents of the period that reached the unit;
3. the page: the same documents, each joined to one ``DocumentReach`` row through the unique
   index (org_id, page_id) and one ``ReadingRoster`` row (org_id unique) — the unit's own rows
   for a document sent to it or above it, the audience unit's rows for a document sent to a
   unit under it (all its openers lie there) — sorted in the database (a sort of at most the
   period's documents: 20,000 for a province's year) and cut to the page with LIMIT/OFFSET.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date, datetime, time

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay_plugins.members.models import Member, MemberStatus
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind
from sotay_plugins.orgtree.models import Organisation

from .models import DocumentPage, DocumentReach, ReadingRoster, ReadReceipt

ON_ROLLS = (MemberStatus.ACTIVE, MemberStatus.EXEMPT)


def _next(month):
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _months(start, end):
    month = start
    while month < end:
        yield month
        month = _next(month)


def _aware(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _roster(exclude):
    """{member id: cell id} of the members expected to read."""
    members = Member.objects.filter(status__in=ON_ROLLS).order_by()
    groups = [g for g in exclude if g in MemberGroup.values]
    if groups:
        members = members.exclude(group__in=groups)
    if "no_smartphone" in exclude:
        members = members.filter(has_smartphone=True)
    return dict(members.values_list("pk", "cell_id"))


def _documents():
    return DocumentPage.objects.live().filter(is_classified=False).order_by()


def rows(start, end, *, cells=None, exclude=frozenset()):
    """:class:`registry.CellFigure` s of reading for the months from ``start`` to ``end``: four
    queries (cells, roster, documents, one GROUP BY of the receipts per month)."""
    from sotay_plugins.registry import CellFigure

    tree = list(
        Organisation.objects.filter(kind=OrgKind.CELL)
        .order_by("tree_id", "lft")
        .values_list("pk", "tree_id", "lft")
    )
    keys = [(t, lft) for _pk, t, lft in tree]
    roster = _roster(exclude)
    audience = defaultdict(int)
    for cell in roster.values():
        audience[cell] += 1
    docs = list(
        _documents()
        .filter(published_at__gte=_aware(start), published_at__lt=_aware(end))
        .values_list(
            "published_at", "audience_org__tree_id", "audience_org__lft", "audience_org__rght"
        )
    )
    out = []
    for month in _months(start, end):
        following = _next(month)
        # deployed: +1 over the run of cells (in tree order) each document's audience spans
        delta = [0] * (len(tree) + 1)
        for published, tree_id, lft, rght in docs:
            day = timezone.localdate(published)
            if month <= day < following:
                delta[bisect_left(keys, (tree_id, lft))] += 1
                delta[bisect_right(keys, (tree_id, rght))] -= 1
        running = 0
        deployed = {}
        for index, (pk, _t, _l) in enumerate(tree):
            running += delta[index]
            if running:
                deployed[pk] = running
        opened = (
            ReadReceipt.objects.filter(
                day__gte=month, day__lt=following, page_id__in=_documents().values("pk")
            )
            .order_by()
            .values("member_id")
            .annotate(n=Count("page_id", distinct=True))
            .values_list("member_id", "n")
        )
        per_cell = defaultdict(dict)
        for member_id, cell in roster.items():
            per_cell[cell][member_id] = 0
        for member_id, n in opened:
            cell = roster.get(member_id)
            if cell is not None:
                per_cell[cell][member_id] = n
        for cell in set(per_cell) | set(deployed):
            if cells is not None and cell not in cells:
                continue
            counts = per_cell.get(cell, {})
            if deployed.get(cell):
                out.append(CellFigure(cell, month, "deployed", deployed[cell]))
            if audience.get(cell):
                out.append(CellFigure(cell, month, "audience", audience[cell]))
            total = sum(counts.values())
            if counts:
                out.append(CellFigure(cell, month, "opened", total, members=counts))
            readers = sum(1 for n in counts.values() if n)
            if readers:
                out.append(CellFigure(cell, month, "readers", readers))
    return out


def period_rows(start, end, *, cells=None, exclude=frozenset()):
    """The ``readers`` of a whole quarter or year per cell (one query)."""
    from sotay_plugins.registry import CellFigure

    roster = _roster(exclude)
    readers = defaultdict(int)
    for member_id in (
        ReadReceipt.objects.filter(
            day__gte=start, day__lt=end, page_id__in=_documents().values("pk")
        )
        .order_by()
        .values_list("member_id", flat=True)
        .distinct()
    ):
        cell = roster.get(member_id)
        if cell is not None:
            readers[cell] += 1
    return [
        CellFigure(cell, start, "readers", n)
        for cell, n in readers.items()
        if cells is None or cell in cells
    ]


def touched(since):
    """{(cell, month)} whose reading changed since ``since``: the cells of the members with a
    receipt touched since then, in the months of those receipts; and every cell of a month in
    which a document was published since then (its audience may be any unit)."""
    day = timezone.localdate(since)
    changed = set()
    for cell, receipt_day in (
        ReadReceipt.objects.filter(day__gte=day, last_at__gte=since)
        .order_by()
        .values_list("member__cell_id", "day")
        .distinct()
    ):
        changed.add((cell, date(receipt_day.year, receipt_day.month, 1)))
    if _documents().filter(published_at__gte=since).exists():
        changed.add((None, date(day.year, day.month, 1)))
    return changed


# --- per document ---------------------------------------------------------------------------

CHUNK = 500  # documents whose openers are counted at once (bounded memory on a full rebuild)


def _chains():
    """{org id: (level, parent id)} of every unit (one query)."""
    return {
        pk: (level, parent)
        for pk, level, parent in Organisation.objects.order_by().values_list(
            "pk", "level", "parent_id"
        )
    }


def refresh_items(since=None, *, exclude=frozenset()):
    """Store the per-document figures: the members expected to read under every unit, and the
    members who opened each document under every unit from its audience down (every document
    when ``since`` is None; else those opened or published since then). Returns the rows
    written."""
    chains = _chains()
    roster = _roster(exclude)

    def path(cell, floor=0):
        while cell is not None and cell in chains and chains[cell][0] >= floor:
            yield cell
            cell = chains[cell][1]

    expected = defaultdict(int)
    for cell in roster.values():
        for unit in path(cell):
            expected[unit] += 1
    docs = _documents()
    if since is not None:
        opened_since = ReadReceipt.objects.filter(
            day__gte=timezone.localdate(since), last_at__gte=since
        ).values("page_id")
        docs = docs.filter(Q(pk__in=opened_since) | Q(published_at__gte=since))
    audience = dict(docs.values_list("pk", "audience_org_id"))
    written = 0
    with transaction.atomic():
        ReadingRoster.objects.all().delete()
        ReadingRoster.objects.bulk_create(
            [ReadingRoster(org_id=unit, members=n) for unit, n in expected.items()],
            batch_size=2000,
        )
        if since is None:
            _empty_reach()
        ids = sorted(audience)
        if connection.vendor == "postgresql":
            if since is not None:
                DocumentReach.objects.filter(page_id__in=ids).delete()
            return written + _reach_in_sql(ids, exclude)
        for index in range(0, len(ids), CHUNK):
            chunk = ids[index : index + CHUNK]
            counts = defaultdict(int)
            pairs = (
                ReadReceipt.objects.filter(page_id__in=chunk)
                .order_by()
                .values_list("page_id", "member_id")
                .distinct()
            )
            for page_id, member_id in pairs.iterator(chunk_size=5000):
                cell = roster.get(member_id)
                floor = chains.get(audience[page_id], (0, None))[0]
                if cell is not None:
                    for unit in path(cell, floor):
                        counts[(page_id, unit)] += 1
            if since is not None:
                DocumentReach.objects.filter(page_id__in=chunk).delete()
            DocumentReach.objects.bulk_create(
                [DocumentReach(page_id=p, org_id=u, opened=n) for (p, u), n in counts.items()],
                batch_size=5000,
            )
            written += len(counts)
    return written


def _empty_reach():
    """Every stored per-document row gone, before a full rebuild writes them again. PostgreSQL:
    TRUNCATE (a DELETE of the province's ~2,000,000 rows took 59 s), inside the rebuild's
    transaction (the report waits for the new rows rather than seeing none)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {connection.ops.quote_name(DocumentReach._meta.db_table)}")
    else:
        DocumentReach.objects.all().delete()


def _reach_in_sql(ids, exclude):
    """PostgreSQL: the openers of the documents ``ids`` counted and written by the database in
    one statement (``INSERT … SELECT … GROUP BY``): the distinct (document,
    member) pairs of the receipts, each member on the rolls (the excluded groups left out) in
    their cell, counted in every unit from that cell up to the document's audience unit's
    level (the nested set's range). The Python path below does the same one pair at a time
    (SQLite); at province scale (~2,000,000 pairs, ~2,000,000 rows written) it took ~100 s."""
    q = connection.ops.quote_name

    def column(model, name):
        return q(model._meta.get_field(name).column)

    reach, receipts = q(DocumentReach._meta.db_table), q(ReadReceipt._meta.db_table)
    members, orgs = q(Member._meta.db_table), q(Organisation._meta.db_table)
    pages, page_pk = q(DocumentPage._meta.db_table), q(DocumentPage._meta.pk.column)
    tree, lft, rght, level = (column(Organisation, f) for f in ("tree_id", "lft", "rght", "level"))
    groups = [g for g in exclude if g in MemberGroup.values]
    where = f"m.{column(Member, 'status')} = ANY(%(statuses)s)"
    if groups:
        where += f" AND NOT m.{column(Member, 'group')} = ANY(%(groups)s)"
    if "no_smartphone" in exclude:
        where += f" AND m.{column(Member, 'has_smartphone')}"
    sql = (
        f"INSERT INTO {reach} (page_id, {column(DocumentReach, 'org_id')}, "  # noqa: S608
        f"{column(DocumentReach, 'opened')}) "
        f"SELECT p.page_id, a.id, count(*) FROM (SELECT DISTINCT r.{column(ReadReceipt, 'page')} "
        f"AS page_id, r.{column(ReadReceipt, 'member')} AS member_id FROM {receipts} AS r "
        f"WHERE r.{column(ReadReceipt, 'page')} = ANY(%(docs)s)) AS p "
        f"JOIN {members} AS m ON m.id = p.member_id AND {where} "
        f"JOIN {orgs} AS c ON c.id = m.{column(Member, 'cell')} "
        f"JOIN {pages} AS d ON d.{page_pk} = p.page_id "
        f"JOIN {orgs} AS au ON au.id = d.{column(DocumentPage, 'audience_org')} "
        f"JOIN {orgs} AS a ON a.{tree} = c.{tree} AND a.{lft} <= c.{lft} "
        f"AND a.{rght} >= c.{rght} AND a.{level} >= au.{level} "
        f"GROUP BY p.page_id, a.id "
        # in the unique index's order: its pages are then filled one after another instead of
        # ~2,000,000 insertions at random places (a full rebuild: 23.8 -> 19.6 s)
        f"ORDER BY a.id, p.page_id"
    )
    with connection.cursor() as cursor:
        # JIT compiles the statement (~0.6 s here) for a plan that gains nothing from it; the
        # sort of a full rebuild (~2,200,000 rows) in memory rather than in files
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(sql, {"docs": ids, "statuses": list(ON_ROLLS), "groups": groups})
        return cursor.rowcount


#: The sort keys of :func:`items` (``registry.ITEM_ORDERS``) and their columns.
ORDERS = {
    "published": "published_at",
    "title": "title",
    "expected": "expected",
    "opened": "opened",
    "rate": "rate",
}


def items(org, start, end, *, order="-published", offset=0, limit=25, exclude=frozenset()):
    """``(count, [ItemFigure])``: the documents published from ``start`` to ``end`` (dates,
    ``end`` excluded) that reached ``org``, sorted and sliced (the module's docstring says
    how: three queries, stored figures only). ``exclude`` was applied when they were stored."""
    from sotay_plugins.registry import ItemFigure, calendar_bounds

    low, high = calendar_bounds(start, end)
    above = list(Organisation.objects.filter(scope.containing(org)).values_list("pk", flat=True))
    docs = (
        _documents()
        .filter(published_at__gte=low, published_at__lt=high)
        .filter(Q(audience_org_id__in=above) | scope.within(org, "audience_org"))
        .annotate(
            target=Case(
                When(audience_org_id__in=above, then=Value(org.pk)),
                default=F("audience_org_id"),
                output_field=IntegerField(),
            )
        )
    )
    count = docs.count()
    reach = DocumentReach.objects.filter(page_id=OuterRef("pk"), org_id=OuterRef("target"))
    members = ReadingRoster.objects.filter(org_id=OuterRef("target"))
    docs = docs.annotate(
        opened=Coalesce(Subquery(reach.values("opened")[:1]), 0),
        expected=Coalesce(Subquery(members.values("members")[:1]), 0),
    ).annotate(
        rate=ExpressionWrapper(
            F("opened") * 100.0 / NullIf(F("expected"), 0), output_field=FloatField()
        )
    )
    key = ORDERS[order.lstrip("-")]
    first = F(key).desc(nulls_last=True) if order.startswith("-") else F(key).asc(nulls_first=True)
    rows = docs.order_by(first, "-published_at", "-pk").values_list(
        "pk",
        "title",
        "number",
        "published_at",
        "audience_org_id",
        "issuer_org_id",
        "expected",
        "opened",
    )[offset : offset + limit]
    return count, [ItemFigure(*row) for row in rows]


def provider():
    from sotay_plugins.registry import Measure, StatisticsProvider

    return StatisticsProvider(
        key="reading",
        label=_("Triển khai và đọc văn bản"),
        section="reading",
        order=20,
        rows=rows,
        period_rows=period_rows,
        touched=touched,
        items=items,
        refresh_items=refresh_items,
        item_label=_("Văn bản"),
        excludable=True,
        description=_(
            "Văn bản triển khai tới chi bộ và lượt mở của đảng viên (mỗi đảng viên, mỗi văn bản "
            "tính một lần trong tháng)."
        ),
        measures=(
            Measure("deployed", _("Lượt văn bản triển khai tới chi bộ")),
            Measure("opened", _("Lượt đảng viên mở văn bản")),
            Measure("audience", _("Đảng viên phải đọc"), "stock"),
            Measure("readers", _("Đảng viên có mở văn bản"), "distinct"),
            Measure(
                "reader_rate",
                _("Tỷ lệ đảng viên có mở văn bản"),
                "rate",
                numerator="readers",
                denominator="audience",
                unit="%",
            ),
        ),
    )
