"""Member-facing routes of the study plugin (app namespace ``study``)."""

from django.urls import path

# points
from .points import views as points_views

app_name = "study"
urlpatterns = [
    # points
    path("diem/", points_views.my_points, name="points"),
    path("diem/xep-hang/", points_views.leaderboards, name="boards"),
]
