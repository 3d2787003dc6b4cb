"""Admin of the meetings plugin, gathered from its parts (each registers its own Wagtail hooks)."""

from importlib import import_module
from importlib.util import find_spec

for _part in ("admin_meetings", "admin_checkin", "admin_materials"):
    if find_spec(f"sotay_plugins.meetings.{_part}"):
        import_module(f"sotay_plugins.meetings.{_part}")
