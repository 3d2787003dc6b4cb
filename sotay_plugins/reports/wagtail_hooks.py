"""The reports plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

# rollups

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
