"""Scheduled publishing and expiry from the job queue, not from a cron someone must remember.

Every minute ``tick`` does what Wagtail's ``publish_scheduled`` command does (the same calls:
``Revision.publish(log_action="wagtail.publish.scheduled")`` for revisions whose approved
go-live time has passed, ``unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")``
for live objects whose expiry has passed), then hands the outbox's forgotten rows to RQ
(``jobs.sweep``) and writes a heartbeat that ``editorial.publishing.health`` reads.

How it runs every minute:

- With Redis: ``manage.py rqworker --with-scheduler default``. The worker class (settings
  ``RQ["WORKER_CLASS"]`` = ``editorial.publishing.scheduler.Worker``) arms the chain when it starts
  and at each of its maintenance passes (every 10 minutes); each tick first schedules the next one
  at the next minute boundary (``queue.enqueue_at``), under a job id named after that minute, so
  however many workers and ticks arm it there is one tick per minute; RQ's scheduler (elected
  among the workers started ``--with-scheduler``) moves it to the queue when it is due.
- Without Redis (the embedded default, ``make run``): after a request has been answered, at most
  once a minute (a cache key), the web process runs the tick itself (``after_request``). Off in
  tests (settings ``SOTAY_SCHEDULER_IN_PROCESS``; default: on when jobs run inline, except under
  the test settings). ``manage.py publish_due [--loop 60]`` runs it from a shell or a timer.

Safe when two run at once: the work runs in one transaction that first takes a PostgreSQL
advisory lock (``pg_try_advisory_xact_lock``: the second tick finds it taken and does nothing;
one that comes after finds nothing due, since publishing clears ``approved_go_live_at``). On
SQLite, transactions are IMMEDIATE (settings): BEGIN itself serialises them. Each object is
published in its own savepoint, so one that fails (and is logged) does not hold back the others.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from rq import SimpleWorker as RqSimpleWorker
from rq import Worker as RqWorker
from wagtail.models import DraftStateMixin, Page, Revision

from sotay_plugins import jobs
from sotay_plugins.models import OutboxJob

log = logging.getLogger(__name__)

TICK = "editorial.publishing.scheduler.tick"
INTERVAL = 60  # seconds between ticks
QUEUE = "default"
LOCK_KEY = 0x65646974  # "edit": the advisory lock of the publishing tick
HEARTBEAT_KEY = "editorial:scheduler:heartbeat"
HEARTBEAT_ROW_KEY = "editorial:scheduler:heartbeat-row"
IN_PROCESS_KEY = "editorial:scheduler:in-process"


# --- the work -------------------------------------------------------------------------------


def _scheduled_models():
    """What Wagtail's publish_scheduled handles: pages, and other models with drafts."""
    return [
        Page,
        *(
            m
            for m in apps.get_models()
            if issubclass(m, DraftStateMixin) and not issubclass(m, Page)
        ),
    ]


def _try_lock():
    if connection.vendor != "postgresql":
        return True  # SQLite: the IMMEDIATE transaction already holds the database's write lock
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


@contextmanager
def _each(summary, what, obj):
    try:
        with transaction.atomic():
            yield
    except Exception:
        summary["errors"] += 1
        log.exception("scheduled %s failed for %r", what, obj)


def publish_due():
    """Unpublish what has expired and publish what is due, once, like ``publish_scheduled``.

    Returns ``{"published": n, "unpublished": n, "errors": n}`` (``{"busy": True}`` when another
    tick holds the lock).
    """
    summary = {"published": 0, "unpublished": 0, "errors": 0}
    with transaction.atomic():
        if not _try_lock():
            return {"busy": True}
        now = timezone.now()
        for model in _scheduled_models():
            for obj in list(
                model.objects.filter(live=True, expire_at__lt=now).order_by("expire_at")
            ):
                with _each(summary, "expiry", obj):
                    obj.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
                    summary["unpublished"] += 1
        for revision in list(
            Revision.objects.filter(approved_go_live_at__lt=now).order_by("approved_go_live_at")
        ):
            with _each(summary, "publication", revision):
                # The go-live time has passed, so Wagtail makes it live (and clears the schedule).
                revision.publish(log_action="wagtail.publish.scheduled")
                summary["published"] += 1
    return summary


def run_once(source="rq"):
    """One tick's work, wherever it runs: publish/expire, sweep the outbox, heartbeat."""
    summary = publish_due()
    try:
        summary["swept"] = jobs.sweep()
    except Exception:  # the sweep must not stop the heartbeat: the outbox's age shows it instead
        log.exception("outbox sweep failed")
        summary["swept"] = None
    beat(summary, source)
    return summary


# --- heartbeat ------------------------------------------------------------------------------


def beat(summary, source):
    """Record that the scheduler ran: in the cache, and as one OutboxJob row (``func`` = TICK,
    state done, ``finished_at`` = the last run, ``result`` = its summary) updated in place, so the
    health check still knows after a cache flush or from another process."""
    now = timezone.now()
    result = {**summary, "source": source}
    cache.set(HEARTBEAT_KEY, {"at": now.isoformat(), "result": result}, None)
    row_id = cache.get(HEARTBEAT_ROW_KEY)
    if row_id and OutboxJob.objects.filter(pk=row_id, func=TICK).update(
        finished_at=now, result=result
    ):
        return
    row = OutboxJob.objects.filter(func=TICK, state=OutboxJob.State.DONE).order_by("pk").first()
    if row is None:
        row = OutboxJob.objects.create(
            func=TICK, state=OutboxJob.State.DONE, finished_at=now, result=result
        )
    else:
        OutboxJob.objects.filter(pk=row.pk).update(finished_at=now, result=result)
    cache.set(HEARTBEAT_ROW_KEY, row.pk, None)


def last_beat():
    """(when, summary) of the last tick, the newest of the cache's and the database's;
    or (None, {})."""
    found = []
    cached = cache.get(HEARTBEAT_KEY)
    if cached:
        found.append((datetime.fromisoformat(cached["at"]), cached.get("result", {})))
    row = (
        OutboxJob.objects.filter(func=TICK, state=OutboxJob.State.DONE, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", "result")
        .first()
    )
    if row:
        found.append(row)
    return max(found, key=lambda item: item[0]) if found else (None, {})


# --- RQ: one tick a minute ---------------------------------------------------------------------


def tick():
    """The RQ job: schedule the next tick first (a crash below must not break the chain), work."""
    try:
        schedule_next()
    except Exception:
        log.exception("could not schedule the next scheduler tick")
    return run_once("rq")


def _queue(queue=None):
    if queue is not None:
        return queue
    import django_rq

    return django_rq.get_queue(QUEUE)


def schedule_next(queue=None, at=None):
    """Schedule the tick of the next minute boundary (or ``at``) unless it is already there.

    The job id names the minute, so two workers arming the chain at once make one job.
    Returns the job id.
    """
    from rq.exceptions import DuplicateJobError

    queue = _queue(queue)
    if at is None:
        now = timezone.now()
        at = now.replace(second=0, microsecond=0) + timedelta(seconds=INTERVAL)
    job_id = f"editorial-scheduler-{at:%Y%m%dT%H%M}"
    try:
        queue.enqueue_at(
            at,
            TICK,
            job_id=job_id,
            unique=True,
            result_ttl=10 * INTERVAL,
            failure_ttl=24 * 3600,
            job_timeout=10 * INTERVAL,
            description="editorial scheduler tick",
        )
    except DuplicateJobError:
        pass
    return job_id


def arm(queue=None):
    """Make sure a tick is scheduled (worker start, maintenance): harmless when one is."""
    try:
        return schedule_next(queue)
    except Exception:
        log.exception("could not arm the editorial scheduler")
        return None


class SchedulerMixin:
    """A worker that keeps the publishing tick armed: at start and at each maintenance pass."""

    def _default_queue(self):
        return next((q for q in self.queues if q.name == QUEUE), None)

    def bootstrap(self, *args, **kwargs):
        super().bootstrap(*args, **kwargs)
        if (queue := self._default_queue()) is not None:
            arm(queue)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        if (queue := self._default_queue()) is not None:
            arm(queue)


class Worker(SchedulerMixin, RqWorker):
    """``RQ["WORKER_CLASS"]``: rq's forking worker, keeping the tick armed."""


class SimpleWorker(SchedulerMixin, RqSimpleWorker):
    """The same without forking (tests, debugging)."""


# --- without Redis: in the web process, at most once a minute ---------------------------------


def _testing():
    """Under a test run: Django's test setup installs ``mail.outbox``; or the test settings."""
    from django.core import mail

    return hasattr(mail, "outbox") or os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".test")


def in_process_enabled():
    """Settings ``SOTAY_SCHEDULER_IN_PROCESS`` if set; else: when jobs run inline, except in tests
    (a tick would add queries to the request that happens to trigger it)."""
    flag = getattr(settings, "SOTAY_SCHEDULER_IN_PROCESS", None)
    if flag is None:
        flag = settings.SOTAY_JOBS_INLINE and not _testing()
    return bool(flag)


def after_request(sender=None, **kwargs):
    """``request_finished`` receiver: the embedded default's scheduler (no worker, no Redis).

    Runs after the response has been handed to the server; one cache lookup on other requests.
    """
    if not in_process_enabled() or not cache.add(IN_PROCESS_KEY, 1, INTERVAL):
        return
    try:
        run_once("in-process")
    except Exception:
        log.exception("in-process scheduler tick failed")
    finally:
        if not connection.in_atomic_block:
            # what request_finished does, once more: the tick used the database
            close_old_connections()
