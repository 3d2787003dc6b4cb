"""What the materials and reports part of the meetings plugin adds to the registry: the API
of materials (and of a meeting's materials), the meetings report, and statistics providers."""

from django.utils.translation import gettext_lazy as _


def register(registry):
    from sotay_plugins.registry import StatisticsProvider

    from . import reports
    from .api_materials import (
        MaterialViewSet,
        MeetingMaterialsView,
        MeetingNotOpenedView,
        MeetingReportView,
    )

    registry.add_api_route("materials", MaterialViewSet, "material")
    registry.add_api_path("meetings/<int:pk>/materials/", MeetingMaterialsView, "meeting-materials")
    registry.add_api_path(
        "meetings/<int:pk>/materials/not-opened/",
        MeetingNotOpenedView,
        "meeting-materials-not-opened",
    )
    registry.add_api_path("reports/meetings/", MeetingReportView, "report-meetings")
    registry.add_statistic(
        StatisticsProvider(
            "meetings.held_rate",
            _("Tỷ lệ chi bộ sinh hoạt thường kỳ trong tháng (%)"),
            reports.stat_held_rate,
        )
    )
    registry.add_statistic(
        StatisticsProvider(
            "meetings.attendance_rate",
            _("Tỷ lệ đảng viên dự sinh hoạt trong tháng (%)"),
            reports.stat_attendance_rate,
        )
    )
    registry.add_statistic(
        StatisticsProvider(
            "meetings.materials_used",
            _("Số lượt tài liệu được chọn cho buổi sinh hoạt trong tháng"),
            reports.stat_materials_used,
        )
    )
