"""Feedback, its identity escrow, screening lists, handling thread, reveals, and Q&A.

The identity rules live in the schema, not only in the code:

- ``Feedback.author`` is NULL whenever ``hide_identity`` is set (a CHECK constraint), and so is
  ``created_at``: hidden feedback keeps only its day (``created_on``). Ids are random UUIDs,
  so neither an id nor its order says when a hidden author wrote.
- The author of hidden feedback is in ``IdentityEscrow`` only, sealed (encrypted with the
  escrow key, ``feedback.escrow``) and findable by the author alone through a keyed tag. The
  escrow has no ScopeSpec, no admin, no API, no export: the scope engine cannot even list it.
- ``Custodianship``: exactly one identity custodian per receiving unit (unique constraint).
- ``RevealRequest``, ``RevealDecision`` and ``RevealAccess`` are append-only: the model and its
  querysets refuse updates and deletes (``update``, ``delete``, ``bulk_update``) on every
  database, and on PostgreSQL a trigger refuses them too (migration 0002).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sotay_plugins.orgtree.models import Published
from sotay_plugins.orgtree.scope import ScopeSpec
from sotay_plugins.storage import private_storage

#: Capabilities.
HANDLE = "feedback.handle"  # handle feedback sent to one's own receiving unit
MANAGE = "feedback.manage"  # topics, receiving units, keyword lists (provincial staff)
REVIEW = "feedback.review"  # clear feedback flagged by the screening lists
VIEW_REPORTS = "feedback.view_reports"
ANSWER = "feedback.answer"  # answer and publish members' questions (Q&A)

#: Roles.
HANDLER_ROLE = "feedback_handler"
CUSTODIAN_ROLE = "identity_custodian"
SCREENER_ROLE = "feedback_screener"


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset of append-only rows: ``update`` and ``delete`` (and so ``bulk_update``) go
    around the model's ``save``/``delete``, so they are refused here too, on every database
    (PostgreSQL's trigger stands behind; SQLite has none)."""

    def update(self, **kwargs):
        raise PermissionError("append-only record: no updates")

    def delete(self):
        raise PermissionError("append-only record: no deletes")

    update.queryset_only = True
    delete.queryset_only = True


class AppendOnly(models.Model):
    """A record that, once written, is never changed or removed (the reveal log)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("append-only record: no updates")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("append-only record: no deletes")


class Topic(models.Model):
    """A topic (lĩnh vực) members choose when they send feedback."""

    org = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Chủ đề dùng được cho các đơn vị nhận thuộc đơn vị này."),
    )
    name = models.CharField(_("tên chủ đề"), max_length=120)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    scope = ScopeSpec(org_field="org", view_capability=MANAGE)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("chủ đề góp ý")
        verbose_name_plural = _("chủ đề góp ý")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="feedback_topic_unique_name")
        ]

    def __str__(self):
        return self.name


class Receiver(models.Model):
    """A receiving unit: a committee (``body`` empty) or one of its advisory bodies."""

    org = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("cấp ủy"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.ForeignKey(
        "orgtree.AdvisoryBody",
        verbose_name=_("cơ quan tham mưu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: cấp ủy nhận trực tiếp."),
    )
    name = models.CharField(_("tên hiển thị"), max_length=255)
    is_active = models.BooleanField(_("đang nhận góp ý"), default=True)
    due_days = models.PositiveSmallIntegerField(
        _("thời hạn xử lý (ngày)"),
        default=15,
        help_text=_("Số ngày từ khi nhận đến hạn trả lời."),
    )

    scope = ScopeSpec(org_field="org", view_capability=MANAGE)

    class Meta:
        ordering = ["org__tree_id", "org__lft", "name"]
        verbose_name = _("đơn vị nhận góp ý")
        verbose_name_plural = _("đơn vị nhận góp ý")
        constraints = [
            models.UniqueConstraint(
                fields=["org"], condition=Q(body__isnull=True), name="feedback_receiver_org_once"
            ),
            models.UniqueConstraint(
                fields=["org", "body"],
                condition=Q(body__isnull=False),
                name="feedback_receiver_body_once",
            ),
        ]

    def __str__(self):
        return self.name


class Custodianship(models.Model):
    """The one identity custodian of a receiving unit (a second is refused by the database)."""

    receiver = models.OneToOneField(
        Receiver,
        verbose_name=_("đơn vị nhận"),
        on_delete=models.PROTECT,
        related_name="custodianship",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giữ danh tính"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointed_on = models.DateField(auto_now_add=True)

    scope = ScopeSpec(org_field="receiver__org", view_capability=MANAGE)

    class Meta:
        verbose_name = _("người giữ danh tính")
        verbose_name_plural = _("người giữ danh tính")

    def __str__(self):
        return str(self.receiver)


class KeywordList(models.Model):
    """A group of words and phrases that flag feedback for review (never drop it)."""

    org = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("tên nhóm từ khóa"), max_length=120)
    terms = models.TextField(
        _("từ khóa"),
        help_text=_(
            "Mỗi dòng một từ hoặc cụm từ. So khớp không phân biệt dấu, hoa thường, và cả khi các "
            "chữ bị tách bởi dấu cách, dấu chấm, gạch ngang."
        ),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = ScopeSpec(org_field="org", view_capability=REVIEW)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nhóm từ khóa sàng lọc")
        verbose_name_plural = _("nhóm từ khóa sàng lọc")

    def __str__(self):
        return self.name

    def term_list(self):
        return [line.strip() for line in self.terms.splitlines() if line.strip()]


class Feedback(models.Model):
    """One piece of feedback. Its author is here only when shown (see the module docstring)."""

    class Status(models.TextChoices):
        REVIEW = "review", _("Đang xem xét")
        RECEIVED = "received", _("Đã tiếp nhận")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        CLOSED = "closed", _("Đã kết thúc")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    receiver = models.ForeignKey(
        Receiver, verbose_name=_("đơn vị nhận"), on_delete=models.PROTECT, related_name="feedback"
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("chủ đề"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("nội dung"))
    hide_identity = models.BooleanField(_("ẩn danh tính"), default=False)
    author = models.ForeignKey(
        "members.Member",
        verbose_name=_("người gửi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_on = models.DateField(_("ngày gửi"), db_index=True)
    created_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    flagged_terms = models.JSONField(_("từ khóa khớp"), default=list, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("hạn xử lý"), null=True, blank=True)
    result = models.TextField(_("kết quả xử lý"), blank=True)
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)

    scope = ScopeSpec(org_field="receiver__org", view_capability=HANDLE)

    class Meta:
        ordering = ["-created_on", "id"]
        verbose_name = _("góp ý, phản ánh")
        verbose_name_plural = _("góp ý, phản ánh")
        constraints = [
            models.CheckConstraint(
                condition=(Q(hide_identity=False) & Q(author__isnull=False))
                | (Q(hide_identity=True) & Q(author__isnull=True) & Q(created_at__isnull=True)),
                name="feedback_hidden_has_no_author",
            )
        ]
        indexes = [
            models.Index(fields=["receiver", "status", "due_on"], name="feedback_inbox_idx"),
            models.Index(fields=["author", "created_on"], name="feedback_author_idx"),
        ]

    def __str__(self):
        text = " ".join(self.text.split())
        return text[:60] + ("…" if len(text) > 60 else "")

    @property
    def public_ref(self):
        """A short reference shown to people (the first 8 hex digits of the random id)."""
        return self.id.hex[:8].upper()


class IdentityEscrow(models.Model):
    """Who wrote a hidden piece of feedback: sealed, and readable only through a reveal.

    ``sealed`` is the author's member id encrypted with the escrow key; ``author_tag`` a keyed
    hash of it, so that the author (and nobody without the key) finds their own feedback. It
    moves with the feedback when it is forwarded (the same row: never copied)."""

    feedback = models.OneToOneField(
        Feedback, primary_key=True, on_delete=models.CASCADE, related_name="escrow"
    )
    author_tag = models.CharField(max_length=64, db_index=True)
    sealed = models.TextField()

    class Meta:
        default_permissions = ()

    def __str__(self):
        return "***"


class Attachment(models.Model):
    """A photo, video, recording or file sent with feedback, stored privately."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Ảnh")
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Ghi âm")
        FILE = "file", _("Tệp")

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    file = models.FileField(max_length=200, storage=private_storage)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()

    scope = ScopeSpec(org_field="feedback__receiver__org", view_capability=HANDLE)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Entry(models.Model):
    """One line of a feedback's thread: replies both ways, progress, assignment, forwarding,
    closing, screening. An entry by the author names no one (``by_author``); every entry of
    hidden feedback keeps only its day (``at`` is empty), whoever wrote it."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Trả lời người gửi")
        AUTHOR = "author", _("Người gửi trả lời")
        PROGRESS = "progress", _("Tiến độ")
        ASSIGNED = "assigned", _("Phân công")
        FORWARDED = "forwarded", _("Chuyển đơn vị")
        CLOSED = "closed", _("Kết thúc")
        FLAGGED = "flagged", _("Sàng lọc")
        CLEARED = "cleared", _("Đã xem xét")
        REVEALED = "revealed", _("Mở danh tính")

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="entries")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(blank=True)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_author = models.BooleanField(default=False)
    #: Shown to the author (replies, status) or kept among handlers (progress notes).
    to_author = models.BooleanField(default=False)
    on = models.DateField()
    at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["feedback", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "seq"], name="feedback_entry_seq"),
            models.CheckConstraint(
                condition=Q(by_author=False) | Q(by_user__isnull=True),
                name="feedback_author_entry_names_nobody",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.seq}"


class RevealRequest(AppendOnly):
    """A handler's written request to learn who wrote a hidden piece of feedback."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="reveal_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("lý do"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        default_permissions = ()

    def __str__(self):
        return f"#{self.pk}"


class RevealDecision(AppendOnly):
    """The custodian's answer to a request (one per request)."""

    request = models.OneToOneField(RevealRequest, on_delete=models.PROTECT, related_name="decision")
    approved = models.BooleanField()
    share_with_requester = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"#{self.request_id}"


class RevealAccess(AppendOnly):
    """Each time an identity was shown, to whom."""

    request = models.ForeignKey(RevealRequest, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"#{self.request_id}"


def _asked_or_published(member):
    from sotay_plugins.orgtree.scope import audience_q

    return Q(asker_id=member.member_id) | (Q(is_published=True) & audience_q(member))


class Question(Published):
    """A member's question to their base committee; answered, and maybe published as an FAQ to
    every member under that committee (``audience_org``)."""

    asker = models.ForeignKey(
        "members.Member",
        verbose_name=_("người hỏi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("câu hỏi ngắn"), max_length=200)
    text = models.TextField(_("nội dung câu hỏi"))
    asked_on = models.DateField(_("ngày hỏi"))
    answer = models.TextField(_("trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("ngày trả lời"), null=True, blank=True)
    is_published = models.BooleanField(_("công khai (hỏi đáp chung)"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    search_folded = models.TextField(editable=False, blank=True, default="")

    scope = ScopeSpec(
        org_field="issuer_org", view_capability=ANSWER, member_rule=_asked_or_published
    )

    class Meta:
        ordering = ["-asked_on", "-pk"]
        verbose_name = _("hỏi đáp")
        verbose_name_plural = _("hỏi đáp")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_published=False) | ~Q(answer=""),
                name="feedback_question_published_answered",
            )
        ]
        indexes = [models.Index(fields=["audience_org", "is_published"], name="feedback_faq_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from sotay_plugins.text import fold

        self.search_folded = fold(f"{self.title} {self.text} {self.answer}")
        super().save(*args, **kwargs)
