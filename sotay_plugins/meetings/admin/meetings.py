"""Cell meetings in the Wagtail admin (menu "Sinh hoạt chi bộ"), filtered by the scope engine.

Listing, inspect and edit reach only meetings of cells under a unit where the user holds the
matching capability (ScopePermissionPolicy). Convening, edits, minutes, approval and
cancellation go through ``services``. The 20th-of-the-month report lists the cells that have
not registered next month's regular meeting.
"""

from __future__ import annotations

from django.contrib.admin.utils import quote
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem as AdminMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button

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

from .. import services
from ..forms import (
    FORM_FIELDS,
    CancelForm,
    ConfirmForm,
    MeetingCreateForm,
    MeetingEditForm,
    MeetingFilterSet,
    MinutesForm,
)
from ..models import CONVENE, VIEW_MEETING, Attendance, Meeting
from ..permissions import meeting_policy as policy


def _in_states(*states):
    return lambda meeting: meeting.state in states


#: minutes, approval and cancellation, each offered while the meeting is in the states given
MEETING_ACTIONS = (
    ObjectAction(
        "minutes",
        gettext_lazy("Ghi biên bản"),
        "doc-full",
        40,
        _in_states(Meeting.State.SCHEDULED, Meeting.State.HELD),
    ),
    ObjectAction(
        "approve",
        gettext_lazy("Duyệt biên bản và khóa"),
        "lock",
        41,
        _in_states(Meeting.State.HELD),
    ),
    ObjectAction(
        "cancel",
        gettext_lazy("Hủy buổi sinh hoạt"),
        "cross",
        42,
        _in_states(Meeting.State.SCHEDULED),
    ),
)


def _local(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


class MeetingIndexView(ScopedIndexView):
    object_actions = MEETING_ACTIONS
    page_title = gettext_lazy("Sinh hoạt chi bộ")
    default_ordering = "-starts_at"

    def get_listing_queryset(self, queryset):
        # A correlated count (not a join + GROUP BY): the paginator's COUNT(*) leaves it out.
        expected = (
            Attendance.objects.filter(meeting=OuterRef("pk"))
            .order_by()
            .values("meeting")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return queryset.select_related("audience_org").annotate(
            n_expected=Coalesce(Subquery(expected, output_field=IntegerField()), 0)
        )

    def get_valid_orderings(self):
        return ["starts_at", "-starts_at", "title", "-title"]

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering or "-starts_at", "-pk")

    @cached_property
    def columns(self):
        return [
            self.title_column("title", _("Tiêu đề"), sort_key="title"),
            Column("cell", label=_("Chi bộ"), accessor="audience_org.name"),
            Column(
                "starts_at",
                label=_("Thời gian"),
                accessor=lambda m: _local(m.starts_at),
                sort_key="starts_at",
            ),
            Column("kind", label=_("Loại"), accessor="get_kind_display"),
            Column("state", label=_("Trạng thái"), accessor="get_state_display"),
            Column("n_expected", label=_("Số đảng viên triệu tập")),
        ]

    def get_title_url(self, instance):
        if instance.is_locked:
            return self.get_inspect_url(instance)
        return super().get_title_url(instance)

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("Chưa đăng ký lịch tháng sau"),
                url=reverse("meetings_meeting:missing"),
                icon_name="warning",
                priority=60,
            )
        )
        return buttons


class MeetingCreateView(ScopedCreateView):
    page_title = gettext_lazy("Triệu tập sinh hoạt")

    def save_instance(self):
        fields = self.form.service_fields(FORM_FIELDS)
        return services.convene(self.form.cleaned_data["cell"], self.request.user, **fields)

    def get_success_message(self, instance):
        return _("Đã triệu tập %(title)s (%(when)s): %(n)d đảng viên được mời.") % {
            "title": instance.title,
            "when": _local(instance.starts_at),
            "n": instance.attendance.count(),
        }


class MeetingEditView(ScopedEditView):
    object_actions = MEETING_ACTIONS

    def dispatch(self, request, *args, **kwargs):
        meeting = self.get_object()
        if meeting.is_locked:
            messages.warning(
                request,
                _("Buổi sinh hoạt đã khóa (%(state)s): không thay đổi được nữa.")
                % {"state": meeting.get_state_display()},
            )
            return redirect("meetings_meeting:inspect", quote(meeting.pk))
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        changes = self.form.service_fields(
            [name for name in self.form.changed_data if name in FORM_FIELDS]
        )
        return services.update(self.object, self.request.user, **changes)

    def get_success_message(self):
        return _("Đã lưu %(title)s.") % {"title": self.object.title}


class MeetingInspectView(ScopedInspectView):
    object_actions = MEETING_ACTIONS

    def get_fields(self):
        editable = [name for name in FORM_FIELDS if name not in ("title", "kind")]
        return [
            "title",
            "kind",
            "audience_org",
            *editable,
            "state",
            "minutes",
            "resolution",
            "minutes_approved_at",
        ]

    def get_starts_at_display_value(self):
        return _local(self.object.starts_at)

    def get_ends_at_display_value(self):
        return _local(self.object.ends_at)

    def get_minutes_approved_at_display_value(self):
        return _local(self.object.minutes_approved_at)

    def get_audience_org_display_value(self):
        return self.object.audience_org.name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(
            Attendance.objects.filter(meeting=self.object)
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        summary = [(label, counts.get(value, 0)) for value, label in Attendance.Status.choices]
        context["attendance_summary"] = summary
        return context


class MeetingActionView(ScopedObjectFormView):
    """An action on an open meeting; a closed or cancelled one has none left: back to its
    read-only page. The intro may name the meeting and its time."""

    def get_intro_params(self):
        return {"title": self.object.title, "when": _local(self.object.starts_at)}

    def dispatch(self, request, *args, **kwargs):
        if self.object.is_locked:
            messages.warning(
                request,
                _("Buổi sinh hoạt đã khóa (%(state)s): không thay đổi được nữa.")
                % {"state": self.object.get_state_display()},
            )
            return redirect("meetings_meeting:inspect", quote(self.object.pk))
        return super().dispatch(request, *args, **kwargs)


class MinutesView(MeetingActionView):
    action = "minutes"
    form_class = MinutesForm
    page_title = gettext_lazy("Ghi biên bản")
    submit_button_label = gettext_lazy("Lưu biên bản")
    header_icon = "doc-full"
    intro = gettext_lazy(
        "Biên bản và nghị quyết của buổi sinh hoạt %(title)s (%(when)s). "
        "Sau khi lưu, buổi sinh hoạt chuyển sang “Đã họp”; duyệt biên bản sẽ khóa hồ sơ."
    )

    def perform(self, form):
        services.record_minutes(
            self.object,
            self.request.user,
            form.cleaned_data["minutes"],
            form.cleaned_data.get("resolution") or "",
        )
        return _("Đã lưu biên bản của %(title)s.") % {"title": self.object.title}


class ApproveView(MeetingActionView):
    action = "approve"
    form_class = ConfirmForm
    page_title = gettext_lazy("Duyệt biên bản")
    submit_button_label = gettext_lazy("Duyệt và khóa")
    header_icon = "lock"
    intro = gettext_lazy(
        "Duyệt biên bản của %(title)s. Sau khi duyệt, buổi sinh hoạt đóng lại và khóa: "
        "không sửa được thông tin, biên bản, điểm danh hay góp ý nữa."
    )

    def perform(self, form):
        services.approve_minutes(self.object, self.request.user)
        return _("Đã duyệt biên bản; %(title)s đã khóa.") % {"title": self.object.title}


class CancelView(MeetingActionView):
    action = "cancel"
    form_class = CancelForm
    page_title = gettext_lazy("Hủy buổi sinh hoạt")
    submit_button_label = gettext_lazy("Hủy buổi sinh hoạt")
    header_icon = "cross"
    intro = gettext_lazy(
        "Hủy %(title)s (%(when)s). Đảng viên được báo tin; hồ sơ buổi sinh hoạt vẫn được giữ."
    )

    def perform(self, form):
        services.cancel(self.object, self.request.user, form.cleaned_data.get("reason") or "")
        return _("Đã hủy %(title)s.") % {"title": self.object.title}


class MissingNextMonthView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Hà Nội's rule: cells under the user's scope without next month's regular meeting."""

    model = Meeting
    permission_policy = policy
    permission_required = "view"
    template_name = "meetings/admin/missing_next_month.html"
    page_title = gettext_lazy("Chi bộ chưa đăng ký lịch sinh hoạt tháng sau")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        year, month = services.next_month(today)
        cells = list(services.cells_without_next_month_regular(self.request.user, today)[:2000])
        context.update(
            cells=cells,
            due=today.day >= services.REGISTRATION_DAY,
            month=f"{month:02d}/{year}",
            deadline=services.registration_deadline(today),
            add_url=reverse("meetings_meeting:add")
            if scope.can(self.request.user, CONVENE)
            else None,
        )
        return context


class MeetingViewSet(ScopedModelViewSet):
    model = Meeting
    name = "meetings_meeting"
    url_prefix = "sinh-hoat"
    icon = "date"
    menu_label = gettext_lazy("Sinh hoạt chi bộ")
    menu_order = 230
    add_to_admin_menu = True
    inspect_view_enabled = True
    index_view_class = MeetingIndexView
    add_view_class = MeetingCreateView
    edit_view_class = MeetingEditView
    inspect_view_class = MeetingInspectView
    filterset_class = MeetingFilterSet
    list_per_page = 50
    inspect_template_name = "meetings/admin/inspect.html"

    def get_form_class(self, for_update=False):
        return MeetingEditForm if for_update else MeetingCreateForm

    object_action_views = (
        ("bien-ban", MinutesView, "minutes"),
        ("duyet-bien-ban", ApproveView, "approve"),
        ("huy", CancelView, "cancel"),
    )

    def get_urlpatterns(self):
        missing = self.construct_view(MissingNextMonthView)
        return [
            *super().get_urlpatterns(),
            path("chua-dang-ky-thang-sau/", missing, name="missing"),
        ]


class MissingReportMenuItem(AdminMenuItem):
    def is_shown(self, request):
        return scope.can(request.user, VIEW_MEETING)
