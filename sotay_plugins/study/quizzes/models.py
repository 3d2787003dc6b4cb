"""Question banks, quizzes and attempts.

A bank belongs to one resolution (``study.ResolutionPage``) and one audience (party members;
union and association members) and to the unit whose editors keep it. A quiz draws
``question_count`` questions at random from some of a bank's categories; it is a published item
(issuer and audience units, group filters) so the scope engine decides who sees it. An attempt
holds the questions it drew (``AttemptQuestion``: one row each, with the shuffled order of the
answers and what the member chose), so saving an answer is one UPDATE of one row and a question
outside the attempt has no row to land in.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from sotay_plugins.flags import FlagSetField
from sotay_plugins.orgtree.choices import MemberGroup
from sotay_plugins.orgtree.models import Published
from sotay_plugins.orgtree.scope import ScopeSpec

from ..resolutions.models import Audience

#: Keep banks, questions and quizzes of a unit (and its subtree).
MANAGE_QUIZZES = "study.manage_quizzes"
#: Read quiz results: item statistics, pass rates per unit.
VIEW_QUIZ_RESULTS = "study.view_quiz_results"


def plain_text(value):
    """Question and answer text is plain text: tags are dropped when it is saved (and every
    page escapes it when shown), so HTML or a script pasted into a question is harmless."""
    return strip_tags(value or "").replace("\r\n", "\n").strip()


class QuestionBank(models.Model):
    resolution = models.ForeignKey(
        "study.ResolutionPage",
        verbose_name=_("nghị quyết"),
        on_delete=models.PROTECT,
        related_name="question_banks",
    )
    audience = models.CharField(
        _("đối tượng"), max_length=24, choices=Audience.choices, default=Audience.DANG_VIEN
    )
    org = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Biên tập viên của đơn vị này (và cấp trên) soạn câu hỏi của ngân hàng."),
    )
    title = models.CharField(_("tên ngân hàng câu hỏi"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeSpec(org_field="org", view_capability=MANAGE_QUIZZES)

    class Meta:
        verbose_name = _("ngân hàng câu hỏi")
        verbose_name_plural = _("ngân hàng câu hỏi")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "audience", "org"], name="quiz_bank_once_per_unit"
            )
        ]

    def __str__(self):
        return self.title


class Category(models.Model):
    bank = models.ForeignKey(
        QuestionBank,
        verbose_name=_("ngân hàng câu hỏi"),
        on_delete=models.CASCADE,
        related_name="categories",
    )
    name = models.CharField(_("tên nhóm câu hỏi"), max_length=160)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    scope = ScopeSpec(org_field="bank__org", view_capability=MANAGE_QUIZZES)

    class Meta:
        verbose_name = _("nhóm câu hỏi")
        verbose_name_plural = _("nhóm câu hỏi")
        ordering = ["bank", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "name"], name="quiz_category_name_once")
        ]

    def __str__(self):
        return f"{self.name} ({self.bank})"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Một đáp án đúng")
    MULTIPLE = "multiple", _("Nhiều đáp án đúng")
    TRUE_FALSE = "true_false", _("Đúng / Sai")


class Question(ClusterableModel):
    bank = models.ForeignKey(
        QuestionBank,
        verbose_name=_("ngân hàng câu hỏi"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("nhóm"), on_delete=models.PROTECT, related_name="questions"
    )
    kind = models.CharField(
        _("loại câu hỏi"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    text = models.TextField(_("nội dung câu hỏi"), max_length=2000)
    explanation = models.TextField(
        _("giải thích"),
        max_length=4000,
        blank=True,
        help_text=_("Hiện cho đảng viên sau khi nộp bài."),
    )
    is_active = models.BooleanField(
        _("đang dùng"), default=True, help_text=_("Câu hỏi không dùng sẽ không được rút vào đề.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeSpec(org_field="bank__org", view_capability=MANAGE_QUIZZES)

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        ordering = ["bank", "category", "pk"]
        indexes = [models.Index(fields=["category", "is_active"], name="quiz_question_cat_idx")]

    def __str__(self):
        return self.text[:80]

    def save(self, *args, **kwargs):
        self.text = plain_text(self.text)
        self.explanation = plain_text(self.explanation)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.text = plain_text(self.text)
        if not self.text:
            raise ValidationError({"text": _("Câu hỏi cần có nội dung (chữ, không phải mã HTML).")})
        if self.category_id and self.bank_id and self.category.bank_id != self.bank_id:
            raise ValidationError({"category": _("Nhóm câu hỏi phải thuộc cùng ngân hàng.")})


class Answer(models.Model):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.CharField(_("phương án"), max_length=500)
    is_correct = models.BooleanField(_("đúng"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("phương án trả lời")
        verbose_name_plural = _("phương án trả lời")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.text = plain_text(self.text)
        super().save(*args, **kwargs)


class Quiz(Published):
    """A quiz for one audience of one resolution, drawn from its bank. Its audience unit (and
    the group filters of ``Published``) decide who sees it; ``excluded_groups`` (and members
    without a smartphone, if so set) neither take it nor count in its statistics."""

    bank = models.ForeignKey(
        QuestionBank,
        verbose_name=_("ngân hàng câu hỏi"),
        on_delete=models.PROTECT,
        related_name="quizzes",
    )
    title = models.CharField(_("tên bài kiểm tra"), max_length=255)
    intro = models.TextField(_("hướng dẫn"), blank=True, max_length=2000)
    categories = models.ManyToManyField(
        Category,
        verbose_name=_("rút câu hỏi từ các nhóm"),
        blank=True,
        related_name="+",
        help_text=_("Để trống: mọi nhóm của ngân hàng."),
    )
    question_count = models.PositiveSmallIntegerField(_("số câu hỏi mỗi lượt"), default=10)
    time_limit_minutes = models.PositiveSmallIntegerField(_("thời gian làm bài (phút)"), default=20)
    max_attempts = models.PositiveSmallIntegerField(_("số lần làm bài tối đa"), default=2)
    pass_mark = models.PositiveSmallIntegerField(
        _("điểm đạt (%)"), default=70, help_text=_("Tỷ lệ câu trả lời đúng tối thiểu để đạt.")
    )
    opens_at = models.DateTimeField(_("mở lúc"))
    closes_at = models.DateTimeField(_("đóng lúc"))
    excluded_groups = FlagSetField(
        _("nhóm đảng viên không tham gia"),
        choices=MemberGroup.choices,
        blank=True,
        help_text=_("Không làm bài và không tính vào thống kê (ví dụ: ấp, khóm; miễn sinh hoạt)."),
    )
    exclude_without_smartphone = models.BooleanField(
        _("trừ đảng viên không có điện thoại thông minh"), default=True
    )
    allow_offline = models.BooleanField(
        _("cho phép trả lời khi mất mạng"),
        default=False,
        help_text=_(
            "Khi điện thoại mất mạng giữa chừng, câu trả lời được giữ trên máy và tự gửi khi có "
            "mạng trở lại; máy chủ vẫn tính giờ: câu gửi đến sau giờ nộp không được ghi nhận. "
            "Các câu hỏi hiện trên một trang để làm tiếp được khi không có mạng."
        ),
    )
    published = models.BooleanField(_("đã công bố"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeSpec(org_field="issuer_org", view_capability=MANAGE_QUIZZES, audience=True)

    class Meta:
        verbose_name = _("bài kiểm tra")
        verbose_name_plural = _("bài kiểm tra")
        ordering = ["-opens_at", "-pk"]
        indexes = [
            models.Index(fields=["audience_org", "published"], name="quiz_audience_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="quiz_closes_after_opening"
            ),
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="quiz_pass_mark_percent"),
        ]

    def __str__(self):
        return self.title

    @property
    def resolution_id(self):
        return self.bank.resolution_id

    def excludes(self, member):
        """Whether ``member`` (a Member) is left out of this quiz and of its statistics."""
        groups = self._meta.get_field("excluded_groups").to_python(self.excluded_groups)
        return (member.group in groups) or (
            self.exclude_without_smartphone and not member.has_smartphone
        )

    def clean(self):
        super().clean()
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("Thời điểm đóng phải sau thời điểm mở.")
        if self.pass_mark is not None and not 1 <= self.pass_mark <= 100:
            errors["pass_mark"] = _("Điểm đạt là một tỷ lệ từ 1 đến 100 (%).")
        if self.question_count is not None and self.question_count < 1:
            errors["question_count"] = _("Mỗi lượt cần ít nhất một câu hỏi.")
        if self.time_limit_minutes is not None and self.time_limit_minutes < 1:
            errors["time_limit_minutes"] = _("Thời gian làm bài ít nhất là 1 phút.")
        if self.max_attempts is not None and self.max_attempts < 1:
            errors["max_attempts"] = _("Cần cho phép ít nhất một lần làm bài.")
        if self.bank_id and self.issuer_org_id:
            bank_org, issuer = self.bank.org, self.issuer_org
            if not (
                bank_org.tree_id == issuer.tree_id
                and bank_org.lft <= issuer.lft
                and issuer.rght <= bank_org.rght
            ):
                errors["bank"] = _(
                    "Ngân hàng câu hỏi phải của đơn vị ban hành hoặc của cấp trên của đơn vị đó."
                )
        if errors:
            raise ValidationError(errors)


class QuizAttempt(models.Model):
    """One attempt of one member. The server keeps the clock: ``deadline`` is fixed at the
    start (the time limit, or the closing time if sooner). ``submitted_at`` is set once, by a
    conditional UPDATE: two tabs or a retry submit one attempt once."""

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField(_("lần thứ"))
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    deadline = models.DateTimeField(_("hạn nộp"))
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    #: True when the server closed it at the deadline (the member never pressed "Nộp bài").
    timed_out = models.BooleanField(default=False)
    total = models.PositiveSmallIntegerField(_("số câu"), default=0)
    score = models.PositiveSmallIntegerField(_("số câu đúng"), null=True, blank=True)
    percent = models.DecimalField(
        _("tỷ lệ đúng (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("đạt"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt làm bài")
        verbose_name_plural = _("lượt làm bài")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "member", "number"], name="quiz_attempt_number_once"
            ),
            # at most one attempt in progress per member and quiz (two tabs starting at once)
            models.UniqueConstraint(
                fields=["quiz", "member"],
                condition=Q(submitted_at__isnull=True),
                name="quiz_one_open_attempt",
            ),
        ]
        indexes = [
            models.Index(fields=["quiz", "number", "submitted_at"], name="quiz_attempt_stats_idx"),
            models.Index(fields=["member", "passed"], name="quiz_attempt_member_idx"),
        ]

    def __str__(self):
        return f"{self.member} — {self.quiz} ({self.number})"

    @property
    def is_open(self):
        return self.submitted_at is None


class AttemptQuestion(models.Model):
    """A question drawn for an attempt: its place, the order its answers are shown in (ids,
    shuffled for this attempt) and what the member chose (answer ids; null: not answered)."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    answer_order = models.JSONField(default=list)
    selected = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="quiz_item_once"),
            models.UniqueConstraint(fields=["attempt", "position"], name="quiz_item_position_once"),
        ]
        indexes = [models.Index(fields=["question"], name="quiz_item_question_idx")]

    def __str__(self):
        return f"{self.attempt_id}#{self.position}"


class QuizPass(models.Model):
    """A member passed the quiz of a resolution for an audience (the study completion rule
    reads it through ``services.passed``). The first pass is kept."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    resolution = models.ForeignKey(
        "study.ResolutionPage", on_delete=models.CASCADE, related_name="+"
    )
    audience = models.CharField(max_length=24, choices=Audience.choices)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="passes")
    attempt = models.OneToOneField(QuizAttempt, on_delete=models.CASCADE, related_name="+")
    passed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("đạt bài kiểm tra")
        verbose_name_plural = _("đạt bài kiểm tra")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "resolution", "audience"], name="quiz_pass_once"
            )
        ]

    def __str__(self):
        return f"{self.member} — {self.quiz}"
