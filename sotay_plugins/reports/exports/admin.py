"""Wagtail admin pages of the exports (Báo cáo – Thống kê → Xuất báo cáo); ``services`` does the
work, these stay thin.

    /admin/xuat-bao-cao/                  ask for an export; my exports with their progress
    /admin/xuat-bao-cao/<id>/             one export's progress (refreshes every 2 s, no JS)
    /admin/xuat-bao-cao/<id>/tai-ve/      the file (only its requester; rights checked again)

Every page needs ``reports.export`` somewhere; an export is reachable only by its requester.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from sotay_plugins.files import serve_private
from sotay_plugins.members.models import MembershipKind, MemberStatus
from sotay_plugins.orgtree.choices import MemberGroup

from . import periods, services
from .models import Export


def _require(request):
    if not services.may_export(request.user):
        raise PermissionDenied


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'— ' * obj.level}{obj.code} · {obj.name}"


def _blank(choices):
    return [("", gettext_lazy("(tất cả)")), *choices]


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Báo cáo"), choices=Export.Kind.choices)
    org = UnitChoiceField(queryset=None, label=gettext_lazy("Đơn vị"))
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"),
        choices=[(Export.Format.XLSX, "Excel"), (Export.Format.PDF, "PDF")],
        help_text=gettext_lazy(
            "Danh sách đảng viên: Excel. Báo cáo tháng: PDF (một tệp mỗi chi bộ, nén thành .zip "
            "khi đơn vị có nhiều chi bộ)."
        ),
    )
    month = forms.CharField(
        label=gettext_lazy("Tháng (báo cáo tháng)"),
        required=False,
        max_length=7,
        help_text=gettext_lazy("Dạng NNNN-TT, ví dụ 2026-11."),
    )
    period_start = forms.DateField(
        label=gettext_lazy("Từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_end = forms.DateField(
        label=gettext_lazy("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Tình trạng (danh sách)"),
        required=False,
        choices=MemberStatus.choices,
        initial=MemberStatus.ACTIVE,
    )
    group = forms.ChoiceField(
        label=gettext_lazy("Nhóm đảng viên (danh sách)"),
        required=False,
        choices=_blank(MemberGroup.choices),
    )
    membership = forms.ChoiceField(
        label=gettext_lazy("Loại đảng viên (danh sách)"),
        required=False,
        choices=_blank(MembershipKind.choices),
    )
    personal = forms.BooleanField(
        label=gettext_lazy("Gồm thông tin cá nhân"),
        required=False,
        help_text=gettext_lazy(
            "Ngày sinh, CCCD, quê quán, địa chỉ, số điện thoại: chỉ khi bạn có quyền xem thông tin "
            "cá nhân của đơn vị; việc xuất được ghi nhật ký (Nghị định 13/2023)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = services.export_units(user)
        self.fields["org"].error_messages["invalid_choice"] = gettext_lazy(
            "Đơn vị này không thuộc phạm vi bạn được xuất báo cáo; xin chọn trong danh sách."
        )
        today = timezone.localdate()
        self.fields["month"].initial = f"{today:%Y-%m}"
        self.fields["period_start"].initial = today.replace(day=1)
        self.fields["period_end"].initial = today

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Export.Kind.MONTHLY:
            try:
                cleaned["period_start"], cleaned["period_end"] = periods.month_bounds(
                    cleaned.get("month")
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field, errors)
        return cleaned


class ExportMixin(WagtailAdminTemplateMixin):
    header_icon = "download"

    def dispatch(self, request, *args, **kwargs):
        _require(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return []


class ExportsView(ExportMixin, FormView):
    template_name = "reports/exports/index.html"
    form_class = ExportForm
    page_title = gettext_lazy("Xuất báo cáo")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        services.purge_expired()
        exports = list(services.my_exports(self.request.user)[:30])
        context.update(exports=exports, refresh=any(e.is_active for e in exports))
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        kind = data["kind"]
        fmt = data["format"]
        if kind == Export.Kind.MEMBERS:
            fmt = Export.Format.XLSX
        elif kind == Export.Kind.MONTHLY:
            fmt = Export.Format.PDF
        filters = {k: data.get(k) for k in ("status", "group", "membership")}
        try:
            export, created = services.request_export(
                self.request.user,
                kind=kind,
                org=data["org"],
                start=data.get("period_start"),
                end=data.get("period_end"),
                filters=filters if kind == Export.Kind.MEMBERS else {},
                personal=data.get("personal") and kind == Export.Kind.MEMBERS,
                fmt=fmt,
            )
        except services.NotFound:
            form.add_error("org", _("Đơn vị này không thuộc phạm vi bạn được xuất báo cáo."))
            return self.form_invalid(form)
        except services.Refused as exc:
            form.add_error("personal" if data.get("personal") else "org", str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        if not created:
            messages.info(self.request, _("Báo cáo này đang được tạo; xin chờ tệp lần trước."))
        return redirect("reports_exports:detail", pk=export.pk)


class ExportDetailView(ExportMixin, TemplateView):
    template_name = "reports/exports/detail.html"
    page_title = gettext_lazy("Tệp xuất báo cáo")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["export"] = services.my_export(self.request.user, kwargs["pk"])
        except services.NotFound:
            raise Http404 from None
        return context


def download(request, pk):
    _require(request)
    try:
        export = services.for_download(request.user, pk)
    except services.NotFound:
        raise Http404 from None
    services.record_download(export, request.user)
    return serve_private(export.file, filename=export.file_name, download=True)


urlpatterns = [
    path("xuat-bao-cao/", ExportsView.as_view(), name="index"),
    path("xuat-bao-cao/<int:pk>/", ExportDetailView.as_view(), name="detail"),
    path("xuat-bao-cao/<int:pk>/tai-ve/", download, name="download"),
]
