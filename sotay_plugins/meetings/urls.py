"""Member-facing routes of the meetings plugin (app namespace ``meetings``)."""

from django.urls import path

from sotay_plugins.attendance.rolls import scan_urls

from .roll import ROLL_KEY
from .views import materials, meetings

app_name = "meetings"
urlpatterns = [
    path("sinh-hoat/", meetings.meeting_list, name="list"),
    path("sinh-hoat/lich.ics", meetings.calendar_feed, name="ical"),
    path("sinh-hoat/<int:pk>/", meetings.meeting_detail, name="detail"),
    path("sinh-hoat/<int:pk>/gop-y/", meetings.add_comment, name="comment"),
    # The scan page of the meetings' roll (the attendance plugin's view).
    *scan_urls(ROLL_KEY, "sinh-hoat/<int:pk>/diem-danh/", name="checkin"),
    path("tai-lieu-sinh-hoat/", materials.material_list, name="materials"),
    path("tai-lieu-sinh-hoat/<int:pk>/", materials.material_detail, name="material"),
    path("tai-lieu-sinh-hoat/<int:pk>/tep/", materials.material_download, name="material_file"),
]
