from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig

MANAGE_TREE = "orgtree.manage_tree"
ASSIGN_ROLES = "orgtree.assign_roles"


class OrgTreeConfig(PluginConfig):
    default = True
    name = "sotay_plugins.orgtree"
    label = "orgtree"
    verbose_name = _("Cây tổ chức đảng")
    version = "1.0"

    def register(self, registry):
        from .roles import STAFF_CAPABILITY, VIEW_ORG, register_roles

        register_roles(registry)
        registry.add_capability(STAFF_CAPABILITY, _("Vào trang quản trị"))
        registry.add_capability(VIEW_ORG, _("Xem cơ cấu tổ chức"))
        registry.add_capability(MANAGE_TREE, _("Thành lập, di chuyển, sáp nhập, giải thể tổ chức"))
        registry.add_capability(ASSIGN_ROLES, _("Phân quyền cho tài khoản"))

        from .api import OrganisationViewSet

        registry.add_api_route("orgs", OrganisationViewSet, "org")

    def ready(self):
        super().ready()
        from . import receivers

        receivers.connect(self)
        self.register_policies()

    @staticmethod
    def register_policies():
        """What each admin action on the tree's models needs (``orgtree.admin.scoped``)."""
        from .admin.scoped import ScopePermissionPolicy, register_scope_policy
        from .models import AdvisoryBody, Organisation, RoleAssignment
        from .roles import VIEW_ORG

        tree = ("add", "change", "move", "merge", "dissolve")
        # no "delete": a unit is dissolved or merged, never deleted (its history stays)
        register_scope_policy(
            ScopePermissionPolicy(
                Organisation, {"view": VIEW_ORG, **dict.fromkeys(tree, MANAGE_TREE)}
            )
        )
        # no "delete": a body is closed (is_active) so that its documents keep their issuer
        register_scope_policy(
            ScopePermissionPolicy(
                AdvisoryBody, {"view": VIEW_ORG, "add": MANAGE_TREE, "change": MANAGE_TREE}
            )
        )
        register_scope_policy(
            ScopePermissionPolicy(
                RoleAssignment, dict.fromkeys(("view", "add", "change", "delete"), ASSIGN_ROLES)
            )
        )
