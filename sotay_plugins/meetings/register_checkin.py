"""The check-in part of the meetings plugin: its API paths (plain views, beside the meetings viewset)."""


def register(registry):
    from .api_checkin import AttendanceView, CheckInView, MarkView, OfflineCheckInView

    registry.add_api_path("meetings/<int:pk>/checkin/", CheckInView, "meeting-checkin")
    registry.add_api_path(
        "meetings/<int:pk>/checkin/offline/", OfflineCheckInView, "meeting-checkin-offline"
    )
    registry.add_api_path("meetings/<int:pk>/attendance/", AttendanceView, "meeting-attendance")
    registry.add_api_path("meetings/<int:pk>/attendance/mark/", MarkView, "meeting-attendance-mark")
