"""Import batches: the record of one uploaded file, from the dry run to the result.

An ImportBatch keeps the file (private storage: it holds CCCDs) while it waits to be imported,
who uploaded it, the counts and the errors. Its state moves checked → running → done or failed;
once finished only the report is kept (the file is deleted after the commit). Every finished
batch writes one Wagtail log entry (action ``sotay_members.import``, with the counts), not one
per member: a district's 10,000 rows would flood the history.
"""

from __future__ import annotations

import os

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from sotay_plugins import jobs

from ..models import ImportBatch
from .access import authorise, fresh
from .validation import check

MAX_STORED_ERROR_ROWS = 2000
JOB_FUNC = "sotay_plugins.members.importing.job.run_import"
#: How long the progress of a running import is kept in the cache (it is refreshed per chunk).
PROGRESS_SECONDS = 3600


def start_batch(*, user, org, uploaded_file):
    """Upload + dry run: check the file and keep it with its report. Raises ImportFileError
    (nothing kept) when the file cannot be used; row errors are kept in the batch's report."""
    org = fresh(org)
    authorise(user, org)
    report = check(uploaded_file, org, user)
    name = os.path.basename(getattr(uploaded_file, "name", "") or "danh-sach.xlsx")[:255]
    batch = ImportBatch(
        org=org,
        original_name=name,
        created_by=user,
        state=ImportBatch.State.CHECKED,
        total_rows=report.total_rows,
        error_rows=report.error_rows,
        errors=report.errors[:MAX_STORED_ERROR_ROWS],
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
    )
    uploaded_file.seek(0)
    batch.file.save("nhap-dang-vien.xlsx", File(uploaded_file), save=False)
    batch.save()
    return batch


def confirm_batch(batch, user):
    """Start the import job of a checked batch without errors; a second click does nothing."""
    authorise(user, fresh(batch.org))
    if batch.error_rows or not batch.total_rows:
        raise ValidationError(_("Tệp còn lỗi hoặc không có dòng nào; không thể nhập."))
    with transaction.atomic():
        started = ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.CHECKED).update(
            state=ImportBatch.State.RUNNING
        )
        if not started:
            return None
        job = jobs.enqueue(
            JOB_FUNC, user=user, dedupe_key=f"members.import:{batch.pk}", batch_id=batch.pk
        )
        ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    batch.refresh_from_db()
    return job


def finish_batch(batch, report, user):
    """Write the outcome: counts, errors, done or failed, and the audit entry. Called inside the
    import's transaction when it succeeds (so the entry exists only if the rows do), after the
    rollback when a row failed at apply time. The file goes once this is committed."""
    batch.total_rows = report.total_rows
    batch.error_rows = report.error_rows
    batch.errors = report.errors[:MAX_STORED_ERROR_ROWS]
    batch.created, batch.updated, batch.unchanged = report.created, report.updated, report.unchanged
    batch.state = ImportBatch.State.FAILED if report.errors else ImportBatch.State.DONE
    batch.notes = report.notes
    batch.save(
        update_fields=[
            "total_rows",
            "error_rows",
            "errors",
            "created",
            "updated",
            "unchanged",
            "state",
            "notes",
        ]
    )
    transaction.on_commit(lambda: discard_file(batch))
    cache.delete(_progress_key(batch.pk))
    log(
        batch,
        "sotay_members.import",
        user=user,
        data={
            "org": batch.org_id,
            "file": batch.original_name,
            "rows": report.total_rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "error_rows": report.error_rows,
        },
    )


def fail_batch(batch, messages):
    """Mark the batch failed with ``messages`` (Vietnamese) as its report; nothing was imported.
    The file is kept: the job's retry imports it."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.FAILED,
        errors=[{"row": 0, "errors": [str(m) for m in messages]}],
        error_rows=batch.error_rows or 0,
        created=0,
        updated=0,
        unchanged=0,
    )
    cache.delete(_progress_key(batch.pk))


def discard_file(batch):
    """The spreadsheet holds CCCDs: once its batch is finished, only the report is kept."""
    if batch.file:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")


def purge_stale_files(older_than):
    """Drop the files of batches checked but never imported (``manage.py purge_imports``)."""
    stale = (
        ImportBatch.objects.filter(created_at__lt=older_than)
        .exclude(state=ImportBatch.State.RUNNING)
        .exclude(file="")
    )
    count = 0
    for batch in stale:
        discard_file(batch)
        count += 1
    return count


# --- progress ------------------------------------------------------------------------------
# The writes run in one transaction: the job row's progress (jobs.job_progress) written inside
# it stays invisible to the progress page until the commit. The cache is outside it.


def _progress_key(batch_id):
    return f"members:import:progress:{batch_id}"


def record_progress(batch, job, done, total):
    """The job's progress, where the progress page can read it while the transaction runs."""
    if job is not None:
        jobs.job_progress(job, done, total)
    cache.set(_progress_key(batch.pk), (done, total), PROGRESS_SECONDS)


def progress_of(batch):
    """(done, total) of a batch's import: the cache's figure while it runs, else the job's."""
    job = batch.job
    done, total = (job.progress, job.total) if job else (0, 0)
    if batch.state == ImportBatch.State.RUNNING:
        cached = cache.get(_progress_key(batch.pk))
        if cached and cached[0] >= done:
            done, total = cached
    return done, total
