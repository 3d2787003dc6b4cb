"""Study plans, study sessions and implementation plans (kế hoạch thực hiện).

- ``StudyPlan`` (Published): a committee (``issuer_org``) announces the study of a resolution to
  the units of its subtree (``audience_org`` + position and group filters, the scope engine),
  for one or both audiences, with a deadline.
- ``StudySession`` (Published): one session of a plan, held by a unit (``issuer_org``) for the
  members under ``audience_org`` (inside the plan's audience): date, place, expected
  participants. Its ``SessionAttendance`` rows are the study sessions' roll, served by the
  attendance plugin (QR card, rotating app QR, chip card, manual marking, offline queue).
- ``ImplementationPlan`` (Published, issuer = audience = the committee's own unit): a lower
  committee records its own plan for the upper plan's resolution, once per plan and unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay_plugins.attendance.models import AbstractAttendance
from sotay_plugins.orgtree.models import Published
from sotay_plugins.orgtree.scope import ScopeSpec
from sotay_plugins.storage import private_storage

from ..resolutions.models import VIEW_STUDY, Audience, ResolutionPage

CHECK_IN_STUDY = "study.check_in"  # take attendance at the unit's study sessions
RECORD_IMPLEMENTATION = "study.record_implementation"  # record the unit's implementation plan


class PlanAudiences(models.TextChoices):
    DANG_VIEN = Audience.DANG_VIEN.value, Audience.DANG_VIEN.label
    DOAN_VIEN_HOI_VIEN = Audience.DOAN_VIEN_HOI_VIEN.value, Audience.DOAN_VIEN_HOI_VIEN.label
    BOTH = "ca_hai", _("Đảng viên; đoàn viên, hội viên")


class StudyPlan(Published):
    """A committee's plan to study a resolution in the units under it."""

    resolution = models.ForeignKey(
        ResolutionPage,
        verbose_name=_("nghị quyết"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    title = models.CharField(_("tên kế hoạch"), max_length=255)
    audiences = models.CharField(
        _("đối tượng học tập"),
        max_length=24,
        choices=PlanAudiences.choices,
        default=PlanAudiences.DANG_VIEN,
    )
    description = models.TextField(_("nội dung, yêu cầu"), blank=True, max_length=5000)
    deadline = models.DateField(
        _("hạn hoàn thành"),
        help_text=_("Hạn học tập xong và hạn các cấp ủy trực thuộc có kế hoạch thực hiện."),
    )
    cells_plan_too = models.BooleanField(
        _("chi bộ cũng phải có kế hoạch thực hiện"),
        default=False,
        help_text=_("Mặc định chỉ cấp huyện và tổ chức cơ sở đảng phải có kế hoạch thực hiện."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeSpec(org_field="issuer_org", view_capability=VIEW_STUDY, audience=True)

    class Meta:
        ordering = ["-deadline", "-pk"]
        verbose_name = _("kế hoạch học tập")
        verbose_name_plural = _("kế hoạch học tập")
        indexes = [models.Index(fields=["audience_org", "deadline"], name="studyplan_audience")]

    def __str__(self):
        return self.title


class StudySession(Published):
    """One study session of a plan (hội nghị học tập, quán triệt)."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Đã lên lịch")
        HELD = "held", _("Đã học")
        CANCELLED = "cancelled", _("Đã hủy")

    plan = models.ForeignKey(
        StudyPlan,
        verbose_name=_("kế hoạch học tập"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    title = models.CharField(_("tên buổi học"), max_length=255)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255)
    expected_participants = models.PositiveIntegerField(
        _("số người dự kiến"), default=0, help_text=_("Để 0: tính theo danh sách được mời.")
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.SCHEDULED
    )
    points_awarded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeSpec(org_field="audience_org", view_capability=VIEW_STUDY, audience=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("buổi học tập nghị quyết")
        verbose_name_plural = _("buổi học tập nghị quyết")
        indexes = [
            models.Index(fields=["audience_org", "starts_at"], name="studysession_audience"),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y %H:%M})"

    @property
    def is_locked(self):
        return self.state == self.State.CANCELLED


class SessionAttendance(AbstractAttendance):
    """One expected participant of a study session (created with the session): the study
    sessions' roll. Checking in is one UPDATE of this row (attendance plugin): exactly once."""

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="study_attendance"
    )

    class Meta:
        verbose_name = _("điểm danh buổi học")
        verbose_name_plural = _("điểm danh buổi học")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="study_attendance_once")
        ]
        indexes = [models.Index(fields=["member", "session"], name="study_attendance_member")]


def implementation_upload_to(instance, filename):
    now = timezone.now()
    return f"study/implementation/{now:%Y/%m}/{filename}"


class ImplementationPlan(Published):
    """A lower committee's own plan to implement an upper plan's resolution (one per unit)."""

    plan = models.ForeignKey(
        StudyPlan,
        verbose_name=_("kế hoạch học tập của cấp trên"),
        on_delete=models.CASCADE,
        related_name="implementation_plans",
    )
    number = models.CharField(_("số hiệu"), max_length=60, help_text=_("Ví dụ: 12-KH/HU"))
    issued_on = models.DateField(_("ngày ban hành"))
    text = models.TextField(_("nội dung"), blank=True, max_length=20000)
    file = models.FileField(
        _("tệp kế hoạch"),
        storage=private_storage,
        upload_to=implementation_upload_to,
        max_length=255,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeSpec(org_field="issuer_org", view_capability=VIEW_STUDY, audience=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("kế hoạch thực hiện")
        verbose_name_plural = _("kế hoạch thực hiện")
        constraints = [
            models.UniqueConstraint(fields=["plan", "issuer_org"], name="implementation_once")
        ]

    def __str__(self):
        return f"{self.number} · {self.issuer_org}" if self.issuer_org_id else self.number

    def days_late(self):
        """Days after the plan's deadline it was issued (0: on time)."""
        return max(0, (self.issued_on - self.plan.deadline).days)
