"""The built-in roles of the organisation tree and the members layer, and the sync that writes
every plugin's roles to the Role table.

Roles are bundled by the plugins that define their capabilities: each plugin declares its own
roles (``registry.add_role``) and bundles its capabilities into them by name
(``registry.add_capability(code, label, roles=[...])``); orgtree names no later plugin's role.
``sync_builtin_roles`` writes what the registry holds after every migrate.
"""

from django.utils.translation import gettext_lazy as _

FULL_ADMIN = "full_admin"
MEMBER_UPDATER = "member_updater"
DOCUMENT_UPLOADER = "document_uploader"
VIEWER = "viewer"
CELL_SECRETARY = "cell_secretary"

#: Roles from which the holder may enter the Wagtail admin.
STAFF_CAPABILITY = "admin.access"
#: Seeing the organisation tree (every staff role needs it to find its units).
VIEW_ORG = "orgtree.view_org"
#: What every staff role bundles besides its plugin's own capabilities (``add_role``).
STAFF_BASE = (STAFF_CAPABILITY, VIEW_ORG)


def register_roles(registry):
    """The roles of the tree and of the work every plugin shares: the administrators of a unit,
    its advisory bodies' document uploaders (documents in the library, materials for meetings)
    and its cell secretaries."""
    registry.add_role(
        FULL_ADMIN,
        _("Quản trị toàn quyền"),
        _("Cấp tài khoản và phân quyền trong phạm vi tổ chức được giao (Văn phòng cấp ủy)."),
    )
    registry.add_role(
        MEMBER_UPDATER,
        _("Cập nhật dữ liệu đảng viên"),
        _("Cập nhật, nhập hồ sơ đảng viên của các đơn vị trực thuộc."),
        capabilities=STAFF_BASE,
    )
    registry.add_role(
        DOCUMENT_UPLOADER,
        _("Cập nhật văn bản"),
        _("Đăng văn bản của một cơ quan tham mưu (1–2 người mỗi cơ quan)."),
        needs_body=True,
        capabilities=STAFF_BASE,
    )
    registry.add_role(
        VIEWER,
        _("Xem dữ liệu"),
        _("Xem dữ liệu đảng viên và văn bản trong phạm vi."),
        capabilities=STAFF_BASE,
    )
    registry.add_role(
        CELL_SECRETARY,
        _("Bí thư chi bộ"),
        _("Điều hành sinh hoạt chi bộ, điểm danh, cấp mã kích hoạt."),
        capabilities=STAFF_BASE,
    )


def sync_builtin_roles(**kwargs):
    """Write the registry's built-in roles to the Role table (name, description, capabilities).

    A built-in role no enabled plugin declares any more (its plugin was switched off) is kept
    with its assignments but bundles nothing until the plugin is back.
    """
    from sotay_plugins.registry import registry

    from .models import Role
    from .scope import ALL

    for code, role in registry.roles.items():
        capabilities = [ALL] if code == FULL_ADMIN else sorted(registry.role_grants.get(code, ()))
        Role.objects.update_or_create(
            code=code,
            defaults={
                "name": str(role.name),
                "description": str(role.description),
                "capabilities": capabilities,
                "is_builtin": True,
                "needs_body": role.needs_body,
            },
        )
    Role.objects.filter(is_builtin=True).exclude(code__in=list(registry.roles)).update(
        capabilities=[]
    )
