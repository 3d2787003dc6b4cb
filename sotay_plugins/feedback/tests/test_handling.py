"""Handling (only the receiving unit's handlers), statuses, reminders, overdue lists, reports,
and Q&A."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sotay_plugins.feedback import services
from sotay_plugins.feedback.models import Feedback, Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown(world):
    return services.send(
        world["author"], receiver=world["r_d1"].pk, text="Đề nghị sửa cầu", topic=world["topic"].pk
    )


def test_only_the_receiving_units_handlers_see_it(world, shown, api):
    assert services.handler_queryset(world["handler"]).filter(pk=shown.pk).exists()
    # the handler of another district and of the province above see nothing of it
    for user in ("other_handler", "province_handler", "custodian"):
        assert not services.handler_queryset(world[user]).exists(), user
        api.force_authenticate(world[user])
        assert api.get(f"/api/v1/feedback-inbox/{shown.pk}/").status_code == 404
        assert (
            api.post(f"/api/v1/feedback-inbox/{shown.pk}/reply/", {"text": "x"}).status_code == 404
        )
    api.force_authenticate(world["handler"])
    listed = api.get("/api/v1/feedback-inbox/").json()
    assert [f["id"] for f in listed["results"]] == [str(shown.pk)]
    assert listed["results"][0]["author_name"] == "Nguyễn Văn Gửi"


def test_another_units_handler_cannot_act(world, shown):
    for action in (
        lambda u: services.assign(u, shown),
        lambda u: services.reply(u, shown, "x"),
        lambda u: services.close(u, shown, "x"),
        lambda u: services.forward(u, shown, world["r_d2"]),
    ):
        with pytest.raises(PermissionDenied):
            action(world["other_handler"])
    shown.refresh_from_db()
    assert shown.status == Feedback.Status.RECEIVED and not shown.entries.exists()


def test_the_whole_handling_flow(world, shown, api, django_capture_on_commit_callbacks):
    from sotay_plugins import signals

    seen = []
    signals.notice_requested.connect(lambda **kw: seen.append(kw), weak=False, dispatch_uid="t")
    try:
        api.force_authenticate(world["handler"])
        due = (timezone.localdate() + timedelta(days=7)).isoformat()
        with django_capture_on_commit_callbacks(execute=True):
            r = api.post(
                f"/api/v1/feedback-inbox/{shown.pk}/assign/",
                {"assignee": world["handler2"].pk, "due_on": due},
            )
            assert r.status_code == 200 and r.json()["status"] == "in_progress"
            assert (
                api.post(
                    f"/api/v1/feedback-inbox/{shown.pk}/progress/", {"text": "Đã xác minh"}
                ).status_code
                == 200
            )
            assert (
                api.post(
                    f"/api/v1/feedback-inbox/{shown.pk}/reply/", {"text": "Đang xử lý"}
                ).status_code
                == 200
            )
            r = api.post(f"/api/v1/feedback-inbox/{shown.pk}/close/", {"text": ""})
            assert r.status_code == 400 and r.json()["detail"]
            assert (
                api.post(
                    f"/api/v1/feedback-inbox/{shown.pk}/close/", {"text": "Đã sửa cầu"}
                ).status_code
                == 200
            )
    finally:
        signals.notice_requested.disconnect(dispatch_uid="t")
    shown.refresh_from_db()
    assert shown.status == Feedback.Status.CLOSED and shown.result == "Đã sửa cầu"
    # the author follows it: replies and the result, not the handlers' progress notes
    api.force_authenticate(world["author"].user)
    thread = api.get(f"/api/v1/feedback/{shown.pk}/replies/").json()["results"]
    kinds = [e["kind"] for e in thread]
    assert "reply" in kinds and "closed" in kinds and "progress" not in kinds
    assert api.post(f"/api/v1/feedback/{shown.pk}/replies/", {"text": "Cảm ơn"}).status_code == 400
    told = [n for n in seen if n["kind"] == services.UPDATE_KIND]
    assert told and all(n["member_ids"] == [world["author"].pk] for n in told)


def test_reminder_before_the_due_date_names_no_author(world, django_capture_on_commit_callbacks):
    from sotay_plugins import signals
    from tests.factories import MemberFactory, grant

    handler_member = MemberFactory(cell=world["c11"])
    grant(handler_member.user, "feedback_handler", world["d1"])
    feedback = services.send(
        world["author"], receiver=world["r_d1"].pk, text="Ẩn", hide_identity=True
    )
    seen = []
    signals.notice_requested.connect(lambda **kw: seen.append(kw), weak=False, dispatch_uid="r")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.assign(
                world["handler"],
                feedback,
                assignee=handler_member.user,
                due_on=timezone.localdate() + timedelta(days=10),
            )
    finally:
        signals.notice_requested.disconnect(dispatch_uid="r")
    reminder = next(n for n in seen if n["kind"] == services.DUE_KIND)
    assert reminder["member_ids"] == [handler_member.pk]
    assert reminder["send_at"].date() == timezone.localdate() + timedelta(days=7)
    assert world["author"].full_name not in str(reminder)


def test_overdue_list_and_report(world, shown, api):
    Feedback.objects.filter(pk=shown.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    closed = services.send(world["author"], receiver=world["r_d1"].pk, text="Khác")
    services.close(world["handler"], closed, "Xong")
    api.force_authenticate(world["handler"])
    assert [f["id"] for f in api.get("/api/v1/feedback-inbox/?overdue=1").json()["results"]] == [
        str(shown.pk)
    ]
    rows = {r["name"]: r for r in api.get("/api/v1/reports/feedback/").json()["results"]}
    row = rows["Ban Thường vụ Huyện 1"]
    assert (row["received"], row["overdue"], row["closed"], row["median_days_to_close"]) == (
        2,
        1,
        1,
        0,
    )
    assert {"topic": "Xây dựng Đảng", "count": 1} in row["by_topic"]
    # the other district's handler sees only their unit in the report
    api.force_authenticate(world["other_handler"])
    assert {r["name"] for r in api.get("/api/v1/reports/feedback/").json()["results"]} == {
        "Ban Thường vụ Huyện 2"
    }


def test_statistics_providers(world, shown):
    from sotay_plugins.registry import registry

    month = timezone.localdate().replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    found = {
        (f.cell_id, f.measure): f.value
        for f in registry.statistics["feedback"].rows(month, following)
    }
    assert found[(world["d1"].pk, "received")] == 1 and found[(world["d1"].pk, "open")] == 1
    assert (world["d2"].pk, "received") not in found


def test_report_queries_do_not_grow(world, django_assert_max_num_queries):
    for _ in range(5):
        services.send(world["author"], receiver=world["r_d1"].pk, text="x", topic=world["topic"].pk)
    receivers = list(services.reportable_receivers(world["manager"]))
    with django_assert_max_num_queries(3):
        services.report_rows(receivers)


def test_inbox_queries_do_not_grow(world, api, django_assert_max_num_queries):
    for _ in range(8):
        services.send(world["author"], receiver=world["r_d1"].pk, text="x", topic=world["topic"].pk)
    api.force_authenticate(world["handler"])
    api.get("/api/v1/feedback-inbox/")
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/feedback-inbox/").json()["results"]) == 8


def test_admin_pages_answer(world, shown, client):
    client.force_login(world["handler"])
    for url in ("/quan-tri/gop-y/", f"/quan-tri/gop-y/{shown.pk}/", "/quan-tri/gop-y/bao-cao/"):
        assert client.get(url).status_code == 200, url
    response = client.post(f"/quan-tri/gop-y/{shown.pk}/reply/", {"text": "Trả lời từ quản trị"})
    assert response.status_code == 302
    client.force_login(world["other_handler"])
    assert client.get(f"/quan-tri/gop-y/{shown.pk}/").status_code == 404
    assert client.post(f"/quan-tri/gop-y/{shown.pk}/close/", {"text": "x"}).status_code == 404
    client.force_login(world["manager"])
    for url in (
        "/quan-tri/gop-y-chu-de/",
        "/quan-tri/gop-y-don-vi-nhan/",
        "/quan-tri/gop-y-tu-khoa/",
    ):
        assert client.get(url).status_code == 200, url


def test_custodian_pages(world, client):
    hidden = services.send(
        world["author"], receiver=world["r_d1"].pk, text="Ẩn", hide_identity=True
    )
    request = services.request_reveal(
        world["handler"], hidden, "Lý do đủ dài để xác minh nội dung phản ánh."
    )
    client.force_login(world["other_custodian"])
    assert client.get(f"/quan-tri/gop-y/danh-tinh/{request.pk}/").status_code == 404
    client.force_login(world["custodian"])
    assert (
        client.post(f"/quan-tri/gop-y/danh-tinh/{request.pk}/", {"decision": "approve"}).status_code
        == 302
    )
    body = client.get(f"/quan-tri/gop-y/danh-tinh/{request.pk}/?xem=1").content.decode()
    assert "Nguyễn Văn Gửi" in body
    client.force_login(world["handler"])
    body = client.get(f"/quan-tri/gop-y/danh-tinh/{request.pk}/?xem=1").content.decode()
    assert "Nguyễn Văn Gửi" not in body


# --- Q&A ----------------------------------------------------------------------------------


def test_questions_go_to_the_base_committee_and_faq_reaches_its_members(world, api):
    from tests.factories import grant

    api.force_authenticate(world["author"].user)
    r = api.post("/api/v1/questions/", {"title": "Đảng phí?", "text": "Đóng thế nào?"})
    assert r.status_code == 201
    question = Question.objects.get()
    assert question.issuer_org == world["b1"]
    # unanswered: only the asker sees it
    api.force_authenticate(world["neighbour"].user)
    assert api.get("/api/v1/questions/").json()["results"] == []
    answerer = world["handler"]
    grant(answerer, "feedback_handler", world["b1"])
    api.force_authenticate(answerer)
    r = api.post(
        f"/api/v1/questions/{question.pk}/answer/", {"answer": "Theo quy định", "publish": True}
    )
    assert r.status_code == 200 and r.json()["is_published"]
    api.force_authenticate(world["neighbour"].user)
    assert [q["id"] for q in api.get("/api/v1/questions/?faq=1").json()["results"]] == [question.pk]
    api.force_authenticate(world["far"].user)  # another base: not in its scope
    assert api.get("/api/v1/questions/").json()["results"] == []
    assert api.get(f"/api/v1/questions/{question.pk}/").status_code == 404
    # the other district's handler cannot answer it
    api.force_authenticate(world["other_handler"])
    assert api.post(f"/api/v1/questions/{question.pk}/answer/", {"answer": "x"}).status_code == 404


def test_question_bad_input(world, api):
    api.force_authenticate(world["author"].user)
    assert api.post("/api/v1/questions/", {"title": "", "text": ""}).status_code == 400
    assert not Question.objects.exists()
    with pytest.raises(ValidationError):
        services.ask(world["author"], title="x" * 300, text="y")


def test_the_faq_is_searchable(world):
    from sotay_plugins.registry import registry

    kind = registry.searchable["feedback.faq"]
    assert kind.model is Question
    question = services.ask(world["author"], title="Chuyển sinh hoạt đảng", text="Thủ tục?")
    assert "chuyen sinh hoat dang" in Question.objects.get(pk=question.pk).search_folded
    assert not kind.queryset().filter(pk=question.pk).exists()  # unpublished: not found


def test_member_question_pages(world, client):
    client.force_login(world["author"].user)
    assert client.get("/hoi-dap/").status_code == 200
    assert client.post("/hoi-dap/hoi/", {"title": "Hỏi", "text": "Nội dung"}).status_code == 302
    assert client.post("/hoi-dap/hoi/", {"title": "", "text": ""}).status_code == 400
    question = Question.objects.get()
    client.force_login(world["far"].user)
    assert client.get(f"/hoi-dap/{question.pk}/").status_code == 404


def test_demo_seeder(world):
    from sotay_plugins.feedback.demo.seed import seed_demo
    from sotay_plugins.feedback.models import Custodianship, IdentityEscrow

    seed_demo(scale="tiny", seed=1)
    assert Feedback.objects.filter(status="review").exists()
    assert Feedback.objects.filter(hide_identity=True).count() == IdentityEscrow.objects.count()
    assert set(Feedback.objects.values_list("status", flat=True)) == set(Feedback.Status.values)
    assert Question.objects.filter(is_published=True).exists()
    assert Custodianship.objects.filter(receiver__org=world["d2"]).count() == 1


def test_a_published_answer_is_found_by_the_search_within_the_committees_scope(world, api):
    from io import StringIO

    from django.core.management import call_command

    from tests.factories import grant

    question = services.ask(world["author"], title="Đảng phí", text="Mức đóng đảng phí ra sao?")
    grant(world["handler"], "feedback_handler", world["b1"])
    services.answer(world["handler"], question, "Theo Quyết định 342-QĐ/TW.", publish=True)
    call_command("reindex_search", "--database-only", stdout=StringIO(), stderr=StringIO())

    def found(member, q):
        api.force_authenticate(member.user)
        response = api.get("/api/v1/search/", {"q": q})
        assert response.status_code == 200, response.content
        return ("feedback.faq", question.pk) in [
            (h["kind"], h["id"]) for h in response.json()["results"]
        ]

    assert found(world["neighbour"], "muc dong dang phi")  # the question's words
    assert found(world["neighbour"], "quyet dinh 342")  # the answer's words
    assert not found(world["far"], "muc dong dang phi")  # another base organisation
