"""The leaderboards: refreshed by a job (``refresh``, through the outbox or
``manage.py refresh_leaderboards``), read from the rows it wrote — never summed on a request.

A refresh of one province, for the month and the year of ``as_of``:

1. every active member of the province with their points of the year and of the month (one
   GROUP BY over the ledger, into a temporary table);
2. every cell with the units whose boards it belongs to: itself, its base organisation, its
   district-level unit, the province (from the tree, in Python: one read of the units);
3. per period, one INSERT … SELECT with ``RANK()`` (equal points share a rank) and
   ``ROW_NUMBER()`` (within a rank, by name, then id: the order is always the same), and one
   for the units' figures (members, points, how many reached the target).

The old rows of those periods are deleted in the same transaction, so a reader sees either the
old boards or the new ones. Two refreshes of one province run one after the other (a
PostgreSQL advisory lock).

Reading, in scope (``orgtree.scope``): a member sees their own cell's board and their own rank
on the boards above it, never another cell's list; staff holding ``study.view_points`` see the
boards of units in their subtree. A province may hide other members' names (``hide_names``):
members then see ranks and initials.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from sotay_plugins import versions
from sotay_plugins.members.models import Member, MemberStatus
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation

from .models import VIEW_POINTS, BoardEntry, BoardSummary, Level, Period, PointLine, PointSettings

LEVELS = (Level.CELL, Level.BASE, Level.DISTRICT, Level.PROVINCE)
BOARD_KINDS = {
    OrgKind.CELL: Level.CELL,
    OrgKind.BASE: Level.BASE,
    OrgKind.DISTRICT: Level.DISTRICT,
    OrgKind.PROVINCE: Level.PROVINCE,
}
DEFAULT_TARGET = 100
SETTINGS_TTL = 60 * 60


def periods(day=None):
    """``{"month": first of the month, "year": 1 January}`` of ``day`` (default today)."""
    day = day or timezone.localdate()
    return {Period.MONTH: date(day.year, day.month, 1), Period.YEAR: date(day.year, 1, 1)}


def boards_key(province_id):
    return f"points:boards:{province_id}"


def _settings_key(province_id):
    return f"points:settings:{province_id}"


# --- a province's settings -------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    province_id: int | None
    yearly_target: int = DEFAULT_TARGET
    hide_names: bool = False

    @property
    def monthly_target(self):
        return -(-self.yearly_target // 12)


def province_of_tree(tree_id):
    """The id of the province (the root) of a tree, kept in the cache under the tree's stamp."""
    key = f"points:province:{tree_id}:{versions.current(scope.GRANTS_VERSION_KEY)}"
    found = cache.get(key)
    if found is None:
        found = (
            Organisation.objects.filter(tree_id=tree_id, parent__isnull=True)
            .values_list("pk", flat=True)
            .first()
        ) or 0
        cache.set(key, found, SETTINGS_TTL)
    return found or None


def settings_for(province_id):
    """The province's points settings (defaults when it set none), kept in the cache."""
    if province_id is None:
        return Settings(None)
    stamp = versions.current(_settings_key(province_id))
    key = f"points:settings:{province_id}:{stamp}"
    found = cache.get(key)
    if found is None:
        row = (
            PointSettings.objects.filter(province_id=province_id)
            .values_list("yearly_target", "hide_names")
            .first()
        )
        found = Settings(province_id, *row) if row else Settings(province_id)
        cache.set(key, found, SETTINGS_TTL)
    return found


def settings_changed(province_id):
    """The province's settings changed: what was kept of them goes now and after commit."""
    versions.bump_now_and_on_commit(_settings_key(province_id), boards_key(province_id))


# --- the refresh -----------------------------------------------------------------------------


def _cell_units(province):
    """``[(cell_id, level, unit_id)]``: each cell of the province with the boards it is on."""
    rows = (
        Organisation.objects.filter(tree_id=province.tree_id)
        .order_by("lft")
        .values_list("pk", "kind", "rght")
    )
    stack, placed = [], []
    for pk, kind, rght in rows:
        while stack and stack[-1][2] < rght:
            stack.pop()
        stack.append((pk, kind, rght))
        if kind == OrgKind.CELL:
            placed.extend((pk, BOARD_KINDS[k], unit) for unit, k, _r in stack if k in BOARD_KINDS)
    return placed


def _t(model):
    return connection.ops.quote_name(model._meta.db_table)


def refresh(province_id, as_of=None):
    """Rewrite the province's boards for the month and the year of ``as_of`` (default today).
    Returns the number of board rows written."""
    province = Organisation.objects.get(pk=province_id, parent__isnull=True)
    as_of = as_of or timezone.localdate()
    starts = periods(as_of)
    target = settings_for(province_id)
    now = timezone.now()
    entry, summary, line = _t(BoardEntry), _t(BoardSummary), _t(PointLine)
    member, org = _t(Member), _t(Organisation)
    written = 0
    # Within a rank, by name then id: byte order on PostgreSQL (deterministic, and a cheaper sort
    # than the database's language collation over 400,000 names).
    name = 't.full_name COLLATE "C"' if connection.vendor == "postgresql" else "t.full_name"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"points-refresh:{province_id}"],
            )
            # The window functions sort 400,000 rows per period: in memory, not on disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DROP TABLE IF EXISTS points_totals")
        cursor.execute("DROP TABLE IF EXISTS points_units")
        cursor.execute(
            "CREATE TEMPORARY TABLE points_totals AS "  # noqa: S608 (names from _meta)
            "SELECT m.id AS member_id, m.full_name AS full_name, m.cell_id AS cell_id, "
            "COALESCE(SUM(CASE WHEN l.day >= %s THEN l.points ELSE 0 END), 0) AS month_points, "
            "COALESCE(SUM(l.points), 0) AS year_points "
            f"FROM {member} m JOIN {org} c ON c.id = m.cell_id "
            f"LEFT JOIN {line} l ON l.member_id = m.id AND l.day >= %s AND l.day <= %s "
            "WHERE c.tree_id = %s AND m.status = %s "
            "GROUP BY m.id, m.full_name, m.cell_id",
            [
                starts[Period.MONTH],
                starts[Period.YEAR],
                as_of,
                province.tree_id,
                MemberStatus.ACTIVE,
            ],
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE points_units "
            "(cell_id bigint NOT NULL, level varchar(8) NOT NULL, unit_id bigint NOT NULL)"
        )
        placed = _cell_units(province)
        for start in range(0, len(placed), 5000):
            cursor.executemany(
                "INSERT INTO points_units (cell_id, level, unit_id) VALUES (%s, %s, %s)",
                placed[start : start + 5000],
            )
        if connection.vendor == "postgresql":
            cursor.execute("CREATE INDEX ON points_units (cell_id)")
            cursor.execute("ANALYZE points_totals")
            cursor.execute("ANALYZE points_units")
        units = f"SELECT id FROM {org} WHERE tree_id = %s"  # noqa: S608
        for period, start in starts.items():
            column = "month_points" if period == Period.MONTH else "year_points"
            goal = target.monthly_target if period == Period.MONTH else target.yearly_target
            for table in (entry, summary):
                cursor.execute(
                    f"DELETE FROM {table} WHERE period = %s AND period_start = %s "  # noqa: S608
                    f"AND unit_id IN ({units})",
                    [period, start, province.tree_id],
                )
            cursor.execute(
                f"INSERT INTO {entry} (unit_id, level, period, period_start, member_id, "  # noqa: S608
                "full_name, points, rank, position) "
                f"SELECT u.unit_id, u.level, %s, %s, t.member_id, t.full_name, t.{column}, "
                f"RANK() OVER (PARTITION BY u.unit_id ORDER BY t.{column} DESC), "
                f"ROW_NUMBER() OVER (PARTITION BY u.unit_id ORDER BY t.{column} DESC, "
                f"{name}, t.member_id) "
                "FROM points_totals t JOIN points_units u ON u.cell_id = t.cell_id",
                [period, start],
            )
            written += cursor.rowcount
            cursor.execute(
                f"INSERT INTO {summary} (unit_id, level, period, period_start, members, "  # noqa: S608
                "total_points, reached_target, target, refreshed_at) "
                f"SELECT u.unit_id, u.level, %s, %s, COUNT(*), SUM(t.{column}), "
                f"SUM(CASE WHEN t.{column} >= %s THEN 1 ELSE 0 END), %s, %s "
                "FROM points_totals t JOIN points_units u ON u.cell_id = t.cell_id "
                "GROUP BY u.unit_id, u.level",
                [period, start, goal, goal, now],
            )
        cursor.execute("DROP TABLE points_totals")
        cursor.execute("DROP TABLE points_units")
        transaction.on_commit(lambda: versions.bump(boards_key(province_id)))
    return written


def refresh_job(job, province_id, as_of=None):
    """The outbox job (``ledger.request_refresh``): idempotent, a rerun rewrites the same rows."""
    refresh(province_id, date.fromisoformat(as_of) if as_of else None)


def provinces():
    return list(
        Organisation.objects.filter(parent__isnull=True, kind=OrgKind.PROVINCE).order_by("pk")
    )


# --- reading the boards ----------------------------------------------------------------------


def mask(name):
    """Initials only: "Nguyễn Văn An" → "N. V. A."."""
    return " ".join(f"{word[0]}." for word in str(name).split() if word)


@dataclass
class Board:
    unit: Organisation
    level: str
    period: str
    period_start: date
    rows: list
    summary: BoardSummary | None
    masked: bool = False


@dataclass
class OwnRank:
    level: str
    unit_id: int
    unit_name: str
    rank: int
    points: int
    members: int | None


def may_see_board(user, unit):
    """Staff with ``study.view_points`` over the unit, or a member of that very cell."""
    if scope.can(user, VIEW_POINTS, unit):
        return True
    member = scope.subject(user)
    return member is not None and member.cell_id == unit.pk


def viewable_units(user):
    """The units whose full boards the user may open in the admin (their subtree)."""
    return scope.managed_orgs(user, VIEW_POINTS).filter(kind__in=list(BOARD_KINDS))


def entries(unit, period, start):
    """A unit's board rows, in order (a queryset: paginate it)."""
    return (
        BoardEntry.objects.filter(unit=unit, period=period, period_start=start)
        .order_by("position")
        .values("member_id", "full_name", "points", "rank", "position")
    )


def present(user, unit, rows):
    """Mark the caller's own row and mask the others' names when the province hides them (for
    members; staff with the right over the unit see names)."""
    staff = scope.can(user, VIEW_POINTS, unit)
    hide = not staff and settings_for(province_of_tree(unit.tree_id)).hide_names
    me = scope.subject(user)
    for row in rows:
        row["me"] = me is not None and row["member_id"] == me.member_id
        row["name"] = row["full_name"] if (row["me"] or not hide) else mask(row["full_name"])
        if not (staff or row["me"]):
            row["member_id"] = None  # a member never learns another member's id from a board
    return hide


def board(user, unit, period=Period.YEAR, *, offset=0, limit=50, day=None):
    """One unit's board (rows after position ``offset``, at most ``limit``), or None when out of
    the user's scope."""
    if not may_see_board(user, unit):
        return None
    start = periods(day)[period]
    rows = list(entries(unit, period, start).filter(position__gt=offset)[:limit])
    summary = BoardSummary.objects.filter(unit=unit, period=period, period_start=start).first()
    hide = present(user, unit, rows)
    return Board(unit, BOARD_KINDS.get(unit.kind, ""), period, start, rows, summary, hide)


def own_ranks(member_id, period=Period.YEAR, day=None):
    """The member's rank on each board they are on (cell → province), with the boards' sizes:
    two queries."""
    start = periods(day)[period]
    entries = list(
        BoardEntry.objects.filter(member_id=member_id, period=period, period_start=start)
        .select_related("unit")
        .only("level", "rank", "points", "unit__name", "unit__id")
    )
    sizes = dict(
        BoardSummary.objects.filter(
            unit_id__in=[e.unit_id for e in entries], period=period, period_start=start
        ).values_list("unit_id", "members")
    )
    order = {level: n for n, level in enumerate(LEVELS)}
    return [
        OwnRank(e.level, e.unit_id, e.unit.name, e.rank, e.points, sizes.get(e.unit_id))
        for e in sorted(entries, key=lambda e: order.get(e.level, 9))
    ]
