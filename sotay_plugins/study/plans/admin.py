"""Study plans, sessions, implementation plans and the study reports in the Wagtail admin
(menu "Học tập nghị quyết"), filtered by the scope engine (``permissions``); every write goes
through ``services``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.pages import PageListingViewSet

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.admin.scoped import (
    ObjectAction,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedModelViewSet,
    ScopedObjectFormView,
)

from ..resolutions import reports
from ..resolutions.models import VIEW_STUDY, ResolutionPage
from . import services
from .forms import (
    ConfirmForm,
    ImplementationPlanForm,
    ReportForm,
    StudyPlanEditForm,
    StudyPlanForm,
    StudySessionForm,
)
from .models import ImplementationPlan, SessionAttendance, StudyPlan, StudySession


def _local(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


# --- plans ------------------------------------------------------------------------------------


class PlanIndexView(ScopedIndexView):
    page_title = gettext_lazy("Kế hoạch học tập")

    def get_listing_queryset(self, queryset):
        return queryset.select_related("issuer_org", "audience_org", "resolution")

    def order_queryset(self, queryset):
        return queryset.order_by("-deadline", "-pk")

    @cached_property
    def columns(self):
        return [
            self.title_column("title", _("Tên kế hoạch")),
            Column("resolution", label=_("Nghị quyết"), accessor="resolution.number"),
            Column("issuer", label=_("Cấp ủy ban hành"), accessor="issuer_org.name"),
            Column("audience", label=_("Đơn vị học tập"), accessor="audience_org.name"),
            Column("deadline", label=_("Hạn"), accessor=lambda p: p.deadline.strftime("%d/%m/%Y")),
        ]


class PlanCreateView(ScopedCreateView):
    page_title = gettext_lazy("Ban hành kế hoạch học tập")

    def save_instance(self):
        return services.announce_plan(self.request.user, **self.form.service_fields())

    def get_success_message(self, instance):
        return _("Đã ban hành %(title)s.") % {"title": instance.title}


class PlanEditView(ScopedEditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.update_plan(
            self.request.user,
            self.object,
            title=data.get("title"),
            deadline=data.get("deadline"),
            description=data.get("description") or "",
        )

    def get_success_message(self):
        return _("Đã lưu %(title)s.") % {"title": self.object.title}


class PlanInspectView(ScopedInspectView):
    def get_fields(self):
        return ["title", "resolution", "audiences", "deadline", "issuer_org", "audience_org"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["missing"] = services.missing_implementation(
            self.request.user, plan=self.object, limit=200
        )
        return context


class PlanViewSet(ScopedModelViewSet):
    model = StudyPlan
    name = "study_plan"
    url_prefix = "hoc-tap/ke-hoach"
    icon = "calendar-alt"
    menu_label = gettext_lazy("Kế hoạch học tập")
    inspect_view_enabled = True
    index_view_class = PlanIndexView
    add_view_class = PlanCreateView
    edit_view_class = PlanEditView
    inspect_view_class = PlanInspectView
    list_per_page = 50
    inspect_template_name = "study/admin/plan_inspect.html"

    def get_form_class(self, for_update=False):
        return StudyPlanEditForm if for_update else StudyPlanForm


# --- sessions ---------------------------------------------------------------------------------


def _open(session):
    return session.state == StudySession.State.SCHEDULED


SESSION_ACTIONS = (
    ObjectAction("close", gettext_lazy("Đã học xong"), "tick", 40, _open),
    ObjectAction("cancel", gettext_lazy("Hủy buổi học"), "cross", 41, _open),
)


class SessionIndexView(ScopedIndexView):
    page_title = gettext_lazy("Buổi học tập nghị quyết")
    object_actions = SESSION_ACTIONS

    def get_listing_queryset(self, queryset):
        present = (
            SessionAttendance.objects.filter(session=OuterRef("pk"), status__in=["present", "late"])
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return queryset.select_related("audience_org", "plan").annotate(
            n_present=Coalesce(Subquery(present, output_field=IntegerField()), 0)
        )

    def order_queryset(self, queryset):
        return queryset.order_by("-starts_at", "-pk")

    @cached_property
    def columns(self):
        return [
            self.title_column("title", _("Buổi học")),
            Column("when", label=_("Thời gian"), accessor=lambda s: _local(s.starts_at)),
            Column("audience", label=_("Đơn vị dự học"), accessor="audience_org.name"),
            Column("expected", label=_("Dự kiến"), accessor="expected_participants"),
            Column("n_present", label=_("Có mặt")),
            Column("state", label=_("Trạng thái"), accessor="get_state_display"),
        ]


class SessionCreateView(ScopedCreateView):
    page_title = gettext_lazy("Thêm buổi học tập")

    def save_instance(self):
        data = self.form.cleaned_data
        plan = data.get("plan")
        return services.add_session(
            self.request.user,
            plan,
            issuer_org=data.get("issuer_org"),
            audience_org=data.get("audience_org"),
            title=data.get("title"),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            place=data.get("place"),
            expected_participants=data.get("expected_participants") or 0,
        )

    def get_success_message(self, instance):
        return _("Đã thêm %(title)s: %(n)d người được mời.") % {
            "title": instance.title,
            "n": instance.roll.count(),
        }


class SessionEditView(ScopedEditView):
    object_actions = SESSION_ACTIONS

    def save_instance(self):
        data = self.form.cleaned_data
        return services.update_session(
            self.request.user,
            self.object,
            **{
                name: data.get(name)
                for name in ("title", "starts_at", "ends_at", "place", "expected_participants")
            },
        )

    def get_success_message(self):
        return _("Đã lưu %(title)s.") % {"title": self.object.title}


class SessionInspectView(ScopedInspectView):
    object_actions = SESSION_ACTIONS

    def get_fields(self):
        return ["title", "plan", "starts_at", "ends_at", "place", "expected_participants", "state"]

    def get_starts_at_display_value(self):
        return _local(self.object.starts_at)

    def get_ends_at_display_value(self):
        return _local(self.object.ends_at)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(
            SessionAttendance.objects.filter(session=self.object)
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        context["attendance_summary"] = [
            (label, counts.get(value, 0)) for value, label in SessionAttendance.Status.choices
        ]
        context["scan_url"] = reverse("study:session_checkin", args=[self.object.pk])
        return context


class SessionActionView(ScopedObjectFormView):
    form_class = ConfirmForm

    def get_intro_params(self):
        return {"title": self.object.title, "when": _local(self.object.starts_at)}


class CloseView(SessionActionView):
    action = "close"
    page_title = gettext_lazy("Kết thúc buổi học")
    submit_button_label = gettext_lazy("Đã học xong")
    header_icon = "tick"
    intro = gettext_lazy(
        "Ghi nhận buổi học %(title)s (%(when)s) đã diễn ra; điểm được cộng cho người đã điểm danh."
    )

    def perform(self, form):
        services.close_session(self.request.user, self.object)
        return _("Đã ghi nhận %(title)s đã học xong.") % {"title": self.object.title}


class CancelView(SessionActionView):
    action = "cancel"
    page_title = gettext_lazy("Hủy buổi học")
    submit_button_label = gettext_lazy("Hủy buổi học")
    header_icon = "cross"
    intro = gettext_lazy("Hủy buổi học %(title)s (%(when)s).")

    def perform(self, form):
        services.cancel_session(self.request.user, self.object)
        return _("Đã hủy %(title)s.") % {"title": self.object.title}


class SessionViewSet(ScopedModelViewSet):
    model = StudySession
    name = "study_session"
    url_prefix = "hoc-tap/buoi-hoc"
    icon = "group"
    menu_label = gettext_lazy("Buổi học tập")
    inspect_view_enabled = True
    index_view_class = SessionIndexView
    add_view_class = SessionCreateView
    edit_view_class = SessionEditView
    inspect_view_class = SessionInspectView
    form_fields = ["title", "starts_at", "ends_at", "place", "expected_participants"]
    list_per_page = 50
    inspect_template_name = "study/admin/session_inspect.html"
    object_action_views = (("xong", CloseView, "close"), ("huy", CancelView, "cancel"))

    def get_form_class(self, for_update=False):
        return StudySessionForm


# --- implementation plans ---------------------------------------------------------------------


class ImplementationIndexView(ScopedIndexView):
    page_title = gettext_lazy("Kế hoạch thực hiện")

    def get_listing_queryset(self, queryset):
        return queryset.select_related("issuer_org", "plan")

    def order_queryset(self, queryset):
        return queryset.order_by("-issued_on", "-pk")

    def get_title_url(self, instance):
        return self.get_inspect_url(instance)

    @cached_property
    def columns(self):
        return [
            self.title_column("number", _("Số hiệu")),
            Column("org", label=_("Đơn vị"), accessor="issuer_org.name"),
            Column("plan", label=_("Kế hoạch của cấp trên"), accessor="plan.title"),
            Column(
                "issued_on",
                label=_("Ngày ban hành"),
                accessor=lambda i: i.issued_on.strftime("%d/%m/%Y"),
            ),
            Column("late", label=_("Số ngày chậm"), accessor=lambda i: i.days_late()),
        ]


class ImplementationCreateView(ScopedCreateView):
    page_title = gettext_lazy("Ghi kế hoạch thực hiện")

    def save_instance(self):
        data = self.form.cleaned_data
        return services.record_implementation(
            self.request.user,
            data.get("plan"),
            data.get("org"),
            number=data.get("number"),
            issued_on=data.get("issued_on"),
            text=data.get("text") or "",
            file=data.get("file"),
        )

    def get_success_message(self, instance):
        return _("Đã ghi kế hoạch thực hiện %(number)s.") % {"number": instance.number}


class ImplementationInspectView(ScopedInspectView):
    def get_fields(self):
        return ["number", "issued_on", "plan", "issuer_org", "text"]


class ImplementationViewSet(ScopedModelViewSet):
    model = ImplementationPlan
    name = "study_implementation"
    url_prefix = "hoc-tap/ke-hoach-thuc-hien"
    icon = "doc-full"
    menu_label = gettext_lazy("Kế hoạch thực hiện")
    inspect_view_enabled = True
    index_view_class = ImplementationIndexView
    add_view_class = ImplementationCreateView
    inspect_view_class = ImplementationInspectView
    form_fields = ["number", "issued_on", "text", "file"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return ImplementationPlanForm


# --- reports ----------------------------------------------------------------------------------


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    def get_breadcrumbs_items(self):
        return []

    def dispatch(self, request, *args, **kwargs):
        if not scope.can(request.user, VIEW_STUDY):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MissingImplementationView(AdminPage):
    """Units under the user's scope without an implementation plan, and how late they are."""

    template_name = "study/admin/missing_implementation.html"
    page_title = gettext_lazy("Đơn vị chưa có kế hoạch thực hiện")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = services.missing_implementation(self.request.user, limit=2000)
        context.update(rows=rows, late=sum(1 for r in rows if r[2] > 0))
        return context


class CompletionReportView(AdminPage):
    """Completion per unit (rolled up) for one resolution; ``?xlsx=1`` exports it."""

    template_name = "study/admin/completion.html"
    page_title = gettext_lazy("Kết quả học tập nghị quyết")
    header_icon = "table"

    def get(self, request, *args, **kwargs):
        self.form = ReportForm(request.GET or None, user=request.user)
        self.report = None
        if request.GET and self.form.is_valid():
            resolution = self.form.cleaned_data["resolution"]
            org = self.form.cleaned_data["org"]
            try:
                total, rows = reports.completion_report(request.user, resolution, org)
            except PermissionError:
                raise Http404 from None
            self.report = (resolution, total, rows)
            if request.GET.get("xlsx"):
                missing = [
                    row
                    for row in services.missing_implementation(request.user, limit=5000)
                    if row[0].resolution_id == resolution.pk
                    and org.tree_id == row[1].tree_id
                    and org.lft <= row[1].lft <= org.rght
                ]
                body = reports.export_xlsx(resolution, total, rows, missing)
                response = HttpResponse(body, content_type=reports.XLSX)
                response["Content-Disposition"] = (
                    f'attachment; filename="ket-qua-hoc-tap-{resolution.pk}-{org.pk}.xlsx"'
                )
                response["Cache-Control"] = "private, no-store"
                return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, report=self.report)
        if self.report:
            resolution, total, rows = self.report
            org = self.form.cleaned_data["org"]
            context["not_started"] = list(
                reports.not_started(self.request.user, resolution, org, limit=200)
            )
            query = self.request.GET.copy()
            query["xlsx"] = "1"
            context["xlsx_url"] = f"?{query.urlencode()}"
        return context


urlpatterns = [
    path("hoc-tap/chua-co-ke-hoach/", MissingImplementationView.as_view(), name="missing"),
    path("hoc-tap/ket-qua/", CompletionReportView.as_view(), name="completion"),
]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can(request.user, VIEW_STUDY)


class ResolutionListingViewSet(PageListingViewSet):
    """The resolution pages (Wagtail's page listing of one type: edit, submit to the workflow,
    publish, from the page editor). Which pages a user may act on is the page permission
    policy's answer."""

    model = ResolutionPage
    name = "study_resolutions"
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Nghị quyết")
    add_to_admin_menu = False


class StudyViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Học tập nghị quyết")
    menu_icon = "edit"
    menu_order = 240
    items = (ResolutionListingViewSet, PlanViewSet, SessionViewSet, ImplementationViewSet)
