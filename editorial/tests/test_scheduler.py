"""Scheduled publishing and expiry from the job queue; the scheduler's health check."""

import os
import threading
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.core.signals import request_finished
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision
from wagtail.signals import page_published

from editorial import publishing
from editorial.models import NewsPage
from editorial.publishing import health, scheduler
from sotay_plugins.models import OutboxJob
from tests.factories import UserFactory
from tests.factories import ensure_site as ensure_home

from .helpers import make_page, member, notices, notified_ids

REDIS_URL = os.environ.get("REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis (REDIS_URL)")


def schedule_in_the_past(page, minutes=5):
    """Schedule a revision for later, then let that time pass with no worker running."""
    page.go_live_at = timezone.now() + timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()  # Wagtail: approved_go_live_at set, the page stays a draft
    assert Revision.objects.get(pk=revision.pk).approved_go_live_at is not None
    past = timezone.now() - timedelta(minutes=minutes)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    NewsPage.objects.filter(pk=page.pk).update(go_live_at=past)
    return revision


@contextmanager
def published_signals():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    page_published.connect(receiver, dispatch_uid="test-editorial-scheduler")
    try:
        yield seen
    finally:
        page_published.disconnect(dispatch_uid="test-editorial-scheduler")


def assert_published_once(page, seen):
    page = NewsPage.objects.get(pk=page.pk)
    assert page.live and page.first_published_at is not None
    assert seen == [page.pk]
    assert (
        OutboxJob.objects.filter(func=publishing.PUBLISHED_JOB, kwargs__page_id=page.pk).count()
        == 1
    )
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish.scheduled").count() == 1
    assert not PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()
    assert not Revision.objects.filter(
        object_id=str(page.pk), approved_go_live_at__isnull=False
    ).exists()


# --- scheduled publishing and expiry ------------------------------------------------------------


@pytest.mark.django_db
def test_scheduled_publish_with_the_worker_down_then_up_is_published_once(
    tree, django_capture_on_commit_callbacks
):
    reader = member(tree["c11"])
    page = make_page(tree["d1"])
    schedule_in_the_past(page)
    assert not NewsPage.objects.get(pk=page.pk).live  # nothing ran while the worker was down
    with (
        published_signals() as seen,
        notices() as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = scheduler.run_once()
        second = scheduler.run_once()  # the worker's next tick, or a second worker
    assert (first["published"], second["published"]) == (1, 0)
    assert_published_once(page, seen)
    assert notified_ids(sent) == [reader.pk]  # its first publication: the audience is told


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_publish_once():
    from tests.factories import small_tree

    tree = small_tree()
    page = make_page(tree["d1"])
    schedule_in_the_past(page)
    start = threading.Barrier(2)
    results, errors = [], []

    def tick():
        try:
            start.wait()
            results.append(scheduler.publish_due())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    with published_signals() as seen:
        threads = [threading.Thread(target=tick) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert errors == []
    assert sum(r.get("published", 0) for r in results) == 1, results
    assert_published_once(page, seen)


@pytest.mark.django_db
def test_expired_pages_are_unpublished_through_the_outbox(tree, django_capture_on_commit_callbacks):
    page = make_page(tree["d1"])
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    NewsPage.objects.filter(pk=page.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.run_once()["unpublished"] == 1
        assert scheduler.run_once()["unpublished"] == 0
    page = NewsPage.objects.get(pk=page.pk)
    assert not page.live and page.expired
    assert PageLogEntry.objects.filter(page=page, action="wagtail.unpublish.scheduled").count() == 1
    assert OutboxJob.objects.get(func=publishing.UNPUBLISHED_JOB).state == "done"


@pytest.mark.django_db
def test_one_failing_revision_does_not_hold_back_the_others(
    tree, monkeypatch, django_capture_on_commit_callbacks
):
    good, bad = make_page(tree["d1"]), make_page(tree["d1"])
    schedule_in_the_past(good, minutes=1)
    bad_revision = schedule_in_the_past(bad, minutes=2)  # older: tried first
    publish_revision = Revision.publish

    def flaky(self, *args, **kwargs):
        if self.pk == bad_revision.pk:
            raise RuntimeError("hỏng")
        return publish_revision(self, *args, **kwargs)

    monkeypatch.setattr(Revision, "publish", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        summary = scheduler.run_once()
    assert (summary["published"], summary["errors"]) == (1, 1)
    assert NewsPage.objects.get(pk=good.pk).live and not NewsPage.objects.get(pk=bad.pk).live


# --- heartbeat and health ---------------------------------------------------------------------


@pytest.mark.django_db
def test_heartbeat_in_the_cache_and_the_database():
    from django.core.cache import cache

    assert health.status()["status"] == "never"
    scheduler.run_once("command")
    scheduler.run_once("command")
    assert OutboxJob.objects.filter(func=scheduler.TICK).count() == 1  # one row, updated in place
    data = health.status()
    assert (
        data["status"] == "ok"
        and data["age_seconds"] <= 1
        and data["last_result"]["source"] == "command"
    )
    cache.clear()  # another process, or a flushed cache: the database still knows
    assert health.status()["status"] == "ok"
    OutboxJob.objects.filter(func=scheduler.TICK).update(
        finished_at=timezone.now() - timedelta(minutes=4)
    )
    data = health.status()
    assert data["status"] == "stale" and data["age_seconds"] >= 240


@pytest.mark.django_db
def test_health_reports_the_outbox_backlog():
    from sotay_plugins import jobs

    old = jobs.enqueue("tests.core.jobfuncs.count_to", n=1)  # never committed here: stays pending
    OutboxJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    jobs.enqueue("tests.core.jobfuncs.count_to", n=2)
    OutboxJob.objects.create(func="x.y", state=OutboxJob.State.FAILED)
    backlog = health.status()["outbox"]
    assert (backlog["pending"], backlog["queued"], backlog["failed"]) == (2, 0, 1)
    assert backlog["oldest_waiting_seconds"] >= 600


@pytest.mark.django_db
def test_health_api_is_for_staff_only(tree, api):
    url = "/api/v1/health/scheduler/"
    assert api.get(url).status_code == 401
    api.force_authenticate(member(tree["c11"]).user)
    assert api.get(url).status_code == 404
    api.force_authenticate(UserFactory(username="admin-h", is_superuser=True, is_staff=True))
    response = api.get(url)
    assert response.status_code == 503 and response.json()["status"] == "never"
    scheduler.run_once()
    response = api.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and set(body["outbox"]) == {
        "pending",
        "queued",
        "failed",
        "oldest_waiting_seconds",
    }


@pytest.mark.django_db
def test_public_health_says_ok_or_stale_and_nothing_more(client):
    response = client.get("/suc-khoe/")
    assert (response.status_code, response.content) == (503, b"never")
    scheduler.run_once()
    response = client.get("/suc-khoe/")
    assert (response.status_code, response.content) == (200, b"ok")
    OutboxJob.objects.filter(func=scheduler.TICK).update(
        finished_at=timezone.now() - timedelta(minutes=5)
    )
    from django.core.cache import cache

    cache.delete(scheduler.HEARTBEAT_KEY)
    assert client.get("/suc-khoe/").content == b"stale"


# --- without Redis: in the web process ---------------------------------------------------------


@pytest.mark.django_db
def test_in_process_scheduler_runs_at_most_once_a_minute(tree, django_capture_on_commit_callbacks):
    page = make_page(tree["d1"])
    schedule_in_the_past(page)
    assert not scheduler.in_process_enabled()  # off in tests: query budgets stay honest
    with override_settings(SOTAY_JOBS_INLINE=True):
        assert not scheduler.in_process_enabled()
    # connected to request_finished (called directly here: that signal also closes the test's
    # connection)
    assert scheduler.after_request in [ref() for _key, ref, *_rest in request_finished.receivers]
    with (
        override_settings(SOTAY_SCHEDULER_IN_PROCESS=True),
        published_signals() as seen,
        patch.object(scheduler, "close_old_connections"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            scheduler.after_request(sender=None)
        assert NewsPage.objects.get(pk=page.pk).live
        OutboxJob.objects.filter(func=scheduler.TICK).delete()
        scheduler.after_request(sender=None)  # within the minute: not again
        assert not OutboxJob.objects.filter(func=scheduler.TICK).exists()
    assert seen == [page.pk]


# --- a real RQ worker --------------------------------------------------------------------------


def _clean_queue():
    import django_rq
    from rq.registry import ScheduledJobRegistry

    queue = django_rq.get_queue("default")
    queue.empty()
    registry = ScheduledJobRegistry(queue=queue)
    for job_id in registry.get_job_ids():
        registry.remove(job_id, delete_job=True)
    queue.connection.delete(f"rq:scheduler-lock:{queue.name}")
    return queue, registry


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_the_tick_really_runs_from_the_queue_and_re_arms_itself():
    from tests.factories import small_tree

    up = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    tree = small_tree()
    reader = member(tree["c12"])
    page = make_page(tree["d1"])
    with override_settings(SOTAY_JOBS_INLINE=False, RQ_QUEUES=up):
        schedule_in_the_past(page)
        queue, registry = _clean_queue()
        # a tick that fell due while no worker ran (scheduled a minute ago)
        scheduler.schedule_next(queue, at=timezone.now() - timedelta(minutes=1))
        assert len(registry.get_job_ids()) == 1
        with published_signals() as seen, notices() as sent:
            worker = scheduler.SimpleWorker([queue], connection=queue.connection)
            worker.work(
                burst=True, with_scheduler=True
            )  # RQ's scheduler moves the tick, the worker runs it
            # … and the outbox job of the publication it made, which RQ also ran
            assert_published_once(page, seen)
            job = OutboxJob.objects.get(func=publishing.PUBLISHED_JOB)
            assert job.state == "done" and notified_ids(sent) == [reader.pk]
            at, result = scheduler.last_beat()
            assert result["source"] == "rq" and result["published"] == 1
            assert health.status()["status"] == "ok"
            # the tick armed the next one (the next minute), and only one: arming again is a no-op
            (next_id,) = registry.get_job_ids()
            assert next_id == scheduler.schedule_next(queue) == scheduler.schedule_next(queue)
            assert registry.get_job_ids() == [next_id]
            scheduler.SimpleWorker([queue], connection=queue.connection).work(
                burst=True, with_scheduler=True
            )
            assert seen == [page.pk]  # a second worker pass publishes nothing again
        _clean_queue()


@needs_redis
def test_a_starting_worker_arms_the_scheduler():
    up = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    with override_settings(SOTAY_JOBS_INLINE=False, RQ_QUEUES=up):
        queue, registry = _clean_queue()
        assert registry.get_job_ids() == []
        scheduler.SimpleWorker([queue], connection=queue.connection).work(burst=True)
        (job_id,) = registry.get_job_ids()
        assert job_id.startswith("editorial-scheduler-")
        assert queue.fetch_job(job_id).func_name == scheduler.TICK
        _clean_queue()


def test_the_worker_class_is_configured():
    from django_rq.workers import get_worker_class

    assert get_worker_class() is scheduler.Worker


# --- the command and the admin panel ------------------------------------------------------------


@pytest.mark.django_db
def test_publish_due_command(tree, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    page = make_page(tree["d1"])
    schedule_in_the_past(page)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_due", stdout=out)
    assert "Đã đăng 1, đã gỡ 0, lỗi 0" in out.getvalue()
    assert NewsPage.objects.get(pk=page.pk).live
    assert scheduler.last_beat()[1]["source"] == "command"


@pytest.mark.django_db
def test_the_dashboard_shows_superusers_the_scheduler(client):
    ensure_home()
    admin = UserFactory(username="admin-dash", is_superuser=True, is_staff=True)
    client.force_login(admin)
    scheduler.run_once()
    html = client.get("/quan-tri/").content.decode()
    assert "Bộ lập lịch đăng bài" in html and "Đang chạy" in html
