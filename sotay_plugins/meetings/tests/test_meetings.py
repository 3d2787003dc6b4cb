"""Meetings: convening, scope, locking, comments, reminders, the 20th rule, member pages, iCal,
admin."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from sotay_plugins import signals
from sotay_plugins.meetings import services
from sotay_plugins.meetings.models import Attendance, Meeting, MeetingComment
from tests.factories import MemberFactory, UserFactory, grant

from .helpers import TZ, cell_meeting, soon


def convene(tree, people, **extra):
    fields = {
        "kind": Meeting.Kind.REGULAR,
        "starts_at": soon(),
        "place": "Nhà văn hóa thôn 1",
        "agenda": "1. Kiểm điểm\n2. Phương hướng",
        "draft_resolution": "Dự thảo nghị quyết tháng",
    }
    fields.update(extra)
    return services.convene(tree["c11"], people["secretary"].user, **fields)


# --- convening ------------------------------------------------------------------------------


def test_convene_creates_one_attendance_row_per_expected_member(tree, people):
    meeting = convene(tree, people, chair=people["secretary"])
    assert meeting.issuer_org_id == meeting.audience_org_id == tree["c11"].pk
    expected = {people["secretary"].pk, people["a"].pk, people["b"].pk}
    assert (
        set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))
        == expected
    )
    assert set(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)) == {
        "expected"
    }
    assert meeting.title.startswith("Sinh hoạt thường kỳ tháng")


def test_convene_bulk_inserts_attendance(tree, people, django_assert_max_num_queries):
    for _ in range(30):
        MemberFactory(cell=tree["c11"])
    # 16 with 33 members: one INSERT of every attendance row; the meeting's search job (the
    # outbox row in its savepoint) is two of them
    with django_assert_max_num_queries(16):
        meeting = convene(tree, people)
    assert meeting.attendance.count() == 33


@pytest.mark.parametrize("who", ["other_secretary", "a", "viewer"])
def test_only_a_convener_of_the_cell_may_convene(tree, people, who):
    user = people[who] if who == "viewer" else people[who].user
    with pytest.raises(PermissionDenied):
        services.convene(tree["c11"], user, starts_at=soon(), place="X")
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"starts_at": timezone.now() - timedelta(hours=1)}, "starts_at"),
        ({"ends_at": soon() - timedelta(hours=1)}, "ends_at"),
        ({"place": "", "online_link": ""}, "place"),
        ({"kind": "party"}, "kind"),
        ({"online_link": "javascript:alert(1)"}, "online_link"),
        ({"title": "x" * 300}, "title"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_written(tree, people, fields, field):
    with pytest.raises(ValidationError) as exc:
        convene(tree, people, **fields)
    assert field in exc.value.message_dict
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


def test_chair_and_recorder_must_belong_to_the_cell(tree, people):
    with pytest.raises(ValidationError) as exc:
        convene(tree, people, chair=people["neighbour"], recorder=people["far"].pk)
    assert "phải là đảng viên đang sinh hoạt tại" in exc.value.message_dict["chair"][0]
    assert "recorder" in exc.value.message_dict
    assert not Meeting.objects.exists()


def test_only_a_cell_can_hold_a_meeting(tree, people):
    admin = UserFactory()
    grant(admin, "full_admin", tree["province"])
    with pytest.raises(ValidationError) as exc:
        services.convene(tree["b1"], admin, starts_at=soon(), place="X")
    assert "không phải chi bộ" in exc.value.message_dict["cell"][0]


# --- update, minutes, approval, lock --------------------------------------------------------


def test_another_cells_secretary_cannot_edit_or_cancel(tree, people):
    meeting = convene(tree, people)
    for fn in (
        lambda u: services.update(meeting, u, place="Khác"),
        lambda u: services.cancel(meeting, u),
        lambda u: services.record_minutes(meeting, u, "Biên bản"),
    ):
        with pytest.raises(PermissionDenied):
            fn(people["other_secretary"].user)
    meeting.refresh_from_db()
    assert meeting.place == "Nhà văn hóa thôn 1" and meeting.state == "scheduled"


def test_approval_closes_and_locks_the_meeting(tree, people):
    meeting = convene(tree, people)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    user = people["secretary"].user
    with pytest.raises(ValidationError):
        services.approve_minutes(meeting, user)  # no minutes yet
    services.record_minutes(meeting, user, "Biên bản buổi họp", "Nghị quyết")
    meeting = services.approve_minutes(meeting, user)
    assert meeting.state == "closed" and meeting.minutes_approved_by == user and meeting.is_locked
    for fn in (
        lambda: services.update(meeting, user, place="Khác"),
        lambda: services.record_minutes(meeting, user, "Sửa biên bản"),
        lambda: services.approve_minutes(meeting, user),
        lambda: services.cancel(meeting, user),
        lambda: services.add_comment(meeting, people["a"].user, "Muộn rồi"),
    ):
        with pytest.raises(ValidationError):
            fn()
    meeting.refresh_from_db()
    assert meeting.minutes == "Biên bản buổi họp" and meeting.place == "Nhà văn hóa thôn 1"
    assert not MeetingComment.objects.exists()


def test_minutes_only_after_the_meeting_started(tree, people):
    meeting = convene(tree, people)
    with pytest.raises(ValidationError):
        services.record_minutes(meeting, people["secretary"].user, "Biên bản")
    with pytest.raises(ValidationError) as exc:
        services.record_minutes(meeting, people["secretary"].user, "   ")
    assert "minutes" in exc.value.message_dict
    meeting.refresh_from_db()
    assert meeting.state == "scheduled" and meeting.minutes == ""


def test_cancelled_meeting_is_locked(tree, people):
    meeting = services.cancel(convene(tree, people), people["secretary"].user, "Bão")
    assert meeting.state == "cancelled"
    with pytest.raises(ValidationError):
        services.update(meeting, people["secretary"].user, place="Khác")


def test_update_moving_to_the_past_is_refused(tree, people):
    meeting = convene(tree, people)
    with pytest.raises(ValidationError) as exc:
        services.update(
            meeting, people["secretary"].user, starts_at=timezone.now() - timedelta(days=1)
        )
    assert "starts_at" in exc.value.message_dict
    meeting = services.update(meeting, people["secretary"].user, place="Hội trường xã")
    assert meeting.place == "Hội trường xã"


# --- comments -------------------------------------------------------------------------------


def test_only_members_of_the_cell_comment(tree, people):
    meeting = convene(tree, people)
    for user in (
        people["neighbour"].user,
        people["far"].user,
        people["viewer"],
        people["other_secretary"].user,
    ):
        with pytest.raises(PermissionDenied):
            services.add_comment(meeting, user, "Góp ý")
    assert not MeetingComment.objects.exists()
    assert services.can_see_comments(people["a"].user, meeting)
    assert not services.can_see_comments(people["viewer"], meeting)
    assert not services.can_see_comments(people["neighbour"].user, meeting)


@pytest.mark.parametrize("text", ["", "   ", "x" * (services.COMMENT_MAX_LENGTH + 1)])
def test_bad_comments_are_refused(tree, people, text):
    meeting = convene(tree, people)
    with pytest.raises(ValidationError) as exc:
        services.add_comment(meeting, people["a"].user, text)
    assert "text" in exc.value.message_dict
    assert not MeetingComment.objects.exists()


def test_comment_with_html_is_stored_plain_and_escaped_on_the_page(client, tree, people):
    meeting = convene(tree, people)
    client.force_login(people["a"].user)
    payload = '<script>alert("x")</script><b onmouseover=1>đậm</b>'
    response = client.post(reverse("meetings:comment", args=[meeting.pk]), {"text": payload})
    assert response.status_code == 302
    assert MeetingComment.objects.get().text == payload
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "<script>alert" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_bad_comment_on_the_page_shows_a_vietnamese_error(client, tree, people):
    meeting = convene(tree, people)
    client.force_login(people["a"].user)
    response = client.post(reverse("meetings:comment", args=[meeting.pk]), {"text": "  "})
    assert response.status_code == 400
    assert "Xin nhập nội dung góp ý." in response.content.decode()
    assert not MeetingComment.objects.exists()


def test_member_of_another_cell_cannot_comment_through_the_page(client, tree, people):
    meeting = convene(tree, people)
    client.force_login(people["neighbour"].user)
    assert (
        client.post(
            reverse("meetings:comment", args=[meeting.pk]), {"text": "xin chào"}
        ).status_code
        == 404
    )
    assert not MeetingComment.objects.exists()


# --- reminders ------------------------------------------------------------------------------


@pytest.fixture
def notices():
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    signals.notice_requested.connect(receiver, dispatch_uid="test-meetings-notices")
    yield sent
    signals.notice_requested.disconnect(dispatch_uid="test-meetings-notices")


def test_reminders_go_to_expected_members_once_after_commit(
    tree, people, notices, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = convene(tree, people)
        assert notices == []  # not before commit
    assert [n["kind"] for n in notices] == ["meetings.reminder", "meetings.reminder"]
    now, day_before = notices
    expected = {people["secretary"].pk, people["a"].pk, people["b"].pk}
    assert set(now["member_ids"]) == set(day_before["member_ids"]) == expected
    assert now["send_at"] is None and day_before["send_at"] == meeting.starts_at - timedelta(days=1)
    assert now["dedupe_key"] != day_before["dedupe_key"]
    assert now["url"] == reverse("meetings:detail", args=[meeting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        services.update(
            meeting, people["secretary"].user, place="Hội trường"
        )  # same time: no new reminder
    assert len(notices) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.update(meeting, people["secretary"].user, starts_at=soon(days=4))
    assert len(notices) == 4 and notices[2]["dedupe_key"] != now["dedupe_key"]


def test_no_reminder_when_convening_fails(
    tree, people, notices, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        convene(tree, people, ends_at=soon() - timedelta(hours=3))
    assert notices == []


# --- the 20th rule --------------------------------------------------------------------------


def test_cells_missing_next_month_from_the_20th(tree, people):
    viewer = people["viewer"]  # district 1: cells c11 and c12
    today = date(2031, 3, 19)
    assert list(services.cells_missing_next_month(viewer, today)) == []
    today = date(2031, 3, 20)
    assert {c.pk for c in services.cells_missing_next_month(viewer, today)} == {
        tree["c11"].pk,
        tree["c12"].pk,
    }
    april = datetime(2031, 4, 3, 8, 0, tzinfo=TZ)
    cell_meeting(tree["c11"], april, title="T4", agenda="Nội dung", kind="regular")
    cell_meeting(
        tree["c12"], april, title="Chuyên đề", agenda="Nội dung", kind="thematic"
    )  # not a regular meeting: still missing
    assert [c.pk for c in services.cells_missing_next_month(viewer, today)] == [tree["c12"].pk]
    # December → January of the next year
    cell_meeting(
        tree["c12"],
        datetime(2032, 1, 5, 8, 0, tzinfo=TZ),
        title="T1",
        agenda="Nội dung",
        kind="regular",
    )
    assert [c.pk for c in services.cells_missing_next_month(viewer, date(2031, 12, 25))] == [
        tree["c11"].pk
    ]
    # a secretary sees only their own cell; another district's cells are never listed
    assert [
        c.pk for c in services.cells_missing_next_month(people["other_secretary"].user, today)
    ] == [tree["c21"].pk]


def test_cancelled_or_agenda_less_meeting_does_not_count(tree, people):
    april = datetime(2031, 4, 3, 8, 0, tzinfo=TZ)
    cell_meeting(tree["c11"], april, title="T4", agenda="", kind="regular")
    cell_meeting(tree["c11"], april, title="T4", agenda="X", kind="regular", state="cancelled")
    assert tree["c11"].pk in {
        c.pk for c in services.cells_missing_next_month(people["viewer"], date(2031, 3, 21))
    }


# --- member pages ---------------------------------------------------------------------------


def test_member_sees_their_cells_meetings_and_nothing_of_another_cell(client, tree, people):
    mine = convene(tree, people, title="Họp chi bộ 1.1")
    theirs = services.convene(
        tree["c21"],
        people["other_secretary"].user,
        starts_at=soon(),
        place="Xã 2",
        title="Họp chi bộ 2.1",
    )
    client.force_login(people["a"].user)
    page = client.get(reverse("meetings:list")).content.decode()
    assert "Họp chi bộ 1.1" in page and "Họp chi bộ 2.1" not in page
    assert client.get(reverse("meetings:detail", args=[theirs.pk])).status_code == 404
    detail = client.get(reverse("meetings:detail", args=[mine.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert (
        "Nhà văn hóa thôn 1" in body
        and "Dự thảo nghị quyết tháng" in body
        and 'name="text"' in body
    )
    assert "<script" not in body.split("</main>")[0]  # the page works without JavaScript

    client.force_login(people["far"].user)
    assert client.get(reverse("meetings:detail", args=[mine.pk])).status_code == 404
    ics = client.get(reverse("meetings:ical")).content.decode()
    assert "Họp chi bộ 2.1" in ics and "Họp chi bộ 1.1" not in ics


def test_district_viewer_sees_meetings_but_not_comments(client, tree, people):
    meeting = convene(tree, people)
    services.add_comment(meeting, people["a"].user, "Góp ý kín của chi bộ")
    client.force_login(people["viewer"])
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 200 and "Góp ý kín của chi bộ" not in response.content.decode()
    other = services.convene(
        tree["c21"], people["other_secretary"].user, starts_at=soon(), place="Xã 2"
    )
    assert client.get(reverse("meetings:detail", args=[other.pk])).status_code == 404


def test_member_pages_need_login(client, tree, people):
    meeting = convene(tree, people)
    for url in (
        reverse("meetings:list"),
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("meetings:ical"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_list_page_query_count_does_not_grow(client, tree, people, django_assert_max_num_queries):
    for days in range(1, 16):
        convene(tree, people, starts_at=soon(days=days), chair=people["a"])
    for days in range(1, 6):
        cell_meeting(
            tree["c11"],
            timezone.now() - timedelta(days=30 * days),
            title=f"Cũ {days}",
            place="X",
        )
    client.force_login(people["a"].user)
    client.get(reverse("meetings:list"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("meetings:list"))
    assert response.content.decode().count('class="meeting"') == 20


def test_ical_feed_is_utc_calendar(client, tree, people):
    meeting = convene(tree, people, title="Sinh hoạt; tháng, 5", starts_at=soon(hour=8))
    client.force_login(people["a"].user)
    response = client.get(reverse("meetings:ical"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "VTIMEZONE" not in text
    utc = meeting.starts_at.astimezone(
        timezone.UTC if hasattr(timezone, "UTC") else __import__("datetime").UTC
    )
    assert (
        f"DTSTART:{utc:%Y%m%dT%H%M%S}Z" in text and f"{utc:%H}" == "01"
    )  # 08:00 in Hà Nội is 01:00 UTC
    assert "SUMMARY:Sinh hoạt\\; tháng\\, 5" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_home_card_and_tab(client, tree, people, django_assert_max_num_queries):
    convene(tree, people, title="Sinh hoạt tháng này")
    client.force_login(people["a"].user)
    response = client.get(reverse("members:home"))
    body = response.content.decode()
    assert "Sinh hoạt sắp tới" in body and "Sinh hoạt tháng này" in body
    assert reverse("meetings:list") in body
    client.force_login(people["far"].user)
    assert "Sinh hoạt tháng này" not in client.get(reverse("members:home")).content.decode()


def test_materials_slot_falls_back_to_the_empty_template(client, tree, people):
    from django.template.loader import select_template

    from sotay_plugins.meetings.views.meetings import MATERIALS_TEMPLATES

    chosen = select_template(MATERIALS_TEMPLATES).template.name
    assert chosen in MATERIALS_TEMPLATES
    meeting = convene(tree, people)
    client.force_login(people["a"].user)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


# --- admin ----------------------------------------------------------------------------------


def test_admin_listing_is_scoped(client, tree, people, django_assert_max_num_queries):
    convene(tree, people, title="Họp 1.1")
    services.convene(
        tree["c21"], people["other_secretary"].user, starts_at=soon(), place="Xã 2", title="Họp 2.1"
    )
    client.force_login(people["viewer"])
    body = client.get(reverse("meetings_meeting:index")).content.decode()
    assert "Họp 1.1" in body and "Họp 2.1" not in body
    client.force_login(people["other_secretary"].user)
    body = client.get(reverse("meetings_meeting:index")).content.decode()
    assert "Họp 2.1" in body and "Họp 1.1" not in body
    for days in range(2, 12):
        convene(tree, people, starts_at=soon(days=days))
    client.force_login(people["viewer"])
    client.get(reverse("meetings_meeting:index"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("meetings_meeting:index")).status_code == 200
    first = timezone.localdate().replace(day=1) - timedelta(days=40)
    cell_meeting(
        tree["c11"],
        datetime(first.year, first.month, 5, 8, 0, tzinfo=TZ),
        title="Họp tháng trước nữa",
        place="X",
    )
    body = client.get(
        reverse("meetings_meeting:index") + f"?month={first:%Y-%m}&kind=regular"
    ).content.decode()
    assert "Họp tháng trước nữa" in body and "Họp 1.1" not in body
    body = client.get(
        reverse("meetings_meeting:index") + f"?unit={tree['c12'].pk}"
    ).content.decode()
    assert "Họp tháng trước nữa" not in body and "Họp 1.1" not in body


def test_admin_convene_edit_minutes_approve(client, tree, people):
    client.force_login(people["secretary"].user)
    start = soon(days=5)
    response = client.post(
        reverse("meetings_meeting:add"),
        {
            "cell": tree["c11"].pk,
            "kind": "regular",
            "title": "",
            "starts_at": start.strftime("%d/%m/%Y %H:%M"),
            "ends_at": "",
            "place": "Hội trường",
            "online_link": "",
            "chair": people["a"].pk,
            "recorder": "",
            "agenda": "Chương trình",
            "content": "",
            "draft_resolution": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    meeting = Meeting.objects.get()
    assert (
        meeting.starts_at == start
        and meeting.chair == people["a"]
        and meeting.attendance.count() == 3
    )

    edit_url = reverse("meetings_meeting:edit", args=[meeting.pk])
    data = {
        "kind": "regular",
        "title": meeting.title,
        "starts_at": start.strftime("%d/%m/%Y %H:%M"),
        "ends_at": "",
        "place": "Nhà văn hóa",
        "online_link": "",
        "chair": people["a"].pk,
        "recorder": "",
        "agenda": "Chương trình",
        "content": "",
        "draft_resolution": "",
    }
    assert client.post(edit_url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Nhà văn hóa"

    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    response = client.post(
        reverse("meetings_meeting:minutes", args=[meeting.pk]),
        {"minutes": "Biên bản", "resolution": ""},
    )
    assert response.status_code == 302
    assert (
        client.post(reverse("meetings_meeting:approve", args=[meeting.pk]), {}).status_code == 302
    )
    meeting.refresh_from_db()
    assert meeting.state == "closed"
    # locked: the edit page sends back to the read-only page, a forced post changes nothing
    assert client.get(edit_url).status_code == 302
    client.post(edit_url, {**data, "place": "Khác"})
    meeting.refresh_from_db()
    assert meeting.place == "Nhà văn hóa"
    assert client.get(reverse("meetings_meeting:inspect", args=[meeting.pk])).status_code == 200
    for name in ("minutes", "approve", "cancel"):
        assert client.get(reverse(f"meetings_meeting:{name}", args=[meeting.pk])).status_code == 302
    client.post(reverse("meetings_meeting:minutes", args=[meeting.pk]), {"minutes": "Sửa"})
    meeting.refresh_from_db()
    assert meeting.minutes == "Biên bản" and meeting.state == "closed"


def test_admin_bad_input_shows_vietnamese_error(client, tree, people):
    client.force_login(people["secretary"].user)
    response = client.post(
        reverse("meetings_meeting:add"),
        {
            "cell": tree["c11"].pk,
            "kind": "regular",
            "starts_at": "01/01/2020 08:00",
            "place": "X",
        },
    )
    assert response.status_code == 200
    assert "Thời gian bắt đầu đã qua" in response.content.decode()
    assert not Meeting.objects.exists()


def test_admin_secretary_of_another_cell_cannot_touch(client, tree, people):
    meeting = convene(tree, people)
    client.force_login(people["other_secretary"].user)
    for name in ("edit", "inspect", "minutes", "approve", "cancel"):
        assert (
            client.get(reverse(f"meetings_meeting:{name}", args=[meeting.pk])).status_code == 404
        ), name
    response = client.post(
        reverse("meetings_meeting:add"),
        {
            "cell": tree["c11"].pk,
            "kind": "regular",
            "starts_at": soon().strftime("%d/%m/%Y %H:%M"),
            "place": "X",
        },
    )
    assert response.status_code == 200 and Meeting.objects.count() == 1
    assert client.post(reverse("meetings_meeting:cancel", args=[meeting.pk]), {}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.state == "scheduled"


def test_admin_viewer_cannot_convene_or_edit(client, tree, people):
    meeting = convene(tree, people)
    client.force_login(people["viewer"])
    assert client.get(reverse("meetings_meeting:add")).status_code == 302
    assert client.get(reverse("meetings_meeting:edit", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings_meeting:inspect", args=[meeting.pk])).status_code == 200


def test_admin_missing_report(client, tree, people):
    client.force_login(people["viewer"])
    response = client.get(reverse("meetings_meeting:missing"))
    assert response.status_code == 200
    body = response.content.decode()
    assert tree["c11"].name in body and tree["c21"].name not in body
    client.force_login(people["a"].user)
    assert client.get(reverse("meetings_meeting:missing")).status_code == 302


def test_html_in_meeting_text_is_escaped_everywhere(client, tree, people):
    evil = '<img src=x onerror="alert(1)">'
    meeting = convene(
        tree,
        people,
        title=f"Họp {evil}",
        agenda=f"Mục 1 {evil}",
        place=evil,
        draft_resolution=f"<script>alert(2)</script>{evil}",
    )
    client.force_login(people["a"].user)
    for url in (
        reverse("meetings:list"),
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("members:home"),
    ):
        body = client.get(url).content.decode()
        assert "<img src=x" not in body and "<script>alert(2)" not in body, url
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body, url
    client.force_login(people["secretary"].user)
    for url in (
        reverse("meetings_meeting:index"),
        reverse("meetings_meeting:inspect", args=[meeting.pk]),
    ):
        body = client.get(url).content.decode()
        assert "<img src=x" not in body and "<script>alert(2)" not in body, url


def test_editing_a_held_meeting_keeps_its_time(tree, people):
    meeting = convene(tree, people)
    started = timezone.now() - timedelta(hours=1, seconds=17)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=started)
    meeting.refresh_from_db()
    same_minute = started.replace(second=0, microsecond=0)
    meeting = services.update(
        meeting, people["secretary"].user, starts_at=same_minute, content="Nội dung đã họp"
    )
    assert meeting.starts_at == started and meeting.content == "Nội dung đã họp"
