"""/api/v1/meetings/: scoped list and detail, filters, comments, convening and editing."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from sotay_plugins.meetings import services
from sotay_plugins.meetings.models import Attendance, Meeting, MeetingComment
from tests.factories import MemberFactory, UserFactory, grant

from .helpers import TZ, cell_meeting, soon


@pytest.fixture
def meetings(tree, people):  # noqa: F811
    def make(cell, user, **fields):
        return services.convene(
            cell, user, **{"starts_at": soon(), "place": "Hội trường", **fields}
        )

    return {
        "c11": make(
            tree["c11"], people["secretary"].user, title="Họp 1.1", draft_resolution="Dự thảo"
        ),
        "c21": make(tree["c21"], people["other_secretary"].user, title="Họp 2.1"),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_member_sees_only_their_cells_meetings(api, people, meetings, tree):  # noqa: F811
    api.force_authenticate(people["a"].user)
    assert ids(api.get("/api/v1/meetings/")) == [meetings["c11"].pk]
    detail = api.get(f"/api/v1/meetings/{meetings['c11'].pk}/").json()
    assert detail["audience_org"] == detail["issuer_org"] == tree["c11"].pk
    assert detail["my_attendance"] == "expected"
    for key in ("id", "title", "kind", "starts_at", "place", "online_link", "agenda", "state"):
        assert key in detail
    missing = api.get(f"/api/v1/meetings/{meetings['c21'].pk}/")
    assert missing.status_code == 404 and missing.json()["detail"] == "Không tìm thấy."


def test_member_of_another_cell_sees_nothing(api, people, meetings):  # noqa: F811
    api.force_authenticate(people["neighbour"].user)  # cell 1.2: no meeting
    assert ids(api.get("/api/v1/meetings/")) == []
    assert api.get(f"/api/v1/meetings/{meetings['c11'].pk}/").status_code == 404
    assert api.get(f"/api/v1/meetings/{meetings['c11'].pk}/comments/").status_code == 404
    response = api.post(
        f"/api/v1/meetings/{meetings['c11'].pk}/comments/", {"text": "Góp ý"}, format="json"
    )
    assert response.status_code == 404 and not MeetingComment.objects.exists()


def test_district_viewer_sees_their_districts_cells_only(api, people, meetings):  # noqa: F811
    api.force_authenticate(people["viewer"])
    assert ids(api.get("/api/v1/meetings/")) == [meetings["c11"].pk]
    assert api.get(f"/api/v1/meetings/{meetings['c21'].pk}/").status_code == 404
    assert api.get(f"/api/v1/meetings/{meetings['c11'].pk}/").json()["my_attendance"] is None
    # a viewer above the cell does not read the cell's comments
    assert api.get(f"/api/v1/meetings/{meetings['c11'].pk}/comments/").status_code == 404


def test_anonymous_gets_nothing(api, meetings):
    response = api.get("/api/v1/meetings/")
    assert response.status_code == 401 and "detail" in response.json()


def test_filters(api, tree, people, meetings):  # noqa: F811
    admin = UserFactory()
    grant(admin, "full_admin", tree["province"])
    api.force_authenticate(admin)
    past = cell_meeting(tree["c11"], datetime(2024, 3, 3, 8, 0, tzinfo=TZ), title="Cũ", place="X")
    assert set(ids(api.get("/api/v1/meetings/"))) == {
        meetings["c11"].pk,
        meetings["c21"].pk,
        past.pk,
    }
    assert set(ids(api.get("/api/v1/meetings/?upcoming=1"))) == {
        meetings["c11"].pk,
        meetings["c21"].pk,
    }
    assert ids(api.get(f"/api/v1/meetings/?cell={tree['c21'].pk}")) == [meetings["c21"].pk]
    assert ids(api.get(f"/api/v1/meetings/?cell={tree['d1'].pk}&month=2024-03")) == [past.pk]
    assert ids(api.get("/api/v1/meetings/?month=2024-04")) == []
    for bad in ("?month=2024-13", "?month=03/2024", "?cell=abc", "?kind=party"):
        response = api.get(f"/api/v1/meetings/{bad}")
        assert response.status_code == 400, bad
        body = response.json()
        assert body["detail"] and body["fields"]


def test_list_paginates_and_query_count_does_not_grow(
    api,
    tree,
    people,  # noqa: F811
    django_assert_max_num_queries,
):
    for days in range(1, 26):
        services.convene(
            tree["c11"],
            people["secretary"].user,
            starts_at=soon(days=days),
            place="X",
            chair=people["a"],
        )
    api.force_authenticate(people["a"].user)
    api.get("/api/v1/meetings/")
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/meetings/").json()
    assert body["count"] == 25 and len(body["results"]) == 20 and body["next"]
    assert {row["my_attendance"] for row in body["results"]} == {"expected"}


def test_comments_create_and_list(api, people, meetings):  # noqa: F811
    url = f"/api/v1/meetings/{meetings['c11'].pk}/comments/"
    api.force_authenticate(people["a"].user)
    created = api.post(url, {"text": "<img src=x onerror=alert(1)> Đồng ý"}, format="json")
    assert created.status_code == 201
    assert created.json()["text"] == "<img src=x onerror=alert(1)> Đồng ý"  # plain text, as written
    api.force_authenticate(people["b"].user)
    rows = api.get(url).json()["results"]
    assert [r["member"] for r in rows] == [people["a"].pk]
    bad = api.post(url, {"text": "   "}, format="json")
    assert (
        bad.status_code == 400
        and "text" in bad.json()["fields"]
        and bad.json()["detail"] == "Xin nhập nội dung góp ý."
    )
    too_long = api.post(url, {"text": "x" * 5000}, format="json")
    assert too_long.status_code == 400 and MeetingComment.objects.count() == 1
    missing = api.post(url, {}, format="json")
    assert missing.status_code == 400 and missing.json()["fields"] == {
        "text": ["Trường này là bắt buộc."]
    }
    # a retried send is stored once
    first = api.post(url, {"text": "Gửi lại khi mạng chập chờn"}, format="json").json()
    again = api.post(url, {"text": "Gửi lại khi mạng chập chờn"}, format="json").json()
    assert first["id"] == again["id"] and MeetingComment.objects.count() == 2


def test_comments_refused_after_close(api, people, meetings):  # noqa: F811
    meeting = meetings["c11"]
    Meeting.objects.filter(pk=meeting.pk).update(state="closed")
    api.force_authenticate(people["a"].user)
    response = api.post(f"/api/v1/meetings/{meeting.pk}/comments/", {"text": "Muộn"}, format="json")
    assert response.status_code == 400 and "text" in response.json()["fields"]


def test_secretary_convenes_and_edits_through_the_api(api, tree, people):  # noqa: F811
    api.force_authenticate(people["secretary"].user)
    start = soon(days=6)
    response = api.post(
        "/api/v1/meetings/",
        {
            "cell": tree["c11"].pk,
            "kind": "thematic",
            "starts_at": start.isoformat(),
            "place": "Hội trường",
            "agenda": "Học tập chuyên đề",
            "chair": people["secretary"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["audience_org"] == tree["c11"].pk and body["kind"] == "thematic"
    assert Attendance.objects.filter(meeting_id=body["id"]).count() == 3
    patched = api.patch(f"/api/v1/meetings/{body['id']}/", {"place": "Nhà văn hóa"}, format="json")
    assert patched.status_code == 200 and patched.json()["place"] == "Nhà văn hóa"


def test_api_bad_input_gives_vietnamese_field_errors(api, tree, people):  # noqa: F811
    api.force_authenticate(people["secretary"].user)
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.post(
        "/api/v1/meetings/",
        {"cell": tree["c11"].pk, "starts_at": past, "place": "X"},
        format="json",
    )
    assert response.status_code == 400
    assert "starts_at" in response.json()["fields"] and "quá khứ" in response.json()["detail"]
    response = api.post(
        "/api/v1/meetings/",
        {"cell": tree["c11"].pk, "starts_at": "ngày mai", "place": "X"},
        format="json",
    )
    assert response.status_code == 400 and "starts_at" in response.json()["fields"]
    assert response.json()["detail"].startswith("Ngày giờ không đúng dạng")
    response = api.post(
        "/api/v1/meetings/",
        {
            "cell": "x",
            "starts_at": soon().isoformat(),
            "place": "X",
            "online_link": "javascript:alert(1)",
            "kind": "tiệc",
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert (
        fields["cell"] == ["Cần một mã số (số nguyên)."]
        and "online_link" in fields
        and "kind" in fields
    )
    assert response.json()["detail"].startswith("Dữ liệu không hợp lệ")
    response = api.post(
        "/api/v1/meetings/", {"starts_at": soon().isoformat(), "place": "X"}, format="json"
    )
    assert response.status_code == 400 and response.json()["fields"] == {
        "cell": ["Cần chọn chi bộ."]
    }
    response = api.post(
        "/api/v1/meetings/",
        {
            "cell": tree["c11"].pk,
            "starts_at": soon().isoformat(),
            "place": "X",
            "chair": people["far"].pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "chair" in response.json()["fields"]
    assert not Meeting.objects.exists()


def test_secretary_of_another_cell_cannot_convene_or_edit(api, tree, people, meetings):  # noqa: F811
    api.force_authenticate(people["other_secretary"].user)
    response = api.post(
        "/api/v1/meetings/",
        {"cell": tree["c11"].pk, "starts_at": soon().isoformat(), "place": "X"},
        format="json",
    )
    assert response.status_code == 403 and response.json()["detail"]
    assert (
        api.patch(
            f"/api/v1/meetings/{meetings['c11'].pk}/", {"place": "Y"}, format="json"
        ).status_code
        == 404
    )
    api.force_authenticate(people["a"].user)  # a plain member of the cell sees it but may not edit
    assert (
        api.patch(
            f"/api/v1/meetings/{meetings['c11'].pk}/", {"place": "Y"}, format="json"
        ).status_code
        == 403
    )
    assert Meeting.objects.filter(place="Y").count() == 0 and Meeting.objects.count() == 2


def test_locked_meeting_cannot_be_patched(api, people, meetings):  # noqa: F811
    Meeting.objects.filter(pk=meetings["c11"].pk).update(state="closed")
    api.force_authenticate(people["secretary"].user)
    response = api.patch(f"/api/v1/meetings/{meetings['c11'].pk}/", {"place": "Y"}, format="json")
    assert response.status_code == 400 and "khóa" in response.json()["detail"]


def test_missing_next_month_api(api, tree, people):  # noqa: F811
    api.force_authenticate(people["viewer"])
    with time_machine.travel(datetime(2031, 3, 20, 9, 0, tzinfo=TZ), tick=False):
        body = api.get("/api/v1/meetings/missing-next-month/").json()
    assert body["due"] is True and body["month"] == "2031-04" and body["deadline"] == "2031-03-20"
    assert {row["id"] for row in body["results"]} == {tree["c11"].pk, tree["c12"].pk}


def test_exempt_member_is_not_expected_but_still_reads(api, tree, people, meetings):  # noqa: F811
    api.force_authenticate(people["exempt_group"].user)
    detail = api.get(f"/api/v1/meetings/{meetings['c11'].pk}/").json()
    assert detail["my_attendance"] is None
    MemberFactory(cell=tree["c11"])  # joins after convening: not on this meeting's list
    assert Attendance.objects.filter(meeting=meetings["c11"]).count() == 3
