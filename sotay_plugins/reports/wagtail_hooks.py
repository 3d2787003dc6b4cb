"""The reports plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

# rollups
from django.urls import include, path, reverse  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402
from wagtail import hooks  # noqa: E402
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem  # noqa: E402

from .rollups import services as rollup_services  # noqa: E402
from .rollups import views as rollup_views  # noqa: E402

#: The hook through which every part of the reports plugin adds an item to its admin menu
#: (Báo cáo – Thống kê).
REPORTS_MENU_HOOK = "register_sotay_reports_menu_item"


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return rollup_services.may_report(request.user)


@hooks.register("register_admin_urls")
def register_rollup_urls():
    patterns = [
        path("bao-cao-thong-ke/", rollup_views.DashboardView.as_view(), name="dashboard"),
        path("bao-cao-thong-ke/it-doc/", rollup_views.ReadersView.as_view(), name="readers"),
    ]
    return [path("", include((patterns, "reports_admin"), namespace="reports_admin"))]


@hooks.register("register_admin_menu_item")
def register_reports_menu():
    return SubmenuMenuItem(
        _("Báo cáo – Thống kê"),
        Menu(register_hook_name=REPORTS_MENU_HOOK, construct_hook_name=None),
        name="bao-cao-thong-ke",
        icon_name="table",
        order=330,
    )


@hooks.register(REPORTS_MENU_HOOK)
def register_dashboard_item():
    return ReportsMenuItem(
        _("Bảng tổng hợp"), reverse("reports_admin:dashboard"), name="bang-tong-hop", order=10
    )


@hooks.register(REPORTS_MENU_HOOK)
def register_readers_item():
    return ReportsMenuItem(
        _("Đảng viên chưa mở, ít mở văn bản"),
        reverse("reports_admin:readers"),
        name="it-doc-van-ban",
        order=20,
    )


# exports
