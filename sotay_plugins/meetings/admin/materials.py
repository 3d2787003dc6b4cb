"""Meeting materials and meeting reports in the Wagtail admin (wired by ``wagtail_hooks.py``).

    /quan-tri/tai-lieu-sinh-hoat/
        materials of the units I manage (level, month filters)
    /quan-tri/tai-lieu-sinh-hoat/add/, edit/<id>/
        publish, edit (issuer: a unit I manage materials for)
    /quan-tri/tai-lieu-sinh-hoat/su-dung/<id>/
        where and when a material was used (issuing level only)
    /quan-tri/tai-lieu-buoi-sinh-hoat/<meeting id>/
        a meeting's materials: pick, drop, who has not opened them
    /quan-tri/bao-cao-sinh-hoat/
        meetings report, per unit and rolled up

Everything is cut by the scope engine (materials.py, reports.py); another cell's internal
materials never appear above that cell, and a committee never sees a unit outside its subtree.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.admin.scoped import (
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedModelViewSet,
)
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.forms import OrgChoiceField, ScopedModelForm, org_chooser

from .. import materials as service
from .. import reports
from ..models import CONVENE, MANAGE_MATERIALS, Material, Meeting
from ..permissions import material_policy

LEVEL_CHOICES = [
    (OrgKind.PROVINCE, OrgKind.PROVINCE.label),
    (OrgKind.DISTRICT, OrgKind.DISTRICT.label),
    (OrgKind.BASE, OrgKind.BASE.label),
    (OrgKind.CELL, gettext_lazy("Chi bộ (tài liệu nội bộ)")),
]


# --- forms -----------------------------------------------------------------------------------


class MonthField(forms.CharField):
    """A month typed as MM/YYYY (or picked as YYYY-MM), cleaned to its first day."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "MM/YYYY")

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return reports.parse_month(value, field_name="month")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def prepare_value(self, value):
        return value.strftime("%m/%Y") if hasattr(value, "strftime") else value

    def has_changed(self, initial, data):
        return self.prepare_value(initial or "") != (data or "")


class MaterialForm(ScopedModelForm):
    month = MonthField(label=gettext_lazy("Dùng cho tháng (MM/YYYY)"), required=False)

    class Meta:
        model = Material
        fields = [
            "issuer_org",
            "audience_org",
            "title",
            "summary",
            "body",
            "month",
            "file",
            "audience_positions",
            "audience_groups",
        ]
        field_classes = {"issuer_org": OrgChoiceField, "audience_org": OrgChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer_org"].queryset = service.issuer_choices(self.user)
        self.fields["issuer_org"].widget = org_chooser(MANAGE_MATERIALS)
        self.fields["issuer_org"].error_messages["invalid_choice"] = _(
            "Bạn không được đăng tài liệu của đơn vị này; xin chọn đơn vị khác."
        )
        self.fields["audience_org"].queryset = (
            scope.managed_orgs(self.user, MANAGE_MATERIALS)
            .filter(is_active=True)
            .order_by("tree_id", "lft")
        )
        self.fields["audience_org"].widget = org_chooser(MANAGE_MATERIALS)
        self.fields["audience_org"].required = False
        self.fields["audience_org"].help_text = _(
            "Để trống: toàn bộ đơn vị ban hành. Tài liệu của chi bộ chỉ dành cho chính chi bộ đó."
        )
        self.fields["file"].help_text = _(
            "PDF, Word (.docx), Excel (.xlsx) hoặc ảnh; tối đa 20 MB."
        )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            service.check_file(upload)
        return upload

    def clean(self):
        data = super().clean()
        issuer = data.get("issuer_org")
        if issuer is not None and (not data.get("audience_org") or issuer.kind == OrgKind.CELL):
            if data.get("audience_org") and data["audience_org"] != issuer:
                self.add_error(
                    "audience_org", _("Tài liệu nội bộ của chi bộ chỉ dành cho chính chi bộ đó.")
                )
            data["audience_org"] = issuer
            self.instance.audience_org = issuer
        return data

    def _post_clean(self):
        if self.cleaned_data.get("issuer_org") and not self.cleaned_data.get("audience_org"):
            self.cleaned_data["audience_org"] = self.cleaned_data["issuer_org"]
        super()._post_clean()


class MaterialSaveMixin:
    def save_instance(self):
        material = self.form.save(commit=False)
        upload = self.form.cleaned_data.get("file") if "file" in self.form.changed_data else None
        creating = material.pk is None
        material = service.save_material(
            material,
            user=self.request.user,
            upload=upload if hasattr(upload, "content_type") else None,
        )
        log(material, "wagtail.create" if creating else "wagtail.edit", user=self.request.user)
        return material


class MaterialCreateView(MaterialSaveMixin, ScopedCreateView):
    page_title = gettext_lazy("Đăng tài liệu sinh hoạt")

    def get_success_message(self, instance):
        return _("Đã đăng tài liệu %(title)s.") % {"title": instance.title}


class MaterialEditView(MaterialSaveMixin, ScopedEditView):
    def get_success_message(self):
        return _("Đã lưu tài liệu %(title)s.") % {"title": self.object.title}


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class MaterialFilterSet(WagtailFilterSet):
    level = django_filters.ChoiceFilter(
        label=gettext_lazy("Cấp ban hành"),
        choices=LEVEL_CHOICES,
        method="filter_level",
        empty_label=gettext_lazy("Tất cả"),
    )
    month = MonthFilter(label=gettext_lazy("Tháng (MM/YYYY)"), method="filter_month")

    class Meta:
        model = Material
        fields = ["level", "month"]

    def filter_level(self, queryset, name, value):
        if not value:
            return queryset
        kinds = [OrgKind.BASE, OrgKind.SUB] if value == OrgKind.BASE else [value]
        return queryset.filter(issuer_org__kind__in=kinds)

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=value) if value else queryset


class MaterialIndexView(ScopedIndexView):
    page_title = gettext_lazy("Tài liệu sinh hoạt")
    search_fields = ["title"]
    search_backend_name = None

    def get_listing_queryset(self, queryset):
        return queryset.select_related("issuer_org", "audience_org").annotate(
            used=Count("uses", filter=~Q(uses__meeting__state=Meeting.State.CANCELLED))
        )

    def search_queryset(self, queryset):
        return (
            queryset.filter(title__icontains=self.search_query) if self.is_searching else queryset
        )

    def order_queryset(self, queryset):
        return queryset.order_by("-created_at", "-pk")

    @cached_property
    def columns(self):
        return [
            self.title_column("title", _("Tiêu đề")),
            Column("issuer_org", label=_("Đơn vị ban hành"), accessor="issuer_org.name"),
            Column(
                "level", label=_("Cấp"), accessor=lambda m: service.level_label(m.issuer_org.kind)
            ),
            Column("audience_org", label=_("Phạm vi đến"), accessor="audience_org.name"),
            Column(
                "month",
                label=_("Tháng"),
                accessor=lambda m: m.month.strftime("%m/%Y") if m.month else "—",
            ),
            Column("used", label=_("Số buổi sinh hoạt đã dùng")),
        ]

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.append(
            ListingMenuItem(
                _("Nơi đã dùng"),
                url=reverse("meetings_materials_admin:usage", args=[instance.pk]),
                icon_name="list-ul",
                priority=20,
            )
        )
        return buttons


class MaterialViewSet(ScopedModelViewSet):
    model = Material
    name = "meetings_material"
    url_prefix = "tai-lieu-sinh-hoat"
    icon = "doc-full"
    menu_label = gettext_lazy("Tài liệu sinh hoạt")
    menu_order = 330
    add_to_admin_menu = True
    index_view_class = MaterialIndexView
    add_view_class = MaterialCreateView
    edit_view_class = MaterialEditView
    filterset_class = MaterialFilterSet
    list_per_page = 50

    @property
    def permission_policy(self):
        return material_policy

    def get_form_class(self, for_update=False):
        return MaterialForm


# --- usage, a meeting's materials, the report ------------------------------------------------


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    def get_breadcrumbs_items(self):
        return []


class MaterialUsageView(AdminPage):
    """Whether, where and when a material was used: cell and date, nothing else of the meetings."""

    template_name = "meetings/materials/usage.html"
    page_title = gettext_lazy("Nơi đã dùng tài liệu")
    header_icon = "list-ul"

    def dispatch(self, request, pk):
        self.material = get_object_or_404(Material.objects.select_related("issuer_org"), pk=pk)
        if not service.may_see_usage(request.user, self.material):
            raise Http404
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.material.title

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "material": self.material,
            "level": service.level_label(self.material.issuer_org.kind),
            "usage": service.usage_of(self.material, self.request.user),
        }


class MeetingMaterialsView(AdminPage):
    """The secretary's page of one meeting's materials: pick, drop, and who has not opened them."""

    template_name = "meetings/materials/meeting.html"
    page_title = gettext_lazy("Tài liệu của buổi sinh hoạt")
    header_icon = "doc-full"

    def dispatch(self, request, pk):
        self.meeting = get_object_or_404(Meeting.objects.select_related("audience_org"), pk=pk)
        if not scope.can(request.user, CONVENE, self.meeting):
            raise Http404
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return str(self.meeting)

    def get_context_data(self, **kwargs):
        picked = list(service.meeting_materials(self.meeting, self.request.user))
        choices = service.pickable_for(self.meeting, self.request.user).exclude(
            pk__in=[m.pk for m in picked]
        )[:300]
        status = service.open_status(self.meeting, self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "meeting": self.meeting,
            "picked": picked,
            "choices": [(m, service.level_label(m.issuer_org.kind)) for m in choices],
            "not_opened": [row for row in status if row.missing > 0],
            "all_opened": sum(1 for row in status if row.missing <= 0 and row.expected),
            "locked": self.meeting.is_locked,
        }

    def post(self, request, pk):
        raw = request.POST.get("material", "")
        material = Material.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        try:
            if material is None:
                raise ValidationError(_("Xin chọn một tài liệu."))
            if request.POST.get("action") == "unpick":
                service.unpick(self.meeting, material, user=request.user)
                messages.success(
                    request,
                    _("Đã bỏ tài liệu %(title)s khỏi buổi sinh hoạt.") % {"title": material.title},
                )
            else:
                service.pick(self.meeting, material, user=request.user)
                messages.success(
                    request,
                    _("Đã chọn tài liệu %(title)s cho buổi sinh hoạt.") % {"title": material.title},
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied:
            raise Http404 from None
        return redirect("meetings_materials_admin:meeting", pk=self.meeting.pk)


def _report_units(user):
    """Units of the user's report scope for the unit select (committees only when the list is
    long)."""
    units = reports.report_units(user).values("pk", "code", "name", "level", "kind")
    if units.count() > 300:
        units = units.exclude(kind=OrgKind.CELL)
    return units


class ReportForm(forms.Form):
    org = forms.TypedChoiceField(
        label=gettext_lazy("Đơn vị"), coerce=int, required=False, empty_value=None
    )
    start = MonthField(label=gettext_lazy("Từ tháng (MM/YYYY)"), required=False)
    end = MonthField(label=gettext_lazy("Đến tháng (MM/YYYY)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", _("Toàn bộ phạm vi của tôi"))] + [
            (u["pk"], f"{'— ' * u['level']}{u['code']} · {u['name']}") for u in _report_units(user)
        ]
        self.fields["org"].error_messages["invalid_choice"] = _(
            "Đơn vị này nằm ngoài phạm vi báo cáo của bạn."
        )


class MeetingReportAdminView(AdminPage):
    template_name = "meetings/reports/meetings.html"
    page_title = gettext_lazy("Báo cáo sinh hoạt chi bộ")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not reports.may_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ReportForm(self.request.GET or None, user=self.request.user)
        report = None
        if not self.request.GET or form.is_valid():
            data = form.cleaned_data if self.request.GET else {}
            try:
                report = reports.meeting_report(
                    self.request.user,
                    root=data.get("org"),
                    start=data.get("start"),
                    end=data.get("end"),
                    depth=2,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
        context.update(form=form, report=report, levels=LEVEL_CHOICES)
        if report:
            context["rows"] = [
                (u, [u.materials.get(level, 0) for level, _label in LEVEL_CHOICES])
                for u in report.units
            ]
            context["month_rows"] = report.root.month_rows(report.months) if report.root else []
        return context


urlpatterns = [
    path("tai-lieu-sinh-hoat/su-dung/<int:pk>/", MaterialUsageView.as_view(), name="usage"),
    path("tai-lieu-buoi-sinh-hoat/<int:pk>/", MeetingMaterialsView.as_view(), name="meeting"),
    path("bao-cao-sinh-hoat/", MeetingReportAdminView.as_view(), name="report"),
]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return reports.may_report(request.user)
