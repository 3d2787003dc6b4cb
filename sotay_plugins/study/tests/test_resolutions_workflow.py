"""A resolution page in the Wagtail admin, through the editorial workflow (issue 13): the study
officer of a district (``study.manage_study``, no superuser) writes it under the study index
and submits it; the editorial board of that district approves it. Another district's board
neither sees nor approves it, another district's officer cannot edit it, and the explorer shows
each only their own subtree's resolutions.

The study plugin never names the editorial module: the workflow is the site's (Wagtail's own
tables) and the board's rights come from ``study.publish_study`` (bundled into the board's role
by its code); the page type is declared through ``registry.add_scoped_page``."""

import itertools
from datetime import date

import pytest
from django.urls import reverse
from wagtail.models import TaskState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from sotay_plugins.registry import registry
from sotay_plugins.study.resolutions.models import MANAGE_STUDY, PUBLISH_STUDY, ResolutionPage
from sotay_plugins.study.resolutions.services import study_index
from tests.factories import small_tree, staff

pytestmark = pytest.mark.django_db
_slugs = itertools.count(1)


@pytest.fixture
def w():
    tree = small_tree()
    return {
        **tree,
        "index": study_index(),
        "officer_1": staff("document_uploader", tree["d1"]),
        "officer_2": staff("document_uploader", tree["d2"]),
        "board_1": staff("editorial_board", tree["d1"]),
        "board_2": staff("editorial_board", tree["d2"]),
    }


def form(title, issuer, *, submit=True, **extra):
    data = {
        "title": title,
        "slug": f"nghi-quyet-{next(_slugs)}",
        "number": "57-NQ/TW",
        "issued_on": "2024-12-22",
        "issued_by": "Bộ Chính trị",
        "summary": "Về đột phá phát triển khoa học, công nghệ.",
        "document": "",
        "body": streamfield([("heading", "I. Tình hình")]),
        "outlines": inline_formset([]),
        "infographics": inline_formset([]),
        "audio_url": "",
        "video_url": "",
        "issuer_org": issuer.pk,
        "audience_org": issuer.pk,
        "comments": inline_formset([]),
        **extra,
    }
    if submit:
        data["action-submit"] = "Gửi duyệt"
    return nested_form_data(data)


def add_url(index):
    return reverse("wagtailadmin_pages:add", args=["study", "resolutionpage", index.pk])


def action_url(page, action, state):
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, state.pk])


def explorer_ids(client, index):
    response = client.get(reverse("wagtailadmin_explore", args=[index.pk]))
    assert response.status_code == 200
    return {page.pk for page in response.context["pages"]}


def listing_ids(client):
    response = client.get(reverse("study_resolutions:index"))
    assert response.status_code == 200
    return {page.pk for page in response.context["pages"]}


def submitted(w, client, title="Nghị quyết 57 (huyện 1)"):
    client.force_login(w["officer_1"])
    response = client.post(add_url(w["index"]), form(title, w["d1"]))
    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )
    page = ResolutionPage.objects.get(title=title)
    assert page.issuer_org == w["d1"] and not page.live and page.workflow_in_progress
    return page


def test_the_study_plugin_declares_its_page_type():
    kind = registry.scoped_page_type(ResolutionPage)
    assert kind is not None and kind.org_field == "issuer_org"
    assert (kind.write_capability, kind.approve_capability) == (MANAGE_STUDY, PUBLISH_STUDY)


def test_the_officer_writes_and_the_districts_board_approves(w, client):
    page = submitted(w, client)
    state = page.current_workflow_task_state
    assert not w["officer_1"].is_superuser and not w["board_1"].is_superuser
    # the officer cannot approve their own resolution
    assert state.task.specific.get_actions(page, w["officer_1"]) == []
    # the board of the district sees it awaiting review and approves it to live
    assert TaskState.objects.reviewable_by(w["board_1"]).filter(pk=state.pk).exists()
    client.force_login(w["board_1"])
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    response = client.post(action_url(page, "approve", state), {"comment": ""})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and not page.workflow_in_progress and page.published_at is not None


def test_another_districts_board_neither_sees_nor_approves(w, client):
    page = submitted(w, client)
    state = page.current_workflow_task_state
    board = w["board_2"]
    assert not TaskState.objects.reviewable_by(board).filter(pk=state.pk).exists()
    assert state.task.specific.get_actions(page, board) == []
    client.force_login(board)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 404
    for action in ("approve", "reject"):
        response = client.post(action_url(page, action, state), {"comment": "x"})
        assert response.status_code == 404
    page.refresh_from_db()
    state.refresh_from_db()
    assert not page.live and state.status == TaskState.STATUS_IN_PROGRESS
    assert page.pk not in explorer_ids(client, w["index"])


def test_another_districts_officer_cannot_edit(w, client):
    page = submitted(w, client)
    before = page.get_latest_revision().pk
    client.force_login(w["officer_2"])
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, form("Sửa trộm", w["d2"], submit=False))
    assert response.status_code == 404
    page.refresh_from_db()
    assert page.title == "Nghị quyết 57 (huyện 1)"
    assert page.get_latest_revision().pk == before


def test_an_officer_cannot_issue_for_another_unit(w, client):
    client.force_login(w["officer_1"])
    response = client.post(add_url(w["index"]), form("Của huyện 2", w["d2"]))
    assert response.status_code == 200
    assert "issuer_org" in response.context["form"].errors
    assert not ResolutionPage.objects.filter(title="Của huyện 2").exists()


def test_whoever_holds_no_study_right_cannot_open_the_add_form(w, client):
    client.force_login(staff("news_editor", w["d1"]))
    assert client.get(add_url(w["index"])).status_code == 404


def test_the_explorer_shows_only_the_subtrees_resolutions(w, client):
    ours = submitted(w, client, "Nghị quyết huyện 1")
    theirs = ResolutionPage(
        title="Nghị quyết huyện 2",
        number="1-NQ/HU",
        issued_on=date(2025, 1, 5),
        issuer_org=w["d2"],
        audience_org=w["d2"],
        live=False,
    )
    w["index"].add_child(instance=theirs)
    province = ResolutionPage(
        title="Nghị quyết tỉnh",
        number="2-NQ/TU",
        issued_on=date(2025, 1, 6),
        issuer_org=w["province"],
        audience_org=w["province"],
        live=False,
    )
    w["index"].add_child(instance=province)
    expected = {
        "officer_1": {ours.pk},
        "board_1": {ours.pk},
        "officer_2": {theirs.pk},
        "board_2": {theirs.pk},
    }
    for who, pages in expected.items():
        client.force_login(w[who])
        assert explorer_ids(client, w["index"]) == pages, who
        assert listing_ids(client) == pages, who
    # a province officer sees the whole province's resolutions
    client.force_login(staff("document_uploader", w["province"]))
    assert explorer_ids(client, w["index"]) == {ours.pk, theirs.pk, province.pk}


def test_the_explorer_and_listing_cost_the_same_for_more_resolutions(w, client):
    """No query per resolution: the explorer and the listing answer 2 and 8 pages alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(w["officer_1"])
    urls = (
        reverse("wagtailadmin_explore", args=[w["index"].pk]),
        reverse("study_resolutions:index"),
    )
    counts = {url: [] for url in urls}
    for n in (2, 6):
        for i in range(n):
            page = ResolutionPage(
                title=f"Nghị quyết {n}-{i}",
                number=f"{i}-NQ/HU",
                issued_on=date(2025, 1, 5),
                issuer_org=w["d1"],
                audience_org=w["d1"],
                live=False,
            )
            w["index"].add_child(instance=page)
        for url in urls:
            client.get(url)  # warm the per-process caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[url].append(len(queries))
    for url, (few, many) in counts.items():
        assert many == few and many <= 50, (url, few, many)
