"""The meetings plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .admin import materials, meetings


@hooks.register("register_admin_viewset")
def register_meeting_admin():
    return meetings.MeetingViewSet()


@hooks.register("register_reports_menu_item")
def register_missing_report():
    return meetings.MissingReportMenuItem(
        _("Chi bộ chưa đăng ký lịch tháng sau"),
        reverse("meetings_meeting:missing"),
        icon_name="warning",
        order=700,
    )


@hooks.register("register_admin_urls")
def register_materials_admin_urls():
    namespace = "meetings_materials_admin"
    return [path("", include((materials.urlpatterns, namespace), namespace=namespace))]


@hooks.register("register_admin_viewset")
def register_material_viewset():
    return materials.MaterialViewSet()


@hooks.register("register_admin_menu_item")
def register_report_menu_item():
    return materials.ReportMenuItem(
        _("Báo cáo sinh hoạt chi bộ"),
        reverse("meetings_materials_admin:report"),
        name="bao-cao-sinh-hoat",
        icon_name="table",
        order=340,
    )
