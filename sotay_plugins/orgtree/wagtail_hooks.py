"""The organisation tree in the Wagtail admin: menu group "Tổ chức đảng".

Permission policies are registered first (before any view asks Wagtail for a fallback policy):
every listing, form choice and object page below answers from the scope engine.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from .models import AdvisoryBody, Organisation, RoleAssignment
from .permissions import ScopePermissionPolicy, register_scope_policy

MANAGE_TREE = "orgtree.manage_tree"

register_scope_policy(
    ScopePermissionPolicy(
        Organisation,
        {
            "view": "orgtree.view_org",
            "add": MANAGE_TREE,
            "change": MANAGE_TREE,
            "move": MANAGE_TREE,
            "merge": MANAGE_TREE,
            "dissolve": MANAGE_TREE,
            # no "delete": a unit is dissolved or merged, never deleted (its history stays)
        },
    )
)
register_scope_policy(
    ScopePermissionPolicy(
        AdvisoryBody,
        {
            "view": "orgtree.view_org",
            "add": MANAGE_TREE,
            "change": MANAGE_TREE,
            # no "delete": a body is closed (is_active) so that its documents keep their issuer
        },
    )
)
register_scope_policy(
    ScopePermissionPolicy(
        RoleAssignment,
        {action: "orgtree.assign_roles" for action in ("view", "add", "change", "delete")},
    )
)

from .admin_views import (  # noqa: E402
    AdvisoryBodyViewSet,
    OrganisationViewSet,
    RoleAssignmentViewSet,
    organisation_chooser_viewset,
)


class OrgTreeAdminGroup(ViewSetGroup):
    menu_label = _("Tổ chức đảng")
    menu_icon = "site"
    menu_order = 200
    items = (OrganisationViewSet, AdvisoryBodyViewSet, RoleAssignmentViewSet)


@hooks.register("register_admin_viewset")
def register_orgtree_admin():
    return OrgTreeAdminGroup()


@hooks.register("register_admin_viewset")
def register_organisation_chooser():
    return organisation_chooser_viewset
