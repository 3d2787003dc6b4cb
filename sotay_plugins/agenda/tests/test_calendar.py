"""The member's calendar: what each module's source shows and to whom (scope), own entries
(and the entry that ends before it starts), the month page's queries, the API, the iCal feed
(secret address: guessed, reset)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sotay_plugins.agenda import ical, services
from sotay_plugins.agenda.models import Entry, FeedToken

pytestmark = pytest.mark.django_db

MARCH = (date(2027, 3, 1), date(2027, 4, 1))


def titles(user, span=MARCH):
    return {e.title for e in services.events(user, *span)}


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- what the calendar shows, and to whom ------------------------------------------------------


def test_a_member_sees_their_cells_meeting_their_session_and_quiz_deadline(people, world):
    seen = titles(people["a"].user)
    assert "Sinh hoạt thường kỳ tháng 3" in seen
    assert "Hội nghị học tập Nghị quyết 57" in seen
    assert "Hạn làm bài kiểm tra: Kiểm tra Nghị quyết 57" in seen
    # not another cell's meeting, nor another district's session or quiz
    assert "Sinh hoạt chi bộ bên cạnh" not in seen
    assert "Học tập ở xã 2" not in seen
    assert "Hạn làm bài kiểm tra: Kiểm tra ở huyện 2" not in seen


def test_a_quiz_leaving_a_member_out_is_not_in_their_calendar(people, world):
    people["b"].has_smartphone = False
    people["b"].save()
    people["a"].group = "exempt"
    people["a"].save()
    world["quiz"].excluded_groups = {"exempt"}
    world["quiz"].save()
    for name in ("a", "b"):
        assert "Hạn làm bài kiểm tra: Kiểm tra Nghị quyết 57" not in titles(people[name].user)
    assert "Hạn làm bài kiểm tra: Kiểm tra Nghị quyết 57" in titles(people["secretary"].user)


def test_far_member_sees_only_their_own_district(people, world):
    seen = titles(people["far"].user)
    assert seen == {"Học tập ở xã 2", "Hạn làm bài kiểm tra: Kiểm tra ở huyện 2"}


def test_staff_rights_do_not_fill_a_members_calendar(people, world, tree):
    """A district officer who is also a member sees their own cell's items, not every
    meeting of the district their rights reach."""
    from tests.factories import grant

    grant(people["neighbour"].user, "viewer", tree["d1"])
    seen = titles(people["neighbour"].user)
    assert "Sinh hoạt chi bộ bên cạnh" in seen
    assert "Sinh hoạt thường kỳ tháng 3" not in seen


def test_feedback_deadlines_show_to_their_handler_only(people, world):
    handler_titles = titles(people["district"])
    assert any(t.startswith("Hạn xử lý góp ý") for t in handler_titles)
    assert not any(t.startswith("Hạn xử lý góp ý") for t in titles(people["a"].user))
    assert not any(t.startswith("Hạn xử lý góp ý") for t in titles(people["secretary"].user))


def test_a_cancelled_meeting_and_an_unpublished_quiz_leave_the_calendar(people, world):
    world["meeting"].state = "cancelled"
    world["meeting"].save()
    world["quiz"].published = False
    world["quiz"].save()
    seen = titles(people["a"].user)
    assert "Sinh hoạt thường kỳ tháng 3" not in seen
    assert "Hạn làm bài kiểm tra: Kiểm tra Nghị quyết 57" not in seen


def test_events_are_sorted_and_clipped_to_the_range(people, world, when):
    events = services.events(people["a"].user, date(2027, 3, 15), date(2027, 3, 16))
    assert [e.title for e in events] == ["Sinh hoạt thường kỳ tháng 3"]
    events = services.events(people["a"].user, *MARCH)
    starts = [services._sort_key(e)[0] for e in events]
    assert starts == sorted(starts)


# --- own entries -------------------------------------------------------------------------------


def test_own_entries_are_seen_by_their_member_only(people, noon, when):
    services.save_entry(people["a"], title="Thăm gia đình chính sách", starts_at=when(3, 8))
    assert "Thăm gia đình chính sách" in titles(people["a"].user)
    for other in ("b", "secretary", "neighbour"):
        assert "Thăm gia đình chính sách" not in titles(people[other].user)


def test_an_entry_that_ends_before_it_starts_is_refused_everywhere(client, people, noon, when):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.save_entry(people["a"], title="Họp tổ", starts_at=when(3, 10), ends_at=when(3, 9))
    assert "trước giờ bắt đầu" in str(refused.value.message_dict["ends_at"])
    client.force_login(people["a"].user)
    response = client.post(
        reverse("agenda:entry_new"),
        {"title": "Họp tổ", "starts_at": "2027-03-13T10:00", "ends_at": "2027-03-13T09:00"},
    )
    assert response.status_code == 400
    assert "Giờ kết thúc phải sau giờ bắt đầu." in response.content.decode()
    response = api_for(people["a"].user).post(
        "/api/v1/agenda/entries/",
        {
            "title": "Họp tổ",
            "starts_at": "2027-03-13T10:00:00+07:00",
            "ends_at": "2027-03-13T09:00:00+07:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "ends_at" in response.json()["fields"]
    assert "trước giờ bắt đầu" in response.json()["detail"]
    assert not Entry.objects.exists()


def test_an_entry_in_a_year_out_of_range_is_refused(people, noon):
    """Found by the schema fuzz: year 21 was stored, and shown with the zone's 1921 offset
    (+07:06:30), which no client can read. A year outside 2000–2100 is a slip: refused."""
    response = api_for(people["a"].user).post(
        "/api/v1/agenda/entries/",
        {
            "title": "Họp tổ",
            "starts_at": "0021-11-29T16:42:55-17:26",
            "ends_at": "2849-11-10T01:49:11-13:48",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"starts_at", "ends_at"} <= set(response.json()["fields"])
    assert "Năm phải trong khoảng 2000–2100" in str(response.json())
    assert not Entry.objects.exists()


def test_entry_pages_create_edit_delete(client, people, noon):
    client.force_login(people["a"].user)
    response = client.post(
        reverse("agenda:entry_new"),
        {"title": "Trực trụ sở", "starts_at": "2027-03-13T07:30", "place": "Đảng ủy xã"},
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert timezone.localtime(entry.starts_at).strftime("%H:%M %d/%m") == "07:30 13/03"
    response = client.post(
        reverse("agenda:entry_edit", args=[entry.pk]),
        {"title": "Trực trụ sở (đổi giờ)", "starts_at": "2027-03-13T13:30"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Trực trụ sở (đổi giờ)"
    # someone else cannot open, change or delete it
    client.force_login(people["b"].user)
    assert client.get(reverse("agenda:entry_edit", args=[entry.pk])).status_code == 404
    assert client.post(reverse("agenda:entry_delete", args=[entry.pk])).status_code == 404
    other = api_for(people["b"].user)
    assert other.get(f"/api/v1/agenda/entries/{entry.pk}/").status_code == 404
    assert other.delete(f"/api/v1/agenda/entries/{entry.pk}/").status_code == 404
    assert Entry.objects.filter(pk=entry.pk).exists()
    client.force_login(people["a"].user)
    assert client.post(reverse("agenda:entry_delete", args=[entry.pk])).status_code == 302
    assert not Entry.objects.exists()


def test_entries_api_crud(people, noon):
    api = api_for(people["a"].user)
    made = api.post(
        "/api/v1/agenda/entries/",
        {"title": "Họp tổ", "starts_at": "2027-03-13T08:00:00+07:00"},
        format="json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    changed = api.patch(f"/api/v1/agenda/entries/{pk}/", {"place": "Nhà văn hóa"}, format="json")
    assert changed.status_code == 200 and changed.json()["place"] == "Nhà văn hóa"
    listing = api.get("/api/v1/agenda/entries/").json()
    assert [row["id"] for row in listing["results"]] == [pk]
    assert api_for(people["b"].user).get("/api/v1/agenda/entries/").json()["results"] == []
    assert api.delete(f"/api/v1/agenda/entries/{pk}/").status_code == 204


# --- pages and API -----------------------------------------------------------------------------


def test_month_page_shows_the_month_in_few_queries(
    client, people, world, noon, when, django_assert_max_num_queries
):
    for day in range(1, 6):
        services.save_entry(people["a"], title=f"Lịch riêng {day}", starts_at=when(day, 7))
    client.force_login(people["a"].user)
    client.get(reverse("agenda:month"))  # warm the caches a real session has
    with django_assert_max_num_queries(8):
        response = client.get(reverse("agenda:month"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Sinh hoạt thường kỳ tháng 3" in text
    assert "Lịch riêng 5" in text
    assert "Sinh hoạt chi bộ bên cạnh" not in text
    assert 'id="d-2027-03-15"' in text
    # the same number of queries with twice as many events (no query per event)
    for day in range(6, 16):
        services.save_entry(people["a"], title=f"Lịch riêng {day}", starts_at=when(day, 7))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("agenda:month")).status_code == 200


def test_month_parameter_junk_falls_back_to_this_month(client, people, noon):
    client.force_login(people["a"].user)
    for junk in ("abc", "2027-13", "99999-01", "-1--1", "2027-03-01"):
        response = client.get(reverse("agenda:month"), {"thang": junk})
        assert response.status_code == 200
        assert "Lịch tháng 03/2027" in response.content.decode()
    response = client.get(reverse("agenda:month"), {"thang": "2027-12"})
    assert "Lịch tháng 12/2027" in response.content.decode()


def test_upcoming_list(client, people, world, noon):
    client.force_login(people["a"].user)
    text = client.get(reverse("agenda:upcoming")).content.decode()
    assert "Hội nghị học tập Nghị quyết 57" in text
    assert "Học tập ở xã 2" not in text


def test_events_api_scoped_and_checked(people, world, noon):
    api = api_for(people["a"].user)
    response = api.get("/api/v1/agenda/events/", {"start": "2027-03-01", "end": "2027-04-01"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {"meetings", "study.sessions", "study.quizzes"} <= {r["kind"] for r in rows}
    assert "Sinh hoạt chi bộ bên cạnh" not in {r["title"] for r in rows}
    for bad in (
        {"start": "hôm nay"},
        {"start": "2027-03-10", "end": "2027-03-01"},
        {"start": "2027-01-01", "end": "2029-01-01"},
    ):
        refused = api.get("/api/v1/agenda/events/", bad)
        assert refused.status_code == 400
        assert refused.json()["detail"]
    assert APIClient().get("/api/v1/agenda/events/").status_code in (401, 403)


# --- the iCal feed -----------------------------------------------------------------------------


def test_the_feed_carries_the_members_events_in_rfc5545(client, people, world, noon, when):
    services.save_entry(
        people["a"], title="Họp, bàn; việc\nmới", starts_at=when(3, 8), ends_at=when(3, 10)
    )
    url = services.feed_path(services.feed_token(people["a"]))
    response = client.get(url)  # no login: the address is the key
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Sinh hoạt thường kỳ tháng 3" in unfolded
    assert "SUMMARY:Họp\\, bàn\\; việc\\nmới" in unfolded
    assert "Sinh hoạt chi bộ bên cạnh" not in unfolded
    assert "DTSTART:20270315T070000Z" in unfolded  # 14:00 in Hà Nội
    assert unfolded.count("BEGIN:VEVENT") == unfolded.count("END:VEVENT") >= 4


def test_fold_never_splits_a_vietnamese_character():
    line = "SUMMARY:" + "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng " * 3
    folded = ical.fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == line


def test_a_guessed_or_mangled_feed_address_answers_404(client, people, noon):
    token = services.feed_token(people["a"])
    selector, verifier = token.split("-")
    wrong = "0" * 40 if verifier != "0" * 40 else "1" * 40
    for guess in (
        f"{selector}-{wrong}",
        f"{'a' * 16}-{verifier}",
        selector,
        "",
        "x" * 99,
        f"{selector}-{verifier[:-1]}",
        f"{selector}-{verifier}x",
    ):
        response = client.get(f"/lich/ical/{guess}.ics")
        assert response.status_code == 404, guess


def test_a_reset_address_answers_404_and_the_new_one_works(client, people, noon):
    old = services.feed_token(people["a"])
    assert client.get(services.feed_path(old)).status_code == 200
    client.force_login(people["a"].user)
    response = client.post(reverse("agenda:feed_reset"))
    assert response.status_code == 302
    client.logout()
    assert client.get(services.feed_path(old)).status_code == 404
    new = services.feed_token(people["a"])
    assert new != old
    assert client.get(services.feed_path(new)).status_code == 200
    # through the API too
    api = api_for(people["a"].user)
    url = api.get("/api/v1/agenda/feed/").json()["url"]
    assert url.endswith(services.feed_path(new))
    newer = api.post("/api/v1/agenda/feed/reset/").json()["url"]
    assert client.get(services.feed_path(new)).status_code == 404
    assert client.get(newer.split("testserver", 1)[1]).status_code == 200


def test_a_feed_of_a_member_who_left_answers_404(client, people, noon):
    token = services.feed_token(people["a"])
    people["a"].status = "removed"
    people["a"].save()
    assert client.get(services.feed_path(token)).status_code == 404
    people["b"].user.is_active = False
    people["b"].user.save()
    assert client.get(services.feed_path(services.feed_token(people["b"]))).status_code == 404


def test_the_table_alone_does_not_give_the_address(people, noon):
    """The stored row holds the selector and a salt, never the verifier."""
    token = services.feed_token(people["a"])
    row = FeedToken.objects.get(member=people["a"])
    assert token.split("-")[1] not in (row.selector, row.salt)


def test_the_feed_page_shows_the_address(client, people, noon):
    client.force_login(people["a"].user)
    text = client.get(reverse("agenda:feed_settings")).content.decode()
    assert services.feed_path(services.feed_token(people["a"])) in text
    assert "webcal://" in text


def test_month_grid_weeks_start_on_monday():
    weeks = services.month_grid(2027, 3, {date(2027, 3, 15): 2}, date(2027, 3, 10))
    assert weeks[0][0]["day"] == date(2027, 3, 1)  # a Monday
    assert all(len(w) == 7 for w in weeks)
    flat = [c for w in weeks for c in w]
    assert next(c for c in flat if c["day"] == date(2027, 3, 15))["count"] == 2
    assert next(c for c in flat if c["today"])["day"] == date(2027, 3, 10)
    assert flat[-1]["day"] - flat[0]["day"] == timedelta(days=len(flat) - 1)
