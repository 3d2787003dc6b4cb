"""The demo's points (``seed_demo``, every scale): a year of events for every active member, so
that boards and "Điểm của tôi" mean something.

- documents read: replayed from what the demo holds (each rule's ``history``: the first open of
  each document, with its title), so those lines name real documents;
- meetings attended and the study events (sessions, reading a resolution to the end, completing
  it, passing its quiz): synthetic, with the same rule keys and a title saying what they were
  ("Sinh hoạt chi bộ tháng 3/2026"), since this plugin may not create other modules' objects;
- every event under its rule as it stands in the province, within the caps (one event per rule,
  member and day; one per item).

Deterministic for a seed (``random.Random`` of its own); the dates run from 1 January to
yesterday. On PostgreSQL the lines go in with COPY into the emptied table with its foreign keys
and plain indexes set aside (rebuilt after, one sort each): 110,000 members' year in well under
a minute. Then the boards of every province are refreshed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.db import connection, transaction
from django.utils import timezone

from sotay_plugins.members.models import Member, MemberStatus
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.registry import registry

from . import boards, rules
from .models import PointLine, PointSettings

#: Synthetic resolutions studied in the year: (month studied, title).
RESOLUTIONS = (
    (2, "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng"),
    (5, "Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo"),
    (9, "Nghị quyết số 66-NQ/TW về đổi mới công tác xây dựng và thi hành pháp luật"),
)
#: How likely a member is to do each thing (a member's own "zeal" scales these).
P_MEETING, P_SESSION, P_READ, P_COMPLETE, P_QUIZ = 0.85, 0.75, 0.7, 0.8, 0.85
COLUMNS = (
    "rule",
    "member_id",
    "cell_id",
    "issuer_org_id",
    "points",
    "rule_points",
    "source",
    "item",
    "title",
    "at",
    "day",
    "reason",
    "recorded_at",
)


_AWARE = {}


def _at(day, rng, start_hour=7, end_hour=21):
    """An aware moment of ``day`` (the conversions are kept: millions of rows share few)."""
    key = (day, rng.randrange(start_hour, end_hour), rng.randrange(60))
    found = _AWARE.get(key)
    if found is None:
        found = _AWARE[key] = timezone.make_aware(datetime.combine(day, dtime(key[1], key[2])))
    return found


def _events(members, rule_points, today, rng) -> Iterator[tuple]:
    """(rule, member_id, cell_id, points, source, item, title, at, day) of the synthetic
    events."""
    year_start = date(today.year, 1, 1)
    last = today - timedelta(days=1)
    if last < year_start:
        return
    attended = rule_points.get("meetings.attended")
    for member_id, cell_id in members:
        zeal = 0.55 + 0.5 * rng.random()
        for month in range(1, last.month + 1):
            day = date(today.year, month, 3)  # Thái Bình's cells meet on the 3rd of each month
            if attended and day <= last and rng.random() < P_MEETING * zeal:
                yield (
                    "meetings.attended",
                    member_id,
                    cell_id,
                    attended,
                    f"meetings.meeting:demo-{cell_id}-{month}",
                    f"meetings.meeting:demo-{cell_id}-{month}",
                    f"Sinh hoạt chi bộ tháng {month}/{today.year}",
                    _at(day, rng, 7, 11),
                    day,
                )
        for n, (month, title) in enumerate(RESOLUTIONS, start=1):
            if month > last.month:
                continue
            day = date(today.year, month, min(10 + rng.randrange(15), 28))
            if day > last:
                continue
            resolution = f"study.resolution:demo-{n}"
            steps = []
            if rng.random() < P_SESSION * zeal:
                steps.append(("study.session_attended", f"study.session:demo-{n}-{cell_id}", 0))
            if rng.random() < P_READ * zeal:
                steps.append(("study.read", resolution, 1))
                if rng.random() < P_QUIZ * zeal:
                    steps.append(("study.quiz_passed", f"study.quiz:demo-{n}", 2))
                    if rng.random() < P_COMPLETE:
                        steps.append(("study.completed", resolution, 2))
            for rule, source, offset in steps:
                points = rule_points.get(rule)
                on = min(day + timedelta(days=offset), last)
                if points:
                    at = _at(on, rng)
                    yield (rule, member_id, cell_id, points, source, source, title, at, on)


def _history_events(cells, rule_points, since):
    """Events the demo holds already (documents read), through each rule's ``history``."""
    for rule in registry.ordered_point_rules():
        points = rule_points.get(rule.key)
        if rule.history is None or not points or rule.key == "meetings.attended":
            continue
        found = list(rule.history(since))
        titles = {}
        if rule.titles is not None and found:
            pks = sorted({source.rsplit(":", 1)[1] for _m, source, _a in found})
            for start in range(0, len(pks), 5000):
                titles.update(
                    {str(k): v for k, v in rule.titles(pks[start : start + 5000]).items()}
                )
        per_day = {}
        for member_id, source, at in sorted(found, key=lambda row: (row[0], row[2], row[1])):
            cell_id = cells.get(member_id)
            if cell_id is None:
                continue
            day = timezone.localdate(at)
            given = per_day.get((member_id, day), 0)
            cap = rule.cap_per_day
            granted = points if cap is None else min(points, cap - given)
            if granted <= 0:
                continue
            per_day[(member_id, day)] = given + granted
            title = titles.get(source.rsplit(":", 1)[1], "")
            yield (rule.key, member_id, cell_id, granted, source, source, title, at, day)


def _rows(events, rule_points, now):
    for rule, member_id, cell_id, points, source, item, title, at, day in events:
        yield (
            rule,
            member_id,
            cell_id,
            cell_id,
            points,
            rule_points.get(rule, points),
            source,
            item,
            title,
            at,
            day,
            "",
            now,
        )


@contextmanager
def _set_aside_keys():
    """PostgreSQL: drop the ledger's foreign keys and plain indexes while it is loaded, then
    rebuild them (one sort, one validating join each) with their exact definitions."""
    table = PointLine._meta.db_table
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}"
            )
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} "
                f"{definition}"
            )
        cursor.execute(f"ANALYZE {quoted}")


def _copy(rows):
    table = connection.ops.quote_name(PointLine._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    written = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
    return written


def _bulk(rows):
    batch, written = [], 0
    for row in rows:
        batch.append(PointLine(**dict(zip(COLUMNS, row, strict=True))))
        if len(batch) == 5000:
            PointLine.objects.bulk_create(batch)
            written, batch = written + len(batch), []
    PointLine.objects.bulk_create(batch)
    return written + len(batch)


def seed(*, scale, seed, stdout=None):
    started = time.monotonic()
    if PointLine.objects.exists():
        if stdout:
            stdout.write("points: the ledger has lines already, left as it is")
        return
    rng = random.Random(f"points:{seed}")  # noqa: S311 (demo data, not secrets)
    today = timezone.localdate()
    now = timezone.now()
    written, rows_on_boards = 0, 0
    for province in boards.provinces():
        PointSettings.objects.get_or_create(province=province, defaults={"yearly_target": 100})
        rule_points = {r.key: r.points for r in rules.in_effect(province.pk) if r.active}
        members = list(
            Member.objects.filter(
                status=MemberStatus.ACTIVE,
                cell__in=Organisation.objects.filter(tree_id=province.tree_id).values("pk"),
            )
            .order_by("pk")
            .values_list("pk", "cell_id")
        )
        cells = dict(members)
        events = _events(members, rule_points, today, rng)
        # Read before the COPY starts: no other query may run on the connection during it.
        history = list(
            _history_events(
                cells,
                rule_points,
                timezone.make_aware(datetime.combine(date(today.year, 1, 1), dtime.min)),
            )
        )
        with transaction.atomic():
            rows = _rows((e for source in (history, events) for e in source), rule_points, now)
            if connection.vendor == "postgresql":
                with _set_aside_keys():
                    written += _copy(rows)
            else:
                written += _bulk(rows)
        rows_on_boards += boards.refresh(province.pk)
    if stdout:
        stdout.write(
            f"points: {written} ledger lines, {rows_on_boards} board rows "
            f"({time.monotonic() - started:.0f} s)"
        )
