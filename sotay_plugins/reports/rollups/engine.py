"""Computing the roll-ups: from the providers' raw rows to stored per-unit, per-period figures.

- ``rebuild(start, end)``: every month of the span, every provider, in full (``manage.py
  rebuild_reports``);
- ``refresh(since)``: the incremental refresh (a job, every few minutes or nightly: ``manage.py
  refresh_reports``): the (cell, month) pairs a provider says changed since the last refresh
  (``StatisticsProvider.touched``), or the current month of every cell for a provider that cannot
  tell; then the units above those cells, and the quarter and year of the ``distinct`` measures;
- snapshot providers (``compute(orgs)`` only) are stored for the current month;
- a provider with per-item figures (``refresh_items``: the reading of each document) stores
  them itself, in full on a rebuild, for what changed on a refresh.

The tree of a period: a month already stored keeps the places its rows hold (parent, path,
name), so a unit moved or merged later keeps its history and the totals above it follow the tree
as it was; the current month (and a month never stored) takes the tree as it is now. A unit
above the cells is computed from its cells' stored figures of the same month (sum, or max for a
``max`` measure), never from raw rows.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.registry import registry

from .models import Granularity, RefreshState, Rollup
from .periods import add_months, month_start

log = logging.getLogger(__name__)
STATE_KEY = "refresh"
BATCH = 2000


@dataclass(frozen=True)
class Place:
    """A unit's place in the tree of one period."""

    org_id: int
    parent_id: int | None
    tree_id: int
    depth: int
    path: str
    name: str
    code: str
    kind: str
    active: bool = True

    @property
    def ancestors(self):
        """Ids from the root down to the parent."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]


#: Left out unless configured otherwise: reading is not asked of members exempt from activities
#: nor of those without a smartphone (SPEC.md: such groups are excluded from statistics).
DEFAULT_EXCLUDED = {"reading": ("exempt", "no_smartphone")}


def excluded_groups(provider):
    """The member groups left out of ``provider``'s figures by configuration
    (``SOTAY_REPORTS_EXCLUDED_GROUPS``: {provider key: [group codes, "no_smartphone"]}; default
    :data:`DEFAULT_EXCLUDED`)."""
    if not provider.excludable:
        return frozenset()
    configured = getattr(settings, "SOTAY_REPORTS_EXCLUDED_GROUPS", DEFAULT_EXCLUDED) or {}
    return frozenset(configured.get(provider.key, ()))


def tree_now():
    """{org id: Place} of the tree as it is now (active units, and inactive ones still holding
    cells' history are looked up when met): one query."""
    places = {}
    for row in (
        Organisation.objects.order_by("tree_id", "lft")
        .values("pk", "parent_id", "tree_id", "level", "name", "code", "kind", "is_active")
        .iterator(chunk_size=5000)
    ):
        parent = places.get(row["parent_id"])
        path = f"{parent.path}{row['pk']}/" if parent else f"/{row['pk']}/"
        places[row["pk"]] = Place(
            row["pk"],
            row["parent_id"],
            row["tree_id"],
            row["level"],
            path,
            row["name"][:255],
            row["code"][:64],
            row["kind"],
            row["is_active"],
        )
    return places


def stored_places(month):
    """{org id: Place} as the month rows already stored say, or {}: those of the first roll-up
    provider (in the registry's order) that has rows for the month, so that every provider of a
    closed month follows one and the same tree."""
    for provider in registry.ordered_statistics():
        if not provider.rolls_up:
            continue
        rows = (
            Rollup.objects.filter(
                provider=provider.key, granularity=Granularity.MONTH, period=month
            )
            .order_by()
            .values_list("org_id", "parent_id", "tree_id", "depth", "path", "name", "code", "kind")
        )
        places = {row[0]: Place(*row) for row in rows}
        if places:
            return places
    return {}


def places_for(month, now_tree, *, current):
    """The tree of ``month``: as stored for a closed month that has rows, else the tree now."""
    if month < current:
        stored = stored_places(month)
        if stored:
            # a cell that had no row that month (new data for it) takes its place of today
            for org_id, place in now_tree.items():
                stored.setdefault(org_id, place)
            return stored
    return now_tree


def _key(figure):
    return (
        f"{figure.measure}|{figure.dimension}={figure.choice}"
        if figure.dimension
        else (figure.measure)
    )


def _rollup_of(provider):
    rules = {m.key: m.rollup for m in provider.measures}
    return lambda key: rules.get(key.partition("|")[0], "sum")


def _aggregate(provider, cell_values, places):
    """{unit id: values} for every unit on the path of a cell with figures (the cells included)."""
    rule = _rollup_of(provider)
    totals = defaultdict(dict)
    for cell, values in cell_values.items():
        place = places.get(cell)
        if place is None:
            continue
        for unit in (*place.ancestors, cell):
            bucket = totals[unit]
            for key, value in values.items():
                if rule(key) == "max":
                    bucket[key] = max(bucket.get(key, value), value)
                else:
                    bucket[key] = bucket.get(key, 0) + value
    return totals


def _write(provider_key, granularity, period, totals, members, places, *, with_empty=()):
    """Replace the stored rows of (provider, granularity, period) by ``totals``."""
    now = timezone.now()
    units = set(totals) | {u for u in with_empty if u in places}
    objs = [
        Rollup(
            provider=provider_key,
            granularity=granularity,
            period=period,
            org_id=unit,
            parent_id=places[unit].parent_id,
            tree_id=places[unit].tree_id,
            depth=places[unit].depth,
            path=places[unit].path,
            name=places[unit].name,
            code=places[unit].code,
            kind=places[unit].kind,
            values=totals.get(unit, {}),
            members=members.get(unit) or None,
            computed_at=now,
        )
        for unit in units
        if unit in places
    ]
    with transaction.atomic():
        Rollup.objects.filter(
            provider=provider_key, granularity=granularity, period=period
        ).delete()
        _insert(objs)
    return len(objs)


_COPIED = (
    "provider",
    "granularity",
    "period",
    "org_id",
    "parent_id",
    "tree_id",
    "depth",
    "path",
    "name",
    "code",
    "kind",
    "values",
    "members",
    "computed_at",
)


def _insert(objs):
    """Store new roll-up rows: on PostgreSQL with COPY (a refresh writes ~90,000 rows, whose
    preparation one by one by the ORM's bulk insert took as long as computing them), elsewhere
    with ``bulk_create``."""
    if connection.vendor != "postgresql":
        Rollup.objects.bulk_create(objs, batch_size=BATCH)
        return
    table = connection.ops.quote_name(Rollup._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in _COPIED)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN"  # names from _meta and _COPIED
        ) as copy,
    ):
        for obj in objs:
            copy.write_row(
                (
                    obj.provider,
                    obj.granularity,
                    obj.period,
                    obj.org_id,
                    obj.parent_id,
                    obj.tree_id,
                    obj.depth,
                    obj.path,
                    obj.name,
                    obj.code,
                    obj.kind,
                    json.dumps(obj.values),
                    None if obj.members is None else json.dumps(obj.members),
                    obj.computed_at,
                )
            )


def _active_units(places):
    return [u for u, p in places.items() if p.active]


def build_month(provider, month, *, now_tree=None, cells=None, current=None):
    """Compute and store one provider's month: the cells from its raw rows (all, or ``cells``
    only, the others kept as stored), then every unit above them from the cells."""
    now_tree = now_tree if now_tree is not None else tree_now()
    current = current or month_start(timezone.localdate())
    places = places_for(month, now_tree, current=current)
    cell_values, members = defaultdict(dict), defaultdict(dict)
    figures = (
        provider.rows(month, add_months(month, 1), cells=cells, exclude=excluded_groups(provider))
        if cells is None or cells
        else ()  # nothing changed below: the units above are summed again on today's tree
    )
    for figure in figures:
        key = _key(figure)
        bucket = cell_values[figure.cell_id]
        bucket[key] = bucket.get(key, 0) + figure.value
        if figure.members is not None:
            members[figure.cell_id][figure.measure] = {str(k): v for k, v in figure.members.items()}
    if cells is not None:
        for org_id, values, kept in (
            Rollup.objects.filter(
                provider=provider.key,
                granularity=Granularity.MONTH,
                period=month,
                kind=OrgKind.CELL,
            )
            .exclude(org_id__in=cells)
            .values_list("org_id", "values", "members")
        ):
            cell_values.setdefault(org_id, values)
            if kept:
                members.setdefault(org_id, kept)
    totals = _aggregate(provider, cell_values, places)
    empty = _active_units(now_tree) if places is now_tree else ()
    return _write(provider.key, Granularity.MONTH, month, totals, members, places, with_empty=empty)


def build_period(provider, granularity, start, *, now_tree=None, current=None):
    """The ``distinct`` measures of a whole quarter or year (stored apart: they do not add up
    over months), placed in the tree of the period's last month."""
    months = 3 if granularity == Granularity.QUARTER else 12
    end = add_months(start, months)
    now_tree = now_tree if now_tree is not None else tree_now()
    current = current or month_start(timezone.localdate())
    last = min(add_months(end, -1), current)
    places = places_for(last, now_tree, current=current)
    cell_values = defaultdict(dict)
    for figure in provider.period_rows(start, end, exclude=excluded_groups(provider)):
        bucket = cell_values[figure.cell_id]
        key = _key(figure)
        bucket[key] = bucket.get(key, 0) + figure.value
    totals = _aggregate(provider, cell_values, places)
    return _write(provider.key, granularity, start, totals, {}, places)


def build_snapshot(provider, month, *, now_tree=None):
    """A snapshot provider's figure of today for every active unit, stored for ``month``."""
    now_tree = now_tree if now_tree is not None else tree_now()
    orgs = list(Organisation.objects.filter(is_active=True).order_by("tree_id", "lft"))
    try:
        values = provider.compute(orgs) or {}
    except Exception:  # one broken module must not stop the others' figures
        log.exception("statistics provider %s failed", provider.key)
        return 0
    totals = {
        org_id: {"value": value}
        for org_id, value in values.items()
        if value is not None and org_id in now_tree
    }
    return _write(provider.key, Granularity.MONTH, month, totals, {}, now_tree)


def _quarter(month):
    return month.replace(month=(month.month - 1) // 3 * 3 + 1)


def _providers(keys=None):
    """The providers to store: a module that gives the roll-up shape supersedes its own snapshot
    figures (``meetings`` over ``meetings.held_rate``...)."""
    providers = registry.ordered_statistics()
    rolling = {p.key for p in providers if p.rolls_up}
    providers = [p for p in providers if p.rolls_up or p.key.partition(".")[0] not in rolling]
    if keys:
        providers = [p for p in providers if p.key in keys]
    return providers


def _mark(note=""):
    RefreshState.objects.update_or_create(
        key=STATE_KEY, defaults={"at": timezone.now(), "note": note[:255]}
    )


def rebuild(start, end, *, providers=None, progress=None, snapshots=True):
    """Recompute every month from ``start`` to ``end`` (both the 1st of a month, included) for
    every roll-up provider (or those keyed in ``providers``), and their quarters and years.
    Returns the number of rows written. ``progress(done, total)`` is told after each step."""
    started = timezone.now()
    now_tree = tree_now()
    current = month_start(timezone.localdate())
    months = []
    month = month_start(start)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    chosen = _providers(providers)
    rolling = [p for p in chosen if p.rolls_up]
    steps = len(rolling) * len(months) + len(chosen)
    done = written = 0
    for provider in rolling:
        for month in months:
            written += build_month(provider, month, now_tree=now_tree, current=current)
            done += 1
            if progress:
                progress(done, steps)
        if provider.period_rows is not None:
            for granularity, first in _periods_of(months):
                written += build_period(
                    provider, granularity, first, now_tree=now_tree, current=current
                )
        written += _refresh_items(provider, None)
        done += 1
    if snapshots:
        for provider in chosen:
            if not provider.rolls_up:
                written += build_snapshot(provider, current, now_tree=now_tree)
                done += 1
    if progress:
        progress(steps, steps)
    # What happened while rebuilding is picked up by the next incremental refresh.
    RefreshState.objects.update_or_create(
        key=STATE_KEY, defaults={"at": started, "note": f"rebuild {len(months)} months"}
    )
    return written


def _refresh_items(provider, since):
    """A provider's per-item figures (the reading of each document), stored by the provider
    itself (``StatisticsProvider.refresh_items``): every item (``since`` None) or those whose
    events since ``since`` may have changed."""
    if provider.refresh_items is None:
        return 0
    return provider.refresh_items(since, exclude=excluded_groups(provider)) or 0


def _periods_of(months):
    seen = []
    for month in months:
        for granularity, first in (
            (Granularity.QUARTER, _quarter(month)),
            (Granularity.YEAR, month.replace(month=1)),
        ):
            if (granularity, first) not in seen:
                seen.append((granularity, first))
    return seen


def refresh_snapshots(*, providers=None):
    """Store today's figure of every snapshot provider (``compute(orgs)``) for the current month.
    Kept apart from :func:`refresh`: such a provider may cost a few queries per unit (thousands
    at province scale), so it runs once a night in its own job (``refresh_reports
    --snapshots``), not in the frequent incremental refresh."""
    now_tree = tree_now()
    current = month_start(timezone.localdate())
    return {
        provider.key: build_snapshot(provider, current, now_tree=now_tree)
        for provider in _providers(providers)
        if not provider.rolls_up
    }


def refresh(since=None, *, providers=None, snapshots=False):
    """The incremental refresh of the roll-up providers: what changed since ``since`` (default:
    the last refresh, or the start of today); with ``snapshots``, the snapshot providers too
    (:func:`refresh_snapshots`). Returns {provider key: rows written}."""
    started = timezone.now()
    if since is None:
        state = RefreshState.objects.filter(key=STATE_KEY).first()
        since = (
            state.at
            if state
            else timezone.make_aware(
                timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time())
            )
        )
    # a little overlap: a transaction that started before the last refresh and ended after it
    since = since - timedelta(minutes=5)
    now_tree = tree_now()
    current = month_start(timezone.localdate())
    oldest = month_start(timezone.localdate(since))
    written = {}
    for provider in _providers(providers):
        if not provider.rolls_up:
            if snapshots:
                written[provider.key] = build_snapshot(provider, current, now_tree=now_tree)
            continue
        plan = defaultdict(set)  # month → cells (None inside: every cell)
        if provider.touched is not None:
            for cell, month in provider.touched(since):
                plan[month_start(month)].add(cell)
        else:
            month = oldest
            while month <= current:
                plan[month].add(None)
                month = add_months(month, 1)
        plan.setdefault(current, set())  # the current month always follows today's tree
        n = 0
        for month, cells in sorted(plan.items()):
            if month > current:
                continue
            stored = Rollup.objects.filter(
                provider=provider.key, granularity=Granularity.MONTH, period=month
            ).exists()
            cells = None if (None in cells or not stored) else cells
            n += build_month(provider, month, now_tree=now_tree, cells=cells, current=current)
        if provider.period_rows is not None:
            for granularity, first in _periods_of(sorted(m for m in plan if m <= current)):
                n += build_period(provider, granularity, first, now_tree=now_tree, current=current)
        n += _refresh_items(provider, since)
        written[provider.key] = n
    RefreshState.objects.update_or_create(
        key=STATE_KEY, defaults={"at": started, "note": "refresh"}
    )
    return written


def last_refresh():
    return RefreshState.objects.filter(key=STATE_KEY).values_list("at", flat=True).first()
