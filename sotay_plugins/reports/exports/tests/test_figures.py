"""The adapter through which exports read other modules' figures (``figures``): both shapes of
statistics provider, a provider that fails, and the commands."""

from dataclasses import dataclass, field
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sotay_plugins.reports.exports import figures
from sotay_plugins.reports.exports.models import Export

TODAY = date.today()


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    rollup: str = "sum"
    numerator: str = ""
    denominator: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Figure:
    cell_id: int
    month: date
    measure: str
    value: int
    dimension: str = ""
    choice: str = ""


@dataclass(frozen=True)
class RolledProvider:
    """A provider of the roll-up shape (measures + rows), as the reports roll-ups define it."""

    key: str
    label: str
    rows_of: dict = field(default_factory=dict, hash=False, compare=False)
    compute: object = None
    section: str = "meetings"
    order: int = 1
    measures: tuple = (
        Measure("held", "Buổi đã họp"),
        Measure("expected", "Buổi phải họp"),
        Measure(
            "rate", "Tỷ lệ họp", rollup="rate", numerator="held", denominator="expected", unit="%"
        ),
        Measure("members", "Đảng viên", rollup="stock"),
        Measure("openers", "Người có mở", rollup="distinct"),
    )

    def rows(self, start, end, *, cells=None, exclude=frozenset()):
        return [
            f
            for f in self.rows_of["figures"]
            if (cells is None or f.cell_id in cells) and start <= f.month < end
        ]

    def period_rows(self, start, end, *, cells=None, exclude=frozenset()):
        return [f for f in self.rows_of["period"] if cells is None or f.cell_id in cells]


@pytest.fixture
def provider(world, monkeypatch):
    from sotay_plugins.registry import registry

    jan, feb = date(2026, 1, 1), date(2026, 2, 1)
    c11, c12, c21 = world["c11"].pk, world["c12"].pk, world["c21"].pk
    rolled = RolledProvider(
        "test.rolled",
        "Thử",
        rows_of={
            "figures": [
                Figure(c11, jan, "held", 1),
                Figure(c11, jan, "expected", 1),
                Figure(c11, feb, "held", 0),
                Figure(c11, feb, "expected", 1),
                Figure(c12, jan, "held", 1),
                Figure(c12, jan, "expected", 1),
                Figure(c21, jan, "held", 1),
                Figure(c21, jan, "expected", 2),
                Figure(c11, jan, "members", 5),
                Figure(c11, feb, "members", 6),
                Figure(c12, feb, "members", 4),
                Figure(c11, jan, "held", 9, dimension="sex", choice="female"),  # not a total
                Figure(c11, jan, "openers", 3),
                Figure(c11, feb, "openers", 3),
            ],
            # the same 3 members opened in both months: 3 over the period, not 6
            "period": [Figure(c11, jan, "openers", 3)],
        },
    )
    monkeypatch.setitem(registry.statistics, "test.rolled", rolled)
    return rolled


def test_a_rolled_provider_is_summed_over_each_units_cells_and_months(world, provider):
    rows = dict(
        figures.figure_rows(
            provider, [world["d1"], world["d2"]], date(2026, 1, 1), date(2026, 2, 28)
        )
    )
    d1, d2 = world["d1"].pk, world["d2"].pk
    assert rows["Buổi đã họp"] == {d1: 2, d2: 1}
    assert rows["Buổi phải họp"] == {d1: 3, d2: 2}
    assert rows["Tỷ lệ họp (%)"] == {d1: 66.7, d2: 50.0}
    assert rows["Đảng viên"] == {d1: 10, d2: 0}  # a stock: its last month
    assert rows["Người có mở"] == {d1: 3, d2: 0}  # distinct over the period: period_rows
    one_month = dict(
        figures.figure_rows(provider, [world["d1"]], date(2026, 2, 1), date(2026, 2, 28))
    )
    assert one_month["Người có mở"] == {world["d1"].pk: 3}
    assert one_month["Buổi đã họp"] == {world["d1"].pk: 0}


def test_a_snapshot_provider_answers_only_for_the_current_month(world, monkeypatch):
    from sotay_plugins.registry import StatisticsProvider, registry

    calls = []

    def compute(orgs):
        calls.append(len(orgs))
        return {o.pk: 7 for o in orgs}

    snapshot = StatisticsProvider("meetings.test_snapshot", "Ảnh chụp", compute)
    monkeypatch.setitem(registry.statistics, snapshot.key, snapshot)
    units = [world["c11"]]
    assert figures.figure_rows(snapshot, units, TODAY.replace(day=1), TODAY) == [
        ("Ảnh chụp", {world["c11"].pk: 7})
    ]
    assert figures.figure_rows(snapshot, units, date(2020, 1, 1), date(2020, 1, 31)) == [
        ("Ảnh chụp", None)
    ]
    assert calls == [1]


def test_a_failing_provider_is_a_missing_figure_not_a_failed_pack(world, monkeypatch):
    from sotay_plugins.registry import StatisticsProvider

    def compute(orgs):
        raise RuntimeError("module down")

    broken = StatisticsProvider("feedback.broken", "Hỏng", compute)
    assert figures.figure_rows(broken, [world["c11"]], TODAY.replace(day=1), TODAY) == [
        ("Hỏng", None)
    ]


def test_the_command_makes_an_export_as_its_user_and_the_purge_command_runs(world, tmp_path):
    out = StringIO()
    target = tmp_path / "list.xlsx"
    call_command(
        "export_report",
        "--user",
        "xem.d1",
        "--kind",
        "members",
        "--org",
        world["d1"].code,
        "--out",
        str(target),
        stdout=out,
    )
    assert "3 dòng" in out.getvalue() and target.read_bytes()[:2] == b"PK"
    assert Export.objects.get().status == Export.Status.DONE
    with pytest.raises(CommandError, match="phạm vi"):
        call_command(
            "export_report", "--user", "xem.d1", "--kind", "members", "--org", world["d2"].code
        )
    with pytest.raises(CommandError, match="thông tin cá nhân"):
        call_command(
            "export_report",
            "--user",
            "xem.d1",
            "--kind",
            "members",
            "--org",
            world["d1"].code,
            "--personal",
        )
    purge = StringIO()
    call_command("purge_exports", stdout=purge)
    assert "Đã xóa 0 tệp." in purge.getvalue()
