"""Quiz attempts and passes, for the reports module's roll-ups (``registry.StatisticsProvider``,
issue 16): per cell and month of submission, from the attempts (``QuizAttempt``).

- ``attempts``, ``passed``: attempts submitted in the month, and those that passed (``sum``);
- ``participants``, ``passers`` (``distinct``): members who submitted an attempt in the period
  (month, quarter, year), and those who passed one; ``pass_rate`` = passers / participants.

Members a quiz leaves out (its excluded groups, and those without a smartphone if so set) are
not counted for it, as its own statistics do not count them; the groups excluded from this
statistic by configuration are left out too. A member counts in the cell they belong to now.
Two queries whatever the size (the quizzes' exclusions, one GROUP BY).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from sotay_plugins.members.statistics import left_out
from sotay_plugins.registry import calendar_bounds, month_of

from .models import Quiz, QuizAttempt


def _left_out_by_quizzes():
    """A ``Q`` of the attempts the quizzes' own settings leave out of their statistics: one
    clause per distinct set of excluded groups (a handful), one for the smartphone rule."""
    by_groups = defaultdict(list)
    field = Quiz._meta.get_field("excluded_groups")
    for pk, groups in Quiz.objects.order_by().values_list("pk", "excluded_groups"):
        groups = tuple(sorted(field.to_python(groups) or ()))
        if groups:
            by_groups[groups].append(pk)
    q = Q(quiz__exclude_without_smartphone=True, member__has_smartphone=False)
    for groups, quizzes in by_groups.items():
        q |= Q(quiz_id__in=quizzes, member__group__in=list(groups))
    return q


def _attempts(start, end, exclude):
    low, high = calendar_bounds(start, end)
    return (
        QuizAttempt.objects.filter(submitted_at__gte=low, submitted_at__lt=high)
        .exclude(_left_out_by_quizzes())
        .exclude(left_out(exclude, "member__"))
        .order_by()
    )


def _counts(**extra):
    return {
        "participants": Count("member_id", distinct=True),
        "passers": Count("member_id", distinct=True, filter=Q(passed=True)),
        **extra,
    }


def rows(start, end, *, cells=None, exclude=frozenset()):
    """:class:`registry.CellFigure` s for the months from ``start`` to ``end``."""
    from sotay_plugins.registry import cell_figures

    grouped = (
        _attempts(start, end, exclude)
        .annotate(month=TruncMonth("submitted_at"))
        .values("member__cell_id", "month")
        .annotate(**_counts(attempts=Count("pk"), passed=Count("pk", filter=Q(passed=True))))
    )
    figures = defaultdict(int)
    for row in grouped:
        cell, month = row["member__cell_id"], month_of(row["month"])
        for measure in ("attempts", "passed", "participants", "passers"):
            figures[(cell, month, measure)] += row[measure]
    return cell_figures(figures, cells)


def period_rows(start, end, *, cells=None, exclude=frozenset()):
    """The ``participants`` and ``passers`` of a whole quarter or year per cell (one query)."""
    from sotay_plugins.registry import CellFigure

    out = []
    for row in _attempts(start, end, exclude).values("member__cell_id").annotate(**_counts()):
        cell = row["member__cell_id"]
        if cells is not None and cell not in cells:
            continue
        out += [
            CellFigure(cell, start, measure, row[measure])
            for measure in ("participants", "passers")
            if row[measure]
        ]
    return out


def touched(since):
    """{(cell, month)} of the attempts submitted since ``since`` (one query)."""
    return {
        (cell, month_of(submitted))
        for cell, submitted in QuizAttempt.objects.filter(submitted_at__gte=since)
        .order_by()
        .values_list("member__cell_id", "submitted_at")
    }


def provider():
    from sotay_plugins.registry import Measure, StatisticsProvider

    return StatisticsProvider(
        key="study.quizzes",
        label=_("Bài kiểm tra nghị quyết"),
        section="study",
        order=41,
        rows=rows,
        period_rows=period_rows,
        touched=touched,
        excludable=True,
        description=_(
            "Bài làm đã nộp trong kỳ; không tính các nhóm đảng viên mà bài kiểm tra loại trừ."
        ),
        measures=(
            Measure("attempts", _("Lượt làm bài kiểm tra")),
            Measure("passed", _("Lượt bài làm đạt")),
            Measure("participants", _("Đảng viên làm bài kiểm tra"), "distinct"),
            Measure("passers", _("Đảng viên đạt bài kiểm tra"), "distinct"),
            Measure(
                "pass_rate",
                _("Tỷ lệ đảng viên đạt bài kiểm tra"),
                "rate",
                numerator="passers",
                denominator="participants",
                unit="%",
            ),
        ),
    )
