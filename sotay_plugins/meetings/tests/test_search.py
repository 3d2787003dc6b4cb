"""A member finds their own cell's meetings through the one search (the kind
``meetings.meeting``, registered through the searchable-kinds extension point), by what the
meeting's page shows them, and nobody outside the scope engine's rule finds them. The index
follows the meeting: the minutes become findable once it is held, a cancelled one leaves."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from sotay_plugins.meetings import services

from .helpers import cell_meeting, soon

pytestmark = pytest.mark.django_db
KIND = "meetings.meeting"


def reindex():
    call_command("reindex_search", "--database-only", stdout=StringIO(), stderr=StringIO())


def found(user, q):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/search/", {"q": q})
    assert response.status_code == 200, response.content
    return [h["id"] for h in response.json()["results"] if h["kind"] == KIND]


@pytest.fixture
def meeting(tree):
    return cell_meeting(
        tree["c11"],
        soon(),
        title="Sinh hoạt chuyên đề chuyển đổi số",
        place="Nhà văn hóa thôn Đông",
        agenda="Quán triệt kế hoạch trồng rừng ngập mặn ven biển",
    )


def test_a_member_finds_their_cells_meeting_and_no_one_else_does(meeting, people, client):
    reindex()
    a = people["a"].user
    for q in ("chuyen doi so", "Rừng ngập mặn", "NHA VAN HOA THON DONG"):
        assert found(a, q) == [meeting.pk], q
    # another cell of the same commune, another district, their secretary: not by its exact words
    for who in ("neighbour", "far", "other_secretary"):
        assert found(people[who].user, "rung ngap man ven bien") == [], who
    # staff viewing the district above see it, as they see it in the meetings pages
    assert found(people["viewer"], "rung ngap man") == [meeting.pk]
    # the hit says what it is and opens the member's meeting page
    client.force_login(a)
    page = client.get("/tim-kiem/", {"q": "rung ngap man"})
    assert page.status_code == 200 and "Sinh hoạt chi bộ" in page.content.decode()
    opened = client.get(f"/tim-kiem/mo/{KIND}/{meeting.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/sinh-hoat/{meeting.pk}/"
    client.force_login(people["neighbour"].user)
    assert client.get(f"/tim-kiem/mo/{KIND}/{meeting.pk}/").status_code == 404


def test_the_minutes_are_found_once_held_and_a_cancelled_meeting_leaves(
    tree, people, settings, django_capture_on_commit_callbacks
):
    settings.SOTAY_JOBS_INLINE = True
    secretary, a = people["secretary"].user, people["a"].user
    with django_capture_on_commit_callbacks(execute=True):  # each write's job runs at commit
        past = cell_meeting(
            tree["c11"], timezone.now() - timedelta(days=2), title="Sinh hoạt thường kỳ"
        )
        upcoming = cell_meeting(tree["c11"], soon(), title="Sinh hoạt chuyên đề an ninh biên giới")
    assert found(a, "thu hoach lua mua") == []  # no minutes yet
    with django_capture_on_commit_callbacks(execute=True):
        services.record_minutes(
            past, secretary, "Chi bộ bàn việc thu hoạch lúa mùa.", "Hoàn thành thu hoạch."
        )
    assert found(a, "thu hoach lua mua") == [past.pk]
    assert found(people["neighbour"].user, "thu hoach lua mua") == []
    assert found(a, "an ninh bien gioi") == [upcoming.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(upcoming, secretary, "Trùng lịch")
    assert found(a, "an ninh bien gioi") == []


def test_comments_and_a_draft_of_another_cell_are_not_searchable(tree, people):
    """What the page does not show is not indexed: comments on the draft never; and the words
    of another cell's meeting never reach this cell's members."""
    mine = cell_meeting(tree["c11"], soon(), draft_resolution="Dự thảo về nuôi tôm công nghệ cao")
    services.add_comment(mine, people["a"].user, "Góp ý riêng về trang trại gà sạch")
    cell_meeting(tree["c12"], soon(), agenda="Bàn việc làm đường bê tông liên xã")
    reindex()
    assert found(people["b"].user, "nuoi tom cong nghe cao") == [mine.pk]
    assert found(people["b"].user, "trang trai ga sach") == []
    assert found(people["b"].user, "duong be tong lien xa") == []
