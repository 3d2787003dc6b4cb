"""The living demo (issue 17): ``seed_demo`` gives every cell a past meeting (minutes approved,
attendance taken, materials picked and read, comments) and an upcoming one, deterministically.

One tiny province is seeded once for the module (inside a transaction rolled back at the end).
"""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from sotay_plugins.attendance.models import CHECKED_IN, AttendanceStatus
from sotay_plugins.meetings import demo
from sotay_plugins.meetings.models import (
    Attendance,
    Material,
    MaterialOpen,
    Meeting,
    MeetingComment,
    MeetingMaterial,
)
from sotay_plugins.meetings.services import expected_members
from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.choices import OrgKind, Position
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.registry import registry


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", "--scale", "tiny", "--seed", "4", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def world(seeded, db):
    return seeded


def inside(upper, org):
    return upper.tree_id == org.tree_id and upper.lft <= org.lft and org.rght <= upper.rght


def test_the_meetings_seeder_is_registered():
    assert "meetings" in registry.demo_seeders


def test_every_cell_has_a_past_approved_meeting_and_an_upcoming_one(world):
    assert "buổi sinh hoạt" in world  # its summary line
    now = timezone.now()
    cells = list(Organisation.objects.filter(kind=OrgKind.CELL, is_active=True))
    assert len(cells) == 8
    for cell in cells:
        meetings = list(Meeting.objects.filter(audience_org=cell).order_by("starts_at"))
        assert len(meetings) == 2, cell
        past, upcoming = meetings
        assert past.issuer_org_id == cell.pk
        assert past.state == Meeting.State.CLOSED and past.ends_at < now
        assert past.minutes_approved_at and past.minutes_approved_by_id
        assert past.minutes and past.resolution and past.chair and past.recorder
        assert upcoming.state == Meeting.State.SCHEDULED and upcoming.starts_at > now
        assert upcoming.draft_resolution and upcoming.place
        expected = set(expected_members(cell).values_list("pk", flat=True))
        for meeting in meetings:
            rows = list(Attendance.objects.filter(meeting=meeting))
            assert {row.member_id for row in rows} == expected  # the whole roll
            picked = list(
                MeetingMaterial.objects.filter(meeting=meeting).select_related(
                    "material__issuer_org"
                )
            )
            assert picked  # materials picked, all within the cell's reach
            assert all(inside(p.material.issuer_org, cell) for p in picked)
        past_rows = Attendance.objects.filter(meeting=past)
        assert past_rows.filter(status__in=CHECKED_IN, checked_in_at__isnull=False).exists()
        assert not past_rows.filter(status=AttendanceStatus.EXPECTED).exists()
        assert not Attendance.objects.filter(meeting=upcoming, status__in=CHECKED_IN).exists()
        assert MeetingComment.objects.filter(meeting=past).exists()
        # the chair is the cell's secretary where it has one
        secretary = Member.objects.filter(cell=cell, status="active").filter(
            pk__in=[
                m.pk
                for m in Member.objects.filter(cell=cell)
                if Position.BI_THU_CHI_BO in m.positions
            ]
        )
        if secretary.exists():
            assert past.chair_id in set(secretary.values_list("pk", flat=True))
    assert MaterialOpen.objects.exists()
    excused = Attendance.objects.filter(status=AttendanceStatus.EXCUSED)
    assert excused.exists() and all(row.reason for row in excused)
    assert not Material.objects.filter(issuer_org__kind=OrgKind.CELL).exists()


def test_a_member_sees_both_in_the_shell(world, client):
    member = (
        Member.objects.filter(status="active", user__is_active=True)
        .exclude(group="exempt")
        .order_by("pk")
        .first()
    )
    client.force_login(member.user)
    page = client.get("/sinh-hoat/").content.decode()
    for meeting in Meeting.objects.filter(audience_org=member.cell):
        assert f"/sinh-hoat/{meeting.pk}/" in page
    other = Meeting.objects.exclude(audience_org=member.cell).first()
    assert f"/sinh-hoat/{other.pk}/" not in page
    past = Meeting.objects.filter(audience_org=member.cell, state=Meeting.State.CLOSED).get()
    detail = client.get(f"/sinh-hoat/{past.pk}/")
    assert detail.status_code == 200


def signature():
    return [
        (
            m.audience_org.code,
            m.title,
            m.state,
            timezone.localtime(m.starts_at).time(),
            m.minutes,
            sorted(m.attendance.values_list("member__cccd", "status", "reason", "method")),
            sorted(m.picked_materials.values_list("material__title", flat=True)),
            list(m.comments.values_list("member__cccd", "text")),
        )
        for m in Meeting.objects.select_related("audience_org").order_by(
            "audience_org__code", "starts_at"
        )
    ]


def test_the_same_seed_writes_the_same_cell_life(world):
    first = signature()
    day = timezone.localdate()
    with transaction.atomic():
        Meeting.objects.all().delete()
        MeetingMaterial.objects.all().delete()
        Material.objects.all().delete()
        demo.seed(scale="tiny", seed=4, stdout=io.StringIO(), today=day)
        assert signature() == first
        transaction.set_rollback(True)
    with transaction.atomic():
        Meeting.objects.all().delete()
        Material.objects.all().delete()
        demo.seed(scale="tiny", seed=5, stdout=io.StringIO(), today=date(2026, 1, 1))
        assert signature() != first
        transaction.set_rollback(True)
