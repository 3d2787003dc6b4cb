"""The notices' Wagtail permission policy (scope-checked); registered in ``apps.py``."""

from sotay_plugins.orgtree.admin.scoped import ScopePermissionPolicy

from .models import SEND_NOTICE, VIEW_NOTICE, Announcement

announcement_policy = ScopePermissionPolicy(
    Announcement,
    {
        "view": VIEW_NOTICE,
        "add": SEND_NOTICE,
        # no "change" or "delete": a sent notice stays as it was sent, on record
    },
)

POLICIES = (announcement_policy,)
