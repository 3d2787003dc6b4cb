from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class MembersConfig(PluginConfig):
    default = True
    name = "sotay_plugins.members"
    label = "members"
    verbose_name = _("Hồ sơ đảng viên")
    version = "1.0"
    depends_on = ("orgtree",)
    urls = "sotay_plugins.members.urls"

    def register(self, registry):
        from sotay_plugins.orgtree.roles import CELL_SECRETARY, MEMBER_UPDATER, VIEWER
        from sotay_plugins.registry import HomeCard, ShellTab

        from . import credentials, services
        from .api import MemberViewSet, MeView, TokenView
        from .views.qr import MyQrView

        registry.add_capability(
            "members.view_member",
            _("Xem hồ sơ đảng viên"),
            roles=[MEMBER_UPDATER, VIEWER, CELL_SECRETARY],
        )
        registry.add_capability(
            "members.view_personal",
            _("Xem CCCD, ngày sinh, địa chỉ của đảng viên"),
            roles=[MEMBER_UPDATER],
        )
        registry.add_capability(
            "members.change_member", _("Cập nhật hồ sơ đảng viên"), roles=[MEMBER_UPDATER]
        )
        registry.add_capability(
            "members.transfer_member", _("Chuyển sinh hoạt đảng"), roles=[MEMBER_UPDATER]
        )
        registry.add_capability(
            "members.import_members",
            _("Nhập danh sách đảng viên từ tệp Excel"),
            roles=[MEMBER_UPDATER],
        )
        registry.add_capability(
            "members.issue_activation",
            _("Cấp mã kích hoạt tài khoản"),
            roles=[MEMBER_UPDATER, CELL_SECRETARY],
        )
        registry.add_capability(
            "members.reset_account",
            _("Đặt lại tài khoản đã kích hoạt (cấp lại mã kích hoạt)"),
            roles=[],  # full administrators only (they hold every capability)
        )
        registry.subject_resolver = services.resolve_subject
        registry.account_cell_resolver = services.account_cell
        registry.set_credential_resolver(credentials.RESOLVER)
        registry.add_shell_tab(ShellTab("home", _("Trang chủ"), "members:home", icon="⌂", order=0))
        registry.add_shell_tab(ShellTab("my_qr", _("Mã QR"), "members:my_qr", icon="▦", order=50))
        registry.add_shell_tab(
            ShellTab("profile", _("Hồ sơ"), "members:profile", icon="☺", order=900)
        )
        registry.add_home_card(
            HomeCard(
                "members.welcome",
                "members/cards/welcome.html",
                services.home_card,
                order=0,
                depends=services.home_card_depends,
                expires=services.home_card_expires,
            )
        )
        registry.add_api_route("members", MemberViewSet, "member")
        # The members' figures for the reports module (counts by criterion, changes).
        from .statistics import provider as statistics_provider

        registry.add_statistic(statistics_provider())
        registry.add_api_path("auth/token/", TokenView, "token")
        registry.add_api_path("me/", MeView, "me")
        registry.add_api_path("me/qr/", MyQrView, "me-qr")
        # Offline (issue 18): the printed card's code, kept on the phone for check-in offline.
        from sotay_plugins.registry import OfflineSource

        from . import offline

        registry.add_offline_source(
            OfflineSource(
                "members", _("Mã QR thẻ điểm danh"), offline.items, offline.visible, order=10
            )
        )

    def ready(self):
        super().ready()
        from . import receivers

        receivers.connect()
        self.register_policies()

    @staticmethod
    def register_policies():
        """What each admin action on a member needs (``orgtree.admin.scoped``)."""
        from sotay_plugins.orgtree.admin.scoped import register_scope_policy

        from .models import Member
        from .permissions import MemberPermissionPolicy

        register_scope_policy(
            MemberPermissionPolicy(
                Member,
                {
                    "view": "members.view_member",
                    "add": "members.change_member",
                    "change": "members.change_member",
                    "transfer": "members.transfer_member",
                    "issue_activation": "members.issue_activation",
                    "reset_account": "members.reset_account",
                    "view_personal": "members.view_personal",
                    # no "delete": a member leaves the register through a status, never a row
                },
            )
        )
