"""An export a committee member asked for: what, for which unit and period, its progress, and
the file (private storage, no URL) that only they may download, until it expires a day later."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sotay_plugins.storage import private_storage

from .choices import ExportKind


class Export(models.Model):
    Kind = ExportKind

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel (.xlsx)")
        PDF = "pdf", _("PDF")
        ZIP = "zip", _("Tệp nén các PDF (.zip)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Sẵn sàng tải về")
        FAILED = "failed", _("Lỗi")
        EXPIRED = "expired", _("Đã hết hạn")

    ACTIVE = (Status.PENDING, Status.RUNNING)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("báo cáo"), max_length=10, choices=Kind.choices)
    format = models.CharField(_("định dạng"), max_length=4, choices=Format.choices)
    org = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("đơn vị"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    #: The unit's name when it was asked for (the file's heading says the same).
    org_name = models.CharField(max_length=255, blank=True)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    filters = models.JSONField(_("bộ lọc"), default=dict, blank=True)
    #: Personal data columns (birth date, CCCD, address, phone) asked for and allowed.
    personal = models.BooleanField(_("gồm thông tin cá nhân"), default=False)
    #: Same person, same report, same unit, period, filters and format (``services.dedupe_key``).
    dedupe_key = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    message = models.TextField(_("thông báo"), blank=True)
    rows = models.PositiveIntegerField(_("số dòng"), default=0)
    units = models.PositiveIntegerField(_("số đơn vị"), default=0)
    file = models.FileField(
        _("tệp"), upload_to="exports/%Y/%m/", storage=private_storage, blank=True, max_length=255
    )
    file_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    job = models.ForeignKey(
        "sotay.OutboxJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tệp xuất báo cáo")
        verbose_name_plural = _("tệp xuất báo cáo")
        constraints = [
            # Two requests of the same thing at once make one job (services.request_export).
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(status__in=["pending", "running"]),
                name="export_one_active_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="export_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.org_name} ({self.get_status_display()})"

    @property
    def is_active(self):
        return self.status in self.ACTIVE
