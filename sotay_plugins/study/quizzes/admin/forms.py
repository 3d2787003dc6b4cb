"""Admin forms of the quizzes: every choice list is cut to what the user keeps (scope engine);
a question is refused unless it can be graded (``services.validate_question``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.widgets import AdminDateTimeInput

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.forms import OrgChoiceField, ScopedModelForm, org_chooser

from ...resolutions.models import ResolutionPage
from .. import services
from ..models import MANAGE_QUIZZES, Category, Question, QuestionBank, Quiz
from ..permissions import bank_policy


def my_banks(user):
    return bank_policy.instances_user_has_permission_for(user, "change").select_related(
        "resolution"
    )


def usable_banks(user):
    """Banks a quiz of the user's units may draw from: their own, and their upper levels'."""
    if scope.is_superadmin(user):
        return QuestionBank.objects.all()
    q = Q(pk__in=my_banks(user).values("pk"))
    for unit in scope.managed_ranges(user, MANAGE_QUIZZES):
        q |= scope.containing(unit, "org")
    return QuestionBank.objects.filter(q)


def usable_resolutions(user):
    """Live resolutions issued by the user's units, below them or above them (never another
    branch's, never a draft: a title is not shown outside its scope)."""
    pages = ResolutionPage.objects.live()
    if scope.is_superadmin(user):
        return pages
    ranges = scope.managed_ranges(user, MANAGE_QUIZZES)
    if not ranges:
        return pages.none()
    q = scope.within(ranges, "issuer_org")
    for unit in ranges:
        q |= scope.containing(unit, "issuer_org")
    return pages.filter(q)


def _check_org(user, org):
    if org is not None and not scope.can(user, MANAGE_QUIZZES, org):
        raise ValidationError(_("Bạn không soạn bài kiểm tra cho đơn vị %(org)s.") % {"org": org})
    return org


class BankForm(ScopedModelForm):
    class Meta:
        model = QuestionBank
        fields = ["title", "resolution", "audience", "org"]
        field_classes = {"org": OrgChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = usable_resolutions(self.user).order_by(
            "-issued_on", "pk"
        )
        self.fields["org"].queryset = scope.managed_orgs(self.user, MANAGE_QUIZZES).order_by(
            "tree_id", "lft"
        )
        self.fields["org"].widget = org_chooser(MANAGE_QUIZZES)

    def clean_org(self):
        return _check_org(self.user, self.cleaned_data.get("org"))


class CategoryForm(ScopedModelForm):
    class Meta:
        model = Category
        fields = ["bank", "name", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = my_banks(self.user)


class QuestionForm(ScopedModelForm):
    """A question with its answers (inline). Refused, with a Vietnamese message and nothing
    saved: no correct answer, fewer than two answers, several correct answers for a one-answer
    or true/false question."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "bank" in self.fields:
            self.fields["bank"].queryset = my_banks(self.user)
        if "category" in self.fields:
            self.fields["category"].queryset = Category.objects.filter(
                bank__in=my_banks(self.user)
            ).select_related("bank")

    def clean(self):
        cleaned = super().clean()
        bank, category = cleaned.get("bank"), cleaned.get("category")
        if bank and category and category.bank_id != bank.pk:
            self.add_error("category", _("Nhóm câu hỏi phải thuộc cùng ngân hàng."))
        formset = self.formsets.get("answers") if hasattr(self, "formsets") else None
        if formset is not None and formset.is_valid():
            answers = [
                (f.cleaned_data.get("text", ""), f.cleaned_data.get("is_correct", False))
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                services.validate_question(cleaned.get("kind"), cleaned.get("text", ""), answers)
            except ValidationError as exc:
                for message in exc.messages:
                    self.add_error(None, message)
        return cleaned


class QuizForm(ScopedModelForm):
    class Meta:
        model = Quiz
        fields = [
            "title",
            "bank",
            "categories",
            "intro",
            "question_count",
            "time_limit_minutes",
            "max_attempts",
            "pass_mark",
            "opens_at",
            "closes_at",
            "issuer_org",
            "audience_org",
            "audience_positions",
            "audience_groups",
            "excluded_groups",
            "exclude_without_smartphone",
            "allow_offline",
            "published",
        ]
        field_classes = {"issuer_org": OrgChoiceField, "audience_org": OrgChoiceField}
        widgets = {"categories": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        banks = usable_banks(self.user)
        self.fields["bank"].queryset = banks.select_related("resolution")
        self.fields["categories"].queryset = Category.objects.filter(bank__in=banks).select_related(
            "bank"
        )
        orgs = scope.managed_orgs(self.user, MANAGE_QUIZZES).order_by("tree_id", "lft")
        for name in ("issuer_org", "audience_org"):
            self.fields[name].queryset = orgs
            self.fields[name].widget = org_chooser(MANAGE_QUIZZES)
        for name in ("opens_at", "closes_at"):
            self.fields[name].widget = AdminDateTimeInput()
        self.fields["intro"].widget = forms.Textarea(attrs={"rows": 3})

    def clean_issuer_org(self):
        return _check_org(self.user, self.cleaned_data.get("issuer_org"))

    def clean_audience_org(self):
        return _check_org(self.user, self.cleaned_data.get("audience_org"))

    def clean(self):
        cleaned = super().clean()
        bank = cleaned.get("bank")
        categories = cleaned.get("categories") or []
        if bank is not None:
            wrong = [c.name for c in categories if c.bank_id != bank.pk]
            if wrong:
                self.add_error(
                    "categories",
                    _("Các nhóm %(names)s không thuộc ngân hàng đã chọn.")
                    % {"names": ", ".join(wrong)},
                )
            pool = Question.objects.filter(bank=bank, is_active=True)
            if categories:
                pool = pool.filter(category__in=categories)
            available = pool.count()
            wanted = cleaned.get("question_count") or 0
            if wanted > available:
                self.add_error(
                    "question_count",
                    _("Ngân hàng (các nhóm đã chọn) chỉ có %(n)s câu hỏi đang dùng.")
                    % {"n": available},
                )
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx)"),
        help_text=gettext_lazy(
            "Cột: Nhóm, Loại, Câu hỏi, Phương án A, Phương án B, (C, D…), Đáp án, (Giải thích)."
        ),
    )

    def __init__(self, *args, user, obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.bank = user, obj
