from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class StudyConfig(PluginConfig):
    default = True
    name = "sotay_plugins.study"
    label = "study"
    verbose_name = _("Học tập nghị quyết")
    version = "0.1"
    depends_on = ("orgtree", "members", "attendance")
    urls = "sotay_plugins.study.urls"

    def ready(self):
        super().ready()
        # resolutions and plans
        from sotay_plugins.orgtree.admin.scoped import register_scope_policy

        from .plans.permissions import POLICIES

        for policy in POLICIES:
            register_scope_policy(policy)
        # end resolutions and plans

        # quizzes
        from .quizzes import permissions as quiz_permissions

        for policy in quiz_permissions.POLICIES:
            register_scope_policy(policy)

        # points
        from .points.wiring import ready as points_ready

        points_ready()

    def register(self, registry):
        # resolutions and plans
        from .plans.apps import register as register_plans
        from .resolutions.apps import register as register_resolutions

        register_resolutions(registry)
        register_plans(registry)
        # end resolutions and plans

        # quizzes
        from .quizzes.apps import register as register_quizzes

        register_quizzes(registry)

        # points
        from .points.wiring import register as points_register

        points_register(registry)

        # calendar (agenda plugin): sessions and quiz deadlines
        from sotay_plugins.registry import CalendarSource

        from . import calendar_events

        registry.add_calendar_source(
            CalendarSource(
                "study.sessions",
                _("Học tập nghị quyết"),
                calendar_events.session_events,
                order=20,
            )
        )
        registry.add_calendar_source(
            CalendarSource(
                "study.quizzes", _("Hạn bài kiểm tra"), calendar_events.quiz_events, order=30
            )
        )
