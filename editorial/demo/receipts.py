"""Read receipts of the demo over the last days: recent and provincial items read more.
On PostgreSQL one ``INSERT … SELECT … generate_series``; elsewhere rows from Python."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as dtime

from django.conf import settings
from django.db import connection
from django.utils import timezone
from wagtail.models import Page

from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.models import Organisation

from ..models import DocumentFile, DocumentLink, DocumentPage, LibraryFile, NewsPage, ReadReceipt
from .plan import NewsSpec, _rng
from .texts import READ_WEIGHT, RECEIPT_DAYS

# --- read receipts ---------------------------------------------------------------------------


def _reads(specs, total, today):
    """Page id → how many receipts it gets: provincial and recent items more (a skew, not a
    model)."""
    weights = {}
    for spec in specs:
        if getattr(spec, "positions", None) or getattr(spec, "groups", None):
            continue  # narrow audiences: leave them unread rather than read by the wrong members
        age = max(0, (today - timezone.localtime(spec.published_at).date()).days)
        weights[spec.page_id] = (
            READ_WEIGHT[spec.level] * (0.5 if isinstance(spec, NewsSpec) else 1.0) / (1 + age / 45)
        )
    scale = total / (sum(weights.values()) or 1)
    return {page_id: int(round(w * scale)) for page_id, w in weights.items()}


def add_receipts(documents, news, total, seed):
    specs = [*documents, *news]
    reads = _reads(specs, total, timezone.localdate())
    if connection.vendor == "postgresql":
        return _receipts_sql(specs, reads, seed)
    return _receipts_python(specs, reads, seed)


def _receipts_sql(specs, reads, seed):
    """All receipts in one INSERT … SELECT: members numbered in tree order (so each audience's
    members are one range of numbers), each page draws its count of (member, day) pairs."""
    tz = settings.TIME_ZONE
    receipts, members, orgs = (
        ReadReceipt._meta.db_table,
        Member._meta.db_table,
        Organisation._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS demo_reader, demo_read, demo_range, demo_pick")
        cursor.execute(
            "CREATE TEMP TABLE demo_reader AS "  # noqa: S608
            "SELECT (row_number() OVER (ORDER BY o.tree_id, o.lft, m.id))::int AS rn, m.id AS "
            "member_id, o.tree_id, o.lft "
            f"FROM {members} m JOIN {orgs} o ON o.id = m.cell_id "
            f"WHERE m.status = 'active'"
        )
        cursor.execute(
            "CREATE UNIQUE INDEX ON demo_reader (rn); CREATE INDEX ON demo_reader (tree_id, lft, "
            "rn)"
        )
        cursor.execute(
            "CREATE TEMP TABLE demo_read (page_id int, audience_id int, k int, published "
            "timestamptz)"
        )
        rows = [
            (spec.page_id, spec.audience.pk, reads[spec.page_id], spec.published_at)
            for spec in specs
            if reads.get(spec.page_id)
        ]
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            cursor.execute(
                "INSERT INTO demo_read VALUES " + ", ".join(["(%s, %s, %s, %s)"] * len(chunk)),  # noqa: S608
                [v for row in chunk for v in row],
            )
        cursor.execute("ANALYZE demo_reader; ANALYZE demo_read")
        # each audience's members: rn from lo to hi (first and last member under it in tree order)
        cursor.execute(f"""
            CREATE TEMP TABLE demo_range AS
            SELECT a.id AS audience_id,
                   (SELECT r.rn FROM demo_reader r
                    WHERE r.tree_id = a.tree_id AND r.lft BETWEEN a.lft AND a.rght
                    ORDER BY r.tree_id, r.lft, r.rn LIMIT 1) AS lo,
                   (SELECT r.rn FROM demo_reader r
                    WHERE r.tree_id = a.tree_id AND r.lft BETWEEN a.lft AND a.rght
                    ORDER BY r.tree_id DESC, r.lft DESC, r.rn DESC LIMIT 1) AS hi
            FROM {orgs} a WHERE a.id IN (SELECT DISTINCT audience_id FROM demo_read)
        """)  # noqa: S608
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute("""
            CREATE TEMP TABLE demo_pick AS
            SELECT d.page_id, d.published, x.lo + floor(random() * (x.hi - x.lo + 1))::int AS rn,
                   random() AS r_day, random() AS r_time, random() AS r_more
            FROM demo_read d JOIN demo_range x ON x.audience_id = d.audience_id AND x.lo IS NOT NULL
            CROSS JOIN LATERAL generate_series(1, LEAST(d.k, (x.hi - x.lo + 1) * 3))
        """)
        cursor.execute("ANALYZE demo_pick")
    with _bulk_load(ReadReceipt), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {receipts} (page_id, member_id, day, first_at, last_at, opens, downloads)
            SELECT page_id, member_id, day, t, LEAST(%(now)s, t + r_more * interval '40 minutes'),
                   1 + (r_more < 0.25)::int + (r_more < 0.08)::int, (r_more > 0.7)::int
            FROM (
                SELECT s.*, LEAST(%(now)s, GREATEST(s.published,
                    ((s.day + time '06:00' + s.r_time * interval '16 hours') AT TIME ZONE %(tz)s)
                )) AS t
                FROM (
                    SELECT p.page_id, r.member_id, p.r_time, p.r_more, p.published,
                           (%(today)s::date - floor(power(p.r_day, 2) * (%(today)s::date - GREATEST(
                               (p.published AT TIME ZONE %(tz)s)::date,
                               %(today)s::date - {RECEIPT_DAYS - 1}
                           ) + 1))::int) AS day
                    FROM demo_pick p JOIN demo_reader r ON r.rn = p.rn
                ) s
            ) u
            ORDER BY page_id, member_id, day
            ON CONFLICT DO NOTHING
        """,  # noqa: S608 (table names from _meta)
            {"tz": tz, "today": timezone.localdate(), "now": timezone.now()},
        )
        count = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE demo_reader, demo_read, demo_range, demo_pick")
    return count


@contextmanager
def _bulk_load(model):
    """Load an EMPTY PostgreSQL table fast, as pg_restore does: its foreign keys and plain
    indexes are dropped, the rows go in, then the indexes are built in one sort each and the
    foreign keys re-added (one validating join each) with their exact definitions. Millions of
    rows would otherwise queue one deferred foreign-key check each until the commit. A table
    that has rows already is loaded as it is."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")  # noqa: S608
        if cursor.fetchone()[0]:
            yield
            return
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
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # run the checks queued so far: ALTER refuses to wait
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
                f"ALTER TABLE {quoted} "
                f"ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )


def _receipts_python(specs, reads, seed):
    rng = _rng(f"receipts-{seed}")
    today, now = timezone.localdate(), timezone.now()
    readers = sorted(
        Member.objects.filter(status="active").values_list("cell__tree_id", "cell__lft", "id")
    )
    rows, seen = [], set()
    for spec in specs:
        k = reads.get(spec.page_id)
        if not k:
            continue
        a = spec.audience
        pool = [m for tree, lft, m in readers if tree == a.tree_id and a.lft <= lft <= a.rght]
        if not pool:
            continue
        first_day = max(
            timezone.localtime(spec.published_at).date(), today - timedelta(days=RECEIPT_DAYS - 1)
        )
        span = (today - first_day).days + 1
        for _ in range(min(k, len(pool) * 3)):
            member = rng.choice(pool)
            day = today - timedelta(days=int(span * rng.random() ** 2))
            if (spec.page_id, member, day) in seen:
                continue
            seen.add((spec.page_id, member, day))
            at = max(
                spec.published_at,
                timezone.make_aware(datetime.combine(day, dtime(6)))
                + timedelta(seconds=rng.randint(0, 16 * 3600)),
            )
            at = min(at, now)
            more = rng.random()
            rows.append(
                ReadReceipt(
                    page_id=spec.page_id,
                    member_id=member,
                    day=day,
                    first_at=at,
                    last_at=min(now, at + timedelta(minutes=int(more * 40))),
                    opens=1 + (more < 0.25) + (more < 0.08),
                    downloads=int(more > 0.7),
                )
            )
    ReadReceipt.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def analyze():
    """Planner statistics for the tables filled in bulk (PostgreSQL; autovacuum may be off)."""
    if connection.vendor != "postgresql":
        return
    models = [Page, DocumentPage, NewsPage, LibraryFile, DocumentFile, DocumentLink, ReadReceipt]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
