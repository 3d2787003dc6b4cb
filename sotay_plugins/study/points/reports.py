"""Points per unit for the reports module (registered statistics providers): the average points
of the year per member and the share of members who reached the province's target. Read from
the figures the boards' refresh wrote (``BoardSummary``): never summed from the ledger on a
report hit. A unit with no board of its own (an intermediate party committee) adds up the
figures of the cells under it."""

from __future__ import annotations

from django.db.models import Sum

from sotay_plugins.orgtree import scope

from .boards import periods
from .models import BoardSummary, Level, Period


def _figures(orgs):
    """{org_id: (members, total_points, reached)} for this year."""
    orgs = list(orgs)
    if not orgs:
        return {}
    start = periods()[Period.YEAR]
    found = {
        unit: (members, total, reached)
        for unit, members, total, reached in BoardSummary.objects.filter(
            unit_id__in=[o.pk for o in orgs], period=Period.YEAR, period_start=start
        ).values_list("unit_id", "members", "total_points", "reached_target")
    }
    for org in orgs:
        if org.pk in found:
            continue
        sums = BoardSummary.objects.filter(
            scope.within(org, "unit"), level=Level.CELL, period=Period.YEAR, period_start=start
        ).aggregate(m=Sum("members"), t=Sum("total_points"), r=Sum("reached_target"))
        if sums["m"]:
            found[org.pk] = (sums["m"], sums["t"] or 0, sums["r"] or 0)
    return found


def stat_average(orgs):
    """This year: average points per active member under each unit."""
    return {
        pk: round(total / members, 1)
        for pk, (members, total, _r) in _figures(orgs).items()
        if members
    }


def stat_reached_share(orgs):
    """This year: % of active members under each unit who reached the yearly target."""
    return {
        pk: round(100 * reached / members, 1)
        for pk, (members, _t, reached) in _figures(orgs).items()
        if members
    }
