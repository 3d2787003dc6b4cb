"""The home feed is rendered once per audience class (cell, positions, group) and cached until
something is published or withdrawn: never shown to anyone outside that class."""

import pytest
from wagtail.models import Page

from editorial import publishing
from tests.factories import MemberFactory, document_page, grant, small_tree


@pytest.fixture
def world(db):
    tree = small_tree()
    return {
        "tree": tree,
        "a1": MemberFactory(cell=tree["c11"]),
        "a2": MemberFactory(cell=tree["c11"]),
        "secretary": MemberFactory(cell=tree["c11"], positions={"bi_thu_chi_bo"}),
        "b": MemberFactory(cell=tree["c21"]),
    }


def home(client, member=None):
    if member is not None:
        client.force_login(member.user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_members_of_one_cell_share_the_card_others_never_see_it(
    world, client, django_assert_max_num_queries
):
    document_page(world["tree"]["d1"], title="Nghị quyết riêng của Huyện 1", slug="rieng-h1")
    assert "Nghị quyết riêng của Huyện 1" in home(client, world["a1"])
    client.force_login(world["a2"].user)
    home(client)  # the session and the member's rights, read once
    with django_assert_max_num_queries(5):  # the feed itself: no query at all
        assert "Nghị quyết riêng của Huyện 1" in home(client)
    assert "Nghị quyết riêng của Huyện 1" not in home(client, world["b"])


def test_a_position_filter_gives_its_own_card(world, client):
    document_page(
        world["tree"]["c11"],
        title="Chỉ dành cho bí thư",
        number="1-TB/CB",
        slug="bi-thu",
        audience_positions={"bi_thu_chi_bo"},
    )
    assert "Chỉ dành cho bí thư" not in home(client, world["a1"])
    assert "Chỉ dành cho bí thư" in home(client, world["secretary"])
    assert "Chỉ dành cho bí thư" not in home(client, world["a2"])


def test_a_publication_or_a_withdrawal_shows_at_once(
    world, client, django_capture_on_commit_callbacks
):
    assert "Thông báo mới" not in home(client, world["a1"])
    page = document_page(
        world["tree"]["d1"], title="Thông báo mới", number="2-TB/HU", slug="moi", live=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        # page_published → outbox job after commit → content_version moves on
        page.save_revision().publish()
    assert "Thông báo mới" in home(client, world["a1"])
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=page.pk).specific.unpublish()
    assert "Thông báo mới" not in home(client, world["a1"])


def test_staff_rights_are_never_served_from_a_members_cache(world, client):
    document_page(world["tree"]["d2"], title="Văn bản của Huyện 2", number="3-NQ/HU", slug="h2")
    home(client, world["a1"])  # fills the cell's card
    viewer = MemberFactory(cell=world["tree"]["c11"])
    grant(viewer.user, "viewer", world["tree"]["d2"])
    assert "Văn bản của Huyện 2" in home(client, viewer)  # their own, uncached feed
    assert "Văn bản của Huyện 2" not in home(client, world["a2"])


def test_the_version_moves_on_with_each_publication(world, django_capture_on_commit_callbacks):
    before = publishing.content_version()
    with django_capture_on_commit_callbacks(execute=True):
        document_page(world["tree"]["d1"], slug="x", live=False).save_revision().publish()
    assert publishing.content_version() != before
