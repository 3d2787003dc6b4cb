"""Cell meetings (SPEC.md module 4): the meeting, its expected participants and their
attendance, materials from three levels and which meetings used them, opens of materials
before the meeting, and members' comments on the draft resolution."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay_plugins.attendance.models import AbstractAttendance
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Published
from sotay_plugins.orgtree.scope import ScopeSpec
from sotay_plugins.receipts import Receipt
from sotay_plugins.storage import private_storage

from .choices import MeetingKind

VIEW_MEETING = "meetings.view_meeting"
CONVENE = "meetings.convene"
CHECK_IN = "meetings.check_in"
MANAGE_MATERIALS = "meetings.manage_materials"
VIEW_REPORTS = "meetings.view_reports"


class Meeting(Published):
    """A meeting of one cell. Its issuer and audience are both the cell: members of that cell
    see it (through the scope engine), and staff holding ``meetings.view_meeting`` above it."""

    Kind = MeetingKind

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Đã triệu tập")
        HELD = "held", _("Đã họp")
        CLOSED = "closed", _("Đã duyệt biên bản, khóa")
        CANCELLED = "cancelled", _("Đã hủy")

    kind = models.CharField(_("loại"), max_length=14, choices=Kind.choices, default=Kind.REGULAR)
    title = models.CharField(_("tiêu đề"), max_length=255)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    online_link = models.URLField(_("đường dẫn họp trực tuyến"), blank=True)
    chair = models.ForeignKey(
        "members.Member",
        verbose_name=_("chủ trì"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorder = models.ForeignKey(
        "members.Member",
        verbose_name=_("thư ký cuộc họp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agenda = models.TextField(_("chương trình"), blank=True)
    content = models.TextField(_("nội dung"), blank=True)
    draft_resolution = models.TextField(
        _("dự thảo nghị quyết"),
        blank=True,
        help_text=_("Đảng viên trong chi bộ góp ý trước buổi họp."),
    )
    minutes = models.TextField(_("biên bản"), blank=True)
    resolution = models.TextField(_("nghị quyết của chi bộ"), blank=True)
    minutes_approved_at = models.DateTimeField(_("duyệt biên bản lúc"), null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = ScopeSpec(org_field="audience_org", view_capability=VIEW_MEETING, audience=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("buổi sinh hoạt chi bộ")
        verbose_name_plural = _("sinh hoạt chi bộ")
        indexes = [models.Index(fields=["audience_org", "starts_at"], name="meeting_cell_time_idx")]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    @property
    def cell(self):
        return self.audience_org

    @property
    def is_locked(self):
        return self.state in (self.State.CLOSED, self.State.CANCELLED)

    @property
    def is_held(self):
        """It has taken place (minutes written, or approved): its page shows the minutes and the
        cell's resolution, and the search indexes them."""
        return self.state in (self.State.HELD, self.State.CLOSED)

    def clean(self):
        super().clean()
        if self.audience_org_id and self.audience_org.kind != OrgKind.CELL:
            raise ValidationError({"audience_org": _("Buổi sinh hoạt phải thuộc một chi bộ.")})
        if self.issuer_org_id and self.issuer_org_id != self.audience_org_id:
            raise ValidationError({"issuer_org": _("Chi bộ triệu tập chính là chi bộ sinh hoạt.")})
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("Giờ kết thúc phải sau giờ bắt đầu.")})


class Attendance(AbstractAttendance):
    """One row per expected participant, created when the meeting is convened: the meetings'
    roll (registered in ``apps.py``). Checking in is one UPDATE of this row: a unique
    (meeting, member) pair makes retries, double scans and concurrent scanners land exactly once.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="attendance"
    )

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]
        indexes = [models.Index(fields=["member", "meeting"], name="attendance_member_idx")]


class Material(Published):
    """A meeting material. Issued by the province, a district-level committee, a base
    organisation or the cell itself (internal: issuer = audience = the cell, visible to that
    cell only). Cells pick upper-level materials for their meetings (MeetingMaterial); the issuer
    then sees only whether, where and when its material was used."""

    title = models.CharField(_("tiêu đề"), max_length=255)
    summary = models.TextField(_("tóm tắt"), blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    file = models.FileField(
        _("tệp"), upload_to="materials/%Y/%m/", storage=private_storage, blank=True
    )
    month = models.DateField(
        _("dùng cho tháng"),
        null=True,
        blank=True,
        help_text=_("Ngày đầu tháng của kỳ sinh hoạt mà tài liệu dành cho."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeSpec(org_field="issuer_org", view_capability=MANAGE_MATERIALS, audience=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tài liệu sinh hoạt")
        verbose_name_plural = _("tài liệu sinh hoạt")

    def __str__(self):
        return self.title

    @property
    def level(self):
        """province / district / base / cell: the level that issued it."""
        kind = self.issuer_org.kind
        return OrgKind.BASE if kind == OrgKind.SUB else kind


class MeetingMaterial(models.Model):
    """A material picked for a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="picked_materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="uses")
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    picked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "material"], name="material_once_per_meeting"
            )
        ]

    def __str__(self):
        return f"{self.material} @ {self.meeting}"


class MaterialOpen(Receipt):
    """A member opened a material (one row per member, material and day; first/last time and a
    count)."""

    RECEIPT_TARGET = "material"

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="opens")
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["material", "member", "day"], name="material_open_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.member} — {self.material} ({self.day:%d/%m/%Y})"


class MeetingComment(models.Model):
    """A member's comment on the draft resolution, visible to the cell only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="comments")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("góp ý"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("góp ý dự thảo nghị quyết")
        verbose_name_plural = _("góp ý dự thảo nghị quyết")

    def __str__(self):
        return f"{self.member}: {self.text[:40]}"
