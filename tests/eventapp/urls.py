"""The test URLconf: the project's, plus the dummy module's scan page (as a module's urls.py)."""

from django.urls import include, path

from config.urls import urlpatterns as project
from sotay_plugins.attendance.rolls import scan_urls

eventapp = (scan_urls("eventapp", "buoi-hoc/<int:pk>/diem-danh/", name="scan"), "eventapp")
urlpatterns = [path("", include(eventapp)), *project]
