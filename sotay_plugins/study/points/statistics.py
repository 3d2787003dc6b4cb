"""Points, for the reports module's roll-ups (``registry.StatisticsProvider``, issue 16): per
cell and month, from the ledger (``PointLine``).

- ``points``: the points of the month's lines, adjustments included (``sum``), placed in the
  cell the member belonged to when the line was written (the ledger keeps it: a transfer never
  moves past points);
- ``earners`` (``distinct``): members with at least one earned line in the period (month,
  quarter, year);
- ``members``: members on the rolls (``stock``); ``per_member`` = points / members (an average,
  not a percentage) and ``earner_rate`` = earners / members.

A few GROUP BY queries whatever the size of the ledger.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from sotay_plugins.members.statistics import head_counts, left_out
from sotay_plugins.registry import month_of, month_starts

from .models import ADJUSTMENT, PointLine


def _lines(start, end, exclude):
    return (
        PointLine.objects.filter(day__gte=start, day__lt=end)
        .exclude(left_out(exclude, "member__"))
        .order_by()
    )


EARNED = ~Q(rule=ADJUSTMENT)


def rows(start, end, *, cells=None, exclude=frozenset()):
    """:class:`registry.CellFigure` s for the months from ``start`` to ``end`` (two queries)."""
    from sotay_plugins.registry import cell_figures, spread_over_months

    figures = defaultdict(int)
    for row in (
        _lines(start, end, exclude)
        .annotate(month=TruncMonth("day"))
        .values("cell_id", "month")
        .annotate(points=Sum("points"), earners=Count("member_id", distinct=True, filter=EARNED))
    ):
        key = (row["cell_id"], month_of(row["month"]))
        figures[(*key, "points")] += row["points"] or 0
        figures[(*key, "earners")] += row["earners"]
    spread_over_months(figures, head_counts(exclude), month_starts(start, end), "members")
    return cell_figures(figures, cells)


def period_rows(start, end, *, cells=None, exclude=frozenset()):
    """The ``earners`` of a whole quarter or year per cell (one query)."""
    from sotay_plugins.registry import CellFigure

    grouped = (
        _lines(start, end, exclude)
        .filter(EARNED)
        .values("cell_id")
        .annotate(n=Count("member_id", distinct=True))
    )
    return [
        CellFigure(row["cell_id"], start, "earners", row["n"])
        for row in grouped
        if cells is None or row["cell_id"] in cells
    ]


def touched(since):
    """{(cell, month)} of the lines recorded since ``since`` (a backfill's old days included)."""
    return {
        (cell, month_of(day))
        for cell, day in PointLine.objects.filter(recorded_at__gte=since)
        .order_by()
        .values_list("cell_id", "day")
        .distinct()
    }


def provider():
    from sotay_plugins.registry import Measure, StatisticsProvider

    return StatisticsProvider(
        key="study.points",
        label=_("Điểm tích lũy"),
        section="study",
        order=42,
        rows=rows,
        period_rows=period_rows,
        touched=touched,
        excludable=True,
        description=_(
            "Điểm tích lũy ghi trong kỳ (kể cả điều chỉnh), tính ở chi bộ của đảng viên khi "
            "được ghi điểm."
        ),
        measures=(
            Measure("points", _("Điểm tích lũy đã ghi")),
            Measure("members", _("Đảng viên"), "stock"),
            Measure("earners", _("Đảng viên có điểm tích lũy"), "distinct"),
            Measure(
                "per_member",
                _("Điểm tích lũy bình quân mỗi đảng viên"),
                "rate",
                numerator="points",
                denominator="members",
                scale=1,
            ),
            Measure(
                "earner_rate",
                _("Tỷ lệ đảng viên có điểm tích lũy"),
                "rate",
                numerator="earners",
                denominator="members",
                unit="%",
            ),
        ),
    )
