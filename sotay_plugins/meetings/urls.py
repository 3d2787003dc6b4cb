"""Member-facing routes of the meetings plugin (app namespace ``meetings``)."""

from django.urls import path

from sotay_plugins.attendance.rolls import scan_urls

from .roll import ROLL_KEY
from .views import materials, meetings, secretary

app_name = "meetings"
urlpatterns = [
    path("sinh-hoat/", meetings.meeting_list, name="list"),
    path("sinh-hoat/lich.ics", meetings.calendar_feed, name="ical"),
    path("sinh-hoat/<int:pk>/", meetings.meeting_detail, name="detail"),
    path("sinh-hoat/<int:pk>/gop-y/", meetings.add_comment, name="comment"),
    # The scan page of the meetings' roll (the attendance plugin's view).
    *scan_urls(ROLL_KEY, "sinh-hoat/<int:pk>/diem-danh/", name="checkin"),
    # The cell secretary's pages (views/secretary.py).
    path("sinh-hoat/bi-thu/", secretary.meeting_list, name="sec_list"),
    path("sinh-hoat/bi-thu/trieu-tap/", secretary.convene, name="sec_convene"),
    path("sinh-hoat/<int:pk>/bi-thu/", secretary.meeting_page, name="sec_meeting"),
    path("sinh-hoat/<int:pk>/bi-thu/sua/", secretary.edit, name="sec_edit"),
    path("sinh-hoat/<int:pk>/bi-thu/huy/", secretary.cancel, name="sec_cancel"),
    path("sinh-hoat/<int:pk>/bi-thu/tai-lieu/", secretary.materials, name="sec_materials"),
    path("sinh-hoat/<int:pk>/bi-thu/diem-danh/", secretary.mark, name="sec_mark"),
    path("sinh-hoat/<int:pk>/bi-thu/bien-ban/", secretary.minutes, name="sec_minutes"),
    path("sinh-hoat/<int:pk>/bi-thu/chua-doc/", secretary.not_opened, name="sec_not_opened"),
    path("tai-lieu-sinh-hoat/", materials.material_list, name="materials"),
    path("tai-lieu-sinh-hoat/<int:pk>/", materials.material_detail, name="material"),
    path("tai-lieu-sinh-hoat/<int:pk>/tep/", materials.material_download, name="material_file"),
]
