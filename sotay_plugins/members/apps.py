from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class MembersConfig(PluginConfig):
    default = True
    name = "sotay_plugins.members"
    label = "members"
    verbose_name = _("Hồ sơ đảng viên")
    version = "1.0"
    depends_on = ("orgtree",)

    def register(self, registry):
        from sotay_plugins import signals
        from sotay_plugins.orgtree.roles import CELL_SECRETARY, MEMBER_UPDATER, VIEWER
        from sotay_plugins.registry import HomeCard, ShellTab

        from . import credential_views, credentials, services
        from .api import MemberViewSet, MeView, TokenView

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
        registry.subject_resolver = services.resolve_subject
        registry.set_credential_resolver(credentials.RESOLVER)
        registry.add_shell_tab(ShellTab("home", _("Trang chủ"), "members:home", icon="⌂", order=0))
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
        registry.add_api_path("auth/token/", TokenView, "token")
        registry.add_api_path("me/", MeView, "me")
        credential_views.register(registry)  # the "Mã QR" tab and /api/v1/me/qr/
        signals.org_merged.connect(services.on_org_merged, dispatch_uid="members.org_merged")
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from .models import Member

        for model in (get_user_model(), Member):  # kept pages (pagecache) show the person's record
            post_save.connect(
                services.touch_person,
                sender=model,
                dispatch_uid=f"members.touch.save.{model.__name__}",
            )
            post_delete.connect(
                services.touch_person,
                sender=model,
                dispatch_uid=f"members.touch.delete.{model.__name__}",
            )
        signals.org_dissolving.connect(
            services.on_org_dissolving, dispatch_uid="members.org_dissolving"
        )
