"""Built-in roles (SPEC.md module 7). Plugins bundle their capabilities into these by name
(``registry.add_capability(code, label, roles=[...])``); ``sync_builtin_roles`` writes the
bundles to the Role table after every migrate."""

from django.utils.translation import gettext_lazy as _

FULL_ADMIN = "full_admin"
MEMBER_UPDATER = "member_updater"
DOCUMENT_UPLOADER = "document_uploader"
VIEWER = "viewer"
CELL_SECRETARY = "cell_secretary"
EDITORIAL_BOARD = "editorial_board"
NEWS_EDITOR = "news_editor"
FEEDBACK_HANDLER = "feedback_handler"
IDENTITY_CUSTODIAN = "identity_custodian"

#: code → (name, description, needs an advisory body)
BUILTIN_ROLES = {
    FULL_ADMIN: (
        _("Quản trị toàn quyền"),
        _("Cấp tài khoản và phân quyền trong phạm vi tổ chức được giao (Văn phòng cấp ủy)."),
        False,
    ),
    MEMBER_UPDATER: (
        _("Cập nhật dữ liệu đảng viên"),
        _("Cập nhật, nhập hồ sơ đảng viên của các đơn vị trực thuộc."),
        False,
    ),
    DOCUMENT_UPLOADER: (
        _("Cập nhật văn bản"),
        _("Đăng văn bản của một cơ quan tham mưu (1–2 người mỗi cơ quan)."),
        True,
    ),
    VIEWER: (_("Xem dữ liệu"), _("Xem dữ liệu đảng viên và văn bản trong phạm vi."), False),
    CELL_SECRETARY: (
        _("Bí thư chi bộ"),
        _("Điều hành sinh hoạt chi bộ, điểm danh, cấp mã kích hoạt."),
        False,
    ),
    EDITORIAL_BOARD: (_("Ban Biên tập"), _("Duyệt tin bài, văn bản trước khi đăng."), False),
    NEWS_EDITOR: (
        _("Biên tập viên"),
        _("Viết tin bài, bản tin của đơn vị, gửi Ban Biên tập duyệt."),
        False,
    ),
    FEEDBACK_HANDLER: (
        _("Xử lý phản ánh"),
        _("Tiếp nhận, xử lý ý kiến đóng góp, phản ánh."),
        False,
    ),
    IDENTITY_CUSTODIAN: (
        _("Người giữ danh tính"),
        _("Người duy nhất của đơn vị được xem danh tính người phản ánh ẩn danh."),
        False,
    ),
}

#: Roles from which the holder may enter the Wagtail admin.
STAFF_CAPABILITY = "admin.access"


def sync_builtin_roles(**kwargs):
    from sotay_plugins.registry import registry

    from .models import Role
    from .scope import ALL

    for code, (name, description, needs_body) in BUILTIN_ROLES.items():
        capabilities = [ALL] if code == FULL_ADMIN else sorted(registry.role_grants.get(code, ()))
        Role.objects.update_or_create(
            code=code,
            defaults={
                "name": str(name),
                "description": str(description),
                "capabilities": capabilities,
                "is_builtin": True,
                "needs_body": needs_body,
            },
        )
