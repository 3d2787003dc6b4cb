from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class OrgTreeConfig(PluginConfig):
    default = True
    name = "sotay_plugins.orgtree"
    label = "orgtree"
    verbose_name = _("Cây tổ chức đảng")
    version = "1.0"

    def register(self, registry):
        from .roles import (
            CELL_SECRETARY,
            DOCUMENT_UPLOADER,
            EDITORIAL_BOARD,
            FEEDBACK_HANDLER,
            IDENTITY_CUSTODIAN,
            MEMBER_UPDATER,
            NEWS_EDITOR,
            STAFF_CAPABILITY,
            VIEWER,
        )

        staff = [
            MEMBER_UPDATER,
            DOCUMENT_UPLOADER,
            VIEWER,
            CELL_SECRETARY,
            EDITORIAL_BOARD,
            FEEDBACK_HANDLER,
            IDENTITY_CUSTODIAN,
            NEWS_EDITOR,
        ]
        registry.add_capability(STAFF_CAPABILITY, _("Vào trang quản trị"), roles=staff)
        registry.add_capability("orgtree.view_org", _("Xem cơ cấu tổ chức"), roles=staff)
        registry.add_capability(
            "orgtree.manage_tree", _("Thành lập, di chuyển, sáp nhập, giải thể tổ chức")
        )
        registry.add_capability("orgtree.assign_roles", _("Phân quyền cho tài khoản"))

        from .api import OrganisationViewSet

        registry.add_api_route("orgs", OrganisationViewSet, "org")
        post_migrate.connect(self._sync_roles, sender=self)
        self._watch_rights()

    def _watch_rights(self):
        from django.db.models.signals import post_delete, post_save

        from sotay_plugins import versions

        from .models import Organisation, Role, RoleAssignment, org_version_key
        from .scope import grants_changed

        def changed(**kwargs):
            grants_changed()

        for model in (Role, RoleAssignment):
            post_save.connect(
                changed, sender=model, weak=False, dispatch_uid=f"grants.save.{model.__name__}"
            )
            post_delete.connect(
                changed, sender=model, weak=False, dispatch_uid=f"grants.delete.{model.__name__}"
            )

        def org_saved(instance, **kwargs):  # its name on kept pages (sotay_plugins.pagecache)
            versions.bump(org_version_key(instance.pk))

        post_save.connect(
            org_saved, sender=Organisation, weak=False, dispatch_uid="orgtree.org_version.save"
        )
        post_delete.connect(
            org_saved, sender=Organisation, weak=False, dispatch_uid="orgtree.org_version.delete"
        )

    @staticmethod
    def _sync_roles(**kwargs):
        from .roles import sync_builtin_roles
        from .scope import grants_changed

        sync_builtin_roles()
        grants_changed()
