from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class FeedbackConfig(PluginConfig):
    default = True
    name = "sotay_plugins.feedback"
    label = "feedback"
    verbose_name = _("Góp ý, phản ánh và hỏi đáp")
    version = "0.1"
    depends_on = ("orgtree", "members")
    urls = "sotay_plugins.feedback.urls"

    def ready(self):
        super().ready()
        from sotay_plugins.orgtree.admin.scoped import register_scope_policy

        from . import permissions, receivers

        for policy in permissions.POLICIES:
            register_scope_policy(policy)
        receivers.connect()

    def register(self, registry):
        from sotay_plugins.orgtree.roles import STAFF_BASE, VIEWER
        from sotay_plugins.registry import (
            CalendarSource,
            DemoSeeder,
            NoticeKind,
            SearchableKind,
            ShellTab,
        )

        from . import calendar_events, services
        from . import models as m
        from .api import feedback as feedback_api
        from .api import questions as questions_api

        registry.add_role(
            m.HANDLER_ROLE,
            _("Xử lý góp ý, phản ánh"),
            _("Tiếp nhận, phân công, trả lời, chuyển và kết thúc góp ý gửi đến đúng đơn vị mình."),
            capabilities=STAFF_BASE,
        )
        registry.add_role(
            m.CUSTODIAN_ROLE,
            _("Người giữ danh tính"),
            _(
                "Người duy nhất của một đơn vị nhận được quyết định mở danh tính người gửi góp ý "
                "ẩn danh, theo đề nghị bằng văn bản của cán bộ xử lý."
            ),
            capabilities=STAFF_BASE,
        )
        registry.add_role(
            m.SCREENER_ROLE,
            _("Sàng lọc góp ý"),
            _("Giữ các nhóm từ khóa và xem xét góp ý bị gắn cờ (cơ quan giúp việc Ban Thường vụ)."),
            capabilities=STAFF_BASE,
        )
        registry.add_capability(m.HANDLE, _("Xử lý góp ý gửi đến đơn vị"), roles=[m.HANDLER_ROLE])
        registry.add_capability(
            m.MANAGE, _("Quản lý chủ đề và đơn vị nhận góp ý"), roles=[m.SCREENER_ROLE]
        )
        registry.add_capability(m.REVIEW, _("Sàng lọc góp ý theo từ khóa"), roles=[m.SCREENER_ROLE])
        registry.add_capability(
            m.VIEW_REPORTS, _("Xem báo cáo góp ý"), roles=[VIEWER, m.SCREENER_ROLE]
        )
        registry.add_capability(
            m.ANSWER, _("Trả lời hỏi đáp của đảng viên"), roles=[m.HANDLER_ROLE]
        )
        for key, label in (
            (services.NEW_KIND, _("Góp ý mới đến đơn vị")),
            (services.UPDATE_KIND, _("Cập nhật góp ý của tôi")),
            (services.DUE_KIND, _("Góp ý sắp đến hạn xử lý")),
            (services.REVEAL_KIND, _("Danh tính người gửi góp ý được mở")),
            (services.ANSWER_KIND, _("Câu hỏi đã được trả lời")),
        ):
            registry.add_notice_kind(NoticeKind(key, label))
        registry.add_shell_tab(
            ShellTab("feedback", _("Góp ý"), "feedback:list", icon="✉", order=400)
        )
        registry.add_api_route("feedback", feedback_api.FeedbackViewSet, "feedback")
        registry.add_api_path(
            "feedback/receivers/", feedback_api.ReceiverListView, "feedback-receivers"
        )
        registry.add_api_route("feedback-inbox", feedback_api.InboxViewSet, "feedback-inbox")
        registry.add_api_route("feedback-reveals", feedback_api.RevealViewSet, "feedback-reveal")
        registry.add_api_route("questions", questions_api.QuestionViewSet, "question")
        registry.add_api_path(
            "reports/feedback/", feedback_api.FeedbackReportView, "report-feedback"
        )
        registry.add_searchable(
            SearchableKind(
                key="feedback.faq",
                label=_("Hỏi đáp"),
                model=m.Question,
                title_field="title",
                folded_field="search_folded",
                date_field="published_at",
                queryset=lambda: m.Question.objects.filter(is_published=True),
                url=lambda q: _question_url(q),
                order=300,
                text=lambda q: f"{q.text} {q.answer}",
            )
        )
        # Feedback per receiving unit and month, for the reports' roll-ups (issue 16).
        from .statistics import provider as statistics_provider

        registry.add_statistic(statistics_provider())
        registry.add_demo_seeder(DemoSeeder("feedback", seed_demo, order=80))
        registry.add_calendar_source(
            CalendarSource("feedback", _("Hạn xử lý góp ý"), calendar_events.events, order=40)
        )


def seed_demo(*, scale, seed, stdout=None):
    """``seed_demo``'s step for feedback: the only way into ``feedback.demo`` (demo data is
    imported when a demo is seeded, never by the running site)."""
    from .demo.seed import seed_demo as seed_feedback

    return seed_feedback(scale=scale, seed=seed, stdout=stdout)


def _question_url(question):
    from django.urls import reverse

    return reverse("feedback:question", args=[question.pk])
