"""The meetings' Wagtail permission policies (scope-checked); registered in ``apps.py``'s
``ready()``, used by the admin viewsets."""

from sotay_plugins.orgtree.admin.scoped import ScopePermissionPolicy

from . import materials as service
from .models import CONVENE, MANAGE_MATERIALS, VIEW_MEETING, Material, Meeting

meeting_policy = ScopePermissionPolicy(
    Meeting,
    {
        "view": VIEW_MEETING,
        "add": CONVENE,
        "change": CONVENE,
        "minutes": CONVENE,
        "approve": CONVENE,
        "cancel": CONVENE,
        # no "delete": a meeting that will not take place is cancelled, its record kept
    },
)


class MaterialPermissionPolicy(ScopePermissionPolicy):
    """The scope policy, plus the internal-material rule: a cell's internal materials are
    reachable only from that cell itself, never from the committees above it."""

    def user_has_permission_for_instance(self, user, action, instance):
        return bool(self.capability_for(action)) and service.is_valid_issuer(
            user, instance.issuer_org
        )

    def instances_user_has_any_permission_for(self, user, actions):
        return (
            super()
            .instances_user_has_any_permission_for(user, actions)
            .filter(service.internal_q(user))
        )


material_policy = MaterialPermissionPolicy(
    Material,
    {
        "view": MANAGE_MATERIALS,
        "add": MANAGE_MATERIALS,
        "change": MANAGE_MATERIALS,
        # no "delete": a published material stays on record (meetings refer to it)
    },
)

POLICIES = (meeting_policy, material_policy)
