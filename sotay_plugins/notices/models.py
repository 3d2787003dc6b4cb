"""Notifications: what a module asks to tell members (``NoticeRequest``), each member's inbox
(``Notice``, one row per member and ``dedupe_key``), their choices (``Preference``,
``NoticeSettings``), their devices for Web Push (``PushSubscription``) and the committees' own
notices (``Announcement``, a scoped published item).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay_plugins.orgtree.models import Published
from sotay_plugins.orgtree.scope import ScopeSpec

#: Compose and send a committee's notices (thông báo) to its subtree.
SEND_NOTICE = "notices.send_notice"
#: See the committees' sent notices and their delivery counts.
VIEW_NOTICE = "notices.view_notice"

#: The committees' own notices: an ordinary one and one members cannot turn off.
ANNOUNCEMENT_KIND = "notices.announcement"
REQUIRED_ANNOUNCEMENT_KIND = "notices.announcement_required"
#: The daily digest itself (a push / mail that sums up the day's digest notices).
DIGEST_KIND = "notices.digest"


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("Báo ngay")
    DIGEST = "digest", _("Gom lại, báo mỗi ngày một lần")
    OFF = "off", _("Tắt")


class NoticeRequest(models.Model):
    """One ``notice_requested`` as it arrived: written by the receiver in one INSERT, fanned out
    to inbox rows by a background job (``services.fan_out``) once ``send_at`` has come."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        QUEUED = "queued", _("Đang gửi")
        DONE = "done", _("Đã gửi")

    kind = models.CharField(max_length=100)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200)
    member_ids = models.JSONField(default=list)
    send_at = models.DateTimeField(default=timezone.now, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    written = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["send_at"],
                name="notices_request_due",
                condition=models.Q(state="pending"),
            )
        ]

    def __str__(self):
        return f"{self.kind}: {self.title}"


class Notice(models.Model):
    """A member's notification: one row per (member, ``dedupe_key``), so the same key twice (a
    retry, a chunk sent again) is one notice."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="notices", db_index=False
    )
    kind = models.CharField(_("loại"), max_length=100)
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("thời gian"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    #: When the push is due (None: no push wanted: no device, turned off, digest); held to the
    #: morning in quiet hours, moved on after a timeout.
    push_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    push_attempts = models.PositiveSmallIntegerField(default=0)
    #: True: waits for the member's daily digest; ``digested_at`` once it went out.
    digest = models.BooleanField(default=False)
    digested_at = models.DateTimeField(null=True, blank=True)
    #: True: the member asked for e-mail too; ``mailed_at`` once it went out.
    email = models.BooleanField(default=False)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo của đảng viên")
        verbose_name_plural = _("thông báo của đảng viên")
        constraints = [
            models.UniqueConstraint(fields=["member", "dedupe_key"], name="notices_once_per_key")
        ]
        indexes = [
            models.Index(fields=["member", "-created_at", "-id"], name="notices_inbox"),
            models.Index(
                fields=["member"], name="notices_unread", condition=models.Q(read_at__isnull=True)
            ),
            models.Index(
                fields=["push_at"],
                name="notices_push_due",
                condition=models.Q(push_at__isnull=False, pushed_at__isnull=True),
            ),
            models.Index(
                fields=["member"],
                name="notices_digest_due",
                condition=models.Q(digest=True, digested_at__isnull=True),
            ),
            models.Index(fields=["dedupe_key"], name="notices_by_key"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Preference(models.Model):
    """How a member wants one kind of notice (absent: the kind's default)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=100)
    mode = models.CharField(max_length=10, choices=Mode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="notices_one_pref_per_kind")
        ]

    def __str__(self):
        return f"{self.kind}: {self.mode}"


class NoticeSettings(models.Model):
    """A member's e-mail choice and quiet hours (absent: no e-mail, the site's quiet hours)."""

    member = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    email = models.EmailField(_("nhận thêm qua thư điện tử"), blank=True)
    quiet_start = models.TimeField(_("giờ yên lặng từ"), null=True, blank=True)
    quiet_end = models.TimeField(_("đến"), null=True, blank=True)

    def __str__(self):
        return str(self.member_id)


class PushSubscription(models.Model):
    """One device of a member, as its browser's push service gave it."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_push_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thiết bị nhận thông báo")
        verbose_name_plural = _("thiết bị nhận thông báo")

    def __str__(self):
        return self.endpoint[:60]


class Announcement(Published):
    """A committee's own notice (thông báo) to a unit and its subtree, narrowed by position or
    group, now or at a time; optionally about a page, then only those who may read the page get
    it."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Hẹn giờ gửi")
        SENT = "sent", _("Đã gửi")

    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"), max_length=2000)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("về trang"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Chỉ đảng viên được xem trang này mới nhận thông báo."),
    )
    required = models.BooleanField(
        _("bắt buộc"),
        default=False,
        help_text=_("Đảng viên không tắt được loại thông báo này (ví dụ triệu tập họp)."),
    )
    send_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.SCHEDULED
    )
    recipients = models.PositiveIntegerField(_("số người nhận"), default=0)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)

    scope = ScopeSpec(org_field="issuer_org", view_capability=VIEW_NOTICE, audience=True)

    class Meta:
        verbose_name = _("thông báo của cấp ủy")
        verbose_name_plural = _("thông báo của cấp ủy")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def dedupe_key(self):
        return f"{ANNOUNCEMENT_KIND}:{self.pk}"
