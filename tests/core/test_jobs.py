import os

import pytest
from django.test import override_settings

from sotay_plugins import jobs
from sotay_plugins.models import OutboxJob

REDIS_URL = os.environ.get("REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis (REDIS_URL)")


@pytest.mark.django_db
def test_inline_job_runs_after_commit_with_progress(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue("tests.core.jobfuncs.count_to", n=3)
        assert (
            OutboxJob.objects.get(pk=job.pk).state == OutboxJob.State.PENDING
        )  # nothing before commit
    job.refresh_from_db()
    assert (job.state, job.progress, job.total, job.result, job.percent) == (
        "done",
        3,
        3,
        {"counted": 3},
        100,
    )


@pytest.mark.django_db
def test_running_a_job_twice_does_nothing_the_second_time(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue("tests.core.jobfuncs.count_to", n=2)
    assert jobs.run(job.pk) is None
    assert OutboxJob.objects.get(pk=job.pk).attempts == 1


@pytest.mark.django_db
def test_a_failing_job_is_recorded_not_lost(django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue("tests.core.jobfuncs.explode")
    job.refresh_from_db()
    assert job.state == "failed" and "nổ" in job.error


@pytest.mark.django_db
def test_one_pending_copy_per_dedupe_key():
    from django.db import IntegrityError, transaction

    jobs.enqueue("tests.core.jobfuncs.count_to", n=1, dedupe_key="reindex:7")
    with pytest.raises(IntegrityError), transaction.atomic():
        jobs.enqueue("tests.core.jobfuncs.count_to", n=1, dedupe_key="reindex:7")


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_job_waits_and_the_sweeper_delivers_it():
    import django_rq
    from rq import SimpleWorker

    down = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 60}}
    up = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    with override_settings(SOTAY_JOBS_INLINE=False, RQ_QUEUES=down):
        job = jobs.enqueue(
            "tests.core.jobfuncs.count_to", n=2
        )  # commits (transaction=True): dispatch fails
    assert OutboxJob.objects.get(pk=job.pk).state == "pending"
    with override_settings(SOTAY_JOBS_INLINE=False, RQ_QUEUES=up):
        queue = django_rq.get_queue("default")
        queue.empty()
        assert jobs.sweep(older_than_seconds=0) == 1
        assert OutboxJob.objects.get(pk=job.pk).state == "queued"
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    job.refresh_from_db()
    assert job.state == "done" and job.result == {"counted": 2}


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_handing_jobs_to_redis_reuses_one_connection():
    """Each job handed to RQ used to open (and drop) a new TCP connection to Redis: a client is
    now kept per process and configuration, its pool's connection reused."""
    from unittest import mock

    import redis

    up = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    opened = []
    real = redis.connection.Connection._connect

    def counting(self):
        opened.append(self)
        return real(self)

    with (
        override_settings(SOTAY_JOBS_INLINE=False, RQ_QUEUES=up),
        mock.patch.object(redis.connection.Connection, "_connect", counting),
    ):
        jobs.queue().empty()
        for n in range(3):
            job = jobs.enqueue("tests.core.jobfuncs.count_to", n=n)
            assert OutboxJob.objects.get(pk=job.pk).state == "queued"
        assert jobs.queue().connection is jobs.queue().connection
        jobs.queue().empty()
    assert len(opened) <= 1


def dead_pid():
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def running_job(runner, heartbeat_age=0):
    from datetime import timedelta

    from django.utils import timezone

    beat = timezone.now() - timedelta(seconds=heartbeat_age)
    return OutboxJob.objects.create(
        func="tests.core.jobfuncs.count_to",
        kwargs={"n": 2},
        state="running",
        attempts=1,
        runner=runner,
        started_at=beat,
        heartbeat_at=beat,
    )


@pytest.mark.django_db
def test_a_job_whose_worker_died_on_this_host_is_run_again_once():
    import socket

    job = running_job(f"{socket.gethostname()}:{dead_pid()}")
    assert jobs.sweep(older_than_seconds=0) == 1
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result) == ("done", 2, {"counted": 2})
    assert jobs.sweep(older_than_seconds=0) == 0 and jobs.run(job.pk) is None


@pytest.mark.django_db
def test_a_job_whose_worker_is_alive_is_left_alone():
    job = running_job(jobs.this_runner(), heartbeat_age=3600)
    assert jobs.sweep(older_than_seconds=0) == 0 and jobs.run(job.pk) is None
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("running", 1)


@pytest.mark.django_db
@override_settings(SOTAY_JOB_LEASE_SECONDS=60)
def test_a_job_on_another_host_is_taken_over_only_when_its_heartbeat_stops():
    beating = running_job("worker-2:4242", heartbeat_age=10)
    silent = running_job("worker-3:4242", heartbeat_age=120)
    assert jobs.sweep(older_than_seconds=0) == 1
    beating.refresh_from_db()
    silent.refresh_from_db()
    assert (beating.state, beating.attempts) == ("running", 1)
    assert (silent.state, silent.attempts, silent.runner) == ("done", 2, jobs.this_runner())


@pytest.mark.django_db
@override_settings(SOTAY_JOB_HEARTBEAT_SECONDS=0.05)
def test_a_running_job_beats_its_heartbeat(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue("tests.core.jobfuncs.count_to", n=1)
    job.refresh_from_db()
    assert job.runner == jobs.this_runner() and job.heartbeat_at >= job.started_at


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_queued_job_that_redis_lost_is_queued_again():
    from datetime import timedelta

    import django_rq
    from django.utils import timezone
    from rq.job import Job

    up = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    with override_settings(SOTAY_JOBS_INLINE=False, RQ_QUEUES=up):
        queue = django_rq.get_queue("default")
        queue.empty()
        job = OutboxJob.objects.create(
            func="tests.core.jobfuncs.count_to",
            kwargs={"n": 1},
            state="queued",
            queued_at=timezone.now() - timedelta(minutes=5),
        )
        assert not Job.exists(f"outbox-{job.pk}", connection=queue.connection)
        assert jobs.sweep() == 1
        assert Job.exists(f"outbox-{job.pk}", connection=queue.connection)
        assert OutboxJob.objects.get(pk=job.pk).state == "queued"
        assert jobs.sweep() == 0  # RQ holds it now
        queue.empty()


def test_a_zombie_runner_counts_as_gone():
    """A killed work-horse whose parent died too stays a zombie until init reaps it: its pid still
    answers a signal, but it runs nothing."""
    import os
    import signal
    import subprocess
    import sys
    import time

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert jobs._pid_alive(child.pid)
        os.kill(child.pid, signal.SIGKILL)
        time.sleep(0.2)  # killed, not yet reaped (we are its parent and have not waited)
        assert not jobs._pid_alive(child.pid)
    finally:
        child.kill()
        child.wait()
