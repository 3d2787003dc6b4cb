"""The attendance service serves any module's roll, not only the meetings': a test-only module
(``tests/eventapp``: study sessions, with other field names and states) registers its roll in a
few lines and gets scan by token, chip-card QR, manual marks, offline sync, exactly once, scope
refusals, the scan page and the one-statement fast path, with no code of the meetings plugin."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotay_plugins.attendance import fast, service
from sotay_plugins.members import credentials
from sotay_plugins.registry import registry
from tests.eventapp.models import SessionAttendance, StudySession
from tests.factories import MemberFactory, UserFactory, grant

from .helpers import cell_people, chip_qr, client_for

S = SessionAttendance.Status


def roll():
    return service.roll_for("eventapp")


def make_session(cell, members, *, phase="planned", opens_at=None):
    session = StudySession.objects.create(
        title="Học Nghị quyết",
        issuer_org=cell,
        audience_org=cell,
        phase=phase,
        opens_at=opens_at or timezone.now() - timedelta(minutes=5),
    )
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=session, member=m) for m in members]
    )
    return session


def url(session, suffix="checkin/"):
    return f"/api/v1/study-sessions/{session.pk}/{suffix}"


def statuses(session):
    return dict(session.roll.values_list("member_id", "status"))


@pytest.fixture
def study(tree):
    people = cell_people(tree, 3)
    return {**people, "session": make_session(tree["c11"], people["members"])}


def test_the_roll_is_registered_by_its_module_and_names_no_meeting():
    rolled = registry.rolls["eventapp"]
    assert rolled.model is SessionAttendance and rolled.event_model is StudySession
    update, already = fast._statements_for(rolled, ("token", 2))
    for statement in (update, already):
        assert "eventapp_sessionattendance" in statement.sql
        assert "eventapp_studysession" in statement.sql
        assert "meetings" not in statement.sql


@pytest.mark.django_db
def test_scan_by_token_once_then_already(study):
    api = client_for(study["secretary"])
    member = study["members"][0]
    first = api.post(
        url(study["session"]), {"token": credentials.card_token(member)}, format="json"
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["session"] == study["session"].pk and "meeting" not in body
    assert (body["member"], body["status"], body["method"]) == (member.pk, "present", "card")
    for _ in range(3):
        again = api.post(
            url(study["session"]), {"token": credentials.card_token(member)}, format="json"
        )
        assert again.status_code == 200 and again.json()["already"] is True
    assert statuses(study["session"])[member.pk] == S.PRESENT
    assert SessionAttendance.objects.count() == 3


@pytest.mark.django_db
def test_late_from_the_rolls_own_start_field(study, settings):
    settings.SOTAY_CHECKIN_GRACE_MINUTES = 10
    session = study["session"]
    StudySession.objects.filter(pk=session.pk).update(
        opens_at=timezone.now() - timedelta(minutes=11)
    )
    session.refresh_from_db()
    result = service.check_in(
        roll(),
        session,
        token=credentials.app_token(study["members"][1]),
        by_user=study["secretary"],
    )
    assert result.record.status == S.LATE and result.record.method == "app"


@pytest.mark.django_db
def test_chip_card_qr_and_a_stranger_answered_as_unknown(study):
    api = client_for(study["secretary"])
    member = study["members"][2]
    done = api.post(url(study["session"]), {"cccd_qr": chip_qr(member)}, format="json")
    assert done.status_code == 201 and done.json()["method"] == "cccd"
    stranger = MemberFactory(cell=study["tree"]["c12"])
    nobody = MemberFactory.build(cell=study["tree"]["c12"], cccd="088888888888")
    answers = [
        api.post(url(study["session"]), {"cccd_qr": chip_qr(who)}, format="json")
        for who in (stranger, nobody)
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()


@pytest.mark.django_db
def test_manual_marking(study):
    api = client_for(study["secretary"])
    member = study["members"][0]
    mark = url(study["session"], "attendance/mark/")
    refused = api.post(mark, {"member": member.pk, "status": "excused"}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]
    done = api.post(
        mark, {"member": member.pk, "status": "excused", "reason": "Ốm"}, format="json"
    ).json()
    assert done["changed"] is True and done["session"] == study["session"].pk
    again = api.post(
        mark, {"member": member.pk, "status": "excused", "reason": "Ốm"}, format="json"
    )
    assert again.json()["changed"] is False
    listing = api.get(url(study["session"], "attendance/")).json()
    assert listing["count"] == 3 and listing["summary"]["excused"] == 1
    assert {row["member"] for row in listing["results"]} == {m.pk for m in study["members"]}


@pytest.mark.django_db
def test_offline_sync_applies_each_once(study):
    api = client_for(study["secretary"])
    at = (timezone.now() - timedelta(minutes=2)).isoformat()
    items = [
        {"token": credentials.card_token(m), "at": at, "client_id": f"c{i}"}
        for i, m in enumerate(study["members"][:2])
    ]
    items.append({"token": "không phải mã", "at": at, "client_id": "bad"})
    first = api.post(url(study["session"], "checkin/offline/"), {"items": items}, format="json")
    assert first.json()["created"] == 2 and first.json()["errors"] == 1
    again = api.post(url(study["session"], "checkin/offline/"), {"items": items}, format="json")
    assert again.json()["created"] == 0 and again.json()["already"] == 2
    rows = SessionAttendance.objects.filter(session=study["session"], method="offline")
    assert rows.count() == 2


@pytest.mark.django_db
def test_scope_refusals_and_closing_states(study):
    session, member = study["session"], study["members"][0]
    token = {"token": credentials.card_token(member)}
    # Another cell's secretary does not see the session at all: 404 with the roll's own words.
    other = client_for(study["other_secretary"]).post(url(session), token, format="json")
    assert other.status_code == 404 and other.json()["detail"] == "Không tìm thấy buổi học."
    # A member of the cell sees it (audience) but may not take the roll: 403.
    participant = MemberFactory(cell=study["tree"]["c11"]).user
    refused = client_for(participant).post(url(session), token, format="json")
    assert refused.status_code == 403
    # The module's closing states close the roll, with its codes and words (409).
    for phase, words in (("done", "Buổi học đã xong."), ("dropped", "Buổi học đã bị bỏ.")):
        StudySession.objects.filter(pk=session.pk).update(phase=phase)
        closed = client_for(study["secretary"]).post(url(session), token, format="json")
        assert closed.status_code == 409 and closed.json()["detail"] == words
    assert set(statuses(session).values()) == {S.EXPECTED}


@pytest.mark.django_db
def test_fast_path_is_one_statement_for_this_roll_too(study):
    if connection.vendor != "postgresql":
        pytest.skip("the fast path runs on PostgreSQL only")
    api = client_for(study["secretary"])
    member = study["members"][1]
    api.post(url(study["session"]), {"token": credentials.card_token(study["members"][0])})
    with (
        mock.patch.object(service, "event_for", side_effect=AssertionError("service path")),
        CaptureQueriesContext(connection) as ctx,
    ):
        answer = api.post(
            url(study["session"]), {"token": credentials.card_token(member)}, format="json"
        )
        repeat = api.post(
            url(study["session"]), {"token": credentials.card_token(member)}, format="json"
        )
    assert (answer.status_code, repeat.status_code) == (201, 200)
    executed = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("EXECUTE")]
    assert len(executed) == 3  # the UPDATE; then the UPDATE (no row) and the already-SELECT
    assert answer.json()["session"] == study["session"].pk


@pytest.mark.django_db(transaction=True)
def test_two_scanners_at_once_check_in_exactly_once(tree):
    if connection.vendor != "postgresql":
        # SQLite (the one-machine demo) takes one writer at a time and may answer a racing one
        # "database is locked"; exactly once under concurrent scanners is PostgreSQL's promise.
        pytest.skip("concurrent scanners: PostgreSQL only")
    members = MemberFactory.create_batch(2, cell=tree["c11"])
    secretary = UserFactory()
    grant(secretary, "cell_secretary", tree["c11"])
    session = make_session(tree["c11"], members)
    token = credentials.card_token(members[0])
    outcomes, barrier = [], threading.Barrier(4)

    def scan():
        from django.db import connections

        try:
            barrier.wait()
            result = service.check_in(roll(), session, token=token, by_user=secretary)
            outcomes.append(result.created)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, False, False, True]
    assert statuses(session)[members[0].pk] == S.PRESENT


@pytest.mark.django_db
@pytest.mark.urls("tests.eventapp.urls")
def test_the_scan_page_of_this_roll(study, client):
    client.force_login(study["secretary"])
    page = client.get(f"/buoi-hoc/{study['session'].pk}/diem-danh/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Danh sách buổi học" in html and study["members"][0].full_name in html
    assert f"/api/v1/study-sessions/{study['session'].pk}/checkin/" in html
    assert f'data-queue-key="sotay-checkin-queue-study-{study["session"].pk}"' in html
    member = study["members"][1]
    done = client.post(
        f"/buoi-hoc/{study['session'].pk}/diem-danh/", {"code": credentials.card_token(member)}
    )
    assert done.status_code == 302 and done["Location"].endswith("/diem-danh/")
    marked = client.post(
        f"/buoi-hoc/{study['session'].pk}/diem-danh/danh-dau/",
        {"member": study["members"][0].pk, "status": "absent"},
    )
    assert marked.status_code == 302
    assert statuses(study["session"]) == {
        study["members"][0].pk: S.ABSENT,
        member.pk: S.PRESENT,
        study["members"][2].pk: S.EXPECTED,
    }
    other = UserFactory()
    grant(other, "cell_secretary", study["tree"]["c12"])
    client.force_login(other)
    assert client.get(f"/buoi-hoc/{study['session'].pk}/diem-danh/").status_code == 404


def test_the_credential_resolver_must_have_the_declared_interface():
    from sotay_plugins.members import credentials
    from sotay_plugins.registry import CredentialResolver, Registry

    assert isinstance(registry.credential_resolver, CredentialResolver)
    assert registry.credential_resolver is credentials.RESOLVER
    with pytest.raises(TypeError):
        Registry().set_credential_resolver(credentials.resolve)  # a bare function: no claims()


def test_meetings_wire_their_parts_explicitly():
    """No optional parts imported by name and skipped when missing: a misspelt module fails."""
    from pathlib import Path

    import sotay_plugins.meetings as meetings

    root = Path(meetings.__file__).parent
    for module in root.rglob("*.py"):
        text = module.read_text()
        assert "find_spec" not in text and "import_module" not in text, module
