"""The study plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

# resolutions and plans
from .plans import admin as plans_admin


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
