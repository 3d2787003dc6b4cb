"""Helpers shared by the check-in tests (plain functions; fixtures live in conftest.py)."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sotay_plugins.meetings.models import Attendance, Meeting
from tests.factories import MemberFactory, UserFactory, grant


def cell_people(tree, count):
    """``count`` members of cell 1.1, its secretary, and cell 1.2's secretary."""
    secretary, other_secretary = UserFactory(), UserFactory()
    grant(secretary, "cell_secretary", tree["c11"])
    grant(other_secretary, "cell_secretary", tree["c12"])
    return {
        "members": MemberFactory.create_batch(count, cell=tree["c11"]),
        "secretary": secretary,
        "other_secretary": other_secretary,
        "tree": tree,
    }


def make_meeting(cell, members, *, starts_at=None, state=Meeting.State.SCHEDULED):
    meeting = Meeting.objects.create(
        title="Sinh hoạt thường kỳ",
        issuer_org=cell,
        audience_org=cell,
        state=state,
        starts_at=starts_at or timezone.now() - timedelta(minutes=5),
    )
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m) for m in members])
    return meeting


def chip_qr(member, *, name=None, birth=None, issued="01012022"):
    gender = "Nam" if member.gender == "male" else "Nữ"
    birth = birth or f"{member.birth_date:%d%m%Y}"
    return (
        f"{member.cccd}|123456789|{name or member.full_name}|{birth}|{gender}|"
        f"Thôn Đông, xã Tây|{issued}"
    )


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def url(meeting, suffix="checkin/"):
    return f"/api/v1/meetings/{meeting.pk}/{suffix}"


def statuses(meeting):
    return dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
