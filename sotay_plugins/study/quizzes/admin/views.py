"""The quizzes in the Wagtail admin (menu "Kiểm tra nghị quyết"), cut by the scope engine.

    /quan-tri/kiem-tra/ngan-hang/            question banks (+ import from a spreadsheet)
    /quan-tri/kiem-tra/nhom/                 categories
    /quan-tri/kiem-tra/cau-hoi/              questions with their answers
    /quan-tri/kiem-tra/bai/                  quizzes (+ item statistics, results per unit)

An editor sees the banks of the units where they hold ``study.manage_quizzes`` and the quizzes
issued there; the statistics of a quiz need ``study.view_quiz_results`` at its issuer.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSetGroup

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.admin.scoped import (
    ObjectAction,
    ScopedIndexView,
    ScopedModelViewSet,
    ScopedObjectFormView,
    yes_no_column,
)
from sotay_plugins.orgtree.models import Organisation

from .. import importer, reports, stats
from ..models import VIEW_QUIZ_RESULTS, Category, Question, QuestionBank, Quiz
from ..permissions import bank_policy, category_policy, question_policy, quiz_policy
from .forms import BankForm, CategoryForm, ImportForm, QuestionForm, QuizForm

# --- banks ------------------------------------------------------------------------------------


class BankIndexView(ScopedIndexView):
    object_actions = (ObjectAction("import", gettext_lazy("Nhập câu hỏi từ Excel"), "upload", 40),)

    def get_listing_queryset(self, queryset):
        from django.db.models import Count

        return queryset.select_related("resolution", "org").annotate(n_questions=Count("questions"))

    @cached_property
    def columns(self):
        return [
            self.title_column("title", _("Ngân hàng câu hỏi")),
            Column("resolution", label=_("Nghị quyết"), accessor="resolution.title"),
            Column("audience", label=_("Đối tượng"), accessor="get_audience_display"),
            Column("org", label=_("Đơn vị"), accessor="org.name"),
            Column("n_questions", label=_("Số câu hỏi")),
        ]


class ImportView(ScopedObjectFormView):
    """Questions from a spreadsheet into one bank: all rows or none."""

    model = QuestionBank
    action = "import"
    form_class = ImportForm
    page_title = gettext_lazy("Nhập câu hỏi từ Excel")
    header_icon = "upload"
    submit_button_label = gettext_lazy("Nhập câu hỏi")
    intro = gettext_lazy(
        "Tệp .xlsx, trang đầu tiên, dòng đầu là tiêu đề cột: Nhóm, Loại (một / nhiều / đúng/sai), "
        "Câu hỏi, Phương án A, Phương án B, Phương án C, Phương án D, Đáp án (ví dụ: B hoặc A, C), "
        "Giải thích. Thiếu cột hoặc có dòng sai thì không câu nào được nhập. "
        "Tải tệp mẫu: thêm ?mau=1 vào địa chỉ trang này."
    )

    def get(self, request, *args, **kwargs):
        if request.GET.get("mau"):
            response = HttpResponse(
                importer.template_workbook(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = 'attachment; filename="mau-cau-hoi.xlsx"'
            return response
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["files"] = self.request.FILES
        return kwargs

    def perform(self, form):
        n = importer.import_questions(self.object, form.cleaned_data["file"])
        return _("Đã nhập %(n)s câu hỏi vào %(bank)s.") % {"n": n, "bank": self.object.title}


class BankViewSet(ScopedModelViewSet):
    model = QuestionBank
    name = "quiz_banks"
    url_prefix = "kiem-tra/ngan-hang"
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Ngân hàng câu hỏi")
    index_view_class = BankIndexView
    object_action_views = (("nhap", ImportView, "import"),)

    @property
    def permission_policy(self):
        return bank_policy

    def get_form_class(self, for_update=False):
        return BankForm


# --- categories and questions -------------------------------------------------------------------


class CategoryIndexView(ScopedIndexView):
    def get_listing_queryset(self, queryset):
        return queryset.select_related("bank")

    @cached_property
    def columns(self):
        return [
            self.title_column("name", _("Nhóm câu hỏi")),
            Column("bank", label=_("Ngân hàng"), accessor="bank.title"),
            Column("position", label=_("Thứ tự")),
        ]


class CategoryViewSet(ScopedModelViewSet):
    model = Category
    name = "quiz_categories"
    url_prefix = "kiem-tra/nhom"
    icon = "tag"
    menu_label = gettext_lazy("Nhóm câu hỏi")
    index_view_class = CategoryIndexView

    @property
    def permission_policy(self):
        return category_policy

    def get_form_class(self, for_update=False):
        return CategoryForm


class QuestionIndexView(ScopedIndexView):
    def get_listing_queryset(self, queryset):
        return queryset.select_related("bank", "category")

    @cached_property
    def columns(self):
        return [
            self.title_column("text", _("Câu hỏi")),
            Column("category", label=_("Nhóm"), accessor="category.name"),
            Column("bank", label=_("Ngân hàng"), accessor="bank.title"),
            Column("kind", label=_("Loại"), accessor="get_kind_display"),
            yes_no_column("is_active", _("Đang dùng")),
        ]


class QuestionViewSet(ScopedModelViewSet):
    model = Question
    name = "quiz_questions"
    url_prefix = "kiem-tra/cau-hoi"
    icon = "help"
    menu_label = gettext_lazy("Câu hỏi")
    index_view_class = QuestionIndexView
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldPanel("bank"),
            FieldPanel("category"),
            FieldPanel("kind"),
            FieldPanel("text"),
            InlinePanel("answers", min_num=2, label=gettext_lazy("Phương án trả lời")),
            FieldPanel("explanation"),
            FieldPanel("is_active"),
        ],
        base_form_class=QuestionForm,
    )

    @property
    def permission_policy(self):
        return question_policy


# --- quizzes, their statistics ----------------------------------------------------------------


class QuizIndexView(ScopedIndexView):
    object_actions = (
        ObjectAction("statistics", gettext_lazy("Thống kê câu hỏi và kết quả"), "table", 40),
    )

    def get_listing_queryset(self, queryset):
        return queryset.select_related("bank", "issuer_org", "audience_org")

    @cached_property
    def columns(self):
        return [
            self.title_column("title", _("Bài kiểm tra")),
            Column("bank", label=_("Ngân hàng"), accessor="bank.title"),
            Column("audience_org", label=_("Phạm vi"), accessor="audience_org.name"),
            Column(
                "window",
                label=_("Thời hạn"),
                accessor=lambda q: f"{q.opens_at:%d/%m/%Y} – {q.closes_at:%d/%m/%Y}",
            ),
            yes_no_column("published", _("Đã công bố")),
        ]


class StatisticsView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Item statistics (Moodle's) and the results per unit under the quiz's audience; a quiz
    outside the user's reach answers 404."""

    model = Quiz
    index_url_name = None
    permission_policy = quiz_policy
    permission_required = "statistics"
    template_name = "study/quizzes/admin/statistics.html"
    page_title = gettext_lazy("Thống kê bài kiểm tra")
    header_icon = "table"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            quiz_policy.instances_user_has_permission_for(
                request.user, "statistics"
            ).select_related("bank", "audience_org"),
            pk=kwargs["pk"],
        )

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Bài kiểm tra")},
            {"url": "", "label": self.get_page_title(), "sublabel": str(self.object)},
        ]

    def get_context_data(self, **kwargs):
        from .. import services

        context = super().get_context_data(**kwargs)
        quiz = self.object
        services.close_expired(quiz)
        user = self.request.user
        audience = quiz.audience_org
        units = [audience, *Organisation.objects.filter(parent=audience).order_by("lft")]
        units = [u for u in units if scope.can(user, VIEW_QUIZ_RESULTS, u)]
        context.update(
            object=quiz,
            stats=stats.quiz_statistics(quiz),
            units=reports.quiz_report(quiz, units),
        )
        return context


class QuizViewSet(ScopedModelViewSet):
    model = Quiz
    name = "quiz_quizzes"
    url_prefix = "kiem-tra/bai"
    icon = "tasks"
    menu_label = gettext_lazy("Bài kiểm tra")
    index_view_class = QuizIndexView
    object_action_views = (("thong-ke", StatisticsView, "statistics"),)

    @property
    def permission_policy(self):
        return quiz_policy

    def get_form_class(self, for_update=False):
        return QuizForm


class QuizzesGroup(ViewSetGroup):
    menu_label = gettext_lazy("Kiểm tra nghị quyết")
    menu_icon = "tasks"
    menu_order = 360
    items = (QuizViewSet, BankViewSet, CategoryViewSet, QuestionViewSet)
