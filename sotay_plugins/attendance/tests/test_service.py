"""Check-in (issue 4): exactly once, scoped, and every bad input refused in Vietnamese with nothing
changed."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from sotay_plugins.attendance import service
from sotay_plugins.meetings.models import Attendance, Meeting
from sotay_plugins.members import credentials
from sotay_plugins.members.cards import revoke_card
from tests.factories import MemberFactory, UserFactory, grant

from .helpers import chip_qr, client_for, make_meeting, statuses, url


def roll():
    """The meetings' roll (registered by the meetings plugin)."""
    return service.roll_for("meetings")


S = Attendance.Status


# --- the service ------------------------------------------------------------------------


@pytest.mark.django_db
def test_card_token_checks_in_once_and_repeat_is_already(cell):
    meeting, member, secretary = cell["meeting"], cell["members"][0], cell["secretary"]
    first = service.check_in(
        roll(), meeting, token=credentials.card_token(member), by_user=secretary
    )
    assert first.created and first.record.status == S.PRESENT and first.record.method == "card"
    assert first.record.member_name == member.full_name
    again = service.check_in(
        roll(), meeting, token=credentials.card_token(member), by_user=secretary
    )
    assert (
        again.already
        and again.record.id == first.record.id
        and again.record.checked_in_at == first.record.checked_in_at
    )
    row = Attendance.objects.get(meeting=meeting, member=member)
    assert (row.status, row.method, row.recorded_by_id) == (S.PRESENT, "card", secretary.pk)
    assert Attendance.objects.filter(meeting=meeting).count() == 4


@pytest.mark.django_db
def test_late_after_grace_minutes(cell, settings):
    settings.SOTAY_CHECKIN_GRACE_MINUTES = 10
    meeting = cell["meeting"]
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=11))
    meeting.refresh_from_db()
    result = service.check_in(
        roll(), meeting, token=credentials.app_token(cell["members"][1]), by_user=cell["secretary"]
    )
    assert result.record.status == S.LATE and result.record.method == "app"


@pytest.mark.django_db
def test_cccd_qr_checks_in(cell):
    member = cell["members"][2]
    result = service.check_in(
        roll(), cell["meeting"], cccd_qr=chip_qr(member), by_user=cell["secretary"]
    )
    assert (
        result.created and result.record.method == "cccd" and result.record.member_id == member.pk
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mutate, fragment",
    [
        (lambda m: chip_qr(m).rsplit("|", 1)[0], "7 trường"),  # a field missing
        (
            lambda m: chip_qr(m).replace(f"{m.birth_date:%d%m%Y}", f"{m.birth_date:%d/%m/%Y}"),
            "ddmmyyyy",
        ),
        (lambda m: chip_qr(m, birth="31021970"), "ngày có thật"),  # no such date
        (lambda m: chip_qr(m, issued="2022-01-01"), "ddmmyyyy"),  # issue date ISO
        (lambda m: chip_qr(m, name="Trần Thị Bê"), "không khớp"),  # another name
        (lambda m: chip_qr(m, birth="03041971"), "Không tìm thấy"),  # wrong birth date
        (lambda m: chip_qr(m).replace(m.cccd, m.cccd[:11]), "12 chữ số"),
    ],
)
def test_bad_cccd_qr_refused_and_nothing_changes(cell, mutate, fragment):
    before = statuses(cell["meeting"])
    with pytest.raises(service.CheckInError) as caught:
        service.check_in(
            roll(), cell["meeting"], cccd_qr=mutate(cell["members"][0]), by_user=cell["secretary"]
        )
    assert fragment in caught.value.messages[0] and caught.value.field == "cccd_qr"
    assert statuses(cell["meeting"]) == before


@pytest.mark.django_db
def test_expired_app_token_refused(cell):
    member = cell["members"][0]
    issued = timezone.now().timestamp()
    with time_machine.travel(issued - 91, tick=False):
        old = credentials.app_token(member)
    with pytest.raises(service.CheckInError) as caught:
        service.check_in(roll(), cell["meeting"], token=old, by_user=cell["secretary"])
    assert caught.value.code == "expired" and "hết hạn" in caught.value.messages[0]
    assert set(statuses(cell["meeting"]).values()) == {S.EXPECTED}


@pytest.mark.django_db
def test_revoked_card_and_tampered_token_refused(cell):
    member = cell["members"][0]
    token = credentials.card_token(member)
    revoke_card(member)
    with pytest.raises(service.CheckInError) as caught:
        service.check_in(roll(), cell["meeting"], token=token, by_user=cell["secretary"])
    assert caught.value.code == "revoked" and "thu hồi" in caught.value.messages[0]
    fresh = credentials.card_token(member)
    payload, stamp, signature = fresh.rsplit(":", 2)
    for forged in (
        f"{payload}:{stamp}:{signature[:-1]}A"
        if signature[-1] != "A"
        else f"{payload}:{stamp}:{signature[:-1]}B",
        f"{payload[:-2]}xx:{stamp}:{signature}",
        "không phải mã",
        "x" * 400,
    ):
        with pytest.raises(service.CheckInError):
            service.check_in(roll(), cell["meeting"], token=forged, by_user=cell["secretary"])
    assert set(statuses(cell["meeting"]).values()) == {S.EXPECTED}
    assert service.check_in(roll(), cell["meeting"], token=fresh, by_user=cell["secretary"]).created


@pytest.mark.django_db
def test_member_of_another_cell_refused(cell):
    stranger = MemberFactory(cell=cell["tree"]["c12"])
    with pytest.raises(service.CheckInError) as caught:
        service.check_in(
            roll(),
            cell["meeting"],
            token=credentials.card_token(stranger),
            by_user=cell["secretary"],
        )
    assert "không có trong danh sách sinh hoạt của chi bộ này" in caught.value.messages[0]
    assert stranger.full_name in caught.value.messages[0]
    assert not Attendance.objects.filter(member=stranger).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("state", [Meeting.State.CLOSED, Meeting.State.CANCELLED])
def test_closed_or_cancelled_meeting_refused(cell, state):
    Meeting.objects.filter(pk=cell["meeting"].pk).update(state=state)
    cell["meeting"].refresh_from_db()
    with pytest.raises(service.CheckInError) as caught:
        service.check_in(
            roll(),
            cell["meeting"],
            token=credentials.card_token(cell["members"][0]),
            by_user=cell["secretary"],
        )
    assert caught.value.status == 409
    with pytest.raises(service.CheckInError):
        service.mark(
            roll(),
            cell["meeting"],
            member_id=cell["members"][0].pk,
            status=S.PRESENT,
            by_user=cell["secretary"],
        )
    assert set(statuses(cell["meeting"]).values()) == {S.EXPECTED}


@pytest.mark.django_db
def test_secretary_of_another_cell_refused(cell):
    with pytest.raises(service.CheckInError) as caught:
        service.check_in(
            roll(),
            cell["meeting"],
            token=credentials.card_token(cell["members"][0]),
            by_user=cell["other_secretary"],
        )
    assert caught.value.status == 403
    with pytest.raises(service.CheckInError) as caught:
        service.event_for(roll(), cell["other_secretary"], cell["meeting"].pk)
    assert caught.value.status == 404
    assert set(statuses(cell["meeting"]).values()) == {S.EXPECTED}


@pytest.mark.django_db
def test_mark_by_hand(cell):
    meeting, secretary = cell["meeting"], cell["secretary"]
    a, b, c = cell["members"][:3]
    with pytest.raises(service.CheckInError) as caught:
        service.mark(
            roll(), meeting, member_id=a.pk, status=S.EXCUSED, reason="  ", by_user=secretary
        )
    assert "lý do" in caught.value.messages[0] and caught.value.field == "reason"
    with pytest.raises(service.CheckInError):
        service.mark(roll(), meeting, member_id=a.pk, status="vắng", by_user=secretary)
    record, changed = service.mark(
        roll(), meeting, member_id=a.pk, status=S.EXCUSED, reason="Ốm, nằm viện", by_user=secretary
    )
    assert changed and record.status == S.EXCUSED and record.reason == "Ốm, nằm viện"
    assert (
        service.mark(
            roll(),
            meeting,
            member_id=a.pk,
            status=S.EXCUSED,
            reason="Ốm, nằm viện",
            by_user=secretary,
        )[1]
        is False
    )
    record, _ = service.mark(roll(), meeting, member_id=b.pk, status=S.PRESENT, by_user=secretary)
    assert record.method == "manual" and record.checked_in_at is not None
    service.mark(roll(), meeting, member_id=c.pk, status=S.ABSENT, by_user=secretary)
    # an excused member who comes after all is checked in by a scan
    assert service.check_in(
        roll(), meeting, token=credentials.card_token(a), by_user=secretary
    ).created
    assert statuses(meeting) == {
        a.pk: S.PRESENT,
        b.pk: S.PRESENT,
        c.pk: S.ABSENT,
        cell["members"][3].pk: S.EXPECTED,
    }


@pytest.mark.django_db
def test_offline_batch_applied_once(cell):
    meeting, secretary = cell["meeting"], cell["secretary"]
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    meeting.refresh_from_db()
    a, b = cell["members"][:2]
    at = (meeting.starts_at + timedelta(minutes=2)).isoformat()
    late = (meeting.starts_at + timedelta(minutes=40)).isoformat()
    items = [
        {"token": credentials.card_token(a), "at": at, "client_id": "1"},
        {"cccd_qr": chip_qr(b), "at": late, "client_id": "2"},
        {"token": credentials.card_token(a), "at": late, "client_id": "3"},  # a double scan offline
        {"token": "giả mạo", "at": at, "client_id": "4"},
        {"token": credentials.card_token(cell["members"][2]), "at": "hôm qua", "client_id": "5"},
        {
            "token": credentials.card_token(cell["members"][2]),
            "at": (timezone.now() + timedelta(hours=1)).isoformat(),
            "client_id": "6",
        },
        "không phải đối tượng",
    ]
    first = [o.as_dict() for o in service.sync_offline(roll(), meeting, items, by_user=secretary)]
    assert [o["outcome"] for o in first] == [
        "created",
        "created",
        "already",
        "error",
        "error",
        "error",
        "error",
    ]
    assert (
        first[1]["attendance"]["status"] == S.LATE and first[0]["attendance"]["method"] == "offline"
    )
    snapshot = list(Attendance.objects.filter(meeting=meeting).order_by("pk").values())
    second = [o.as_dict() for o in service.sync_offline(roll(), meeting, items, by_user=secretary)]
    assert [o["outcome"] for o in second] == [
        "already",
        "already",
        "already",
        "error",
        "error",
        "error",
        "error",
    ]
    assert list(Attendance.objects.filter(meeting=meeting).order_by("pk").values()) == snapshot
    with pytest.raises(service.CheckInError):
        service.sync_offline(roll(), meeting, [], by_user=secretary)
    with pytest.raises(service.CheckInError):
        service.sync_offline(
            roll(), meeting, [{}] * (service.OFFLINE_BATCH_MAX + 1), by_user=secretary
        )


# --- the API ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_checkin_201_then_200_and_attendance(cell):
    meeting, member = cell["meeting"], cell["members"][0]
    client = client_for(cell["secretary"])
    token = credentials.card_token(member)
    first = client.post(url(meeting), {"token": token}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["member"] == member.pk and first.json()["status"] == "present"
    second = client.post(url(meeting), {"token": token}, format="json")
    assert (
        second.status_code == 200
        and second.json()["id"] == first.json()["id"]
        and second.json()["already"]
    )
    listing = client.get(url(meeting, "attendance/"))
    assert listing.status_code == 200
    rows = {row["member"]: row["status"] for row in listing.json()["results"]}
    assert len(rows) == 4 and rows[member.pk] == "present"
    assert listing.json()["summary"]["present"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "token"),
        ({"token": ""}, "token"),
        ({"token": "abc"}, "token"),
        ({"cccd_qr": "a|b"}, "cccd_qr"),
        ({"token": 5}, "token"),
    ],
)
def test_api_bad_input(cell, body, field):
    response = client_for(cell["secretary"]).post(url(cell["meeting"]), body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["detail"] and field in data["fields"]
    assert set(statuses(cell["meeting"]).values()) == {S.EXPECTED}


@pytest.mark.django_db
def test_api_scope(cell):
    meeting, token = cell["meeting"], credentials.card_token(cell["members"][0])
    assert (
        client_for(cell["other_secretary"])
        .post(url(meeting), {"token": token}, format="json")
        .status_code
        == 404
    )
    assert client_for(cell["other_secretary"]).get(url(meeting, "attendance/")).status_code == 404
    # a member of the cell sees the meeting but may not check people in or read the list
    member_client = client_for(cell["members"][1].user)
    assert member_client.post(url(meeting), {"token": token}, format="json").status_code == 403
    assert member_client.get(url(meeting, "attendance/")).status_code == 403
    assert APIClient().post(url(meeting), {"token": token}, format="json").status_code == 401
    assert (
        client_for(cell["secretary"])
        .post("/api/v1/meetings/999999/checkin/", {"token": token}, format="json")
        .status_code
        == 404
    )
    # a viewer above the cell reads the list, but does not check in
    viewer = UserFactory()
    grant(viewer, "viewer", cell["tree"]["d1"])
    assert client_for(viewer).get(url(meeting, "attendance/")).status_code == 200
    assert client_for(viewer).post(url(meeting), {"token": token}, format="json").status_code == 403
    assert set(statuses(meeting).values()) == {S.EXPECTED}


@pytest.mark.django_db
def test_api_closed_meeting_409(cell):
    Meeting.objects.filter(pk=cell["meeting"].pk).update(state=Meeting.State.CLOSED)
    response = client_for(cell["secretary"]).post(
        url(cell["meeting"]), {"token": credentials.card_token(cell["members"][0])}, format="json"
    )
    assert response.status_code == 409 and "khóa" in response.json()["detail"]


@pytest.mark.django_db
def test_api_mark_and_offline(cell):
    meeting, client = cell["meeting"], client_for(cell["secretary"])
    a, b = cell["members"][:2]
    bad = client.post(
        url(meeting, "attendance/mark/"), {"member": a.pk, "status": "excused"}, format="json"
    )
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]
    ok = client.post(
        url(meeting, "attendance/mark/"),
        {"member": a.pk, "status": "excused", "reason": "Đi công tác"},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "excused" and ok.json()["changed"]
    body = {
        "items": [
            {
                "token": credentials.card_token(b),
                "at": timezone.now().isoformat(),
                "client_id": "x1",
            }
        ]
    }
    first = client.post(url(meeting, "checkin/offline/"), body, format="json").json()
    second = client.post(url(meeting, "checkin/offline/"), body, format="json").json()
    assert (first["created"], first["already"], second["created"], second["already"]) == (
        1,
        0,
        0,
        1,
    )
    assert (
        client.post(url(meeting, "checkin/offline/"), {"items": "x"}, format="json").status_code
        == 400
    )


@pytest.mark.django_db
def test_api_checkin_query_count(cell):
    client = client_for(cell["secretary"])
    client.get(url(cell["meeting"], "attendance/"))  # warms the cached grants, as in steady use
    member = cell["members"][3]
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            url(cell["meeting"]), {"token": credentials.card_token(member)}, format="json"
        )
    assert response.status_code == 201
    # PostgreSQL: one statement (attendance.fast; PREPAREd first on a new connection). SQLite, the
    # service: token auth, the meeting with its cell, the credential, the UPDATE … RETURNING
    budget = 2 if connection.vendor == "postgresql" else 4
    assert len(ctx.captured_queries) <= budget, [q["sql"] for q in ctx.captured_queries]
    with CaptureQueriesContext(connection) as ctx:
        client.get(url(cell["meeting"], "attendance/"))
    assert len(ctx.captured_queries) <= 3  # token, meeting, the list


# --- concurrency (PostgreSQL) -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_token_from_two_scanners_at_once(tree):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    members = MemberFactory.create_batch(2, cell=tree["c11"])
    secretary, deputy = UserFactory(), UserFactory()
    grant(secretary, "cell_secretary", tree["c11"])
    grant(deputy, "cell_secretary", tree["c11"])
    meeting = make_meeting(tree["c11"], members)
    tokens = [credentials.card_token(members[0]), credentials.app_token(members[0])]
    for _round in range(5):
        Attendance.objects.filter(meeting=meeting).update(
            status=S.EXPECTED, method="", checked_in_at=None
        )
        barrier, codes, errors = threading.Barrier(4), [], []

        def scan(user, token, barrier=barrier, codes=codes, errors=errors):
            from django.db import connections

            try:
                client = client_for(user)
                barrier.wait()
                codes.append(client.post(url(meeting), {"token": token}, format="json").status_code)
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=scan, args=(user, token))
            for user in (secretary, deputy)
            for token in tokens
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert sorted(codes) == [200, 200, 200, 201]
        assert (
            Attendance.objects.filter(meeting=meeting, member=members[0], status=S.PRESENT).count()
            == 1
        )
        assert Attendance.objects.filter(meeting=meeting).count() == 2


# --- the secretary's page (works without JavaScript) ----------------------------------------


@pytest.mark.django_db
def test_checkin_page_form_and_manual_mark(cell, client):
    meeting, member = cell["meeting"], cell["members"][0]
    client.force_login(cell["secretary"])
    page = client.get(f"/sinh-hoat/{meeting.pk}/diem-danh/")
    assert page.status_code == 200
    assert (
        member.full_name in page.content.decode()
        and "attendance/checkin.js" in page.content.decode()
    )
    done = client.post(
        f"/sinh-hoat/{meeting.pk}/diem-danh/", {"code": credentials.card_token(member)}, follow=True
    )
    assert "Đã điểm danh" in done.content.decode()
    again = client.post(
        f"/sinh-hoat/{meeting.pk}/diem-danh/", {"code": chip_qr(member)}, follow=True
    )
    assert "đã điểm danh trước đó" in again.content.decode()
    bad = client.post(f"/sinh-hoat/{meeting.pk}/diem-danh/", {"code": "rác"})
    assert bad.status_code == 400 and "Mã QR không hợp lệ" in bad.content.decode()
    marked = client.post(
        f"/sinh-hoat/{meeting.pk}/diem-danh/danh-dau/",
        {"member": cell["members"][1].pk, "status": "excused", "reason": ""},
        follow=True,
    )
    assert "phải ghi lý do" in marked.content.decode()
    client.post(
        f"/sinh-hoat/{meeting.pk}/diem-danh/danh-dau/",
        {"member": cell["members"][1].pk, "status": "excused", "reason": "Đi viện"},
    )
    assert statuses(meeting)[cell["members"][1].pk] == S.EXCUSED
    assert statuses(meeting)[member.pk] == S.PRESENT


@pytest.mark.django_db
def test_checkin_page_scope(cell, client):
    meeting = cell["meeting"]
    client.force_login(cell["other_secretary"])
    assert client.get(f"/sinh-hoat/{meeting.pk}/diem-danh/").status_code == 404
    assert (
        client.post(
            f"/sinh-hoat/{meeting.pk}/diem-danh/",
            {"code": credentials.card_token(cell["members"][0])},
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/sinh-hoat/{meeting.pk}/diem-danh/danh-dau/",
            {"member": cell["members"][0].pk, "status": "present"},
        ).status_code
        == 404
    )
    client.force_login(cell["members"][1].user)
    assert client.get(f"/sinh-hoat/{meeting.pk}/diem-danh/").status_code == 403
    assert set(statuses(meeting).values()) == {S.EXPECTED}


# --- in a real browser (Debian's chromium; skipped without it) --------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_checkin_page_in_browser_online_then_offline(live_server, tree, browser):
    """With the run's one browser (conftest.py): Playwright's sync API runs one instance at
    a time, and a second one started here failed once another test had started it."""
    from tests.e2e.conftest import PHONE, SCREENSHOTS

    members = MemberFactory.create_batch(3, cell=tree["c11"])
    secretary = UserFactory(username="bithu.e2e")
    grant(secretary, "cell_secretary", tree["c11"])
    meeting = make_meeting(tree["c11"], members)
    context = browser.new_context(viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    page = context.new_page()
    js_errors = []
    page.on("pageerror", lambda error: js_errors.append(str(error)))
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Số CCCD").fill("bithu.e2e")
    page.get_by_label("Mật khẩu", exact=True).fill("Matkhau@123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/sinh-hoat/{meeting.pk}/diem-danh/")
    # online: the form posts to the API, the row and the message update without a reload
    page.locator("#code").fill(credentials.card_token(members[0]))
    page.get_by_role("button", name="Điểm danh", exact=True).click()
    page.wait_for_selector(f'#roll li[data-member="{members[0].pk}"] .st-present')
    assert members[0].full_name in page.locator("#live").inner_text()
    # offline: queued on the device, then synced once the network is back
    context.set_offline(True)
    page.locator("#code").fill(credentials.card_token(members[1]))
    page.get_by_role("button", name="Điểm danh", exact=True).click()
    page.wait_for_selector("#queue:not([hidden])")
    assert "1" in page.locator("#queue").inner_text()
    assert statuses(meeting)[members[1].pk] == S.EXPECTED
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "checkin-offline.png"), full_page=True)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#queue[hidden]", state="attached")
    page.wait_for_selector(f'#roll li[data-member="{members[1].pk}"] .st-present')
    assert statuses(meeting)[members[1].pk] == S.PRESENT
    row = Attendance.objects.get(meeting=meeting, member=members[1])
    assert row.method == "offline"
    page.screenshot(path=str(SCREENSHOTS / "checkin-synced.png"), full_page=True)
    context.close()
    assert js_errors == []


@pytest.mark.django_db
def test_chip_card_of_a_member_elsewhere_answers_as_an_unknown_cccd(cell):
    """A refusal must not tell whether a CCCD belongs to a member elsewhere in the province: the
    chip card of a member of another cell, even with a wrong name, gets the unknown-CCCD answer
    (same message, code and field), through the service and through the API."""
    elsewhere = MemberFactory(cell=cell["tree"]["c12"])
    unknown = MemberFactory.build(cell=cell["tree"]["c12"], cccd="099999999999")
    secretary, meeting = cell["secretary"], cell["meeting"]

    def refusal(qr):
        with pytest.raises(service.CheckInError) as caught:
            service.check_in(roll(), meeting, cccd_qr=qr, by_user=secretary)
        return caught.value.messages, caught.value.code, caught.value.field, caught.value.status

    expected = refusal(chip_qr(unknown))
    assert "Không tìm thấy" in expected[0][0]
    assert refusal(chip_qr(elsewhere)) == expected
    assert refusal(chip_qr(elsewhere, name="Trần Thị Bê")) == expected
    api = client_for(secretary)
    answers = [
        api.post(url(meeting), {"cccd_qr": chip_qr(who)}, format="json")
        for who in (unknown, elsewhere)
    ]
    assert answers[0].status_code == answers[1].status_code == 400
    assert answers[0].json() == answers[1].json()
    assert elsewhere.full_name not in answers[1].content.decode()
    offline = api.post(
        url(meeting, "checkin/offline/"),
        {
            "items": [
                {"cccd_qr": chip_qr(who), "at": timezone.now().isoformat()}
                for who in (unknown, elsewhere)
            ]
        },
        format="json",
    ).json()["results"]
    assert [(r["detail"], r["code"]) for r in offline] == [(expected[0][0], expected[1])] * 2
    # The cell's own members still get the exact reason (a name that does not match).
    own = cell["members"][0]
    assert "không khớp" in refusal(chip_qr(own, name="Trần Thị Bê"))[0][0]
