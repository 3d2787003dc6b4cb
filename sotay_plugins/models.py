from django.db import models
from django.utils.translation import gettext_lazy as _

from .storage import private_storage


class OutboxJob(models.Model):
    """A background job recorded in the same transaction as the change that asks for it.

    The sweeper (``manage.py sweep_outbox``) hands undelivered rows to RQ, so a job asked for
    while Redis is down is delivered when it is back: nothing is lost. Jobs are idempotent, so
    delivering one twice is harmless; ``dedupe_key`` keeps two pending copies of the same job
    from piling up.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ chạy")
        QUEUED = "queued", _("Đã vào hàng đợi")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    func = models.CharField(_("hàm"), max_length=200)
    kwargs = models.JSONField(_("tham số"), default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.PositiveIntegerField(_("đã xử lý"), default=0)
    total = models.PositiveIntegerField(_("tổng số"), default=0)
    result = models.JSONField(_("kết quả"), default=dict, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    #: Moved on every few seconds while the job runs (``jobs.run``): a running job whose heartbeat
    #: stopped lost its worker, and the sweeper hands it out again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    #: ``host:pid`` of the process running the job, to tell a dead worker on this host at once.
    runner = models.CharField(max_length=100, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("công việc nền")
        verbose_name_plural = _("công việc nền")
        indexes = [models.Index(fields=["state", "created_at"], name="outbox_state_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(state__in=["pending", "queued"]),
                name="outbox_one_pending_per_key",
            )
        ]

    def __str__(self):
        return f"{self.func} #{self.pk} ({self.get_state_display()})"

    @property
    def percent(self):
        if self.state == self.State.DONE:
            return 100
        return int(self.progress * 100 / self.total) if self.total else 0


def spoken_upload_to(instance, filename):
    return f"speech/{filename}"


class SpokenAudio(models.Model):
    """The audio version of a published page (``sotay_plugins.speech``): one row per page, the
    current version only. ``text_hash`` says which text (with voice and rate) it speaks: the
    same hash is the same audio, a new one replaces the file (the old file is deleted).

    The file is in private storage: the module that owns the page serves it after its own scope
    check, never by URL."""

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="spoken_audio"
    )
    text_hash = models.CharField(max_length=64)
    revision_id = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(
        _("tệp âm thanh"),
        storage=private_storage,
        upload_to=spoken_upload_to,
        max_length=255,
        blank=True,
    )
    content_type = models.CharField(max_length=40, default="audio/ogg")
    encoder = models.CharField(max_length=10, blank=True)
    seconds = models.FloatField(_("thời lượng (giây)"), default=0)
    size = models.PositiveIntegerField(default=0)
    chars = models.PositiveIntegerField(default=0)
    truncated = models.BooleanField(default=False)
    #: How long the synthesis took (seconds): what the benchmark and the admin read.
    took = models.FloatField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bản đọc tự động")
        verbose_name_plural = _("bản đọc tự động")

    def __str__(self):
        return f"{self.page_id} · {self.seconds:.0f} s"

    @property
    def minutes(self):
        """Whole minutes, at least 1 (what the page tells the listener)."""
        return max(1, round(self.seconds / 60))


class IdempotencyKey(models.Model):
    """A request the server already carried out, by the key its client gave it (issue 18).

    A phone that queued an action offline (a bookmark, a comment, quiz answers) sends it with an
    ``Idempotency-Key`` header it generated once; sent again (a lost answer, a retry, two tabs
    flushing the same queue) the same key gets the first answer back and nothing happens twice
    (``sotay_plugins.idempotency``). Keys are per account; rows older than
    ``idempotency.KEEP_DAYS`` are deleted by ``manage.py sweep_outbox``'s sweep.
    """

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    #: What the request was (method, path, body digest): the same key for another request is
    #: refused rather than answered with the first one's result.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("khóa chống gửi trùng")
        verbose_name_plural = _("khóa chống gửi trùng")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_per_user_key")
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
