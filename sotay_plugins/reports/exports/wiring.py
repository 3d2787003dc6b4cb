from django.utils.translation import gettext_lazy as _

#: Audit actions (Wagtail's log: Báo cáo → Lịch sử trang web), registered in wagtail_hooks.py.
LOG_ACTIONS = [
    (
        "sotay_reports.export",
        _("Yêu cầu xuất báo cáo"),
        _("Đã yêu cầu xuất báo cáo (đơn vị, kỳ, bộ lọc trong chi tiết)"),
    ),
    ("sotay_reports.export_download", _("Tải tệp báo cáo"), _("Đã tải tệp báo cáo đã xuất")),
]


def register_log_actions(actions):
    for action, label, message in LOG_ACTIONS:
        actions.register_action(action, label, message)


def register(registry):
    """Registers what the exports part adds (capabilities, shell tabs, API routes...)."""
    from sotay_plugins.orgtree.roles import CELL_SECRETARY, MEMBER_UPDATER, VIEWER

    from .api import ExportViewSet
    from .services import EXPORT

    registry.add_capability(
        EXPORT,
        _("Xuất báo cáo thống kê (Excel, PDF, báo cáo tháng)"),
        _(
            "Yêu cầu xuất báo cáo của các đơn vị trong phạm vi; danh sách đảng viên còn cần quyền "
            "xem hồ sơ (và quyền xem thông tin cá nhân cho các cột ngày sinh, CCCD, địa chỉ)."
        ),
        roles=[MEMBER_UPDATER, VIEWER, CELL_SECRETARY],
    )
    registry.add_api_route("reports/exports", ExportViewSet, "report-export")
