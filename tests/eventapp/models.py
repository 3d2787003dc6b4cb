"""A test-only kind of event with its own roll: proves the attendance plugin serves any module.

Its field names differ from the meetings' on purpose (``session``, ``opens_at``, ``phase``), so
that nothing in the attendance plugin can lean on the meetings' names.
"""

from django.db import models

from sotay_plugins.attendance.models import AbstractAttendance
from sotay_plugins.orgtree.models import Published
from sotay_plugins.orgtree.scope import ScopeSpec

VIEW_SESSION = "eventapp.view_session"
TAKE_ROLL = "eventapp.take_roll"


class StudySession(Published):
    class Phase(models.TextChoices):
        PLANNED = "planned", "Đã lên lịch"
        DONE = "done", "Đã xong"
        DROPPED = "dropped", "Đã bỏ"

    title = models.CharField("tiêu đề", max_length=120)
    opens_at = models.DateTimeField("bắt đầu")
    phase = models.CharField("giai đoạn", max_length=8, choices=Phase.choices, default="planned")

    scope = ScopeSpec(org_field="audience_org", view_capability=VIEW_SESSION, audience=True)

    def __str__(self):
        return self.title


class SessionAttendance(AbstractAttendance):
    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="roll")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="session_attendance_once")
        ]
