from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


def seed_demo(*, scale, seed, stdout=None):
    """``seed_demo``'s step for cell life (issue 17): the only way into ``meetings.demo``."""
    from .demo import seed as seed_meetings

    return seed_meetings(scale=scale, seed=seed, stdout=stdout)


class MeetingsConfig(PluginConfig):
    default = True
    name = "sotay_plugins.meetings"
    label = "meetings"
    verbose_name = _("Sinh hoạt chi bộ")
    version = "0.1"
    depends_on = ("orgtree", "members", "attendance")
    urls = "sotay_plugins.meetings.urls"

    def ready(self):
        super().ready()
        from sotay_plugins.orgtree.admin.scoped import register_scope_policy

        from . import permissions, receivers

        for policy in permissions.POLICIES:
            register_scope_policy(policy)
        receivers.connect()

    def register(self, registry):
        from sotay_plugins.orgtree.roles import CELL_SECRETARY, DOCUMENT_UPLOADER, VIEWER
        from sotay_plugins.registry import (
            CalendarSource,
            DemoSeeder,
            HomeCard,
            NoticeKind,
            PointRule,
            SearchableKind,
            ShellTab,
            StatisticsProvider,
        )

        from . import calendar_events, cards, receivers, reports, services
        from . import models as m
        from .api.materials import (
            MaterialViewSet,
            MeetingMaterialsView,
            MeetingNotOpenedView,
            MeetingReportView,
        )
        from .api.meetings import MeetingViewSet
        from .roll import register_roll

        registry.add_capability(
            m.VIEW_MEETING, _("Xem sinh hoạt chi bộ"), roles=[CELL_SECRETARY, VIEWER]
        )
        registry.add_capability(
            m.CONVENE, _("Triệu tập, ghi biên bản sinh hoạt chi bộ"), roles=[CELL_SECRETARY]
        )
        registry.add_capability(m.CHECK_IN, _("Điểm danh đảng viên"), roles=[CELL_SECRETARY])
        # Upper levels' materials are written by their advisory bodies' document uploaders.
        registry.add_capability(
            m.MANAGE_MATERIALS,
            _("Soạn tài liệu sinh hoạt"),
            roles=[CELL_SECRETARY, DOCUMENT_UPLOADER],
        )
        registry.add_capability(m.VIEW_REPORTS, _("Xem báo cáo sinh hoạt chi bộ"), roles=[VIEWER])

        # Convening, member pages, comments, minutes.
        registry.add_notice_kind(
            NoticeKind(services.REMINDER_KIND, _("Nhắc lịch sinh hoạt chi bộ"))
        )
        registry.add_notice_kind(
            NoticeKind(services.CANCELLED_KIND, _("Hủy buổi sinh hoạt chi bộ"))
        )
        registry.add_shell_tab(
            ShellTab("meetings", _("Sinh hoạt"), "meetings:list", icon="▤", order=200)
        )
        registry.add_home_card(
            HomeCard(
                "meetings.upcoming",
                "meetings/member/_card_upcoming.html",
                cards.upcoming_card,
                order=20,
                depends=cards.upcoming_card_depends,
                expires=cards.upcoming_card_expires,
            )
        )
        registry.add_api_route("meetings", MeetingViewSet, "meeting")
        # The one search finds a member's own cell's meetings (title, place, agenda, content, the
        # draft and, once held, the minutes and resolution: what the member page shows), scoped
        # by the scope engine like the page; the search module knows no model here.
        registry.add_searchable(
            SearchableKind(
                "meetings.meeting",
                _("Sinh hoạt chi bộ"),
                m.Meeting,
                date_field="starts_at",
                date_label=_("Ngày họp"),
                queryset=services.findable_meetings,
                url=lambda meeting: reverse("meetings:detail", args=[meeting.pk]),
                order=40,
                text=services.searchable_text,
            )
        )
        registry.add_calendar_source(
            CalendarSource("meetings", _("Sinh hoạt chi bộ"), calendar_events.events, order=10)
        )

        # Offline reading (issue 18): the next meeting and its materials, with their files.
        from sotay_plugins.registry import OfflineSource

        from . import offline

        registry.add_offline_source(
            OfflineSource(
                "meetings",
                _("Buổi sinh hoạt sắp tới và tài liệu"),
                offline.items,
                offline.visible,
                order=30,
            )
        )

        # The demo (``seed_demo``): a past and an upcoming meeting in every cell.
        registry.add_demo_seeder(DemoSeeder("meetings", seed_demo, order=60))

        # Check-in: the meetings' roll, served by the attendance plugin.
        register_roll(registry)

        # Materials and reports.
        registry.add_api_route("materials", MaterialViewSet, "material")
        registry.add_api_path(
            "meetings/<int:pk>/materials/", MeetingMaterialsView, "meeting-materials"
        )
        registry.add_api_path(
            "meetings/<int:pk>/materials/not-opened/",
            MeetingNotOpenedView,
            "meeting-materials-not-opened",
        )
        registry.add_api_path("reports/meetings/", MeetingReportView, "report-meetings")
        for key, label, compute in (
            (
                "meetings.held_rate",
                _("Tỷ lệ chi bộ sinh hoạt thường kỳ trong tháng (%)"),
                reports.stat_held_rate,
            ),
            (
                "meetings.attendance_rate",
                _("Tỷ lệ đảng viên dự sinh hoạt trong tháng (%)"),
                reports.stat_attendance_rate,
            ),
            (
                "meetings.materials_used",
                _("Số lượt tài liệu được chọn cho buổi sinh hoạt trong tháng"),
                reports.stat_materials_used,
            ),
        ):
            registry.add_statistic(StatisticsProvider(key, label, compute))
        # The same figures per cell and month, for the reports module's roll-ups (issue 16).
        registry.add_statistic(reports.rollup_provider())

        # Points: attending a meeting, awarded when its minutes are approved (receivers).
        registry.add_point_rule(
            PointRule(
                receivers.ATTENDED_RULE,
                _("Dự sinh hoạt chi bộ"),
                5,
                cap_per_day=10,
                titles=receivers.meeting_titles,
                history=receivers.attendance_history,
                order=50,
            )
        )
