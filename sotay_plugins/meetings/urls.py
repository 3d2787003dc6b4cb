"""Member-facing routes of the meetings plugin, gathered from its parts."""

from importlib import import_module
from importlib.util import find_spec

app_name = "meetings"
urlpatterns = []
for _part in ("urls_meetings", "urls_checkin", "urls_materials"):
    if find_spec(f"sotay_plugins.meetings.{_part}"):
        urlpatterns += import_module(f"sotay_plugins.meetings.{_part}").urlpatterns
