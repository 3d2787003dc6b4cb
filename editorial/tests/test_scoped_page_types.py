"""The generic mechanism behind a plugin's scoped page type (``registry.add_scoped_page``): the
page policy lists and opens its pages by the type's write and approve capabilities at the page's
unit, and the editorial board's workflow step lets the holders of its approve capability act.

No plugin is named here: the tests declare a type over a page model the editorial module already
has (the news article), with capabilities it does not use for news (``UPLOAD_DOCUMENT`` writes,
approves), so every right below comes from the declaration alone. The end to end path with a
real plugin type (a resolution) is ``sotay_plugins/study/tests/test_resolutions_workflow.py``."""

import pytest

from editorial import permissions, workflows
from editorial.models import UPLOAD_DOCUMENT, HomePage, NewsPage
from sotay_plugins.registry import Registry, ScopedPageType, registry
from tests.factories import small_tree, staff

from .helpers import make_page

pytestmark = pytest.mark.django_db


def kind(**changes):
    values = {
        "key": "tests.bulletin",
        "model": NewsPage,
        "write_capability": UPLOAD_DOCUMENT,
        "approve_capability": UPLOAD_DOCUMENT,
        "org_field": "issuer_org",
        "parent_model": HomePage,
    }
    return ScopedPageType(**{**values, **changes})


@pytest.fixture
def w():
    t = small_tree()
    return {
        **t,
        "uploader": staff("document_uploader", t["d1"]),
        "ours": make_page(t["d1"]),
        "below": make_page(t["b1"]),
        "theirs": make_page(t["d2"]),
        "above": make_page(t["province"]),
    }


@pytest.fixture
def declared(monkeypatch):
    monkeypatch.setitem(registry.scoped_pages, "tests.bulletin", kind())
    return registry.scoped_pages["tests.bulletin"]


def ids(pages):
    return set(pages.values_list("pk", flat=True))


def test_the_registry_finds_a_pages_type_and_refuses_a_second_declaration():
    reg = Registry()
    reg.add_scoped_page(kind())
    reg.add_scoped_page(kind())  # the same declaration again (a second ready()): harmless
    with pytest.raises(ValueError):
        reg.add_scoped_page(kind(approve_capability="other.capability"))
    assert reg.scoped_page_type(NewsPage) == kind()
    assert reg.scoped_page_type(NewsPage(title="x")) == kind()
    assert reg.scoped_page_type(HomePage) is None


def test_without_the_declaration_the_uploader_manages_no_news(w):
    user = w["uploader"]
    news = {w[name].pk for name in ("ours", "below", "theirs", "above")}
    assert not ids(permissions.managed_pages(user, {"change"})) & news
    assert not ids(permissions.explorable_pages(user)) & news


def test_a_declared_type_is_managed_in_the_writers_subtree_only(w, declared):
    user = w["uploader"]
    changeable = ids(permissions.managed_pages(user, {"change"}))
    assert {w["ours"].pk, w["below"].pk} <= changeable
    assert not {w["theirs"].pk, w["above"].pk} & changeable
    explorable = ids(permissions.explorable_pages(user))
    assert {w["ours"].pk, w["below"].pk} <= explorable
    assert not {w["theirs"].pk, w["above"].pk} & explorable
    # its index page is where the writer adds one, and the explorer starts there
    home = HomePage.objects.get()
    assert home.pk in ids(permissions.managed_pages(user, {"add"}))
    policy = permissions.ScopedPagePermissionPolicy(NewsPage)
    assert policy.user_has_any_permission(user, {"add"})
    assert home in policy.instances_with_direct_explore_permission(user)
    # someone who holds neither capability gets nothing of it
    outsider = staff("viewer", w["d1"])
    assert not ids(permissions.managed_pages(outsider, {"change", "publish"}))


def test_the_workflow_asks_the_declared_approve_capability_at_the_pages_unit(w, declared):
    user = w["uploader"]
    board_other = staff("document_uploader", w["d2"])
    for name in ("ours", "theirs"):
        w[name].save_revision(user=user)
        w[name].get_workflow().start(w[name], user)
    task = w["ours"].current_workflow_task_state.task.specific
    assert workflows.page_org(w["ours"]) == w["d1"]
    assert workflows.approve_capability(w["ours"]) == UPLOAD_DOCUMENT
    assert workflows.may_act(task, w["ours"], user)
    assert not workflows.may_act(task, w["theirs"], user)
    assert workflows.may_act(task, w["theirs"], board_other)
    states = workflows.task_states_for(task, user)
    assert set(states.values_list("pk", flat=True)) == {w["ours"].current_workflow_task_state.pk}
    # the board of the submission mail is the declared capability's holders at the unit
    holders = permissions.ScopedPagePermissionPolicy(
        NewsPage
    ).users_with_any_permission_for_instance({"publish"}, w["ours"])
    assert user in holders and board_other not in holders
