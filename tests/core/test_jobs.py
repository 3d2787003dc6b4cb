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
