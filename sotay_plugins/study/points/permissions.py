"""The points' Wagtail permission policies (scope-checked), registered from ``wiring.ready``."""

from sotay_plugins.orgtree.admin.scoped import ScopePermissionPolicy

from .models import (
    ADJUST_POINTS,
    MANAGE_POINTS,
    VIEW_POINTS,
    PointLine,
    PointSettings,
    RuleOverride,
)

line_policy = ScopePermissionPolicy(
    PointLine,
    {
        "view": VIEW_POINTS,
        "add": ADJUST_POINTS,
        # no "change", no "delete": a line is never rewritten; a mistake is corrected by an
        # adjustment the other way, with its reason
    },
)
settings_policy = ScopePermissionPolicy(
    PointSettings, {"view": MANAGE_POINTS, "add": MANAGE_POINTS, "change": MANAGE_POINTS}
)
override_policy = ScopePermissionPolicy(
    RuleOverride,
    {
        "view": MANAGE_POINTS,
        "add": MANAGE_POINTS,
        "change": MANAGE_POINTS,
        "delete": MANAGE_POINTS,
    },
)

POLICIES = (line_policy, settings_policy, override_policy)
