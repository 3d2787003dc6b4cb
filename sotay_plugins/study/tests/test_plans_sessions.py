"""Study plans and sessions: who sees them (scope), bad input, the sessions' roll (exactly once,
scope refusals) and the attendance points."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from sotay_plugins import signals
from sotay_plugins.members import credentials
from sotay_plugins.study.plans import services
from sotay_plugins.study.plans.models import SessionAttendance, StudyPlan, StudySession
from tests.factories import login

from .resolutions_helpers import api_for, plan_for, resolution, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def session_for(w, plan, *, audience=None, starts_at=None, **fields):
    tree = w["tree"]
    return services.add_session(
        fields.pop("by", w["province_officer"]),
        plan,
        issuer_org=fields.pop("issuer_org", tree["province"]),
        audience_org=audience or tree["c11"],
        title=fields.pop("title", "Hội nghị học tập Nghị quyết 57"),
        starts_at=starts_at or timezone.now() - timedelta(minutes=5),
        place=fields.pop("place", "Hội trường xã"),
        **fields,
    )


def test_a_plan_outside_the_announcers_subtree_is_refused(w):
    tree = w["tree"]
    res = resolution(tree["province"])
    with pytest.raises(ValidationError) as err:
        services.announce_plan(
            w["d1_officer"],
            issuer_org=tree["d1"],
            audience_org=tree["d2"],
            resolution=res,
            title="Kế hoạch",
            deadline=timezone.localdate(),
        )
    assert "audience_org" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.announce_plan(
            w["d1_officer"],
            issuer_org=tree["d2"],
            audience_org=tree["d2"],
            resolution=res,
            title="Kế hoạch",
            deadline=timezone.localdate(),
        )
    other = resolution(tree["d2"], number="9-NQ/HU")
    with pytest.raises(ValidationError) as err:
        services.announce_plan(
            w["d1_officer"],
            issuer_org=tree["d1"],
            audience_org=tree["d1"],
            resolution=other,
            title="Kế hoạch",
            deadline=timezone.localdate(),
        )
    assert "resolution" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.announce_plan(
            w["d1_officer"],
            issuer_org=tree["d1"],
            audience_org=tree["d1"],
            resolution=res,
            title="  ",
            deadline="mai",
        )
    assert {"title", "deadline"} <= set(err.value.message_dict)
    assert not StudyPlan.objects.exists()


def test_a_member_of_another_district_does_not_see_the_plan_or_its_sessions(w, client):
    tree = w["tree"]
    plan = plan_for(w, audience=tree["d1"])
    session = session_for(w, plan)
    near, far = api_for(w["a"].user), api_for(w["far"].user)
    assert near.get(f"/api/v1/study/plans/{plan.pk}/").status_code == 200
    assert far.get(f"/api/v1/study/plans/{plan.pk}/").status_code == 404
    assert far.get("/api/v1/study/plans/").json()["count"] == 0
    assert near.get(f"/api/v1/study/sessions/{session.pk}/").json()["issuer_org"] == (
        tree["province"].pk
    )
    assert far.get(f"/api/v1/study/sessions/{session.pk}/").status_code == 404
    login(client, w["far"].user)
    assert client.get(reverse("study:session", args=[session.pk])).status_code == 404
    assert session.title not in client.get(reverse("study:sessions")).content.decode()
    login(client, w["a"].user)
    assert session.title in client.get(reverse("study:sessions")).content.decode()
    assert session.title in client.get(reverse("study:home")).content.decode()


def test_a_session_ending_before_it_starts_is_refused_and_nothing_written(w):
    plan = plan_for(w)
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        session_for(w, plan, starts_at=start, ends_at=start - timedelta(hours=1))
    assert "ends_at" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        session_for(w, plan, place="", expected_participants=-3)
    assert {"place", "expected_participants"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError) as err:
        session_for(w, plan_for(w, audience=w["tree"]["d1"]), audience=w["tree"]["c21"])
    assert "audience_org" in err.value.message_dict
    assert not StudySession.objects.exists() and not SessionAttendance.objects.exists()


def test_the_session_invites_the_active_members_of_its_unit(w):
    session = session_for(w, plan_for(w))
    invited = set(session.roll.values_list("member_id", flat=True))
    assert invited == {w["a"].pk, w["b"].pk, w["secretary"].pk}
    assert session.expected_participants == 3


def test_the_roll_checks_in_exactly_once(w):
    session = session_for(w, plan_for(w))
    api = api_for(w["secretary"].user)
    url = f"/api/v1/study/sessions/{session.pk}/checkin/"
    token = credentials.card_token(w["a"])
    first = api.post(url, {"token": token}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["session"] == session.pk
    for _ in range(3):
        again = api.post(url, {"token": token}, format="json")
        assert again.status_code == 200 and again.json()["already"] is True
    assert session.roll.filter(status__in=["present", "late"]).count() == 1
    far = api.post(url, {"token": credentials.card_token(w["far"])}, format="json")
    assert far.status_code == 400
    offline = api.post(
        f"/api/v1/study/sessions/{session.pk}/checkin/offline/",
        {
            "items": [
                {
                    "client_id": "x1",
                    "token": credentials.card_token(w["b"]),
                    "at": timezone.now().isoformat(),
                },
                {
                    "client_id": "x1",
                    "token": credentials.card_token(w["b"]),
                    "at": timezone.now().isoformat(),
                },
            ]
        },
        format="json",
    )
    assert offline.status_code == 200, offline.content
    assert session.roll.filter(member=w["b"], status__in=["present", "late"]).count() == 1


def test_a_secretary_of_another_cell_cannot_mark_attendance(w, client):
    session = session_for(w, plan_for(w))
    other = api_for(w["other_secretary"].user)
    mark = f"/api/v1/study/sessions/{session.pk}/attendance/mark/"
    refused = other.post(mark, {"member": w["a"].pk, "status": "present"}, format="json")
    assert refused.status_code in (403, 404)
    scan = other.post(
        f"/api/v1/study/sessions/{session.pk}/checkin/",
        {"token": credentials.card_token(w["a"])},
        format="json",
    )
    assert scan.status_code in (403, 404)
    assert not session.roll.filter(status__in=["present", "late"]).exists()
    member = api_for(w["a"].user)
    assert member.post(
        mark, {"member": w["b"].pk, "status": "present"}, format="json"
    ).status_code in (
        403,
        404,
    )
    login(client, w["other_secretary"].user)
    assert client.get(reverse("study:session_checkin", args=[session.pk])).status_code in (403, 404)
    own = api_for(w["secretary"].user).post(
        mark, {"member": w["a"].pk, "status": "present"}, format="json"
    )
    assert own.status_code == 200 and own.json()["changed"] is True


def test_closing_the_session_sends_attendance_points_once_per_member(
    w, django_capture_on_commit_callbacks
):
    sent = []

    def receiver(sender, **kwargs):
        sent.append((kwargs["rule"], kwargs["member_id"], kwargs["source"]))

    signals.points_earned.connect(receiver, weak=False, dispatch_uid="test-plan-points")
    try:
        session = session_for(w, plan_for(w))
        api = api_for(w["secretary"].user)
        api.post(
            f"/api/v1/study/sessions/{session.pk}/checkin/",
            {"token": credentials.card_token(w["a"])},
            format="json",
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.close_session(w["province_officer"], session)
        assert sent == [("study.session_attended", w["a"].pk, f"study.studysession:{session.pk}")]
        session.refresh_from_db()
        assert session.state == "held" and session.points_awarded_at is not None
        with pytest.raises(PermissionDenied):
            services.close_session(w["d2_officer"], session)
        with pytest.raises(ValidationError):
            services.cancel_session(w["province_officer"], session)
    finally:
        signals.points_earned.disconnect(dispatch_uid="test-plan-points")


def test_a_cancelled_session_takes_no_check_in(w):
    session = session_for(w, plan_for(w))
    services.cancel_session(w["province_officer"], session)
    answer = api_for(w["secretary"].user).post(
        f"/api/v1/study/sessions/{session.pk}/checkin/",
        {"token": credentials.card_token(w["a"])},
        format="json",
    )
    assert answer.status_code == 409


def test_the_award_command_sends_recent_sessions_points(w, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs["member_id"])

    session = session_for(w, plan_for(w))
    SessionAttendance.objects.filter(session=session, member=w["b"]).update(
        status="present", checked_in_at=timezone.now()
    )
    signals.points_earned.connect(receiver, weak=False, dispatch_uid="test-award-command")
    try:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("study_award_attendance", stdout=out)
        assert sent == [w["b"].pk] and "1" in out.getvalue()
    finally:
        signals.points_earned.disconnect(dispatch_uid="test-award-command")
