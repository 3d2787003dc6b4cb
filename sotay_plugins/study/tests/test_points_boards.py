"""The boards: refreshed by the job (outbox), never summed on a request; ranks with ties; the
scope of who sees which board; hidden names; the reports' figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sotay_plugins.models import OutboxJob
from sotay_plugins.registry import registry
from sotay_plugins.study.points import boards, ledger
from sotay_plugins.study.points.models import (
    BoardEntry,
    BoardSummary,
    Level,
    Period,
    PointLine,
    PointSettings,
)
from tests.factories import MemberFactory

from .points_helpers import ago, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def give(member, rule, n, days_ago=1):
    for k in range(n):
        ledger.award(rule, member.pk, f"study.quiz:{member.pk}{k}", ago(days=days_ago))


def board_of(unit, period=Period.YEAR):
    start = boards.periods()[period]
    return [(e["full_name"], e["points"], e["rank"]) for e in boards.entries(unit, period, start)]


def test_an_event_asks_for_a_refresh_through_the_outbox_and_the_job_writes_the_boards(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SOTAY_POINTS_REFRESH_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        ledger.award("study.quiz_passed", world["a"].pk, "study.quiz:1", ago(hours=2))
    job = OutboxJob.objects.get(func=ledger.REFRESH_JOB)
    assert job.kwargs == {"province_id": world["tree"]["province"].pk}
    assert job.state == OutboxJob.State.DONE  # run in-process here (no Redis queue in tests)
    assert board_of(world["tree"]["c11"])[0] == ("Nguyễn Văn An", 10, 1)


def test_events_within_the_interval_ask_for_one_refresh(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SOTAY_POINTS_REFRESH_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            ledger.award("study.quiz_passed", world["a"].pk, f"study.quiz:{n}", ago(hours=2))
    assert OutboxJob.objects.filter(func=ledger.REFRESH_JOB).count() == 1


def test_ranks_share_ties_and_order_is_deterministic(world):
    t = world["tree"]
    give(world["a"], "study.quiz_passed", 2)  # 20
    give(world["b"], "study.quiz_passed", 2)  # 20
    give(world["c"], "study.quiz_passed", 3)  # 30
    give(world["n"], "study.quiz_passed", 1)  # 10
    boards.refresh(t["province"].pk)
    assert board_of(t["c11"]) == [
        ("Lê Văn Cường", 30, 1),
        ("Nguyễn Văn An", 20, 2),
        ("Trần Thị Bình", 20, 2),
    ]
    assert [r[2] for r in board_of(t["b1"])] == [1, 2, 2, 4]
    assert [r[0] for r in board_of(t["province"])][-1] == "Hoàng Thị Xa"  # 0 points, still ranked
    before = list(BoardEntry.objects.order_by("pk").values_list("unit", "member", "position"))
    boards.refresh(t["province"].pk)  # a rerun (the job retried) writes the same boards
    after = list(BoardEntry.objects.order_by("pk").values_list("unit", "member", "position"))
    assert sorted(before) == sorted(after)


def test_the_month_board_counts_only_the_month(world, time_machine):
    t = world["tree"]
    time_machine.move_to("2026-03-20 10:00:00+07:00", tick=False)
    ledger.award("study.quiz_passed", world["a"].pk, "study.quiz:1", ago(days=40))  # February
    ledger.award("study.quiz_passed", world["b"].pk, "study.quiz:2", ago(days=2))  # March
    boards.refresh(t["province"].pk)
    assert board_of(t["c11"], Period.MONTH)[0][:2] == ("Trần Thị Bình", 10)
    year = dict((name, pts) for name, pts, _r in board_of(t["c11"], Period.YEAR))
    assert year["Nguyễn Văn An"] == 10 and year["Trần Thị Bình"] == 10


def test_summaries_give_the_reports_average_and_share_reaching_the_target(world):
    t = world["tree"]
    PointSettings.objects.create(province=t["province"], yearly_target=20)
    boards.settings_changed(t["province"].pk)
    give(world["a"], "study.quiz_passed", 2)
    give(world["b"], "study.quiz_passed", 1)
    boards.refresh(t["province"].pk)
    summary = BoardSummary.objects.get(unit=t["c11"], period=Period.YEAR)
    assert (summary.members, summary.total_points, summary.reached_target) == (3, 30, 1)
    # the reports' roll-up: the month's points and earners per cell, members on the rolls
    provider = registry.statistics["study.points"]
    month = timezone.localdate().replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    found = {(f.cell_id, f.measure): f.value for f in provider.rows(month, following)}
    assert found[(t["c11"].pk, "points")] == 30 and found[(t["c11"].pk, "members")] == 3
    earners = {(f.cell_id, f.measure): f.value for f in provider.period_rows(month, following)}
    assert earners[(t["c11"].pk, "earners")] == 2


def test_the_command_refreshes_every_province(world):
    give(world["a"], "study.quiz_passed", 1)
    call_command("refresh_leaderboards")
    assert BoardEntry.objects.filter(level=Level.PROVINCE).count() == 2 * 5  # year + month


def test_the_command_refuses_an_unknown_province(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("refresh_leaderboards", province="KHONG-CO")
    with pytest.raises(CommandError):
        call_command("refresh_leaderboards", date="31/12/2026")


# --- scope ---------------------------------------------------------------------------------


def test_a_member_sees_their_cell_and_their_own_rank_above_it_only(world):
    t = world["tree"]
    give(world["n"], "study.quiz_passed", 1)
    boards.refresh(t["province"].pk)
    a = world["a"].user
    assert boards.board(a, t["c11"]) is not None
    assert boards.board(a, t["c12"]) is None  # another cell's board
    assert boards.board(a, t["b1"]) is None  # the full list of the base organisation
    assert boards.board(a, t["province"]) is None
    ranks = boards.own_ranks(world["a"].pk)
    assert [r.level for r in ranks] == ["cell", "base", "district", "province"]
    assert [r.members for r in ranks] == [3, 4, 4, 5]
    assert ranks[3].rank == 2  # behind Nam, tied with the other zeros


def test_staff_see_the_boards_of_their_subtree_only(world):
    t = world["tree"]
    boards.refresh(t["province"].pk)
    viewer = world["viewer"]
    manager1 = world["manager1"]
    assert boards.board(viewer, t["province"]) is not None
    assert boards.board(manager1, t["d1"]) is not None
    assert boards.board(manager1, t["c11"]) is not None
    assert boards.board(manager1, t["d2"]) is None
    assert boards.board(manager1, t["c21"]) is None
    assert boards.board(manager1, t["province"]) is None


def test_hidden_names_show_initials_to_members_not_to_staff(world):
    t = world["tree"]
    PointSettings.objects.create(province=t["province"], hide_names=True)
    boards.settings_changed(t["province"].pk)
    boards.refresh(t["province"].pk)
    seen = boards.board(world["a"].user, t["c11"])
    names = {row["name"] for row in seen.rows}
    assert "Nguyễn Văn An" in names  # their own name
    assert "T. T. B." in names and "Trần Thị Bình" not in names
    assert all(row["member_id"] in (None, world["a"].pk) for row in seen.rows)
    staff = boards.board(world["manager1"], t["c11"])
    assert "Trần Thị Bình" in {row["name"] for row in staff.rows}


def test_a_transferred_member_leaves_the_boards_at_the_next_refresh(world):
    t = world["tree"]
    boards.refresh(t["province"].pk)
    world["b"].status = "transferred"
    world["b"].save()
    boards.refresh(t["province"].pk)
    assert "Trần Thị Bình" not in [r[0] for r in board_of(t["c11"])]


def test_reading_a_board_sums_nothing(world, django_assert_max_num_queries, client):
    """The member's boards page reads the rows the job wrote; it never aggregates the ledger."""
    t = world["tree"]
    for n in range(30):
        m = MemberFactory(cell=t["c11"])
        ledger.award("study.quiz_passed", m.pk, f"study.quiz:{n}", ago(days=1))
    boards.refresh(t["province"].pk)
    client.force_login(world["a"].user)
    client.get(reverse("study:boards"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("study:boards"))
    assert response.status_code == 200
    assert not any(PointLine._meta.db_table in q["sql"] for q in captured.captured_queries)
    assert len(captured.captured_queries) <= 8
