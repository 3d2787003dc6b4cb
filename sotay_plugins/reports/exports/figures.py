"""The one place exports read other modules' figures: the registry's statistics providers.

No export reads another plugin's tables (tests/test_layering.py forbids importing them). Two
shapes of provider are read (``registry.StatisticsProvider``):

- the snapshot shape, ``compute(orgs) -> {org_id: value}``: a figure of today, so it answers
  only for a period that holds the current month (a provider whose ``compute`` also accepts a
  ``period=(start, end)`` keyword is asked for the export's period);
- the roll-up shape, ``measures`` and ``rows(start, end, cells=...)`` → per-cell monthly
  figures (``CellFigure``), summed here over each unit's cells and the period's months as each
  measure says (``sum``, ``stock``: the last month, ``max``, ``rate``: numerator / denominator,
  ``distinct``: one month's rows, or ``period_rows`` for a longer period).

:func:`figure_rows` is what the builders call; a change of the extension point changes this
module only.
"""

from __future__ import annotations

import inspect
import logging
from collections import defaultdict
from datetime import date

from django.utils import timezone

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.registry import registry

log = logging.getLogger(__name__)

#: Sections of the monthly pack and of the unit summary: a provider's ``section``, or else its
#: key's prefix.
SECTIONS = (
    ("members", ("members.",)),
    ("meetings", ("meetings.",)),
    ("reading", ("editorial.", "library.", "reading.", "documents.")),
    ("study", ("study.",)),
    ("feedback", ("feedback.",)),
)


def _takes_period(compute):
    try:
        parameters = inspect.signature(compute).parameters
    except (TypeError, ValueError):
        return False
    return "period" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def section_of(provider):
    declared = getattr(provider, "section", "")
    if declared:
        return declared
    for section, prefixes in SECTIONS:
        if provider.key.startswith(prefixes):
            return section
    return ""


def providers(section=None):
    """The registered providers (of one section), in their order."""
    found = sorted(registry.statistics.values(), key=lambda p: (getattr(p, "order", 100), p.key))
    return [p for p in found if section is None or section_of(p) == section]


def current_month(start, end):
    today = timezone.localdate()
    return start <= today <= end or (start.year, start.month) == (today.year, today.month)


def _month_after(day):
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _cells_by_unit(orgs):
    """{unit id: export unit id} for the units under each of ``orgs``, themselves included (two
    queries: the units' places are read again, as an instance loaded before a tree write may
    carry stale ones). Every level, not the cells only: some figures belong to the unit that
    holds them (feedback received by a district, a base organisation's implementation plan)."""
    places = list(
        Organisation.objects.filter(pk__in=[o.pk for o in orgs]).values_list(
            "pk", "tree_id", "lft", "rght"
        )
    )
    if not places:
        return {}
    cells = (
        Organisation.objects.filter(scope.within([(t, lft, rght) for _pk, t, lft, rght in places]))
        .order_by()
        .values_list("pk", "tree_id", "lft")
    )
    out = {}
    for pk, tree_id, lft in cells:
        for unit, unit_tree, unit_lft, unit_rght in places:
            if unit_tree == tree_id and unit_lft <= lft <= unit_rght:
                out[pk] = unit
                break
    return out


def _rolled(provider, orgs, start, end):
    """[(label, {org_id: value})] of a roll-up-shaped provider over the period's months."""
    cell_unit = _cells_by_unit(orgs)
    first, stop = date(start.year, start.month, 1), _month_after(end)
    months = defaultdict(lambda: defaultdict(int))  # (measure, unit) → {month: value}
    for figure in provider.rows(first, stop, cells=set(cell_unit)):
        if figure.dimension or figure.cell_id not in cell_unit:
            continue
        months[(figure.measure, cell_unit[figure.cell_id])][figure.month] += figure.value
    totals = {}
    for measure in provider.measures:
        if measure.rollup in ("sum", "stock", "max"):
            by_unit = {}
            for org in orgs:
                series = months.get((measure.key, org.pk), {})
                if not series:
                    by_unit[org.pk] = 0
                elif measure.rollup == "sum":
                    by_unit[org.pk] = sum(series.values())
                elif measure.rollup == "stock":
                    by_unit[org.pk] = series[max(series)]
                else:
                    by_unit[org.pk] = max(series.values())
            totals[measure.key] = by_unit
    distinct = [m for m in provider.measures if m.rollup == "distinct"]
    if distinct:
        totals.update(_distinct(provider, distinct, orgs, cell_unit, months, first, stop))
    out = []
    for measure in provider.measures:
        label = str(measure.label) + (f" ({measure.unit})" if measure.unit else "")
        if measure.rollup == "rate":
            top, bottom = totals.get(measure.numerator, {}), totals.get(measure.denominator, {})
            out.append(
                (
                    label,
                    {
                        org.pk: _ratio(measure, top.get(org.pk, 0), bottom.get(org.pk))
                        for org in orgs
                    },
                )
            )
        elif measure.key in totals:
            out.append((label, totals[measure.key]))
    return out


def _ratio(measure, numerator, denominator):
    """A rate's value: its terms' quotient times the measure's ``scale`` (100: a percentage)."""
    if not denominator:
        return None
    return round(getattr(measure, "scale", 100) * numerator / denominator, 1)


def _distinct(provider, measures, orgs, cell_unit, months, first, stop):
    """Distinct counts (members who opened anything) cannot be added over months: one month's
    come from ``rows``, a longer period's from ``period_rows`` (summed over the tree: each
    thing belongs to one cell)."""
    keys = {m.key for m in measures}
    if _month_after(first) == stop:
        series = {
            key: {org.pk: sum(months.get((key, org.pk), {}).values()) for org in orgs}
            for key in keys
        }
        return series
    period_rows = getattr(provider, "period_rows", None)
    if period_rows is None:
        return {}
    found = {key: dict.fromkeys((org.pk for org in orgs), 0) for key in keys}
    for figure in period_rows(first, stop, cells=set(cell_unit)):
        if figure.measure in keys and not figure.dimension and figure.cell_id in cell_unit:
            found[figure.measure][cell_unit[figure.cell_id]] += figure.value
    return found


def figure_rows(provider, orgs, start, end):
    """``[(label, {org_id: value} | None)]`` of one provider for ``orgs`` over the period: None
    when it cannot answer for that period (a snapshot figure of another month)."""
    orgs = list(orgs)
    label = str(provider.label)
    try:
        if getattr(provider, "rows", None) is not None:  # the roll-up shape answers any period
            return _rolled(provider, orgs, start, end) if orgs else []
        if _takes_period(provider.compute):
            return [(label, provider.compute(orgs, period=(start, end)) or {})]
        if not current_month(start, end):
            return [(label, None)]
        return [(label, provider.compute(orgs) or {})]
    except Exception:  # one module's failing figure must not sink a whole pack
        log.exception("statistics provider %s failed", provider.key)
        return [(label, None)]


def sections(orgs, start, end, *, names, on_provider=None):
    """``[(section, [(label, {org_id: value} | None), ...]), ...]`` for the sections ``names``;
    ``on_provider()`` is called after each provider (progress)."""
    out = []
    for section in names:
        rows = []
        for provider in providers(section):
            rows += figure_rows(provider, orgs, start, end)
            if on_provider:
                on_provider()
        out.append((section, rows))
    return out


def count(names):
    return sum(len(providers(section)) for section in names)
