"""Statistics of the plans part (``registry.StatisticsProvider``, issue 16).

Every committee under a study plan's audience that must record its own implementation plan
(``services.planning_units``: active units of the planning kinds, the announcing committee left
out) owes one by the plan's deadline. Computed in bulk: the plans, the units and the recorded
implementation plans are read once (three queries), and each plan's units are found on the
nested-set bounds in Python — never a query per unit or per plan (the nightly pass took 25 s
when it asked per unit).

- :func:`stat_without_plan` (a figure of today: the snapshot shape): the units under each unit
  that have no implementation plan for a plan whose deadline has passed;
- the roll-up shape, per unit and month (the unit that owes or records the plan — a district or
  a base organisation, the cells only when a plan asks them too): ``due`` (plans whose deadline
  falls in the month), ``on_time`` (of those, recorded by the deadline) and its rate,
  ``recorded`` (implementation plans issued in the month) and ``late`` (of those, issued after
  the deadline).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.registry import month_of

from . import services
from .models import ImplementationPlan, StudyPlan


class _Units:
    """The active units in tree order, read once (one query)."""

    def __init__(self):
        self.rows = list(
            Organisation.objects.filter(is_active=True)
            .order_by("tree_id", "lft")
            .values_list("tree_id", "lft", "rght", "pk", "kind")
        )

    def within(self, tree_id, lft, rght):
        lo = bisect_left(self.rows, (tree_id, lft))
        hi = bisect_right(self.rows, (tree_id, rght, float("inf")))
        return self.rows[lo:hi]


def _plans(q):
    return list(
        StudyPlan.objects.filter(q)
        .order_by()
        .values_list(
            "pk",
            "deadline",
            "cells_plan_too",
            "issuer_org_id",
            "audience_org__tree_id",
            "audience_org__lft",
            "audience_org__rght",
        )
    )


def _owed(plans, units):
    """{plan id: [unit ids that must record an implementation plan]}."""
    owed = {}
    for pk, _deadline, cells_too, issuer, tree_id, lft, rght in plans:
        kinds = services.planning_kinds(StudyPlan(cells_plan_too=cells_too))
        owed[pk] = [
            unit
            for _t, _l, _r, unit, kind in units.within(tree_id, lft, rght)
            if kind in kinds and unit != issuer
        ]
    return owed


def _recorded(plan_ids):
    """{(plan id, unit id): issued on} of the implementation plans of ``plan_ids``."""
    return {
        (plan, unit): issued
        for plan, unit, issued in ImplementationPlan.objects.filter(plan_id__in=plan_ids)
        .order_by()
        .values_list("plan_id", "issuer_org_id", "issued_on")
    }


def stat_without_plan(orgs):
    """Units under each unit that have not recorded an implementation plan for a plan whose
    deadline has passed (three queries whatever the number of units and plans)."""
    orgs = list(orgs)
    if not orgs:
        return {}
    plans = _plans(Q(deadline__lt=timezone.localdate()))
    units = _Units()
    recorded = _recorded([p[0] for p in plans])
    place = {pk: (tree_id, lft) for tree_id, lft, _r, pk, _k in units.rows}
    missing = sorted(
        place[unit]
        for plan, owed in _owed(plans, units).items()
        for unit in owed
        if (plan, unit) not in recorded
    )
    bounds = Organisation.objects.filter(pk__in=[o.pk for o in orgs]).values_list(
        "pk", "tree_id", "lft", "rght"
    )
    return {
        pk: bisect_right(missing, (tree_id, rght)) - bisect_left(missing, (tree_id, lft))
        for pk, tree_id, lft, rght in bounds
    }


# --- the roll-up shape --------------------------------------------------------------------


def rows(start, end, *, cells=None, exclude=frozenset()):
    """:class:`registry.CellFigure` s for the months from ``start`` to ``end``, placed at the
    unit that owes or records the plan (four queries)."""
    from sotay_plugins.registry import cell_figures

    figures = defaultdict(int)
    due = _plans(Q(deadline__gte=start, deadline__lt=end))
    recorded = _recorded([p[0] for p in due])
    owed = _owed(due, _Units()) if due else {}
    for pk, deadline, *_rest in due:
        month = month_of(deadline)
        for unit in owed[pk]:
            figures[(unit, month, "due")] += 1
            issued = recorded.get((pk, unit))
            if issued is not None and issued <= deadline:
                figures[(unit, month, "on_time")] += 1
    for unit, issued, deadline in (
        ImplementationPlan.objects.filter(issued_on__gte=start, issued_on__lt=end)
        .order_by()
        .values_list("issuer_org_id", "issued_on", "plan__deadline")
    ):
        month = month_of(issued)
        figures[(unit, month, "recorded")] += 1
        if issued > deadline:
            figures[(unit, month, "late")] += 1
    return cell_figures(figures, cells)


def touched(since):
    """The months whose figures plans and implementation plans written since ``since`` may
    have changed, for every unit (``None``: the figures sit on committees above the cells, which
    the refresh recomputes only whole; a month's plans are few)."""
    months = set()
    for deadline in StudyPlan.objects.filter(created_at__gte=since).values_list(
        "deadline", flat=True
    ):
        months.add(month_of(deadline))
    for issued, deadline in ImplementationPlan.objects.filter(created_at__gte=since).values_list(
        "issued_on", "plan__deadline"
    ):
        months.update((month_of(issued), month_of(deadline)))
    return {(None, month) for month in months}


def provider():
    from sotay_plugins.registry import Measure, StatisticsProvider

    return StatisticsProvider(
        key="study.plans",
        label=_("Kế hoạch thực hiện nghị quyết"),
        section="study",
        order=43,
        rows=rows,
        touched=touched,
        description=_(
            "Cấp ủy trực thuộc phải có kế hoạch thực hiện nghị quyết trước hạn của kế hoạch học "
            "tập cấp trên; tính ở đơn vị phải ghi kế hoạch."
        ),
        measures=(
            Measure("due", _("Lượt đơn vị đến hạn có kế hoạch thực hiện")),
            Measure("on_time", _("Lượt đơn vị có kế hoạch thực hiện đúng hạn")),
            Measure(
                "on_time_rate",
                _("Tỷ lệ đơn vị có kế hoạch thực hiện đúng hạn"),
                "rate",
                numerator="on_time",
                denominator="due",
                unit="%",
            ),
            Measure("recorded", _("Kế hoạch thực hiện đã ghi")),
            Measure("late", _("Kế hoạch thực hiện ghi sau hạn")),
        ),
    )
