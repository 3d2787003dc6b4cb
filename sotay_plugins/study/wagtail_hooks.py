"""The study plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu

# resolutions and plans
from .plans import admin as plans_admin

# points
from .points import admin as points_admin


@hooks.register("register_admin_viewset")
def register_study_plans_admin():
    return plans_admin.StudyViewSetGroup()


@hooks.register("register_admin_urls")
def register_study_report_urls():
    namespace = "study_reports"
    return [path("", include((plans_admin.urlpatterns, namespace), namespace=namespace))]


@hooks.register("register_reports_menu_item")
def register_study_missing_report():
    return plans_admin.ReportMenuItem(
        _("Đơn vị chưa có kế hoạch thực hiện nghị quyết"),
        reverse("study_reports:missing"),
        icon_name="warning",
        order=710,
    )


@hooks.register("register_reports_menu_item")
def register_study_completion_report():
    return plans_admin.ReportMenuItem(
        _("Kết quả học tập nghị quyết"),
        reverse("study_reports:completion"),
        icon_name="table",
        order=711,
    )


# end resolutions and plans


# quizzes
@hooks.register("register_admin_viewset")
def register_quizzes_admin():
    from .quizzes.admin.views import QuizzesGroup

    return QuizzesGroup()


# points
@hooks.register("register_admin_urls")
def register_points_admin_urls():
    namespace = "points_admin"
    return [path("", include((points_admin.urlpatterns, namespace), namespace=namespace))]


# points
@hooks.register("register_admin_menu_item")
def register_points_menu():
    items = [
        points_admin.PointsMenuItem(
            label, reverse(f"points_admin:{name}"), name=f"diem-{name}", icon_name=icon, order=n
        )
        for n, (label, name, icon) in enumerate(
            (
                (_("Bảng xếp hạng"), "boards", "list-ol"),
                (_("Sổ điểm của đảng viên"), "search", "search"),
                (_("Quy tắc tính điểm"), "rules", "cog"),
            )
        )
    ]
    return points_admin.PointsSubmenu(
        _("Điểm tích lũy"), Menu(items=items), name="diem-tich-luy", icon_name="pick", order=360
    )
