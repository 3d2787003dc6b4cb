"""The study plans' Wagtail permission policies (scope-checked); registered in ``apps.ready``."""

from sotay_plugins.orgtree.admin.scoped import ScopePermissionPolicy

from ..resolutions.models import MANAGE_STUDY, VIEW_STUDY
from .models import RECORD_IMPLEMENTATION, ImplementationPlan, StudyPlan, StudySession

plan_policy = ScopePermissionPolicy(
    StudyPlan,
    {"view": VIEW_STUDY, "add": MANAGE_STUDY, "change": MANAGE_STUDY},
)
session_policy = ScopePermissionPolicy(
    StudySession,
    {
        "view": VIEW_STUDY,
        "add": MANAGE_STUDY,
        "change": MANAGE_STUDY,
        "close": MANAGE_STUDY,
        "cancel": MANAGE_STUDY,
    },
)
implementation_policy = ScopePermissionPolicy(
    ImplementationPlan,
    {"view": VIEW_STUDY, "add": RECORD_IMPLEMENTATION},
)

POLICIES = (plan_policy, session_policy, implementation_policy)
