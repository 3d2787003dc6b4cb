"""Background jobs through an outbox (DESIGN.md: "jobs whose loss matters go through an outbox").

    job = jobs.enqueue(
        "sotay_plugins.members.importing.job.run_import", batch_id=7, user=request.user
    )

``enqueue`` writes an OutboxJob row inside the caller's transaction; after commit the row is
handed to RQ (REDIS_URL set) or run in-process (the embedded default, and tests). If Redis is
unreachable the row stays pending and ``sweep()`` (``manage.py sweep_outbox``, also run by the
RQ scheduler) delivers it later. A job function takes the OutboxJob as ``job`` plus its kwargs,
may call ``job_progress(job, done, total)``, and must be idempotent.

A running job beats a heartbeat (``heartbeat_at``, every ``SOTAY_JOB_HEARTBEAT_SECONDS``) and
names its process (``runner``). A worker killed in the middle of a job leaves it ``running``
with a dead runner (same host) or a heartbeat that stopped (any host, after
``SOTAY_JOB_LEASE_SECONDS``); the sweeper hands it out again and ``run`` takes it over, so the
job reruns and, being idempotent, has its effect once. A job queued in a Redis that lost it
(restarted without persistence) is handed out again too.
"""

import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutboxJob

log = logging.getLogger(__name__)
RETRY_INTERVALS = [10, 60, 300]
CLAIMABLE = ["pending", "queued", "failed"]


def heartbeat_seconds():
    return float(getattr(settings, "SOTAY_JOB_HEARTBEAT_SECONDS", 15))


def lease_seconds():
    """How long a running job's heartbeat may be silent before the job counts as abandoned."""
    return float(getattr(settings, "SOTAY_JOB_LEASE_SECONDS", 4 * heartbeat_seconds()))


def this_runner():
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _pid_alive(pid):
    """Is process ``pid`` running on this host? A zombie (killed, its parent gone too, not yet
    reaped by init) is not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): the signal said it exists
    return state not in ("Z", "X")


def abandoned(job, now=None):
    """Has the process running ``job`` gone? On this host its pid says so at once (a process
    that is alive but stuck is left alone); elsewhere, a heartbeat older than the lease."""
    if job.state != "running":
        return False
    host, _, pid = (job.runner or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _pid_alive(int(pid))
    now = now or timezone.now()
    beat = job.heartbeat_at or job.started_at or job.created_at
    return beat < now - timedelta(seconds=lease_seconds())


def enqueue(func, *, user=None, dedupe_key=None, **kwargs):
    job = OutboxJob.objects.create(func=func, kwargs=kwargs, dedupe_key=dedupe_key, created_by=user)
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


#: One Redis client per connection configuration, per process (see ``queue``).
_CLIENTS = {}


def queue(name="default"):
    """The RQ queue ``name``, on a Redis client kept for the process.

    ``django_rq.get_queue`` builds a new ``redis.Redis`` client, with its own connection pool,
    on every call: each job handed over opened a new TCP connection to Redis (and said HELLO
    on it) and dropped it. A client is safe to share between threads (each command takes a
    connection from its pool) and redis-py opens its pool anew in a forked worker, so one per
    configuration (``RQ_QUEUES``: a changed setting, a test's override, gets its own) is kept."""
    import django_rq

    config = settings.RQ_QUEUES[name]
    key = (name, repr(sorted(config.items())))
    client = _CLIENTS.get(key)
    if client is None:
        client = _CLIENTS.setdefault(key, django_rq.get_connection(name))
    return django_rq.get_queue(name, connection=client)


def dispatch(job_id):
    """Hand one pending job to its runner. Returns True when it was delivered."""
    if settings.SOTAY_JOBS_INLINE:
        run(job_id)
        return True
    try:
        from rq import Retry

        queue("default").enqueue(
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


def _claim(job_id):
    """Take the job for this process: one conditional UPDATE, so two deliveries of the same job
    never both run it. A running job is taken over only from a runner that is gone."""
    now = timezone.now()
    claim = {
        "state": "running",
        "attempts": F("attempts") + 1,
        "started_at": now,
        "heartbeat_at": now,
        "runner": this_runner(),
    }
    if OutboxJob.objects.filter(pk=job_id, state__in=CLAIMABLE).update(**claim):
        return True
    job = OutboxJob.objects.filter(pk=job_id, state="running").first()
    if job is None or not abandoned(job, now):
        return False
    log.warning("outbox job %s: runner %s is gone; taking it over", job_id, job.runner)
    return bool(
        OutboxJob.objects.filter(
            pk=job_id, state="running", runner=job.runner, heartbeat_at=job.heartbeat_at
        ).update(**claim)
    )


@contextmanager
def _heartbeat(job_id):
    """Move ``heartbeat_at`` on from a thread while the job runs (its own connection)."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(heartbeat_seconds()):
                try:
                    OutboxJob.objects.filter(pk=job_id, state="running").update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a busy or restarting database: try again at the next beat
                    log.warning("outbox job %s: heartbeat not written", job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"outbox-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run(job_id):
    """Run one outbox job (in an RQ worker, or in-process). Safe to call twice."""
    if not _claim(job_id):
        return None
    job = OutboxJob.objects.get(pk=job_id)
    with _heartbeat(job_id):
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


def _lost_by_redis(job_ids):
    """The queued jobs that RQ no longer holds (Redis restarted without persistence)."""
    if settings.SOTAY_JOBS_INLINE or not job_ids:
        return []
    try:
        from rq.job import Job

        redis = queue("default").connection
        return [pk for pk in job_ids if not Job.exists(f"outbox-{pk}", connection=redis)]
    except Exception:  # Redis down: nothing can be delivered now anyway
        return []


def sweep(older_than_seconds=30):
    """Deliver what was never handed over (Redis was down at commit time), what Redis lost, and
    what a dead worker left running. Returns how many jobs were handed out."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    pending = list(
        OutboxJob.objects.filter(state="pending", created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    queued = list(
        OutboxJob.objects.filter(state="queued", queued_at__lt=cutoff).values_list("pk", flat=True)[
            :1000
        ]
    )
    running = OutboxJob.objects.filter(
        Q(state="running"), Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
    )[:1000]
    handed = pending + _lost_by_redis(queued)
    handed += [job.pk for job in running if abandoned(job, now)]
    from .idempotency import prune

    prune(now)  # the keys of requests done long ago (what a phone sent when back online)
    return sum(bool(_redeliver(job_id)) for job_id in handed)


def _redeliver(job_id):
    if settings.SOTAY_JOBS_INLINE:
        return dispatch(job_id)
    # Back to pending first, so that ``dispatch`` marks it queued again once Redis has it.
    OutboxJob.objects.filter(pk=job_id, state="queued").update(state="pending")
    return dispatch(job_id)
