"""Member-facing routes of the study plugin (app namespace ``study``)."""

from django.urls import path

from .quizzes import views as quiz_views

app_name = "study"
urlpatterns = []

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
