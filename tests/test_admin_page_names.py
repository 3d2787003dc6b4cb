"""Admin views that name a page outside the explorer's rule answer 404 and name nothing.

Each case was a leak of another unit's page title (drafts included) to any staff user, through
a view the page-permission hooks did not reach (``editorial.middleware``: pages named by the
URL or by the chooser's ids; ``editorial.permissions._scoped_actionable_objects``: bulk
actions). District 1's news editor asks about district 2's draft.
"""

import pytest
from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

from editorial.models import NewsPage
from editorial.sections import home_page, section_for
from tests.factories import UserFactory, grant, small_tree

pytestmark = pytest.mark.django_db
SECRET = "Dự thảo riêng của huyện B"


@pytest.fixture
def w(client):
    t = small_tree()
    section_b = section_for(t["d2"])
    draft = NewsPage(title=SECRET, issuer_org=t["d2"], audience_org=t["d2"], live=False)
    section_b.add_child(instance=draft)
    draft.save_revision()
    editor = UserFactory()
    grant(editor, "news_editor", t["d1"])
    client.force_login(editor)
    return {"tree": t, "section_b": section_b, "draft": draft, "editor": editor}


def hidden(response):
    return response.status_code == 404 and SECRET not in response.content.decode()


def test_page_chooser_chosen_endpoint(w, client):
    url = f"/quan-tri/choose-page/chosen-multiple/?id={w['draft'].pk}"
    assert hidden(client.get(url))


def test_page_chooser_browse_of_a_parent(w, client):
    assert hidden(client.get(f"/quan-tri/choose-page/{w['draft'].pk}/"))
    assert hidden(client.get(f"/quan-tri/choose-page/{w['section_b'].pk}/"))
    # the chooser's own pages still open
    own = section_for(w["tree"]["d1"])
    assert client.get(f"/quan-tri/choose-page/{own.pk}/").status_code == 200


def test_bulk_action_confirmation(w, client):
    for action in ("delete", "publish", "unpublish", "move"):
        url = f"/quan-tri/bulk/wagtailcore/page/{action}/?id={w['draft'].pk}"
        assert hidden(client.get(url)), action


def test_bulk_action_over_all_children_names_only_the_users_pages(w, client):
    own = section_for(w["tree"]["d1"])
    url = f"/quan-tri/bulk/wagtailcore/page/delete/?id=all&childOf={home_page().pk}"
    response = client.get(url)
    body = response.content.decode()
    assert "Huyện 2" not in body and SECRET not in body
    assert response.status_code == 404 or own.title in body


def test_workflow_cancellation_and_action(w, client):
    draft = w["draft"]
    workflow = Workflow.objects.create(name="Duyệt")
    task = GroupApprovalTask.objects.create(name="Ban Biên tập")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    workflow.start(draft, UserFactory())  # in moderation, asked by district 2
    assert hidden(client.get(f"/quan-tri/pages/workflow/confirm_cancellation/{draft.pk}/"))
    state = draft.current_workflow_task_state
    url = f"/quan-tri/pages/workflow/action/{draft.pk}/approve/{state.pk}/"
    assert hidden(client.get(url))
    assert SECRET not in client.get("/quan-tri/").content.decode()  # no message left behind


def test_add_subpage_and_add_under_another_units_section(w, client):
    section_b = w["section_b"]
    assert hidden(client.get(f"/quan-tri/pages/{section_b.pk}/add_subpage/"))
    assert hidden(client.get(f"/quan-tri/pages/add/editorial/newspage/{section_b.pk}/"))
    assert hidden(client.get(f"/quan-tri/pages/add/editorial/newspage/{w['draft'].pk}/preview/"))
