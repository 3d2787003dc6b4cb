"""Background jobs through an outbox (DESIGN.md: "jobs whose loss matters go through an outbox").

    job = jobs.enqueue("sotay_plugins.members.importer.run_import", batch_id=7, user=request.user)

``enqueue`` writes an OutboxJob row inside the caller's transaction; after commit the row is
handed to RQ (REDIS_URL set) or run in-process (the embedded default, and tests). If Redis is
unreachable the row stays pending and ``sweep()`` (``manage.py sweep_outbox``, also run by the
RQ scheduler) delivers it later. A job function takes the OutboxJob as ``job`` plus its kwargs,
may call ``job_progress(job, done, total)``, and must be idempotent.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutboxJob

log = logging.getLogger(__name__)
RETRY_INTERVALS = [10, 60, 300]


def enqueue(func, *, user=None, dedupe_key=None, **kwargs):
    job = OutboxJob.objects.create(func=func, kwargs=kwargs, dedupe_key=dedupe_key, created_by=user)
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def dispatch(job_id):
    """Hand one pending job to its runner. Returns True when it was delivered."""
    if settings.SOTAY_JOBS_INLINE:
        run(job_id)
        return True
    try:
        import django_rq
        from rq import Retry

        queue = django_rq.get_queue("default")
        queue.enqueue(
            run,
            job_id,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
            job_id=f"outbox-{job_id}",
        )
    except Exception:  # Redis down: the sweeper will deliver it.
        log.warning("outbox job %s not queued; left for the sweeper", job_id, exc_info=True)
        return False
    OutboxJob.objects.filter(pk=job_id, state=OutboxJob.State.PENDING).update(
        state=OutboxJob.State.QUEUED, queued_at=timezone.now()
    )
    return True


def run(job_id):
    """Run one outbox job (in an RQ worker, or in-process). Safe to call twice."""
    updated = OutboxJob.objects.filter(
        pk=job_id,
        state__in=[OutboxJob.State.PENDING, OutboxJob.State.QUEUED, OutboxJob.State.FAILED],
    ).update(state=OutboxJob.State.RUNNING, attempts=F("attempts") + 1)
    if not updated:
        return None
    job = OutboxJob.objects.get(pk=job_id)
    try:
        result = import_string(job.func)(job=job, **job.kwargs)
    except Exception as exc:
        OutboxJob.objects.filter(pk=job_id).update(
            state=OutboxJob.State.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    OutboxJob.objects.filter(pk=job_id).update(
        state=OutboxJob.State.DONE, result=result or {}, error="", finished_at=timezone.now()
    )
    return result


def job_progress(job, done, total=None):
    """Record progress so the admin's progress bar can show it (one UPDATE)."""
    fields = {"progress": done}
    if total is not None:
        fields["total"] = total
    OutboxJob.objects.filter(pk=job.pk).update(**fields)


def sweep(older_than_seconds=30):
    """Deliver pending jobs that were never handed over (Redis was down at commit time)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    delivered = 0
    for job_id in OutboxJob.objects.filter(
        state=OutboxJob.State.PENDING, created_at__lt=cutoff
    ).values_list("pk", flat=True)[:1000]:
        delivered += bool(dispatch(job_id))
    return delivered
