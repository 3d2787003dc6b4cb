"""Counting reads once per member, item and day, in one statement (read receipts).

``Receipt`` is the abstract model of every such count: the library's read receipts
(``editorial.ReadReceipt``: opens and downloads of a page) and meetings' material opens
(``meetings.MaterialOpen``). A concrete receipt adds its target (a foreign key named by
``RECEIPT_TARGET``), its integer counters (``RECEIPT_COUNTERS``) and a unique constraint over
(target, member, day). ``Model.count_daily(target, member)`` records one event as
``INSERT ... ON CONFLICT (target, member, day) DO UPDATE SET counter = counter + 1``:
concurrent events neither collide nor get lost, and a retry adds a count, never a row.

The core knows the member model only by its label (a lazy reference, never an import).
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone


class Receipt(models.Model):
    """One row per member, target and day, with the first and last time and the counts."""

    #: the foreign key to what was read (``"page"``, ``"material"``)
    RECEIPT_TARGET = ""
    #: the integer counters; ``count_daily`` adds one to those it is told, the others start at 0
    RECEIPT_COUNTERS = ("count",)

    #: The member model is named by a setting (as Django's AUTH_USER_MODEL), so that the core
    #: names no plugin.
    member = models.ForeignKey(
        settings.SOTAY_MEMBER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        abstract = True

    @classmethod
    def count_daily(cls, target, member, *, at=None, counters=None):
        """Count one event on ``target`` by ``member`` (instances or ids) on ``at``'s local day
        (default: now). ``counters``: the counters to add one to (default: the first one).

        One query on PostgreSQL and SQLite; elsewhere an UPDATE, then an INSERT that may lose a
        race to another INSERT and is retried as an UPDATE.
        """
        at = at or timezone.now()
        day = timezone.localdate(at)
        counters = tuple(counters or cls.RECEIPT_COUNTERS[:1])
        unknown = set(counters) - set(cls.RECEIPT_COUNTERS)
        if unknown:
            raise ValueError(f"{cls.__name__} has no counter {', '.join(sorted(unknown))}")
        keys = {
            cls.RECEIPT_TARGET: getattr(target, "pk", target),
            "member": getattr(member, "pk", member),
        }
        if connection.vendor in ("postgresql", "sqlite"):
            cls._upsert(keys, day, at, counters)
            return
        lookup = {**keys, "day": day}
        bump = {c: F(c) + 1 for c in counters}
        if cls.objects.filter(**lookup).update(last_at=at, **bump):
            return
        try:
            with transaction.atomic():
                cls.objects.create(**lookup, first_at=at, last_at=at, **{c: 1 for c in counters})
        except IntegrityError:
            cls.objects.filter(**lookup).update(last_at=at, **bump)

    @classmethod
    def _upsert(cls, keys, day, at, counters):
        fields = {f.name: f for f in cls._meta.concrete_fields}
        quote = connection.ops.quote_name
        table = quote(cls._meta.db_table)
        stamp = connection.ops.adapt_datetimefield_value(at)
        key_columns = [fields[name].column for name in keys]
        conflict = [*key_columns, fields["day"].column]
        counter_columns = [fields[c].column for c in cls.RECEIPT_COUNTERS]
        columns = [*conflict, fields["first_at"].column, fields["last_at"].column, *counter_columns]
        values = [
            *keys.values(),
            connection.ops.adapt_datefield_value(day),
            stamp,
            stamp,
            *(1 if c in counters else 0 for c in cls.RECEIPT_COUNTERS),
        ]
        last_at = quote(fields["last_at"].column)
        updates = [f"{last_at} = EXCLUDED.{last_at}"]
        updates += [
            f"{quote(fields[c].column)} = {table}.{quote(fields[c].column)} + 1" for c in counters
        ]
        sql = (
            f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 (names from _meta)
            f"VALUES ({', '.join(['%s'] * len(values))}) "
            f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) "
            f"DO UPDATE SET {', '.join(updates)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
