"""Statistics of the plans part (``registry.StatisticsProvider``)."""

from __future__ import annotations

from django.utils import timezone

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation

from . import services
from .models import ImplementationPlan, StudyPlan


def stat_without_plan(orgs):
    """Units under each unit that have not recorded an implementation plan for a plan whose
    deadline has passed (the plans addressed to or issued under that unit)."""
    today = timezone.localdate()
    out = {}
    for org in Organisation.objects.filter(pk__in=[o.pk for o in orgs]):
        plans = StudyPlan.objects.filter(
            scope.containing(org, "audience_org") | scope.within(org, "audience_org"),
            deadline__lt=today,
        )
        n = 0
        for plan in plans:
            units = (
                services.planning_units(plan)
                .filter(scope.within(org))
                .exclude(
                    pk__in=ImplementationPlan.objects.filter(plan=plan).values("issuer_org_id")
                )
            )
            n += units.count()
        out[org.pk] = n
    return out
