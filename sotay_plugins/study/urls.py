"""Member-facing routes of the study plugin (app namespace ``study``)."""

from django.urls import path

from sotay_plugins.attendance.rolls import scan_urls

# resolutions and plans
from .plans import views as plan_views
from .plans.roll import ROLL_KEY as STUDY_ROLL
from .points import views as points_views
from .quizzes import views as quiz_views
from .resolutions import views as resolution_views

app_name = "study"
urlpatterns = [
    # resolutions and plans
    path("hoc-tap/", resolution_views.home, name="home"),
    path("hoc-tap/nghi-quyet/<int:pk>/", resolution_views.reader, name="resolution"),
    path("hoc-tap/nghi-quyet/<int:pk>/da-doc/", resolution_views.mark_read, name="resolution_read"),
    path("hoc-tap/nghi-quyet/<int:pk>/am-thanh/", resolution_views.audio, name="resolution_audio"),
    path("hoc-tap/buoi-hoc/", plan_views.session_list, name="sessions"),
    path("hoc-tap/buoi-hoc/<int:pk>/", plan_views.session_detail, name="session"),
    *scan_urls(STUDY_ROLL, "hoc-tap/buoi-hoc/<int:pk>/diem-danh/", name="session_checkin"),
    # end resolutions and plans
]

# quizzes
urlpatterns += [
    path("hoc-tap/kiem-tra/", quiz_views.quiz_list, name="quizzes"),
    path("hoc-tap/kiem-tra/<int:pk>/", quiz_views.quiz_detail, name="quiz"),
    path("hoc-tap/kiem-tra/<int:pk>/bat-dau/", quiz_views.quiz_start, name="quiz_start"),
    path(
        "hoc-tap/kiem-tra/<int:pk>/lan/<int:attempt>/",
        quiz_views.attempt_page,
        name="quiz_attempt",
    ),
    path(
        "hoc-tap/kiem-tra/<int:pk>/lan/<int:attempt>/ket-qua/",
        quiz_views.result_page,
        name="quiz_result",
    ),
]

# points
urlpatterns += [
    path("diem/", points_views.my_points, name="points"),
    path("diem/xep-hang/", points_views.leaderboards, name="boards"),
]
