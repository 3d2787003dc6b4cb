"""The point rules in effect: what plugins registered (``registry.point_rules``), with a
province's own points and caps (``RuleOverride``) where it set them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from sotay_plugins.registry import registry

from .models import ADJUSTMENT, RuleOverride

ADJUSTMENT_LABEL = _("Điều chỉnh của cấp ủy")


@dataclass(frozen=True)
class Effective:
    key: str
    label: str
    points: int
    cap_per_day: int | None
    cap_per_item: int | None
    active: bool
    overridden: bool


def effective(key, province_id=None, overrides=None):
    """The rule ``key`` as it stands for the province (None: not registered)."""
    rule = registry.point_rules.get(key)
    if rule is None:
        return None
    if overrides is None:
        override = (
            RuleOverride.objects.filter(province_id=province_id, rule=key).first()
            if province_id
            else None
        )
    else:
        override = overrides.get(key)
    if override is None:
        return Effective(
            key, rule.label, rule.points, rule.cap_per_day, rule.cap_per_item, True, False
        )
    return Effective(
        key,
        rule.label,
        override.points,
        override.cap_per_day,
        override.cap_per_item,
        override.active,
        True,
    )


def in_effect(province_id=None):
    """Every registered rule as it stands for the province, in order (one query)."""
    overrides = (
        {o.rule: o for o in RuleOverride.objects.filter(province_id=province_id)}
        if province_id
        else {}
    )
    return [effective(rule.key, overrides=overrides) for rule in registry.ordered_point_rules()]


def label_of(key):
    if key == ADJUSTMENT:
        return ADJUSTMENT_LABEL
    rule = registry.point_rules.get(key)
    return rule.label if rule else key


def rule_choices():
    return [(rule.key, f"{rule.label} ({rule.key})") for rule in registry.ordered_point_rules()]
