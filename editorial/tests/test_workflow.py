"""The editorial board's workflow: news and documents wait for the board of the issuing unit
(and, where a province wants it, the board above); a step by anyone else is refused; a
rejection reaches every earlier actor (notices for members, Wagtail's e-mails)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState, WorkflowTask
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from editorial import workflows
from editorial.models import EditorialBoardTask, NewsPage
from editorial.sections import section_for
from sotay_plugins import signals
from tests.factories import MemberFactory, UserFactory, grant, small_tree

BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def member_with_role(cell, role, org, name):
    member = MemberFactory(cell=cell, full_name=name)
    member.user.email = f"{member.user.username}@example.vn"
    member.user.save(update_fields=["email"])
    grant(member.user, role, org)
    return member


@pytest.fixture
def w(db):
    t = small_tree()
    w = dict(t)
    w["editor"] = member_with_role(t["c11"], "news_editor", t["d1"], "Biên tập viên")
    w["board_a"] = member_with_role(t["c12"], "editorial_board", t["d1"], "Ban Biên tập huyện 1")
    w["board_p"] = member_with_role(t["c21"], "editorial_board", t["province"], "Ban Biên tập tỉnh")
    w["board_b"] = UserFactory(email="bbt-b@example.vn")  # staff only: no Member row
    grant(w["board_b"], "editorial_board", t["d2"])
    page = NewsPage(
        title="Hội nghị học tập nghị quyết", issuer_org=t["d1"], audience_org=t["d1"], live=False
    )
    section_for(t["d1"]).add_child(instance=page)
    page.save_revision(user=w["editor"].user)
    w["page"] = page
    return w


def submit(page, user):
    return page.get_workflow().start(page, user)


def action_url(page, action, task_state):
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])


@pytest.fixture
def notices():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    signals.notice_requested.connect(receiver, dispatch_uid="test-editorial-notices")
    yield received
    signals.notice_requested.disconnect(dispatch_uid="test-editorial-notices")


def test_the_default_workflow_covers_every_section(w):
    workflow = w["page"].get_workflow()
    assert workflow.name == workflows.WORKFLOW_NAME
    tasks = [task.specific for task in workflow.tasks]
    assert len(tasks) == 1 and isinstance(tasks[0], EditorialBoardTask)
    assert tasks[0].level == EditorialBoardTask.Level.ISSUER


def test_an_editor_submits_and_the_board_approves_to_live(w, client):
    page = w["page"]
    login(client, w["editor"].user)
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "category": "current",
            "lead": "Sapo",
            "body": streamfield([]),
            "author": "",
            "source": "",
            "audience_org": w["d1"].pk,
            "attachments": inline_formset([]),
            "comments": inline_formset([]),
            "action-submit": "Gửi duyệt",
        }
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )
    page.refresh_from_db()
    assert page.workflow_in_progress and not page.live
    # the board of the district is mailed (Wagtail's submission mail, for this task type)
    assert any(w["board_a"].user.email in message.to for message in mail.outbox)
    state = page.current_workflow_task_state
    login(client, w["board_a"].user)
    response = client.post(action_url(page, "approve", state), {"comment": ""})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and not page.workflow_in_progress


@pytest.mark.parametrize("who", ["board_b", "editor"])
def test_a_step_by_someone_without_the_right_is_refused(w, client, who):
    page = w["page"]
    submit(page, w["editor"].user)
    state = page.current_workflow_task_state
    user = w[who] if who == "board_b" else w[who].user
    login(client, user)
    # another unit's board does not see the page at all (404), its own editor is refused
    expected = 404 if who == "board_b" else 302  # its own editor: back to the dashboard
    response = client.post(action_url(page, "approve", state), {"comment": ""})
    assert response.status_code == expected
    rejected = client.post(action_url(page, "reject", state), {"comment": "x"})
    assert rejected.status_code == expected
    page.refresh_from_db()
    state.refresh_from_db()
    assert not page.live and state.status == TaskState.STATUS_IN_PROGRESS
    task = state.task.specific
    assert task.get_actions(page, user) == []
    with pytest.raises(PermissionDenied):
        task.on_action(state, user, "approve")
    assert not task.user_can_access_editor(page, user)


def test_only_the_units_board_sees_the_page_awaiting_review(w, client):
    submit(w["page"], w["editor"].user)
    assert TaskState.objects.reviewable_by(w["board_a"].user).filter(
        pk=w["page"].current_workflow_task_state.pk
    )
    assert not TaskState.objects.reviewable_by(w["board_b"]).exists()
    login(client, w["board_b"])
    assert "Hội nghị học tập" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_rejection_notifies_every_earlier_actor(
    w, client, notices, django_capture_on_commit_callbacks
):
    page = w["page"]
    workflow = page.get_workflow()
    second = EditorialBoardTask.objects.create(name="Ban Biên tập cấp trên duyệt", level="parent")
    WorkflowTask.objects.create(workflow=workflow, task=second, sort_order=1)
    submit(page, w["editor"].user)
    first_state = page.current_workflow_task_state
    login(client, w["board_a"].user)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(action_url(page, "approve", first_state), {"comment": ""}).status_code
            == 302
        )
    page.refresh_from_db()
    second_state = page.current_workflow_task_state
    assert second_state.task.specific.level == "parent"
    # the district's board cannot take the province's step
    assert second.get_actions(page, w["board_a"].user) == []
    mail.outbox.clear()
    login(client, w["board_p"].user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            action_url(page, "reject", second_state), {"comment": "Sửa lại tít bài"}
        )
    assert response.status_code == 302
    state = WorkflowState.objects.get(pk=second_state.workflow_state_id)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert len(notices) == 1
    notice = notices[0]
    assert notice["kind"] == workflows.REJECTED_KIND
    assert set(notice["member_ids"]) == {
        w["editor"].pk,
        w["board_a"].pk,
    }  # not the province's board
    assert "Sửa lại tít bài" in notice["body"] and page.title in notice["title"]
    recipients = {address for message in mail.outbox for address in message.to}
    assert {w["editor"].user.email, w["board_a"].user.email} <= recipients
    assert w["board_p"].user.email not in recipients


def test_staff_without_a_member_row_get_no_notice_but_the_rest_do(
    w, notices, django_capture_on_commit_callbacks
):
    page = w["page"]
    submitter = UserFactory(email="staff@example.vn")
    grant(submitter, "news_editor", w["d1"])
    state = submit(page, submitter)
    with django_capture_on_commit_callbacks(execute=True):
        state.current_task_state.task.specific.on_action(
            state.current_task_state, w["board_a"].user, "reject", comment=""
        )
    assert notices == []  # nobody with a Member row acted before the board
    assert any(message.to == ["staff@example.vn"] for message in mail.outbox)  # Wagtail's own mail


def test_the_board_corrects_a_document_while_reviewing_it(w, client):
    from datetime import date

    from django.core.files.base import ContentFile

    from editorial.models import DocumentFile, DocumentPage, LibraryFile
    from sotay_plugins.orgtree.choices import AdvisoryKind
    from sotay_plugins.orgtree.models import AdvisoryBody

    body = AdvisoryBody.objects.create(
        org=w["d1"], kind=AdvisoryKind.choices[0][0], name="Ban Tuyên giáo"
    )
    uploader = UserFactory()
    grant(uploader, "document_uploader", w["d1"], body=body)
    page = DocumentPage(
        title="Kế hoạch tuyên truyền",
        number="30-KH/HU",
        kind="ke_hoach",
        issued_on=date(2026, 3, 1),
        summary="Bản nháp",
        issuer_org=w["d1"],
        audience_org=w["d1"],
        advisory_body=body,
        live=False,
    )
    stored = LibraryFile(title="ke-hoach", uploaded_by_user=uploader)
    stored.file.save("ke-hoach.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    stored.save()
    page.files.add(DocumentFile(file=stored))
    section_for(w["d1"]).add_child(instance=page)
    page.save_revision(user=uploader)
    attached = page.files.get()
    board = w["board_a"].user
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    login(client, board)
    assert client.get(url).status_code == 302  # not under review: not the board's to edit
    submit(page, uploader)
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "number": page.number,
            "kind": page.kind,
            "issued_on": "01/03/2026",
            "advisory_body": body.pk,
            "summary": "Đã sửa câu chữ",
            "audience_org": w["d1"].pk,
            "files": inline_formset(
                [{"id": attached.pk, "file": stored.pk, "label": ""}], initial=1
            ),
            "links": inline_formset([]),
            "comments": inline_formset([]),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )
    assert response.url.endswith(f"/{page.pk}/edit/") or "/quan-tri/pages/" in response.url, (
        response.url
    )
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().summary == "Đã sửa câu chữ"
    # but the board cannot move the document to a body it does not upload for
    other = AdvisoryBody.objects.create(
        org=w["d1"], kind=AdvisoryKind.choices[0][0], name="Ban Tổ chức"
    )
    data["advisory_body"] = other.pk
    response = client.post(url, data)
    assert response.status_code == 200 and "advisory_body" in response.context["form"].errors
