"""Studying resolutions, for the reports module's roll-ups (``registry.StatisticsProvider``,
issue 16): per cell and month, from the members' study rows (``ResolutionStudy``).

- ``started``, ``read`` (to the end of the text or its audio), ``completed``: the studies that
  reached that step in the month (``sum``);
- ``audience``: members asked to study (active, not exempt from activities, the excluded
  groups left out: ``stock``);
- ``learners`` (``distinct``): members who completed at least one resolution in the period
  (month, quarter, year), and ``learner_rate`` = learners / audience.

A member counts in the cell they belong to now (a study row does not keep the cell); a month
closed before a transfer keeps what was stored for it. A few GROUP BY queries whatever the size.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from sotay_plugins.members.models import MemberStatus
from sotay_plugins.members.statistics import head_counts, left_out
from sotay_plugins.orgtree.choices import MemberGroup
from sotay_plugins.registry import month_of, month_starts

from .models import ResolutionStudy

STEPS = (("started", "started_at"), ("read", "read_at"), ("completed", "completed_at"))


def _leaves(exclude):
    return frozenset(exclude) | {MemberGroup.EXEMPT.value}


def _studies(exclude):
    return (
        ResolutionStudy.objects.filter(member__status=MemberStatus.ACTIVE)
        .exclude(left_out(_leaves(exclude), "member__"))
        .order_by()
    )


def rows(start, end, *, cells=None, exclude=frozenset()):
    """:class:`registry.CellFigure` s for the months from ``start`` to ``end``: four queries
    (the head counts, one GROUP BY per step; the learners with the completions)."""
    from sotay_plugins.registry import cell_figures, spread_over_months

    months = list(month_starts(start, end))
    if not months:
        return []
    figures = defaultdict(int)  # (cell, month, measure) → n
    for measure, field in STEPS:
        extra = {}
        if measure == "completed":
            extra["learners"] = Count("member_id", distinct=True)
        grouped = (
            _studies(exclude)
            .filter(**{f"{field}__gte": _aware(start), f"{field}__lt": _aware(end)})
            .annotate(month=TruncMonth(field))
            .values("member__cell_id", "month")
            .annotate(n=Count("pk"), **extra)
        )
        for row in grouped:
            key = (row["member__cell_id"], month_of(row["month"]))
            figures[(*key, measure)] += row["n"]
            if "learners" in row:
                figures[(*key, "learners")] += row["learners"]
    counts = head_counts(_leaves(exclude), statuses=(MemberStatus.ACTIVE,))
    spread_over_months(figures, counts, months, "audience")
    return cell_figures(figures, cells)


def period_rows(start, end, *, cells=None, exclude=frozenset()):
    """The ``learners`` of a whole quarter or year per cell (one query)."""
    from sotay_plugins.registry import CellFigure

    grouped = (
        _studies(exclude)
        .filter(completed_at__gte=_aware(start), completed_at__lt=_aware(end))
        .values("member__cell_id")
        .annotate(n=Count("member_id", distinct=True))
    )
    return [
        CellFigure(row["member__cell_id"], start, "learners", row["n"])
        for row in grouped
        if cells is None or row["member__cell_id"] in cells
    ]


def touched(since):
    """{(cell, month)} of the study rows that reached a step since ``since`` (one query)."""
    changed = set()
    for cell, *moments in (
        ResolutionStudy.objects.filter(
            Q(started_at__gte=since) | Q(read_at__gte=since) | Q(completed_at__gte=since)
        )
        .order_by()
        .values_list("member__cell_id", "started_at", "read_at", "completed_at")
    ):
        for moment in moments:
            if moment is not None and moment >= since:
                changed.add((cell, month_of(moment)))
    return changed


def _aware(day):
    from sotay_plugins.registry import calendar_bounds

    return calendar_bounds(day, day)[0]


def provider():
    from sotay_plugins.registry import Measure, StatisticsProvider

    return StatisticsProvider(
        key="study.resolutions",
        label=_("Học tập nghị quyết"),
        section="study",
        order=40,
        rows=rows,
        period_rows=period_rows,
        touched=touched,
        excludable=True,
        description=_(
            "Đảng viên học nghị quyết trên sổ tay: bắt đầu học, đọc hoặc nghe hết, hoàn thành "
            "(đọc hết và đạt bài kiểm tra); không tính đảng viên miễn sinh hoạt."
        ),
        measures=(
            Measure("started", _("Lượt bắt đầu học nghị quyết")),
            Measure("read", _("Lượt đọc, nghe hết nghị quyết")),
            Measure("completed", _("Lượt hoàn thành học nghị quyết")),
            Measure("audience", _("Đảng viên phải học tập"), "stock"),
            Measure("learners", _("Đảng viên hoàn thành ít nhất một nghị quyết"), "distinct"),
            Measure(
                "learner_rate",
                _("Tỷ lệ đảng viên hoàn thành học nghị quyết"),
                "rate",
                numerator="learners",
                denominator="audience",
                unit="%",
            ),
        ),
    )
