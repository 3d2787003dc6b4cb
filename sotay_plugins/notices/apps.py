from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class NoticesConfig(PluginConfig):
    default = True
    name = "sotay_plugins.notices"
    label = "notices"
    verbose_name = _("Thông báo")
    version = "0.1"
    depends_on = ("orgtree", "members")
    urls = "sotay_plugins.notices.urls"

    def ready(self):
        super().ready()
        from sotay_plugins.orgtree.admin.scoped import register_scope_policy

        from . import permissions, receivers

        for policy in permissions.POLICIES:
            register_scope_policy(policy)
        receivers.connect()

    def register(self, registry):
        from sotay_plugins.orgtree.roles import CELL_SECRETARY, DOCUMENT_UPLOADER, VIEWER
        from sotay_plugins.registry import DemoSeeder, NoticeKind, ShellTab

        from . import models as m
        from . import services
        from .api import (
            NoticeViewSet,
            PreferencesView,
            PushKeyView,
            PushSubscriptionViewSet,
            ReadAllView,
        )
        from .demo import seed_demo

        # Committees and cell secretaries send their own notices to their subtree.
        registry.add_capability(
            m.SEND_NOTICE,
            _("Gửi thông báo tới đảng viên trong phạm vi"),
            roles=[CELL_SECRETARY, DOCUMENT_UPLOADER],
        )
        registry.add_capability(
            m.VIEW_NOTICE,
            _("Xem thông báo đã gửi và số người nhận"),
            roles=[CELL_SECRETARY, DOCUMENT_UPLOADER, VIEWER],
        )
        registry.add_notice_kind(NoticeKind(m.ANNOUNCEMENT_KIND, _("Thông báo của cấp ủy")))
        registry.add_notice_kind(
            NoticeKind(
                m.REQUIRED_ANNOUNCEMENT_KIND,
                _("Thông báo bắt buộc của cấp ủy"),
                required=True,
            )
        )
        registry.add_notice_kind(NoticeKind(m.DIGEST_KIND, _("Tóm tắt thông báo trong ngày")))
        registry.add_shell_tab(
            ShellTab(
                "notices",
                _("Thông báo"),
                "notices:inbox",
                icon="✉",
                order=150,
                badge=services.shell_badge,
            )
        )
        registry.add_api_path("notices/read-all/", ReadAllView, "notice-read-all")
        registry.add_api_path("notices/preferences/", PreferencesView, "notice-preferences")
        registry.add_api_path("notices/push-key/", PushKeyView, "notice-push-key")
        registry.add_api_route(
            "notices/push-subscriptions", PushSubscriptionViewSet, "push-subscription"
        )
        registry.add_api_route("notices", NoticeViewSet, "notice")
        registry.add_demo_seeder(DemoSeeder("notices", seed_demo, order=90))
