"""The roll-ups' background jobs (``sotay_plugins.jobs``: through the outbox, idempotent)."""

from datetime import date

from django.db import IntegrityError, transaction

from sotay_plugins import jobs

from . import engine

REFRESH = "sotay_plugins.reports.rollups.jobs.refresh"
REBUILD = "sotay_plugins.reports.rollups.jobs.rebuild"


def refresh(job=None, *, snapshots=False, **kwargs):
    """The incremental refresh: what changed since the last one (idempotent: it recomputes);
    ``snapshots``: the snapshot providers' figures of today instead (the nightly job)."""
    if snapshots:
        return engine.refresh_snapshots()
    return engine.refresh()


def rebuild(job=None, *, start, end, **kwargs):
    def progress(done, total):
        if job is not None:
            jobs.job_progress(job, done, total)

    return engine.rebuild(date.fromisoformat(start), date.fromisoformat(end), progress=progress)


def enqueue_refresh(user=None, *, snapshots=False):
    """Queue an incremental refresh (or, with ``snapshots``, the snapshot providers' nightly
    pass); None when one is already waiting (the outbox keeps one pending job per key)."""
    key = "reports.snapshots" if snapshots else "reports.refresh"
    try:
        with transaction.atomic():
            return jobs.enqueue(REFRESH, user=user, dedupe_key=key, snapshots=snapshots)
    except IntegrityError:
        return None


def enqueue_rebuild(start, end, user=None):
    return jobs.enqueue(
        REBUILD,
        user=user,
        dedupe_key=f"reports.rebuild:{start:%Y-%m}:{end:%Y-%m}",
        start=start.isoformat(),
        end=end.isoformat(),
    )
