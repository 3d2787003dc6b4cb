"""Study, quizzes, points, implementation plans and feedback in the roll-ups (issue 16): each
module's provider computes its figures per unit and month from its own rows; the dashboard shows
their history for a month, a quarter or a year; a closed month keeps its figures after later
events and the tree it had; the incremental refresh picks up the day's events; no query per
unit or per member."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sotay_plugins.feedback.models import Feedback, Receiver
from sotay_plugins.orgtree.roles import VIEWER
from sotay_plugins.registry import registry
from sotay_plugins.reports.exports import figures
from sotay_plugins.reports.rollups import engine, services
from sotay_plugins.reports.rollups.models import Rollup
from sotay_plugins.study.plans.models import ImplementationPlan, StudyPlan
from sotay_plugins.study.points.models import ADJUSTMENT, PointLine
from sotay_plugins.study.quizzes.models import QuestionBank, Quiz, QuizAttempt
from sotay_plugins.study.resolutions.models import ResolutionStudy
from sotay_plugins.study.tests.resolutions_helpers import resolution
from tests.factories import MemberFactory, UserFactory, staff

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))
PROVIDERS = ("study.resolutions", "study.quizzes", "study.points", "study.plans", "feedback")


def at(y, m, d, h=9):
    return datetime(y, m, d, h, tzinfo=TZ)


def attempt(quiz, member, when, passed, number=1):
    return QuizAttempt.objects.create(
        quiz=quiz,
        member=member,
        number=number,
        started_at=when - timedelta(minutes=10),
        deadline=when + timedelta(minutes=5),
        submitted_at=when,
        total=5,
        score=5 if passed else 1,
        percent=Decimal("100.00") if passed else Decimal("20.00"),
        passed=passed,
    )


def points(member, cell, when, n, rule="study.read", issuer=None, source=None):
    with time_machine.travel(when, tick=False):  # recorded when it happened
        return _line(member, cell, when, n, rule, issuer, source)


def _line(member, cell, when, n, rule, issuer, source):
    return PointLine.objects.create(
        rule=rule,
        member=member,
        cell=cell,
        issuer_org=issuer or cell,
        points=n,
        rule_points=n,
        source=source or f"test:{member.pk}:{when:%Y%m%d%H}:{n}",
        item="test:1",
        at=when,
        day=when.astimezone(TZ).date(),
        reason="điều chỉnh" if rule == ADJUSTMENT else "",
    )


def feedback(receiver, created, due, closed=None):
    return Feedback.objects.create(
        receiver=receiver,
        text="Góp ý về đường làng",
        hide_identity=True,
        created_on=created,
        due_on=due,
        closed_on=closed,
        status=Feedback.Status.CLOSED if closed else Feedback.Status.RECEIVED,
    )


@pytest.fixture
def world(tree):
    """Four members asked to study (a, b, d, e) and one exempt (x); a resolution, a quiz, points,
    feedback to district 1 and to cell 2.1, a study plan due 15/03; 'today' is 15/04/2026."""
    t = dict(tree)
    with time_machine.travel(at(2026, 1, 5), tick=False):
        t["a"] = MemberFactory(cell=t["c11"], full_name="An")
        t["b"] = MemberFactory(cell=t["c11"], full_name="Bé", group="hamlet", has_smartphone=False)
        t["d"] = MemberFactory(cell=t["c12"], full_name="Dũng")
        t["e"] = MemberFactory(cell=t["c21"], full_name="Em")
        t["x"] = MemberFactory(cell=t["c11"], full_name="Xuân", group="exempt")
        t["res"] = res = resolution(t["province"])
        bank = QuestionBank.objects.create(
            resolution=res, audience="dang_vien", org=t["province"], title="Ngân hàng"
        )
        t["quiz"] = Quiz.objects.create(
            bank=bank,
            issuer_org=t["province"],
            audience_org=t["province"],
            title="Kiểm tra",
            opens_at=at(2026, 1, 1),
            closes_at=at(2026, 12, 31),
            published=True,
        )
        t["r_d1"] = Receiver.objects.create(org=t["d1"], name="Ban Thường vụ Huyện 1")
        t["r_c21"] = Receiver.objects.create(org=t["c21"], name="Chi bộ 2.1")
    # study: a starts, reads and completes in February; d starts in February; e and b complete
    # in March
    ResolutionStudy.objects.create(
        member=t["a"],
        resolution=res,
        started_at=at(2026, 2, 10),
        read_at=at(2026, 2, 12),
        completed_at=at(2026, 2, 20),
    )
    t["study_d"] = ResolutionStudy.objects.create(
        member=t["d"], resolution=res, started_at=at(2026, 2, 11)
    )
    for who in ("e", "b"):
        ResolutionStudy.objects.create(
            member=t[who],
            resolution=res,
            started_at=at(2026, 3, 3),
            read_at=at(2026, 3, 4),
            completed_at=at(2026, 3, 5),
        )
    # quizzes: a fails then passes in February; e passes in March; b (no smartphone) is left
    # out by the quiz's own rule
    attempt(t["quiz"], t["a"], at(2026, 2, 20), False, 1)
    attempt(t["quiz"], t["a"], at(2026, 2, 20, 10), True, 2)
    attempt(t["quiz"], t["e"], at(2026, 3, 5), True)
    attempt(t["quiz"], t["b"], at(2026, 3, 5), True)
    # points: 10 for a in February; 5 for e in March, less an adjustment of 2 by district 2
    points(t["a"], t["c11"], at(2026, 2, 20), 10)
    points(t["e"], t["c21"], at(2026, 3, 5), 5)
    points(t["e"], t["c21"], at(2026, 3, 6), -2, rule=ADJUSTMENT, issuer=t["d2"])
    # feedback: one closed on time in February, one received in February and closed late in
    # March, one to cell 2.1 in March still open (overdue since 04/04)
    feedback(t["r_d1"], date(2026, 2, 3), date(2026, 2, 13), date(2026, 2, 10))
    feedback(t["r_d1"], date(2026, 2, 20), date(2026, 3, 2), date(2026, 3, 10))
    t["open"] = feedback(t["r_c21"], date(2026, 3, 25), date(2026, 4, 4))
    # plans: the province's plan is due 15/03: district 1 on time, base 1 late, district 2 and
    # base 2 never
    with time_machine.travel(at(2026, 2, 1), tick=False):
        t["plan"] = plan = StudyPlan.objects.create(
            resolution=res,
            issuer_org=t["province"],
            audience_org=t["province"],
            title="Kế hoạch học tập",
            deadline=date(2026, 3, 15),
        )
    for unit, issued in (("d1", date(2026, 3, 10)), ("b1", date(2026, 3, 20))):
        with time_machine.travel(at(issued.year, issued.month, issued.day), tick=False):
            ImplementationPlan.objects.create(
                plan=plan,
                issuer_org=t[unit],
                audience_org=t[unit],
                number=f"1-KH/{unit}",
                issued_on=issued,
            )
    with time_machine.travel(at(2026, 4, 15), tick=False):
        engine.rebuild(JAN, APR)
    return t


@pytest.fixture
def today():
    with time_machine.travel(at(2026, 4, 15, 12), tick=False):
        yield


def admin():
    return UserFactory(username="quantri", is_superuser=True)


def value(report, key):
    return report.figure(key).value


def series(report, key):
    return report.figure(key).series


def dash(org, start=JAN, end=APR, granularity="month", user=None):
    return services.dashboard(user or admin(), org, start=start, end=end, granularity=granularity)


# --- the figures and their history ----------------------------------------------------------


def test_study_by_month_and_quarter(world, today):
    r = dash(world["province"])
    assert series(r, "study.resolutions.started") == [0, 2, 2, 0]
    assert series(r, "study.resolutions.read") == [0, 1, 2, 0]
    assert series(r, "study.resolutions.completed") == [0, 1, 2, 0]
    q1 = dash(world["province"], JAN, MAR, "quarter")
    # a, e and b completed one in the quarter; four members are asked to study (x is exempt)
    assert value(q1, "study.resolutions.learners") == 3
    assert value(q1, "study.resolutions.audience") == 4
    assert value(q1, "study.resolutions.learner_rate") == 75.0
    d2 = dash(world["d2"], MAR, MAR)
    assert value(d2, "study.resolutions.completed") == 1  # e only


def test_quizzes_attempts_passes_and_rate(world, today):
    r = dash(world["province"])
    assert series(r, "study.quizzes.attempts") == [0, 2, 1, 0]  # b's attempt left out
    assert series(r, "study.quizzes.passed") == [0, 1, 1, 0]
    q1 = dash(world["province"], JAN, MAR, "quarter")
    assert value(q1, "study.quizzes.participants") == 2
    assert value(q1, "study.quizzes.pass_rate") == 100.0
    feb = dash(world["province"], FEB, FEB)
    assert value(feb, "study.quizzes.participants") == 1  # a, twice: one member


def test_points_earned_and_per_member(world, today):
    r = dash(world["province"])
    assert series(r, "study.points.points") == [0, 10, 3, 0]
    q1 = dash(world["province"], JAN, MAR, "quarter")
    assert value(q1, "study.points.earners") == 2
    assert value(q1, "study.points.members") == 5
    assert value(q1, "study.points.per_member") == 2.6  # an average, not a percentage
    assert value(q1, "study.points.earner_rate") == 40.0


def test_feedback_received_closed_and_overdue(world, today):
    r = dash(world["province"])
    assert series(r, "feedback.received") == [0, 2, 1, 0]
    assert series(r, "feedback.closed") == [0, 1, 1, 0]
    assert series(r, "feedback.closed_on_time") == [0, 1, 0, 0]
    assert series(r, "feedback.open") == [0, 1, 1, 1]
    assert series(r, "feedback.overdue") == [0, 0, 0, 1]  # the cell's, since 04/04
    assert value(r, "feedback.on_time_rate") == 50.0
    # a district's feedback is its own and its cells'; never the other district's
    assert value(dash(world["d1"]), "feedback.received") == 2
    assert value(dash(world["d2"]), "feedback.received") == 1


def test_implementation_plans_due_on_time_and_late(world, today):
    r = dash(world["province"], MAR, MAR)
    assert value(r, "study.plans.due") == 4  # two districts, two base organisations
    assert value(r, "study.plans.on_time") == 1
    assert value(r, "study.plans.on_time_rate") == 25.0
    assert value(r, "study.plans.recorded") == 2
    assert value(r, "study.plans.late") == 1
    d1 = dash(world["d1"], MAR, MAR)
    assert value(d1, "study.plans.due") == 2 and value(d1, "study.plans.late") == 1
    # today's figure, stored by the nightly pass: units still without a plan
    missing = registry.statistics["study.without_implementation_plan"].compute(
        [world["province"], world["d1"], world["d2"], world["c11"]]
    )
    assert missing == {
        world["province"].pk: 2,
        world["d1"].pk: 0,
        world["d2"].pk: 2,
        world["c11"].pk: 0,
    }


def test_a_closed_month_keeps_its_figures_after_later_events(world, today):
    before = {key: series(dash(world["province"]), key)[:3] for key in ("feedback.open",)}
    # April: d completes, a quiz attempt, feedback closed, points, a unit moves
    with time_machine.travel(at(2026, 4, 15, 11), tick=False):
        ResolutionStudy.objects.filter(pk=world["study_d"].pk).update(
            read_at=at(2026, 4, 15, 10), completed_at=at(2026, 4, 15, 10)
        )
        attempt(world["quiz"], world["d"], at(2026, 4, 15, 10), True)
        points(world["d"], world["c12"], at(2026, 4, 15, 10), 7)
        Feedback.objects.filter(pk=world["open"].pk).update(
            status=Feedback.Status.CLOSED, closed_on=date(2026, 4, 15)
        )
        engine.refresh()
    r = dash(world["province"])
    assert series(r, "study.resolutions.completed") == [0, 1, 2, 1]
    assert series(r, "study.quizzes.attempts") == [0, 2, 1, 1]
    assert series(r, "study.points.points") == [0, 10, 3, 7]
    assert series(r, "feedback.open")[:3] == before["feedback.open"]
    assert series(r, "feedback.closed") == [0, 1, 1, 1]
    assert series(r, "feedback.overdue") == [0, 0, 0, 0]


def test_a_unit_moved_keeps_the_history_of_the_new_figures(world, today):
    """Cell 2.1 moves to base 1 (district 1) in April: its March study and feedback stay with
    district 2; April follows the tree of today."""
    from sotay_plugins.orgtree import services as tree_services

    tree_services.move_org(world["c21"], world["b1"])
    with time_machine.travel(at(2026, 4, 15, 13), tick=False):
        engine.refresh()
    d1, d2 = dash(world["d1"]), dash(world["d2"])
    assert d2.figure("study.resolutions.completed").series == [0, 0, 1, 0]
    assert d1.figure("study.resolutions.completed").series == [0, 1, 1, 0]  # a; b
    assert d2.figure("feedback.received").series == [0, 0, 1, 0]
    assert d1.figure("feedback.open").series[3] == 1 and d2.figure("feedback.open").series[3] == 0


def test_the_incremental_refresh_picks_up_the_days_events(world, today, monkeypatch):
    import dataclasses

    asked = {}
    for key in PROVIDERS:
        provider = registry.statistics[key]

        def spy(start, end, *, cells=None, exclude=frozenset(), _key=key, _rows=provider.rows):
            asked.setdefault(_key, []).append((start, cells))
            return _rows(start, end, cells=cells, exclude=exclude)

        monkeypatch.setitem(registry.statistics, key, dataclasses.replace(provider, rows=spy))
    with time_machine.travel(at(2026, 4, 15, 11), tick=False):
        attempt(world["quiz"], world["e"], at(2026, 4, 15, 10), False, 2)
        feedback(world["r_d1"], date(2026, 4, 15), date(2026, 4, 25))
        engine.refresh()
    # the quiz: only the cell of the member who took it, in April
    assert asked["study.quizzes"] == [(APR, {world["c21"].pk})]
    # feedback sits on units of any level: its month is recomputed whole
    assert asked["feedback"] == [(APR, None)]
    # nothing happened to study rows or points: no raw rows read, April is summed again
    assert "study.resolutions" not in asked and "study.points" not in asked
    r = dash(world["province"], APR, APR)
    assert value(r, "study.quizzes.attempts") == 1 and value(r, "feedback.received") == 1


# --- scope ------------------------------------------------------------------------------------


def test_a_district_never_sees_the_other_districts_figures(world, today, api):
    viewer = staff(VIEWER, world["d1"])
    r = dash(world["d1"], user=viewer)
    assert value(r, "feedback.received") == 2
    assert value(r, "study.resolutions.completed") == 2  # a; b — never e (district 2)
    with pytest.raises(services.NotInScope):
        dash(world["d2"], user=viewer)
    api.force_authenticate(viewer)
    body = api.get("/api/v1/reports/dashboard/", {"from": "2026-01", "to": "2026-04"}).json()
    keys = {f["key"] for s in body["sections"] for f in s["figures"]}
    assert {"study.quizzes.pass_rate", "feedback.overdue", "study.plans.due"} <= keys
    assert api.get("/api/v1/reports/dashboard/", {"org": world["d2"].pk}).status_code == 404


# --- exports: the pack shows the period's figures, not today's ------------------------------


def test_the_pack_reads_study_and_feedback_for_its_period(world, today):
    units = [world["d1"], world["d2"]]
    found = dict(figures.sections(units, FEB, date(2026, 3, 31), names=("study", "feedback")))
    study = dict(found["study"])
    assert study["Lượt hoàn thành học nghị quyết"] == {world["d1"].pk: 2, world["d2"].pk: 1}
    assert study["Lượt làm bài kiểm tra"] == {world["d1"].pk: 2, world["d2"].pk: 1}
    # today's snapshot cannot answer for a past period, and says so
    assert study["Số đơn vị chưa có kế hoạch thực hiện nghị quyết (đã quá hạn)"] is None
    feedback_rows = dict(found["feedback"])
    # feedback held by the district itself (not a cell) is counted
    assert feedback_rows["Góp ý đã nhận"] == {world["d1"].pk: 2, world["d2"].pk: 1}
    assert feedback_rows["Tỷ lệ góp ý kết thúc đúng hạn (%)"][world["d1"].pk] == 50.0


# --- cost -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", PROVIDERS)
def test_a_provider_costs_a_few_queries_whatever_the_size(
    world, today, key, django_assert_max_num_queries
):
    provider = registry.statistics[key]
    with django_assert_max_num_queries(5):
        small = list(provider.rows(JAN, date(2026, 5, 1)))
    assert small
    # more members, cells' rows and events do not add queries
    for _n in range(12):
        member = MemberFactory(cell=world["c22"])
        attempt(world["quiz"], member, at(2026, 3, 8), True)
        points(member, world["c22"], at(2026, 3, 8), 1)
        feedback(world["r_c21"], date(2026, 3, 8), date(2026, 3, 18))
    with django_assert_max_num_queries(5):
        list(provider.rows(JAN, date(2026, 5, 1)))
        if provider.period_rows:
            list(provider.period_rows(JAN, APR))
    with django_assert_max_num_queries(3):
        provider.touched(at(2026, 1, 1))


def test_units_without_a_plan_in_a_few_queries(world, today, django_assert_max_num_queries):
    from sotay_plugins.orgtree.models import Organisation

    orgs = list(Organisation.objects.all())
    with django_assert_max_num_queries(4):
        missing = registry.statistics["study.without_implementation_plan"].compute(orgs)
    assert missing[world["province"].pk] == 2 and len(missing) == len(orgs)


def test_nothing_stored_for_the_removed_snapshot_figures(world, today):
    assert not Rollup.objects.filter(
        provider__in=["feedback.received", "study.quiz_pass_rate", "study.points_average"]
    ).exists()
    assert Rollup.objects.filter(provider="study.without_implementation_plan", period=APR)
