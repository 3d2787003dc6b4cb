from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


def seed_demo(*, scale, seed, stdout=None):
    """``seed_demo``'s step for the agenda: the only way into ``agenda.demo``."""
    from .demo import seed_demo as seed_agenda

    return seed_agenda(scale=scale, seed=seed, stdout=stdout)


class AgendaConfig(PluginConfig):
    default = True
    name = "sotay_plugins.agenda"
    label = "agenda"
    verbose_name = _("Lịch và nhiệm vụ")
    version = "0.1"
    depends_on = ("orgtree", "members")
    urls = "sotay_plugins.agenda.urls"

    def ready(self):
        super().ready()
        from sotay_plugins.orgtree.admin.scoped import register_scope_policy

        from . import permissions

        for policy in permissions.POLICIES:
            register_scope_policy(policy)

    def register(self, registry):
        from sotay_plugins.orgtree.roles import CELL_SECRETARY, DOCUMENT_UPLOADER, VIEWER
        from sotay_plugins.registry import CalendarSource, DemoSeeder, NoticeKind, ShellTab

        from . import models as m
        from . import services
        from .api import EntryViewSet, EventsView, FeedResetView, FeedView, TaskViewSet

        # Committees (their advisory bodies' staff) and cell secretaries assign tasks in their
        # subtree and follow them; the unit's own secretary or committee reports for the unit.
        registry.add_capability(
            m.ASSIGN_TASK,
            _("Giao nhiệm vụ cho đảng viên, đơn vị trong phạm vi"),
            roles=[CELL_SECRETARY, DOCUMENT_UPLOADER],
        )
        registry.add_capability(
            m.VIEW_TASK,
            _("Theo dõi nhiệm vụ đã giao và ai quá hạn"),
            roles=[CELL_SECRETARY, DOCUMENT_UPLOADER, VIEWER],
        )
        registry.add_capability(
            m.REPORT_TASK,
            _("Báo cáo tiến độ nhiệm vụ giao cho đơn vị mình"),
            roles=[CELL_SECRETARY, DOCUMENT_UPLOADER],
        )
        registry.add_notice_kind(NoticeKind(m.TASK_ASSIGNED_KIND, _("Được giao nhiệm vụ")))
        registry.add_notice_kind(NoticeKind(m.TASK_DUE_KIND, _("Nhắc hạn nhiệm vụ")))
        registry.add_shell_tab(ShellTab("agenda", _("Lịch"), "agenda:month", icon="☷", order=170))
        registry.add_calendar_source(
            CalendarSource("agenda.tasks", _("Nhiệm vụ"), services.task_events, order=50)
        )
        registry.add_calendar_source(
            CalendarSource("agenda.entries", _("Lịch riêng"), services.entry_events, order=60)
        )
        registry.add_api_path("agenda/events/", EventsView, "agenda-events")
        registry.add_api_path("agenda/feed/", FeedView, "agenda-feed")
        registry.add_api_path("agenda/feed/reset/", FeedResetView, "agenda-feed-reset")
        registry.add_api_route("agenda/entries", EntryViewSet, "agenda-entry")
        registry.add_api_route("agenda/tasks", TaskViewSet, "agenda-task")
        registry.add_demo_seeder(DemoSeeder("agenda", seed_demo, order=95))
