"""Applying a checked file: all or nothing, in one transaction.

:func:`run` checks the whole file again and, only if no row has an error, upserts by CCCD in
chunks of ``validation.CHUNK`` rows, all inside **one database transaction**: one query per
chunk reads the existing members of the chunk, new members and their accounts are
``bulk_create``-d (inactive, unusable password: they activate with a code from their cell),
changed ones are written in bulk (only the changed fields), and members whose positions include
(deputy) cell secretary get the ``cell_secretary`` role at their cell
(``services.sync_secretary_roles``; a right it withholds becomes a note of the report). The batch's
counts and its audit entry are written in the same transaction.

If anything fails half-way (the database refuses a row, a row changed since the check, the
worker dies) the transaction is rolled back: members, accounts, role assignments and the audit
log are exactly as before, the batch says in Vietnamese that no row was imported, and running
the import again starts from the beginning. Re-importing the same file changes nothing (all
rows "unchanged"). A file holds at most ``reading.MAX_ROWS`` rows; 10,000 rows into a province
of 110,000 members take a few seconds (bench/bench_import.py), short enough for one transaction.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sotay_plugins import pagecache
from sotay_plugins.orgtree import scope

from .. import services
from ..models import Member
from ..services import SECRETARY_POSITIONS
from .access import authorise, fresh
from .batches import fail_batch, finish_batch
from .validation import CREATE, UPDATE, Context, Report, chunks, plan_chunk, validate

User = get_user_model()

#: bulk_update sends CASE WHEN id=… per field: its cost grows with the square of the batch.
BULK_UPDATE_BATCH = 100

#: The batch's report when the writes failed: nothing was kept.
NOTHING_WRITTEN = gettext_noop(
    "Lỗi hệ thống khi nhập; không dòng nào được ghi, dữ liệu vẫn như trước khi nhập. "
    "Hệ thống sẽ thử lại; nhập lại cùng tệp không tạo bản ghi trùng."
)


class _RecordNumbers:
    """Issues party-record numbers for new members: the next serial after the highest stored
    one with the same prefix (one query per prefix length), skipping numbers the file uses."""

    def __init__(self, prefixes, file_numbers):
        self.next = {}
        for length, group in groupby(sorted(prefixes, key=len), key=len):
            group = list(group)
            rows = (
                Member.objects.annotate(p=Left("party_record_no", length))
                .filter(p__in=group)
                .values("p")
                .annotate(m=Max("party_record_no"))
                .values_list("p", "m")
            )
            for prefix, highest in rows:
                self.next[prefix] = _serial(highest) + 1
        for number in file_numbers:
            for prefix in prefixes:
                if number.startswith(prefix):
                    self.next[prefix] = max(self.next.get(prefix, 1), _serial(number) + 1)

    def take(self, prefix):
        serial = self.next.get(prefix, 1)
        self.next[prefix] = serial + 1
        return f"{prefix}{serial:06d}"


def _serial(number):
    tail = number.rsplit(".", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _assign_record_numbers(plans, ctx, numbers):
    pending = [p for p in plans if p.action == CREATE and not p.member.party_record_no]
    while pending:
        for plan in pending:
            plan.member.party_record_no = numbers.take(ctx.record_prefix(plan.member.cell))
        taken = set(
            Member.objects.filter(
                party_record_no__in=[p.member.party_record_no for p in pending]
            ).values_list("party_record_no", flat=True)
        )
        pending = [p for p in pending if p.member.party_record_no in taken]


def write_chunk(rows, ctx, numbers, report):
    """Write one chunk of checked rows (create, update, secretaries' roles); counts into
    ``report``. Raises _Changed if a row no longer passes (the database changed since)."""
    with transaction.atomic():
        plans = plan_chunk(rows, ctx)
        failed = [row for row in rows if row.errors]
        if failed:
            raise _Changed(failed)
        creates = [p for p in plans if p.action == CREATE]
        updates = [p for p in plans if p.action == UPDATE]
        _assign_record_numbers(creates, ctx, numbers)
        if creates:
            users = User.objects.bulk_create(
                [
                    User(username=p.member.cccd, is_active=False, password=make_password(None))
                    for p in creates
                ]
            )
            for user, plan in zip(users, creates, strict=True):
                plan.member.user = user
            Member.objects.bulk_create([p.member for p in creates])
        now = timezone.now()
        for changed, group in groupby(
            sorted(updates, key=lambda p: p.changed), key=lambda p: p.changed
        ):
            members = [p.member for p in group]
            for member in members:
                member.updated_at = now
            _bulk_update(members, [*changed, "updated_at"])
            pagecache.touch_users(
                *(member.user_id for member in members)
            )  # bulk writes send no signal
        withheld = services.sync_secretary_roles(
            [p.member for p in creates if SECRETARY_POSITIONS & set(p.member.positions or ())]
            + [p.member for p in updates if "positions" in p.changed],
            ctx.user,
        )
    if withheld:
        report.notes.append(services.withheld_notice(withheld))
    report.created += len(creates)
    report.updated += len(updates)
    report.unchanged += len(plans) - len(creates) - len(updates)


def _bulk_update(members, names):
    """Write ``names`` of ``members``. On PostgreSQL one ``UPDATE … FROM (VALUES …)`` per 1,000
    rows (Django's bulk_update builds a CASE per field whose cost grows with the square of the
    batch: 10,000 changed rows took 11 s that way); elsewhere Django's bulk_update."""
    if connection.vendor != "postgresql":
        Member.objects.bulk_update(members, names, batch_size=BULK_UPDATE_BATCH)
        return
    qn = connection.ops.quote_name
    fields = [Member._meta.pk] + [Member._meta.get_field(name) for name in names]
    row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    columns = ", ".join(qn(f.column) for f in fields)
    assignments = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in fields[1:])
    table, pk = qn(Member._meta.db_table), qn(Member._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(members), 1000):
            batch = members[start : start + 1000]
            params = [
                f.get_db_prep_save(getattr(m, f.attname), connection) for m in batch for f in fields
            ]
            cursor.execute(
                # S608: the identifiers come from the model, the values are bound
                f"UPDATE {table} AS m SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([row] * len(batch))}) "
                f"AS v({columns}) WHERE m.{pk} = v.{pk}",
                params,
            )


class _Changed(Exception):
    def __init__(self, rows):
        self.rows = rows


def run(source, org, *, user=None, dry_run=False, batch=None, make_batch=None, progress=None):
    """Check ``source`` and, unless ``dry_run`` or a row has an error, import it, all or nothing.

    ``batch``: the ImportBatch being applied (its outcome is written); ``make_batch``: a
    callable that creates it once the file is known to be good (the shell). ``progress(done,
    total)`` is called after every chunk: the check counts the first half, the writes the second.
    Raises ImportFileError when the file or the unit cannot be used; any other failure of the
    writes is raised after the rollback, with the batch marked failed (nothing written).
    """
    org = fresh(org)
    authorise(user, org)
    ctx = Context(org, user)

    def checking(done, total):
        if progress:
            progress(done, total if dry_run else 2 * total)

    rows, report = validate(source, ctx, checking)
    if dry_run:
        return report
    if not report.ok:
        if batch is not None:  # a row error turned up at apply time: nothing is written
            report.created = report.updated = report.unchanged = 0
            finish_batch(batch, report, user)
        return report
    if batch is None and make_batch is not None:
        batch = make_batch(report)
    try:
        with transaction.atomic():
            applied = _write(rows, ctx, progress)
            applied.applied = True
            if batch is not None:
                finish_batch(batch, applied, user)
    except _Changed as exc:  # the database changed since the check (someone else's edit)
        failed = Report(total_rows=report.total_rows)
        failed.errors = [{"row": row.number, "errors": row.errors} for row in exc.rows]
        failed.errors.append(
            {
                "row": 0,
                "errors": [
                    _(
                        "Dữ liệu đã thay đổi trong lúc nhập; không dòng nào được ghi. "
                        "Xin kiểm tra và nhập lại tệp."
                    )
                ],
            }
        )
        if batch is not None:
            finish_batch(batch, failed, user)
        return failed
    except Exception:
        if batch is not None:
            fail_batch(batch, [_(NOTHING_WRITTEN)])
        raise
    return applied


def _write(rows, ctx, progress):
    """Every chunk's writes; the caller holds the transaction. Raises _Changed."""
    total = len(rows)
    numbers = _RecordNumbers(
        {ctx.record_prefix(row.values["cell"]) for row in rows},
        [row.values["party_record_no"] for row in rows if row.values.get("party_record_no")],
    )
    applied = Report(total_rows=total)
    done = 0
    for chunk in chunks(rows):
        write_chunk(chunk, ctx, numbers, applied)
        done += len(chunk)
        if progress:
            progress(total + done, 2 * total)
    # Other processes must re-read rights once these roles are visible: now, and at the commit.
    transaction.on_commit(scope.grants_changed)
    return applied
