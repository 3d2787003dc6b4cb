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
        path("bao-cao-thong-ke/van-ban/", rollup_views.DocumentsView.as_view(), name="documents"),
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


@hooks.register(REPORTS_MENU_HOOK)
def register_documents_item():
    return ReportsMenuItem(
        _("Văn bản triển khai và lượt mở"),
        reverse("reports_admin:documents"),
        name="van-ban-trien-khai",
        order=15,
    )


# exports
from django.urls import include as exports_include  # noqa: E402
from django.urls import path as exports_path  # noqa: E402
from django.urls import reverse as exports_reverse  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402
from wagtail import hooks  # noqa: E402
from wagtail.admin import menu as wagtail_menu  # noqa: E402

from .exports import admin as exports_admin  # noqa: E402
from .exports import services as exports_services  # noqa: E402
from .exports.wiring import register_log_actions as register_export_log_actions  # noqa: E402

if "REPORTS_MENU_HOOK" not in globals():  # the roll-ups part above declares the submenu
    #: "Báo cáo – Thống kê": the plugin's submenu; each part adds its items through this hook.
    REPORTS_MENU_HOOK = "register_sotay_reports_menu_item"

    @hooks.register("register_admin_menu_item")
    def register_reports_menu():
        return wagtail_menu.SubmenuMenuItem(
            gettext_lazy("Báo cáo – Thống kê"),
            wagtail_menu.Menu(register_hook_name=REPORTS_MENU_HOOK, construct_hook_name=None),
            name="bao-cao-thong-ke",
            icon_name="table",
            order=330,
        )


@hooks.register("register_admin_urls")
def register_exports_urls():
    return [
        exports_path(
            "",
            exports_include(
                (exports_admin.urlpatterns, "reports_exports"), namespace="reports_exports"
            ),
        )
    ]


@hooks.register("register_log_actions")
def register_exports_log_actions(actions):
    register_export_log_actions(actions)


class ExportsMenuItem(wagtail_menu.MenuItem):
    def is_shown(self, request):
        return exports_services.may_export(request.user)


@hooks.register(REPORTS_MENU_HOOK)
def register_exports_menu_item():
    return ExportsMenuItem(
        gettext_lazy("Xuất báo cáo"),
        exports_reverse("reports_exports:index"),
        name="xuat-bao-cao",
        icon_name="download",
        order=900,
    )
