"""The feedback plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import services
from .admin import handling, settings


@hooks.register("register_admin_viewset")
def register_settings_viewsets():
    return settings.FeedbackSettingsGroup()


@hooks.register("register_admin_urls")
def register_handling_urls():
    return [path("", include((handling.urlpatterns, "feedback_admin"), namespace="feedback_admin"))]


class HandlerMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(services.handled_receiver_ids(request.user))


class ScreenerMenuItem(MenuItem):
    def is_shown(self, request):
        from sotay_plugins.orgtree import scope

        from .models import REVIEW

        return bool(scope.managed_ranges(request.user, REVIEW))


class CustodianMenuItem(MenuItem):
    def is_shown(self, request):
        from .models import Custodianship, RevealRequest

        user = request.user
        return (
            Custodianship.objects.filter(user_id=user.pk).exists()
            or RevealRequest.objects.filter(requested_by_id=user.pk).exists()
        )


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return services.reportable_receivers(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item():
    return HandlerMenuItem(
        _("Xử lý góp ý"),
        reverse("feedback_admin:inbox"),
        name="xu-ly-gop-y",
        icon_name="mail",
        order=350,
    )


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return ScreenerMenuItem(
        _("Sàng lọc góp ý"),
        reverse("feedback_admin:review"),
        name="sang-loc-gop-y",
        icon_name="warning",
        order=351,
    )


@hooks.register("register_admin_menu_item")
def register_custody_menu_item():
    return CustodianMenuItem(
        _("Giữ danh tính"),
        reverse("feedback_admin:custody"),
        name="giu-danh-tinh",
        icon_name="key",
        order=352,
    )


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return ReportMenuItem(
        _("Báo cáo góp ý"),
        reverse("feedback_admin:report"),
        name="bao-cao-gop-y",
        icon_name="table",
        order=720,
    )
