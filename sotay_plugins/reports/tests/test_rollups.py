"""The roll-ups on a small hand-built province (issue 16): the members', reading and meetings'
figures per cell and month, rolled up the tree as it was in each month; the dashboard and its
API scoped to the caller's units; bad input refused in Vietnamese; a constant number of
queries."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection as db_connection
from django.urls import reverse

from editorial.models import ReadReceipt
from sotay_plugins.meetings.models import Meeting
from sotay_plugins.members.models import MemberTransfer
from sotay_plugins.orgtree.roles import (
    CELL_SECRETARY,
    DOCUMENT_UPLOADER,
    MEMBER_UPDATER,
    VIEWER,
)
from sotay_plugins.registry import CellFigure, Measure, StatisticsProvider, registry
from sotay_plugins.reports.rollups import charts, engine, services
from sotay_plugins.reports.rollups.models import Granularity, Rollup
from tests.factories import MemberFactory, UserFactory, document_page, grant, login, staff

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


def at(y, m, d, h=9):
    return datetime(y, m, d, h, tzinfo=TZ)


@pytest.fixture
def world(tree):
    """Members in three cells, a transfer in March, a document in February read once, meetings
    in March; 'today' is 15/04/2026."""
    t = dict(tree)
    with time_machine.travel(at(2026, 1, 5), tick=False):
        t["a"] = MemberFactory(cell=t["c11"], full_name="An", gender="male")
        t["c"] = MemberFactory(
            cell=t["c11"], full_name="Cúc", gender="female", group="hamlet", has_smartphone=False
        )
        t["d"] = MemberFactory(cell=t["c12"], full_name="Dũng")
        t["e"] = MemberFactory(cell=t["c21"], full_name="Em", gender="female")
    with time_machine.travel(at(2026, 2, 10), tick=False):
        t["b"] = MemberFactory(
            cell=t["c11"],
            full_name="Bình",
            gender="female",
            membership="probationary",
            joined_on=date(2026, 2, 10),
            official_on=None,
            birth_date=date(2000, 3, 4),
        )
        t["doc"] = document_page(t["d1"], title="Nghị quyết tháng Hai")
        ReadReceipt.count_daily(t["doc"], t["a"], at=at(2026, 2, 12))
    # Dũng moves from c12 to c21 on 05/03
    MemberTransfer.objects.create(
        member=t["d"], kind="official", from_cell=t["c12"], to_cell=t["c21"], on=date(2026, 3, 5)
    )
    type(t["d"]).objects.filter(pk=t["d"].pk).update(cell=t["c21"])
    # March: c11 registered before 20/02 and held; c12 registered late (01/03) and held
    with time_machine.travel(at(2026, 2, 15), tick=False):
        Meeting.objects.create(
            issuer_org=t["c11"],
            audience_org=t["c11"],
            title="Sinh hoạt tháng Ba",
            starts_at=at(2026, 3, 3, 8),
            agenda="Nghị quyết",
            state=Meeting.State.HELD,
        )
    with time_machine.travel(at(2026, 3, 1), tick=False):
        Meeting.objects.create(
            issuer_org=t["c12"],
            audience_org=t["c12"],
            title="Sinh hoạt tháng Ba",
            starts_at=at(2026, 3, 10, 8),
            agenda="Kiểm điểm",
            state=Meeting.State.HELD,
        )
    with time_machine.travel(at(2026, 4, 15), tick=False):
        engine.rebuild(JAN, APR)
    return t


@pytest.fixture
def today():
    with time_machine.travel(at(2026, 4, 15), tick=False):
        yield


def admin():
    return UserFactory(username="quantri", is_superuser=True)


def report(user, org=None, **kwargs):
    return services.dashboard(user, org, start=JAN, end=APR, **kwargs)


def value(report, key):
    return report.figure(key).value


# --- the extension point --------------------------------------------------------------------


def test_a_provider_declares_how_it_rolls_up():
    with pytest.raises(ValueError, match="rate"):
        Measure("r", "r", "rate")
    with pytest.raises(ValueError, match="roll-up"):
        Measure("m", "m", "average")
    with pytest.raises(ValueError, match="compute"):
        StatisticsProvider("x", "x")
    with pytest.raises(ValueError, match="terms"):
        StatisticsProvider(
            "x",
            "x",
            rows=lambda *a, **k: [],
            measures=(Measure("r", "r", "rate", numerator="a", denominator="b"),),
        )
    with pytest.raises(ValueError, match="period_rows"):
        StatisticsProvider(
            "x", "x", rows=lambda *a, **k: [], measures=(Measure("d", "d", "distinct"),)
        )
    # the snapshot shape of the first providers still holds
    legacy = registry.statistics["study.without_implementation_plan"]
    assert legacy.compute is not None and not legacy.rolls_up
    assert {
        "members",
        "reading",
        "meetings",
        "study.resolutions",
        "study.quizzes",
        "study.points",
        "study.plans",
        "feedback",
    } <= {p.key for p in registry.statistics.values() if p.rolls_up}
    with pytest.raises(ValueError, match="refresh_items"):
        StatisticsProvider("x", "x", rows=lambda *a, **k: [], items=lambda *a, **k: (0, []))


# --- the figures ----------------------------------------------------------------------------


def test_members_by_criterion_and_changes(world, today):
    r = report(admin(), world["province"])
    assert value(r, "members.total") == 5
    assert value(r, "members.joined") == 1  # Bình, February
    breakdown = dict(r.figure("members.total").breakdown)
    assert dict(breakdown["Giới tính"]) == {"Nam": 2, "Nữ": 3}
    assert dict(breakdown["Loại đảng viên"])["Dự bị"] == 1
    assert dict(breakdown["Điện thoại thông minh"])["Không có"] == 1
    assert dict(breakdown["Độ tuổi"])["Dưới 30 tuổi"] == 1
    # the monthly series of the head count: Bình counts from February
    assert r.figure("members.total").series == [4, 5, 5, 5]
    # a transfer between two cells of the province: out of one and into the other (gross)
    assert value(r, "members.transferred_in") == 1 and value(r, "members.transferred_out") == 1


def test_a_moved_member_is_counted_where_they_were(world, today):
    district1 = report(admin(), world["d1"], granularity="month")
    # Dũng belonged to c12 (district 1) in January and February, to c21 from March
    assert district1.figure("members.total").series == [3, 4, 3, 3]
    district2 = report(admin(), world["d2"])
    assert district2.figure("members.total").series == [1, 1, 2, 2]


def test_a_unit_moved_in_the_tree_keeps_its_history(world, today):
    """c12 moves from district 1 to district 2 in April: January–March stay with district 1,
    April follows the tree of today."""
    from sotay_plugins.orgtree import services as tree_services

    tree_services.move_org(world["c12"], world["b2"])
    engine.refresh()
    d1 = report(admin(), world["d1"])
    d2 = report(admin(), world["d2"])
    assert d1.figure("meetings.expected").series == [2, 2, 2, 1]
    assert d2.figure("meetings.expected").series == [2, 2, 2, 3]
    # March's meeting of c12 stays in district 1's history
    assert d1.figure("meetings.held").series[2] == 2 and d2.figure("meetings.held").series[2] == 0


def test_reading_deployed_opened_and_the_list(world, today):
    r = report(admin(), world["d1"])
    assert value(r, "reading.deployed") == 2  # one document × two cells of district 1
    assert value(r, "reading.opened") == 1
    assert r.figure("reading.opened").series == [0, 1, 0, 0]
    # readers cannot be added over months: no total for January–April (not a quarter or year)
    assert value(r, "reading.readers") is None
    q1 = services.dashboard(admin(), world["d1"], start=JAN, end=MAR, granularity="quarter")
    assert value(q1, "reading.readers") == 1
    # by default reading is not asked of members without a smartphone (Cúc), and the page says so
    never = services.readers(admin(), world["d1"], start=JAN, end=APR, which="never")
    assert [row["full_name"] for row in never.rows] == ["Bình"]
    rarely = services.readers(admin(), world["d1"], start=JAN, end=APR, which="rarely")
    assert rarely.count == 2 and rarely.threshold == 4
    section = next(s for s in r.sections if s.key == "reading")
    assert section.excluded == ["Miễn sinh hoạt", "Không có điện thoại thông minh"]


def test_meetings_held_expected_and_the_20th(world, today):
    r = services.dashboard(admin(), world["province"], start=MAR, end=MAR)
    assert value(r, "meetings.expected") == 4
    assert value(r, "meetings.held") == 2
    assert value(r, "meetings.held_rate") == 50.0
    assert value(r, "meetings.on_time") == 1
    assert value(r, "meetings.missed_20th") == 3
    assert value(r, "meetings.recorded") == 0  # neither meeting has its content or minutes yet


def test_excluded_groups_are_left_out_and_said(world, today, settings):
    settings.SOTAY_REPORTS_EXCLUDED_GROUPS = {"members": ["hamlet", "no_smartphone"]}
    with time_machine.travel(at(2026, 4, 15), tick=False):
        engine.rebuild(JAN, APR, providers=["members"])
    r = report(admin(), world["province"])
    assert value(r, "members.total") == 4  # Cúc (hamlet, no smartphone) left out
    section = next(s for s in r.sections if s.key == "members")
    assert "Ấp, khóm, thôn, tổ dân phố" in section.excluded
    from django.test import Client

    client = login(Client(), admin())
    page = client.get(reverse("reports_admin:dashboard"), {"org": world["province"].pk})
    assert "Không tính các nhóm đảng viên" in page.content.decode()


def test_snapshot_providers_are_stored_for_the_current_month(world, today):
    legacy = "study.without_implementation_plan"
    assert Rollup.objects.filter(
        provider=legacy, granularity=Granularity.MONTH, period=APR
    ).exists()
    # a module with the roll-up shape supersedes its own snapshot figures
    assert not Rollup.objects.filter(provider="meetings.held_rate").exists()
    # the frequent refresh leaves them alone; their own nightly pass stores them again
    Rollup.objects.filter(provider=legacy).delete()
    written = engine.refresh()
    assert legacy not in written
    assert not Rollup.objects.filter(provider=legacy).exists()
    assert engine.refresh_snapshots()[legacy] > 0
    assert Rollup.objects.filter(provider=legacy, period=APR).exists()


def test_incremental_refresh_follows_the_days_events(world, today, monkeypatch):
    import dataclasses

    reading = registry.statistics["reading"]
    asked = []

    def spy(start, end, *, cells=None, exclude=frozenset()):
        asked.append((start, cells))
        return reading.rows(start, end, cells=cells, exclude=exclude)

    monkeypatch.setitem(registry.statistics, "reading", dataclasses.replace(reading, rows=spy))
    month = {"provider": "reading", "granularity": "M", "period": APR}
    before = Rollup.objects.get(**month, org_id=world["c11"].pk)
    assert before.values.get("opened", 0) == 0
    with time_machine.travel(at(2026, 4, 15, 11), tick=False):
        ReadReceipt.count_daily(world["doc"], world["b"], at=at(2026, 4, 15, 10))
        engine.refresh()
    after = Rollup.objects.get(**month, org_id=world["c11"].pk)
    assert after.values["opened"] == 1 and after.members["opened"][str(world["b"].pk)] == 1
    assert Rollup.objects.get(**month, org_id=world["province"].pk).values["opened"] == 1
    # only the cell whose members read today was recomputed from raw rows
    assert asked == [(APR, {world["c11"].pk})]


def test_rebuild_command(world, today):
    Rollup.objects.all().delete()
    call_command(
        "rebuild_reports", "--from", "2026-01", "--to", "2026-04", stdout=open("/dev/null", "w")
    )
    assert value(report(admin(), world["province"]), "members.total") == 5


# --- scope ----------------------------------------------------------------------------------


def test_a_district_sees_its_district_and_never_another(world, today):
    viewer = staff(VIEWER, world["d1"])
    r = report(viewer)
    assert r.unit.id == world["d1"].pk
    assert {k.id for k in r.children} == {world["b1"].pk}
    with pytest.raises(services.NotInScope):
        report(viewer, world["d2"])
    with pytest.raises(services.NotInScope):
        report(viewer, world["province"])
    with pytest.raises(services.NotInScope):
        report(viewer, 999999)


def test_a_cell_secretary_sees_the_cell(world, today):
    secretary = staff(CELL_SECRETARY, world["c11"])
    r = report(secretary)
    assert r.unit.id == world["c11"].pk and r.children == []
    assert value(r, "members.total") == 3
    with pytest.raises(services.NotInScope):
        report(secretary, world["c12"])


def test_without_the_right_nothing(world, today):
    nobody = UserFactory()
    with pytest.raises(services.PermissionDenied):
        report(nobody)


def test_api_scope_and_messages(world, today, api):
    viewer = staff(VIEWER, world["d1"])
    api.force_authenticate(viewer)
    url = "/api/v1/reports/dashboard/"
    ok = api.get(url, {"org": world["b1"].pk, "from": "2026-01", "to": "2026-04"})
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["org"]["id"] == world["b1"].pk
    assert {c["id"] for c in body["children"]} == {world["c11"].pk, world["c12"].pk}
    outside = api.get(url, {"org": world["d2"].pk})
    assert outside.status_code == 404
    assert outside.json()["detail"] == "Đơn vị này nằm ngoài phạm vi báo cáo của bạn."
    api.force_authenticate(UserFactory())
    assert api.get(url).status_code == 403
    api.force_authenticate(None)
    assert api.get(url).status_code in (401, 403)


def test_admin_dashboard_scope(world, today, client):
    viewer = staff(VIEWER, world["d1"])
    login(client, viewer)
    page = client.get(reverse("reports_admin:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html and "<table>" in html
    assert "Huyện 1" in html and "Huyện 2" not in html
    outside = client.get(reverse("reports_admin:dashboard"), {"org": world["d2"].pk})
    assert outside.status_code == 404
    assert "nằm ngoài phạm vi báo cáo" in outside.content.decode()
    login(client, staff(MEMBER_UPDATER, world["d1"]))  # no reports right
    denied = client.get(reverse("reports_admin:dashboard"))
    assert denied.status_code in (302, 403)


def test_member_shell_page_for_a_secretary(world, today, client):
    login(client, staff(CELL_SECRETARY, world["c11"]))
    page = client.get(reverse("reports:my"))
    assert page.status_code == 200 and "Chi bộ 1.1" in page.content.decode()
    login(client, world["a"].user)  # a member without the right: nothing there
    assert client.get(reverse("reports:my")).status_code == 404


# --- bad input ------------------------------------------------------------------------------


def test_a_period_that_ends_before_it_starts(world, today, api):
    with pytest.raises(ValidationError) as exc:
        services.dashboard(admin(), start=APR, end=JAN)
    assert "Tháng kết thúc phải sau" in str(exc.value)
    api.force_authenticate(admin())
    response = api.get("/api/v1/reports/dashboard/", {"from": "2026-04", "to": "2026-01"})
    assert response.status_code == 400 and "to" in response.json()["fields"]


def test_a_span_of_twenty_years_is_refused(world, today, api, client):
    with pytest.raises(ValidationError, match="tối đa 60 tháng"):
        services.dashboard(admin(), start=date(2006, 1, 1), end=date(2026, 1, 1))
    api.force_authenticate(admin())
    response = api.get(
        "/api/v1/reports/dashboard/", {"from": "2006-01", "to": "2026-01", "granularity": "year"}
    )
    assert response.status_code == 400 and "tối đa" in str(response.json())
    login(client, admin())
    page = client.get(reverse("reports_admin:dashboard"), {"start": "01/2006", "end": "01/2026"})
    assert page.status_code == 400 and "tối đa 60 tháng" in page.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-13"},
        {"from": "tháng ba"},
        {"granularity": "week"},
        {"org": "abc"},
        {"org": "99999999999999999999999"},
    ],
)
def test_junk_filters(world, today, api, params):
    api.force_authenticate(admin())
    response = api.get("/api/v1/reports/dashboard/", params)
    assert response.status_code in (400, 404)
    assert isinstance(response.json(), dict)


def test_birth_dates_refused_without_the_right_to_personal_data(world, today, api):
    viewer = staff(VIEWER, world["d1"])
    api.force_authenticate(viewer)
    url = "/api/v1/reports/readers/"
    params = {"org": world["d1"].pk, "from": "2026-01", "to": "2026-04"}
    plain = api.get(url, params)
    assert plain.status_code == 200
    assert [r["full_name"] for r in plain.json()["results"]] == ["Bình"]
    assert "birth_date" not in plain.json()["results"][0]
    refused = api.get(url, {**params, "columns": "birth_date"})
    assert refused.status_code == 403
    assert "không có quyền xem thông tin cá nhân" in refused.json()["detail"]
    grant(viewer, MEMBER_UPDATER, world["d1"])  # members.view_personal
    cache.clear()  # the clock is frozen: the grants' version stamp cannot move on
    allowed = api.get(url, {**params, "columns": "birth_date,phone"})
    assert allowed.status_code == 200, allowed.json()
    assert allowed.json()["results"][0]["birth_date"] == "2000-03-04"
    assert api.get(url, {**params, "org": world["d2"].pk}).status_code == 404
    assert api.get(url, {**params, "columns": "cccd"}).status_code == 400


# --- cost -----------------------------------------------------------------------------------


def test_dashboard_reads_rollups_in_a_few_queries(world, today, api, django_assert_max_num_queries):
    viewer = staff(VIEWER, world["province"])
    api.force_authenticate(viewer)
    api.get("/api/v1/reports/dashboard/")  # warm the grants cache
    with django_assert_max_num_queries(10) as queries:
        response = api.get(
            "/api/v1/reports/dashboard/",
            {"from": "2026-01", "to": "2026-12", "granularity": "quarter"},
        )
    assert response.status_code == 200
    assert response.json()["sections"]
    # roll-ups only: no module's raw rows are read on a dashboard request
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    for raw in ("members_member", "editorial_readreceipt", "meetings_meeting", "meetings_attend"):
        assert raw not in sql


def test_charts_escape_and_describe():
    svg = charts.bars("<b>", ["<script>"], [3])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<title>&lt;b&gt;</title>" in svg and "<desc>" in svg
    assert 'viewBox="0 0 400' in charts.columns("t", ["01/26"], [None])


def test_cell_figures_carry_members():
    figure = CellFigure(1, JAN, "opened", 2, members={5: 2})
    assert figure.members == {5: 2} and figure.dimension == ""


# --- jobs and the demo ----------------------------------------------------------------------


def test_the_refresh_job_runs_through_the_outbox(world, today, django_capture_on_commit_callbacks):
    from sotay_plugins.models import OutboxJob
    from sotay_plugins.reports.rollups import jobs

    Rollup.objects.filter(period=APR).delete()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue_refresh()
    job.refresh_from_db()
    assert job.state == OutboxJob.State.DONE, job.error
    assert Rollup.objects.filter(provider="members", period=APR, org_id=world["province"].pk)


def test_the_demo_seeder_fills_the_dashboard(world, today):
    Rollup.objects.all().delete()
    registry.demo_seeders["reports.rollups"].seed(scale="tiny", seed=1, stdout=None)
    r = services.dashboard(admin(), world["province"], start=JAN, end=APR)
    assert not r.empty and value(r, "members.total") == 5


def test_the_admin_menu_shows_reports_to_those_who_may(world, client):
    login(client, staff(VIEWER, world["d1"]))
    assert "bao-cao-thong-ke" in client.get(reverse("wagtailadmin_home")).content.decode()
    # the document uploader neither reads reports nor exports them (the member-data updater
    # exports member lists: it sees the menu for its "Xuất báo cáo" item)
    login(client, staff(DOCUMENT_UPLOADER, world["d1"]))
    assert "bao-cao-thong-ke" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_readers_page_refuses_personal_columns_too(world, today, client):
    login(client, staff(VIEWER, world["d1"]))
    url = reverse("reports_admin:readers")
    params = {"org": world["d1"].pk, "start": "01/2026", "end": "04/2026"}
    page = client.get(url, params)
    assert page.status_code == 200 and "Bình" in page.content.decode()
    refused = client.get(url, {**params, "columns": "birth_date"})
    assert refused.status_code == 403
    assert "không có quyền xem thông tin cá nhân" in refused.content.decode()
    assert "04/03/2000" not in refused.content.decode()
    outside = client.get(url, {**params, "org": world["d2"].pk})
    assert outside.status_code == 404
    assert client.get(url, {**params, "start": "04/2026", "end": "01/2026"}).status_code == 400


@pytest.mark.skipif(db_connection.vendor != "postgresql", reason="the PostgreSQL read of roll-ups")
@pytest.mark.parametrize("unit", ["province", "d1", "b1"])
@pytest.mark.parametrize(
    ("start", "end", "granularity"),
    [
        (JAN, APR, "quarter"),  # four months: no stored row of the whole span
        (JAN, MAR, "month"),  # a whole quarter: its distinct counts from the quarter's row
        (FEB, FEB, "month"),  # one month
        (date(2026, 1, 1), date(2026, 12, 1), "year"),  # the year, its later months empty
    ],
)
def test_the_postgresql_read_gives_the_same_dashboard(
    world, today, monkeypatch, unit, start, end, granularity
):
    """The units under the one shown come without their breakdowns and their values decoded as
    one document: the dashboard must be the one the ORM's read gives, breakdowns included, for a
    span with and without a stored row of the whole period, one month and a year."""
    fast = services.dashboard(admin(), world[unit], start=start, end=end, granularity=granularity)
    fast = fast.as_dict()
    assert fast["children"] and fast["sections"]
    monkeypatch.setattr(services, "_stored", services._stored_by_orm)
    slow = services.dashboard(admin(), world[unit], start=start, end=end, granularity=granularity)
    assert fast == slow.as_dict()
    assert any(f["breakdown"] for s in fast["sections"] for f in s["figures"])
    assert any(c["value"] for s in fast["sections"] for f in s["figures"] for c in f["by_child"])
