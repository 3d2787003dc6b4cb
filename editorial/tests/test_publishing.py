"""On publish: one outbox job (reindex, notify the audience, invalidate caches), delivered even
when Redis was down at that moment; the audience is the scope engine's, turned around."""

import os

import pytest
from django.test import override_settings

from editorial import publishing
from editorial.models import NewsPage
from editorial.sections import section_for
from sotay_plugins import jobs
from sotay_plugins.models import OutboxJob
from sotay_plugins.orgtree import scope
from tests.factories import ensure_site as ensure_home

from .helpers import make_page, member, notices, notified_ids

REDIS_URL = os.environ.get("REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis (REDIS_URL)")


# --- helpers (also used by test_scheduler) ------------------------------------------------------


def publish(page):
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    return revision


# --- the outbox job ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_writes_one_outbox_job_in_the_transaction(tree, django_capture_on_commit_callbacks):
    page = make_page(tree["d1"])
    with django_capture_on_commit_callbacks(execute=False):
        revision = publish(page)
        # a second signal for the same publication (a retried handler) is the same job
        publishing.on_page_published(NewsPage, instance=page, revision=revision)
    rows = list(OutboxJob.objects.filter(func__startswith="editorial.publishing"))
    assert len(rows) == 1
    job = rows[0]
    assert job.func == publishing.PUBLISHED_JOB
    assert job.dedupe_key == f"editorial.published:{page.pk}:{revision.pk}"
    assert job.kwargs == {"page_id": page.pk, "revision_id": revision.pk, "notify": True}
    assert job.state == OutboxJob.State.PENDING  # nothing ran: the commit has not happened


@pytest.mark.django_db
def test_inline_jobs_notify_the_audience_only_reindex_and_bump_the_cache(
    tree, django_capture_on_commit_callbacks
):
    inside = [member(tree["c11"]), member(tree["c12"]), member(tree["c11"], status="exempt")]
    other_district = member(tree["c21"])
    gone = member(tree["c11"], status="transferred")
    locked_out = member(tree["c12"])
    locked_out.user.is_active = False
    locked_out.user.save()
    page = make_page(tree["d1"], title="Hội nghị Đảng bộ huyện")
    NewsPage.objects.filter(pk=page.pk).update(search_folded="")  # stale: the job refreshes it
    before = publishing.content_version()
    with notices() as sent, django_capture_on_commit_callbacks(execute=True):
        publish(page)
    assert notified_ids(sent) == sorted(m.pk for m in inside)
    assert other_district.pk not in notified_ids(sent) and gone.pk not in notified_ids(sent)
    assert locked_out.pk not in notified_ids(sent)
    (call,) = sent
    assert call["kind"] == publishing.NEWS_KIND
    assert call["dedupe_key"] == f"editorial.published:{page.pk}"
    assert call["title"] == "Tin mới: Hội nghị Đảng bộ huyện" and call["url"]
    job = OutboxJob.objects.get(func=publishing.PUBLISHED_JOB)
    assert job.state == "done" and job.result["notified"] == 3
    assert publishing.content_version() != before
    assert (
        NewsPage.objects.get(pk=page.pk).search_folded == "hoi nghi dang bo huyen tom tat bai viet"
    )


@pytest.mark.django_db
def test_position_and_group_filters_are_honoured(tree, django_capture_on_commit_callbacks):
    secretary = member(tree["c11"], positions={"bi_thu_chi_bo"})
    retired_secretary = member(
        tree["c12"], positions={"bi_thu_chi_bo", "chi_uy_vien"}, group="retired"
    )
    retired = member(tree["c11"], group="retired")
    member(tree["c11"])  # neither
    member(tree["c21"], positions={"bi_thu_chi_bo"}, group="retired")  # another district
    cases = [
        ({"positions": {"bi_thu_chi_bo"}}, [secretary, retired_secretary]),
        ({"groups": {"retired"}}, [retired_secretary, retired]),
        ({"positions": {"bi_thu_chi_bo"}, "groups": {"retired"}}, [retired_secretary]),
    ]
    for filters, expected in cases:
        page = make_page(tree["d1"], **filters)
        with notices() as sent, django_capture_on_commit_callbacks(execute=True):
            publish(page)
        assert notified_ids(sent) == sorted(m.pk for m in expected), filters


@pytest.mark.django_db
def test_the_audience_is_exactly_who_the_scope_engine_lets_read(tree):
    members = [
        member(tree["c11"]),
        member(tree["c12"], positions={"chi_uy_vien"}),
        member(tree["c21"], group="retired"),
        member(tree["c22"], positions={"bi_thu_chi_bo"}, group="hamlet"),
        member(tree["c11"], status="deceased"),
    ]
    pages = [
        make_page(tree["province"]),
        make_page(tree["province"], tree["b2"]),
        make_page(tree["d1"], tree["c12"]),
        make_page(tree["province"], positions={"chi_uy_vien", "bi_thu_chi_bo"}),
        make_page(tree["province"], groups={"retired", "hamlet"}),
        make_page(tree["d2"], groups={"student"}),
    ]
    NewsPage.objects.update(live=True)
    for page in pages:
        page.refresh_from_db()
        readers = {
            m.pk
            for m in members
            if scope.visible_to(m.user, NewsPage.objects.live()).filter(pk=page.pk).exists()
        }
        assert set(publishing.audience_member_ids(page)) == readers, page.title


@pytest.mark.django_db
def test_one_query_on_member_for_the_audience(tree, django_assert_num_queries):
    for cell in ("c11", "c12", "c21"):
        member(tree[cell])
    page = NewsPage.objects.select_related("audience_org").get(pk=make_page(tree["province"]).pk)
    with django_assert_num_queries(1):
        assert len(list(publishing.audience_member_ids(page))) == 3


@pytest.mark.django_db
def test_notices_go_in_chunks_with_one_dedupe_key(
    tree, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(publishing, "NOTICE_CHUNK", 2)
    people = [member(tree["c11"]) for _ in range(5)]
    page = make_page(tree["b1"], document=True, title="Nghị quyết về chuyển đổi số")
    with notices() as sent, django_capture_on_commit_callbacks(execute=True):
        publish(page)
    assert [len(call["member_ids"]) for call in sent] == [2, 2, 1]
    assert notified_ids(sent) == sorted(m.pk for m in people)
    assert {call["dedupe_key"] for call in sent} == {f"editorial.published:{page.pk}"}
    assert {call["kind"] for call in sent} == {publishing.DOCUMENT_KIND}
    assert sent[0]["title"] == f"Văn bản mới: {page.number} — Nghị quyết về chuyển đổi số"


@pytest.mark.django_db
def test_a_corrected_republish_reindexes_but_notifies_nobody_again(
    tree, django_capture_on_commit_callbacks
):
    member(tree["c11"])
    page = make_page(tree["d1"])
    with notices() as sent, django_capture_on_commit_callbacks(execute=True):
        publish(page)
    assert len(sent) == 1
    page.title = "Bài đã sửa lỗi chính tả"
    before = publishing.content_version()
    with notices() as sent, django_capture_on_commit_callbacks(execute=True):
        revision = publish(page)
    assert sent == []
    job = OutboxJob.objects.get(dedupe_key=f"editorial.published:{page.pk}:{revision.pk}")
    assert job.kwargs["notify"] is False and job.state == "done"
    assert publishing.content_version() != before
    assert "bai da sua loi chinh ta" in NewsPage.objects.get(pk=page.pk).search_folded


@pytest.mark.django_db
def test_unpublish_goes_through_the_outbox_too(tree, django_capture_on_commit_callbacks):
    page = make_page(tree["d1"])
    with django_capture_on_commit_callbacks(execute=True):
        publish(page)
    before = publishing.content_version()
    with notices() as sent, django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert sent == []
    job = OutboxJob.objects.get(func=publishing.UNPUBLISHED_JOB)
    assert job.dedupe_key == f"editorial.unpublished:{page.pk}" and job.state == "done"
    assert publishing.content_version() != before


@pytest.mark.django_db
def test_other_pages_do_not_enqueue(tree, django_capture_on_commit_callbacks):
    ensure_home()
    with django_capture_on_commit_callbacks(execute=True):
        section_for(tree["d2"]).save_revision().publish()
    assert not OutboxJob.objects.filter(func__startswith="editorial.publishing").exists()


@pytest.mark.django_db
def test_the_job_is_idempotent(tree, django_capture_on_commit_callbacks):
    member(tree["c11"])
    page = make_page(tree["d1"])
    with django_capture_on_commit_callbacks(execute=False):
        revision = publish(page)
    job = OutboxJob.objects.get(func=publishing.PUBLISHED_JOB)
    with notices() as sent:
        first = publishing.published_job(job=job, **job.kwargs)
        second = publishing.published_job(job=job, **job.kwargs)
    assert first == second == {"page": page.pk, "revision": revision.pk, "notified": 1}
    assert {c["dedupe_key"] for c in sent} == {
        f"editorial.published:{page.pk}"
    }  # the notices plugin keeps one


# --- Redis down at the moment of publishing ----------------------------------------------------


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_at_publish_the_job_waits_and_the_sweeper_delivers_it():
    import django_rq
    from rq import SimpleWorker

    from tests.factories import small_tree

    tree = small_tree()
    reader = member(tree["c11"])
    member(tree["c21"])
    page = make_page(tree["d1"])
    down = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 60}}
    up = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    with notices() as sent:
        with override_settings(SOTAY_JOBS_INLINE=False, RQ_QUEUES=down):
            publish(page)  # autocommit: the job's row commits with the publication; dispatch fails
        job = OutboxJob.objects.get(func=publishing.PUBLISHED_JOB)
        assert job.state == "pending" and sent == []
        assert NewsPage.objects.get(pk=page.pk).live  # the publication itself is not held up
        with override_settings(SOTAY_JOBS_INLINE=False, RQ_QUEUES=up):
            queue = django_rq.get_queue("default")
            queue.empty()
            # every pending job goes (the publication's, and the search index's for the page)
            pending = OutboxJob.objects.filter(state="pending").count()
            assert pending >= 1 and jobs.sweep(older_than_seconds=0) == pending
            assert OutboxJob.objects.get(pk=job.pk).state == "queued"
            SimpleWorker([queue], connection=queue.connection).work(burst=True)
    job.refresh_from_db()
    assert job.state == "done" and job.result["notified"] == 1
    assert notified_ids(sent) == [reader.pk]
