"""The attendance record every roll shares: who, how they stand, how and when they checked in.

A module keeps its own concrete table (one row per expected participant and event, created when
the event is convened, unique per (event, member)) as a subclass of :class:`AbstractAttendance`
with its foreign key to the event, and registers it as a roll (``attendance.rolls.add``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", _("Chưa điểm danh")
    PRESENT = "present", _("Có mặt")
    LATE = "late", _("Đến muộn")
    EXCUSED = "excused", _("Vắng có lý do")
    ABSENT = "absent", _("Vắng không lý do")


class AttendanceMethod(models.TextChoices):
    CARD = "card", _("Quét thẻ QR")
    APP = "app", _("Quét mã QR trên điện thoại")
    CCCD = "cccd", _("Quét QR trên thẻ CCCD")
    MANUAL = "manual", _("Bí thư đánh dấu")
    OFFLINE = "offline", _("Điểm danh ngoại tuyến, đồng bộ sau")


#: Statuses a scan may turn into present/late. "excused" is included: a member excused in
#: advance who comes after all is present.
SCANNABLE = (AttendanceStatus.EXPECTED, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)
CHECKED_IN = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
MANUAL_STATUSES = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
)


class AbstractAttendance(models.Model):
    """One expected participant of one event. The concrete model adds the foreign key to its
    event, the unique (event, member) constraint, and may override ``member`` for its own
    reverse accessor. Checking in is one conditional UPDATE of this row (``attendance.service``).
    """

    Status = AttendanceStatus
    Method = AttendanceMethod

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("tình trạng"), max_length=8, choices=Status.choices, default=Status.EXPECTED
    )
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    method = models.CharField(_("cách điểm danh"), max_length=8, choices=Method.choices, blank=True)
    checked_in_at = models.DateTimeField(_("giờ điểm danh"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.member} — {self.get_status_display()}"

    @property
    def is_checked_in(self):
        return self.status in CHECKED_IN
