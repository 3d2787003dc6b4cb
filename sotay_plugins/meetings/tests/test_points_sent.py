"""Attending a meeting earns points: once the minutes are approved (the attendance is final),
``points_earned`` is sent for each member present or late — through an outbox job — with the
rule the meetings plugin registers. The ledger itself is another plugin's (tested there)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sotay_plugins.meetings import receivers, services
from sotay_plugins.meetings.models import Attendance, Meeting
from sotay_plugins.registry import registry
from sotay_plugins.signals import points_earned

from .helpers import soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    got = []

    def listen(sender, **kwargs):
        kwargs.pop("signal", None)
        got.append(kwargs)

    points_earned.connect(listen, dispatch_uid="meetings.tests.points")
    yield got
    points_earned.disconnect(dispatch_uid="meetings.tests.points")


def held_meeting(tree, people):
    secretary = people["secretary"].user
    meeting = services.convene(
        tree["c11"], secretary, kind="regular", starts_at=soon(), place="Nhà văn hóa thôn"
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    rows = Attendance.objects.filter(meeting=meeting)
    rows.filter(member=people["a"]).update(status="present", checked_in_at=timezone.now())
    rows.filter(member=people["b"]).update(status="late", checked_in_at=timezone.now())
    rows.filter(member=people["secretary"]).update(status="excused", reason="Ốm")
    services.record_minutes(meeting, secretary, "Biên bản")
    return meeting


def test_the_rule_is_registered_with_titles():
    rule = registry.point_rules[receivers.ATTENDED_RULE]
    assert rule.points > 0 and rule.titles is not None


def test_approving_the_minutes_sends_points_for_those_present(
    tree, people, sent, django_capture_on_commit_callbacks
):
    meeting = held_meeting(tree, people)
    assert sent == []  # nothing before the attendance is final
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_minutes(meeting, people["secretary"].user)
    assert sorted(e["member_id"] for e in sent) == sorted([people["a"].pk, people["b"].pk])
    assert {e["rule"] for e in sent} == {"meetings.attended"}
    assert {e["source"] for e in sent} == {f"meetings.meeting:{meeting.pk}"}
    assert all(e["at"] is not None for e in sent)
    assert receivers.meeting_titles([meeting.pk]) == {meeting.pk: meeting.title}


def test_saving_a_closed_meeting_again_sends_nothing_new(
    tree, people, sent, django_capture_on_commit_callbacks
):
    meeting = held_meeting(tree, people)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.approve_minutes(meeting, people["secretary"].user)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting.save(update_fields=["updated_at"])
    assert sent == []


def test_the_history_replays_attendance_at_closed_meetings(
    tree, people, django_capture_on_commit_callbacks
):
    meeting = held_meeting(tree, people)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_minutes(meeting, people["secretary"].user)
    rows = list(receivers.attendance_history(timezone.now() - timedelta(days=1)))
    assert {r[0] for r in rows} == {people["a"].pk, people["b"].pk}
