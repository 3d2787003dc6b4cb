"""The check-in fast path (attendance.fast): one statement for a good scan or a repeat, the
service's answer for everything else, and nothing it relies on can go stale (no cache)."""

import json
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sotay_plugins.attendance import fast, service
from sotay_plugins.meetings.models import Attendance, Meeting
from sotay_plugins.members import credentials
from sotay_plugins.members.cards import revoke_card
from sotay_plugins.members.models import MemberStatus
from sotay_plugins.orgtree.models import RoleAssignment
from tests.factories import MemberFactory, UserFactory, grant

from .helpers import chip_qr, client_for, make_meeting, statuses, url


def roll():
    """The meetings' roll (registered by the meetings plugin)."""
    return service.roll_for("meetings")


S = Attendance.Status


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the fast path runs on PostgreSQL only (DATABASE_URL=postgres://...)")


@contextmanager
def fast_path_only():
    """Fail if the request reaches the service (the DRF view's path)."""
    with (
        mock.patch.object(
            service, "event_for", side_effect=AssertionError("took the service's path")
        ),
        mock.patch.object(
            service, "check_in", side_effect=AssertionError("took the service's path")
        ),
    ):
        yield


@contextmanager
def service_path():
    """Count the requests that reach the service."""
    calls = []
    real = service.event_for

    def meeting_for(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    with mock.patch.object(service, "event_for", side_effect=meeting_for):
        yield calls


def post(client, meeting, body, **extra):
    return client.post(url(meeting), body, format="json", **extra)


# --- what it answers by itself ---------------------------------------------------------------


@pytest.mark.django_db
def test_201_then_200_in_one_statement_each(cell):
    meeting, member, secretary = cell["meeting"], cell["members"][0], cell["secretary"]
    client, token = client_for(secretary), credentials.card_token(member)
    warm = credentials.card_token(cell["members"][3])
    with fast_path_only():  # the connection's first scan and first repeat prepare their statements
        assert [post(client, meeting, {"token": warm}).status_code for _ in range(2)] == [201, 200]
    with fast_path_only(), CaptureQueriesContext(connection) as ctx:
        first = post(client, meeting, {"token": token})
    assert first.status_code == 201, first.content
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["EXECUTE"]
    data = first.json()
    assert (data["member"], data["meeting"], data["status"], data["method"], data["already"]) == (
        member.pk,
        meeting.pk,
        "present",
        "card",
        False,
    )
    assert data["member_name"] == member.full_name and data["status_label"] == "Có mặt"
    with fast_path_only(), CaptureQueriesContext(connection) as ctx:
        again = post(client, meeting, {"token": credentials.app_token(member)})
    assert (
        again.status_code == 200 and len(ctx.captured_queries) == 2
    )  # the UPDATE finds nothing, the read
    assert again.json()["id"] == data["id"] and again.json()["already"] is True
    assert (
        again.json()["checked_in_at"] == data["checked_in_at"] and again.json()["method"] == "card"
    )
    row = Attendance.objects.get(meeting=meeting, member=member)
    assert (row.status, row.method, row.recorded_by_id, row.reason) == (
        S.PRESENT,
        "card",
        secretary.pk,
        "",
    )
    assert Attendance.objects.filter(meeting=meeting).count() == 4
    assert statuses(meeting) == {
        member.pk: S.PRESENT,
        cell["members"][1].pk: S.EXPECTED,
        cell["members"][2].pk: S.EXPECTED,
        cell["members"][3].pk: S.PRESENT,
    }


@pytest.mark.django_db
def test_same_answer_as_the_service(cell, settings):
    """Body, status and headers as the DRF view gives them (the repeat is the same row: byte for
    byte)."""
    meeting, (a, b) = cell["meeting"], cell["members"][:2]
    client = client_for(cell["secretary"])
    fast = post(client, meeting, {"token": credentials.card_token(a)})
    settings.SOTAY_CHECKIN_FAST_PATH = False
    with service_path() as calls:
        slow = post(client, meeting, {"token": credentials.card_token(b)})
        slow_again = post(client, meeting, {"token": credentials.card_token(a)})
    assert len(calls) == 2
    settings.SOTAY_CHECKIN_FAST_PATH = True
    with fast_path_only():
        fast_again = post(client, meeting, {"token": credentials.card_token(a)})
    assert (fast.status_code, slow.status_code, slow_again.status_code, fast_again.status_code) == (
        201,
        201,
        200,
        200,
    )
    assert fast_again.content == slow_again.content
    assert list(fast.json()) == list(slow.json())
    assert {
        k: v
        for k, v in fast.json().items()
        if k not in ("id", "member", "member_name", "checked_in_at")
    } == {
        k: v
        for k, v in slow.json().items()
        if k not in ("id", "member", "member_name", "checked_in_at")
    }
    for header in ("Content-Type", "Allow", "Vary", "Content-Language", "X-Frame-Options"):
        assert fast.headers.get(header) == slow.headers.get(header), header
        assert fast_again.headers.get(header) == slow_again.headers.get(header), header


@pytest.mark.django_db
def test_late_after_grace_minutes(cell, settings):
    settings.SOTAY_CHECKIN_GRACE_MINUTES = 10
    Meeting.objects.filter(pk=cell["meeting"].pk).update(
        starts_at=timezone.now() - timedelta(minutes=11)
    )
    with fast_path_only():
        response = post(
            client_for(cell["secretary"]),
            cell["meeting"],
            {"token": credentials.app_token(cell["members"][1])},
        )
    assert (
        response.status_code == 201
        and response.json()["status"] == "late"
        and response.json()["method"] == "app"
    )
    settings.SOTAY_CHECKIN_GRACE_MINUTES = 15
    with fast_path_only():
        response = post(
            client_for(cell["secretary"]),
            cell["meeting"],
            {"token": credentials.card_token(cell["members"][2])},
        )
    assert response.json()["status"] == "present"


@pytest.mark.django_db
def test_superuser_and_a_right_held_above_the_cell(cell):
    admin = UserFactory(is_superuser=True)
    district_secretary = UserFactory()
    grant(
        district_secretary, "cell_secretary", cell["tree"]["d1"]
    )  # the capability reaches the subtree
    with fast_path_only():
        assert (
            post(
                client_for(admin),
                cell["meeting"],
                {"token": credentials.card_token(cell["members"][0])},
            ).status_code
            == 201
        )
        assert (
            post(
                client_for(district_secretary),
                cell["meeting"],
                {"token": credentials.card_token(cell["members"][1])},
            ).status_code
            == 201
        )


# --- what it leaves to the service, which refuses as before ---------------------------------------


def assert_refused(response, status, fragment=None, field=None):
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) <= {"detail", "fields"} and data["detail"]
    if fragment:
        assert fragment in data["detail"], data["detail"]
    if field:
        assert field in data["fields"]


@pytest.mark.django_db
def test_forged_tampered_and_expired_tokens_refused(cell):
    meeting, member = cell["meeting"], cell["members"][0]
    client = client_for(cell["secretary"])
    fresh = credentials.card_token(member)
    payload, stamp, signature = fresh.rsplit(":", 2)
    forged = [
        f"{payload}:{stamp}:{signature[:-1]}{'B' if signature[-1] == 'A' else 'A'}",
        f"{payload[:-2]}xx:{stamp}:{signature}",
        "không phải mã",
        "x" * 400,
        # signed with another key: a valid shape, a wrong signature
        credentials.signing.TimestampSigner(
            key="another-secret", salt=credentials.SALT
        ).sign_object({"m": member.pk, "v": member.qr_version, "k": "c"}, compress=True),
    ]
    with service_path() as calls:
        for token in forged:
            assert_refused(post(client, meeting, {"token": token}), 400, "Mã QR", "token")
        issued = timezone.now().timestamp()
        with time_machine.travel(issued - 91, tick=False):
            old = credentials.app_token(member)
        assert_refused(post(client, meeting, {"token": old}), 400, "hết hạn", "token")
    assert len(calls) == len(forged) + 1
    assert set(statuses(meeting).values()) == {S.EXPECTED}
    assert post(client, meeting, {"token": fresh}).status_code == 201


@pytest.mark.django_db
def test_member_of_another_cell_and_inactive_member_refused(cell):
    stranger = MemberFactory(cell=cell["tree"]["c12"])
    client = client_for(cell["secretary"])
    assert_refused(
        post(client, cell["meeting"], {"token": credentials.card_token(stranger)}),
        400,
        f"Đồng chí {stranger.full_name} không có trong danh sách",
        "token",
    )
    gone = cell["members"][3]
    gone.status = MemberStatus.TRANSFERRED
    gone.save(update_fields=["status"])
    assert_refused(
        post(client, cell["meeting"], {"token": credentials.card_token(gone)}),
        400,
        "đang sinh hoạt",
    )
    assert not Attendance.objects.filter(member=stranger).exists()
    assert set(statuses(cell["meeting"]).values()) == {S.EXPECTED}


@pytest.mark.django_db
def test_secretary_of_another_cell_404_member_403_viewer_403(cell):
    meeting, token = cell["meeting"], credentials.card_token(cell["members"][0])
    assert_refused(
        post(client_for(cell["other_secretary"]), meeting, {"token": token}), 404, "Không tìm thấy"
    )
    assert_refused(post(client_for(cell["members"][1].user), meeting, {"token": token}), 403)
    viewer = UserFactory()
    grant(viewer, "viewer", cell["tree"]["d1"])
    assert_refused(post(client_for(viewer), meeting, {"token": token}), 403)
    # another cell's meeting, with a card of that cell: still out of this secretary's sight
    other = make_meeting(cell["tree"]["c12"], [MemberFactory(cell=cell["tree"]["c12"])])
    stranger = other.attendance.get().member
    assert_refused(
        post(client_for(cell["secretary"]), other, {"token": credentials.card_token(stranger)}), 404
    )
    assert_refused(
        client_for(cell["secretary"]).post(
            "/api/v1/meetings/999999/checkin/", {"token": token}, format="json"
        ),
        404,
    )
    assert set(statuses(meeting).values()) == {S.EXPECTED}
    assert set(statuses(other).values()) == {S.EXPECTED}


@pytest.mark.django_db
def test_bad_api_key_inactive_account_and_no_login(cell):
    meeting, token = cell["meeting"], credentials.card_token(cell["members"][0])
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert_refused(post(bad, meeting, {"token": token}), 401, "Mã xác thực")
    client = client_for(cell["secretary"])
    cell["secretary"].is_active = False
    cell["secretary"].save(update_fields=["is_active"])
    assert_refused(post(client, meeting, {"token": token}), 401)
    assert post(APIClient(), meeting, {"token": token}).status_code == 401
    assert set(statuses(meeting).values()) == {S.EXPECTED}


@pytest.mark.django_db
@pytest.mark.parametrize("state", [Meeting.State.CLOSED, Meeting.State.CANCELLED])
def test_closed_meeting_refused_at_once(cell, state):
    """No cached meeting: the scan right after the meeting is locked is refused, repeats too."""
    meeting, (a, b) = cell["meeting"], cell["members"][:2]
    client = client_for(cell["secretary"])
    assert post(client, meeting, {"token": credentials.card_token(a)}).status_code == 201
    Meeting.objects.filter(pk=meeting.pk).update(state=state)
    assert_refused(post(client, meeting, {"token": credentials.card_token(b)}), 409)
    assert_refused(
        post(client, meeting, {"token": credentials.card_token(a)}), 409
    )  # as the service: 409, not 200
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.SCHEDULED)
    with fast_path_only():
        assert post(client, meeting, {"token": credentials.card_token(b)}).status_code == 201


@pytest.mark.django_db
def test_revoked_card_refused_at_once(cell):
    meeting, member = cell["meeting"], cell["members"][0]
    client = client_for(cell["secretary"])
    earlier = make_meeting(cell["tree"]["c11"], [member])
    card = credentials.card_token(member)
    assert post(client, earlier, {"token": card}).status_code == 201
    revoke_card(member)
    assert_refused(post(client, meeting, {"token": card}), 400, "thu hồi", "token")
    assert_refused(
        post(client, earlier, {"token": card}), 400, "thu hồi"
    )  # a repeat with the old card too
    assert statuses(meeting)[member.pk] == S.EXPECTED
    with fast_path_only():
        assert post(client, meeting, {"token": credentials.card_token(member)}).status_code == 201


@pytest.mark.django_db
def test_withdrawn_or_expired_role_and_deleted_api_token_refused_at_once(cell):
    meeting, members, secretary = cell["meeting"], cell["members"], cell["secretary"]
    client = client_for(secretary)
    assert post(client, meeting, {"token": credentials.card_token(members[0])}).status_code == 201
    assignment = RoleAssignment.objects.get(user=secretary)
    RoleAssignment.objects.filter(pk=assignment.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    with service_path() as calls:
        refused = post(client, meeting, {"token": credentials.card_token(members[1])})
    assert len(calls) == 1 and refused.status_code == 404
    RoleAssignment.objects.filter(pk=assignment.pk).update(valid_until=None)
    assert post(client, meeting, {"token": credentials.card_token(members[1])}).status_code == 201
    RoleAssignment.objects.filter(
        pk=assignment.pk
    ).delete()  # no signal: the statement reads the table itself
    with service_path() as calls:
        refused = post(client, meeting, {"token": credentials.card_token(members[2])})
    assert len(calls) == 1 and refused.status_code == 404
    grant(secretary, "cell_secretary", cell["tree"]["c11"])
    Token.objects.filter(user=secretary).delete()
    assert_refused(post(client, meeting, {"token": credentials.card_token(members[2])}), 401)
    assert statuses(meeting)[members[2].pk] == S.EXPECTED


@pytest.mark.django_db
def test_expired_api_token_and_changed_password_refused_at_once(cell, settings):
    """The token's validity is sotay_plugins.authentication's one rule, in the SQL too."""
    meeting, members, secretary = cell["meeting"], cell["members"], cell["secretary"]
    client = client_for(secretary)
    assert post(client, meeting, {"token": credentials.card_token(members[0])}).status_code == 201
    token = Token.objects.get(user=secretary)
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - timedelta(days=settings.SOTAY_TOKEN_DAYS, seconds=1)
    )
    with service_path() as calls:
        refused = post(client, meeting, {"token": credentials.card_token(members[1])})
    assert len(calls) == 0 and refused.status_code == 401  # DRF refuses before the service
    Token.objects.filter(pk=token.pk).update(created=timezone.now())
    assert post(client, meeting, {"token": credentials.card_token(members[1])}).status_code == 201
    secretary.set_password("Mat-khau-moi-2026")
    secretary.save()
    assert_refused(post(client, meeting, {"token": credentials.card_token(members[2])}), 401)
    assert statuses(meeting)[members[2].pk] == S.EXPECTED


@pytest.mark.django_db
def test_other_shapes_take_the_service_path(cell):
    meeting, members = cell["meeting"], cell["members"]
    client = client_for(cell["secretary"])
    with service_path() as calls:
        assert post(client, meeting, {"cccd_qr": chip_qr(members[0])}).status_code == 201
        assert (
            client.post(url(meeting), {"token": credentials.card_token(members[1])}).status_code
            == 201
        )  # form
        assert (
            client.post(
                url(meeting) + "?format=json",
                {"token": credentials.card_token(members[2])},
                format="json",
            ).status_code
            == 201
        )
        both = post(
            client,
            meeting,
            {"token": credentials.card_token(members[3]), "cccd_qr": chip_qr(members[3])},
        )
        assert_refused(both, 400, "Chỉ gửi một mã")
        assert_refused(post(client, meeting, {"token": 5}), 400, field="token")
        html = client.post(
            url(meeting),
            {"token": credentials.card_token(members[3])},
            format="json",
            HTTP_ACCEPT="text/html",
        )
        assert html.status_code == 201 and html["Content-Type"].startswith("text/html")
    assert len(calls) == 6


@pytest.mark.django_db
def test_session_login_keeps_csrf(cell):
    """A browser session (the scanning page's fetch) takes DRF's path, which enforces CSRF."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cell["secretary"])
    response = client.post(
        url(cell["meeting"]),
        json.dumps({"token": credentials.card_token(cell["members"][0])}),
        content_type="application/json",
    )
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert set(statuses(cell["meeting"]).values()) == {S.EXPECTED}


@pytest.mark.django_db
def test_kill_switch(cell, settings):
    settings.SOTAY_CHECKIN_FAST_PATH = False
    with service_path() as calls:
        assert (
            post(
                client_for(cell["secretary"]),
                cell["meeting"],
                {"token": credentials.card_token(cell["members"][0])},
            ).status_code
            == 201
        )
    assert len(calls) == 1


def test_view_is_configured_as_the_fast_path_assumes():
    """The fast path stands in for DRF's authentication, permissions and throttles: a view that
    adds any (a throttle, another permission, another authentication) loses it."""
    from rest_framework.authentication import BasicAuthentication
    from rest_framework.permissions import IsAdminUser, IsAuthenticated
    from rest_framework.throttling import UserRateThrottle

    from sotay_plugins.attendance.api import CheckInView

    assert fast.applies_to(CheckInView) and CheckInView.as_view().fast_path
    throttled = type("Throttled", (CheckInView,), {"throttle_classes": [UserRateThrottle]})
    stricter = type(
        "Stricter", (CheckInView,), {"permission_classes": [IsAuthenticated, IsAdminUser]}
    )
    basic = type(
        "Basic",
        (CheckInView,),
        {"authentication_classes": [*CheckInView.authentication_classes, BasicAuthentication]},
    )
    for view in (throttled, stricter, basic):
        assert not fast.applies_to(view)
        assert not getattr(view.as_view(), "fast_path", False)


@pytest.mark.django_db
def test_schema_still_documents_checkin(cell):
    client = client_for(cell["secretary"])
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    operation = schema["paths"]["/api/v1/meetings/{id}/checkin/"]["post"]
    assert "CheckInRequest" in json.dumps(operation["requestBody"])
    assert {"200", "201", "400", "404", "409"} <= set(operation["responses"])


# --- prepared statements ----------------------------------------------------------------------


@pytest.mark.django_db
def test_statement_already_prepared_in_the_session(cell):
    """A session that holds the statements but a connection object that does not know it (a pooled
    session): PREPARE says "already exists", which is fine."""
    client = client_for(cell["secretary"])
    assert (
        post(
            client, cell["meeting"], {"token": credentials.card_token(cell["members"][0])}
        ).status_code
        == 201
    )
    del connection.connection._sotay_prepared
    with fast_path_only():
        assert (
            post(
                client, cell["meeting"], {"token": credentials.card_token(cell["members"][1])}
            ).status_code
            == 201
        )


@pytest.mark.django_db(transaction=True)
def test_statement_lost_by_the_session_is_prepared_again(tree):
    """DEALLOCATE ALL (what a pooler runs between clients): the next scan prepares again."""
    members = MemberFactory.create_batch(2, cell=tree["c11"])
    secretary = UserFactory()
    grant(secretary, "cell_secretary", tree["c11"])
    meeting = make_meeting(tree["c11"], members)
    client = client_for(secretary)
    assert post(client, meeting, {"token": credentials.card_token(members[0])}).status_code == 201
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    with fast_path_only():
        assert (
            post(client, meeting, {"token": credentials.card_token(members[1])}).status_code == 201
        )
    assert statuses(meeting) == {members[0].pk: S.PRESENT, members[1].pk: S.PRESENT}


# --- the service: a member's token checked inside its UPDATE ------------------------------------


@pytest.mark.django_db
def test_service_checks_the_card_inside_its_update(cell):
    """check_in() and offline items: one statement for a good card; revoked cards, members who
    left and members of another cell still get the resolver's exact refusal."""
    members, secretary = cell["members"], cell["secretary"]
    meeting = service.event_for(roll(), secretary, cell["meeting"].pk)  # as the views load it
    service.check_in(
        roll(), meeting, token=credentials.card_token(members[3]), by_user=secretary
    )  # prepares
    with CaptureQueriesContext(connection) as ctx:
        result = service.check_in(
            roll(), meeting, token=credentials.card_token(members[0]), by_user=secretary
        )
    assert (
        result.created
        and result.record.method == "card"
        and result.record.member_name == members[0].full_name
    )
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["EXECUTE"]
    revoked = credentials.card_token(members[1])
    revoke_card(members[1])
    with pytest.raises(service.CheckInError) as caught:
        service.check_in(roll(), meeting, token=revoked, by_user=secretary)
    assert caught.value.code == "revoked"
    members[2].status = MemberStatus.TRANSFERRED
    members[2].save(update_fields=["status"])
    stranger = MemberFactory(cell=cell["tree"]["c12"])
    at = timezone.now().isoformat()
    items = [
        {"token": revoked, "at": at},
        {"token": credentials.card_token(members[2]), "at": at},
        {"token": credentials.card_token(stranger), "at": at},
        {"token": credentials.card_token(members[1]), "at": at},
        {"token": credentials.card_token(members[0]), "at": at},
    ]
    outcomes = [
        o.as_dict() for o in service.sync_offline(roll(), meeting, items, by_user=secretary)
    ]
    assert [(o["outcome"], o.get("code")) for o in outcomes] == [
        ("error", "revoked"),
        ("error", "unknown"),
        ("error", "not_expected"),
        ("created", None),
        ("already", None),
    ]
    assert outcomes[3]["attendance"]["method"] == "offline"
    assert statuses(meeting) == {
        members[0].pk: S.PRESENT,
        members[1].pk: S.PRESENT,
        members[2].pk: S.EXPECTED,
        members[3].pk: S.PRESENT,
    }


@pytest.mark.django_db(transaction=True)
def test_offline_batch_is_one_transaction(tree):
    """A database failure in the middle of a batch applies none of it (the device sends it
    again)."""
    from django.db import DatabaseError

    members = MemberFactory.create_batch(3, cell=tree["c11"])
    secretary = UserFactory()
    grant(secretary, "cell_secretary", tree["c11"])
    meeting = service.event_for(roll(), secretary, make_meeting(tree["c11"], members).pk)
    at = timezone.now().isoformat()
    items = [{"token": credentials.card_token(m), "at": at} for m in members]
    real, calls = service._conditional_update, []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise DatabaseError("the disk is full")
        return real(*args, **kwargs)

    with (
        mock.patch.object(service, "_conditional_update", side_effect=failing),
        pytest.raises(DatabaseError),
    ):
        service.sync_offline(roll(), meeting, items, by_user=secretary)
    assert set(statuses(meeting).values()) == {S.EXPECTED}
    outcomes = service.sync_offline(roll(), meeting, items, by_user=secretary)
    assert [o.as_dict()["outcome"] for o in outcomes] == ["created"] * 3
    assert set(statuses(meeting).values()) == {S.PRESENT}
