"""Counting reads once per person, item and day, in one statement (read receipts).

A receipt model has a unique constraint over its key columns (e.g. material, member, day), the
timestamps ``first_at`` and ``last_at``, and one or more integer counters. ``count_daily``
records one event as ``INSERT ... ON CONFLICT (key) DO UPDATE SET counter = counter + 1``:
concurrent events neither collide nor get lost, and a retry adds a count, never a row.
Meetings' material opens and the library's read receipts both use it.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone


def count_daily(model, *, keys: dict, at=None, counters=("count",), day_field="day"):
    """Count one event for ``keys`` (column → value, without the day) on ``at``'s local day.

    ``counters``: the integer columns to add one to (the others start at 0). One query on
    PostgreSQL and SQLite; elsewhere an UPDATE, then an INSERT that may lose a race to another
    INSERT and is retried as an UPDATE.
    """
    at = at or timezone.now()
    day = timezone.localdate(at)
    fields = {f.name: f for f in model._meta.concrete_fields}
    all_counters = [name for name in fields if name in getattr(model, "RECEIPT_COUNTERS", counters)]
    key_columns = {fields[name].column: value for name, value in keys.items()}
    if connection.vendor in ("postgresql", "sqlite"):
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        stamp = connection.ops.adapt_datetimefield_value(at)
        columns = [
            *key_columns,
            fields[day_field].column,
            "first_at",
            "last_at",
            *(fields[c].column for c in all_counters),
        ]
        values = [
            *key_columns.values(),
            connection.ops.adapt_datefield_value(day),
            stamp,
            stamp,
            *(1 if c in counters else 0 for c in all_counters),
        ]
        conflict = ", ".join(quote(c) for c in [*key_columns, fields[day_field].column])
        updates = ", ".join(
            [
                "last_at = EXCLUDED.last_at",
                *(
                    f"{quote(fields[c].column)} = {table}.{quote(fields[c].column)} + 1"
                    for c in counters
                ),
            ]
        )
        sql = (
            f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 (names from _meta)
            f"VALUES ({', '.join(['%s'] * len(values))}) ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
        return
    lookup = {**keys, day_field: day}
    bump = {c: F(c) + 1 for c in counters}
    if model.objects.filter(**lookup).update(last_at=at, **bump):
        return
    try:
        with transaction.atomic():
            model.objects.create(**lookup, first_at=at, last_at=at, **{c: 1 for c in counters})
    except IntegrityError:
        model.objects.filter(**lookup).update(last_at=at, **bump)
