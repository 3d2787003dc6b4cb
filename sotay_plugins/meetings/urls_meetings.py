from django.urls import path

from . import views_meetings as views

urlpatterns = [
    path("sinh-hoat/", views.meeting_list, name="list"),
    path("sinh-hoat/lich.ics", views.calendar_feed, name="ical"),
    path("sinh-hoat/<int:pk>/", views.meeting_detail, name="detail"),
    path("sinh-hoat/<int:pk>/gop-y/", views.add_comment, name="comment"),
]
