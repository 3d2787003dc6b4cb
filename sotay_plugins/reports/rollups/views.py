"""The dashboard pages: in the Wagtail admin (Báo cáo – Thống kê) and in the member shell for a
cell secretary. Thin: the filters are read here, everything else is ``services``."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from . import charts, periods, services

GRANULARITY_CHOICES = (
    ("month", gettext_lazy("Theo tháng")),
    ("quarter", gettext_lazy("Theo quý")),
    ("year", gettext_lazy("Theo năm")),
)


class MonthField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return periods.parse_month(value, "value")
        except ValidationError:
            raise ValidationError(
                _("Tháng không hợp lệ: nhập theo dạng MM/YYYY, ví dụ 03/2026.")
            ) from None


class FilterForm(forms.Form):
    org = forms.IntegerField(
        label=gettext_lazy("Mã đơn vị"), required=False, widget=forms.HiddenInput
    )
    start = MonthField(label=gettext_lazy("Từ tháng (MM/YYYY)"), required=False)
    end = MonthField(label=gettext_lazy("Đến tháng (MM/YYYY)"), required=False)
    granularity = forms.ChoiceField(
        label=gettext_lazy("Kỳ"), choices=GRANULARITY_CHOICES, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].error_messages["invalid"] = _("Mã đơn vị phải là số nguyên.")
        self.fields["granularity"].error_messages["invalid_choice"] = _(
            "Kỳ báo cáo phải là tháng, quý hoặc năm."
        )


def _query(data, **changes):
    params = {
        "org": data.get("org") or "",
        "start": data["start"].strftime("%m/%Y") if data.get("start") else "",
        "end": data["end"].strftime("%m/%Y") if data.get("end") else "",
        "granularity": data.get("granularity") or "month",
    }
    params.update(changes)
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


def dashboard_context(request):
    """(context, status) of the dashboard for the request's filters."""
    form = FilterForm(request.GET or None)
    context = {"form": form, "report": None, "error": None}
    if request.GET and not form.is_valid():
        return context, 400
    data = form.cleaned_data if request.GET else {}
    try:
        report = services.dashboard(
            request.user,
            data.get("org"),
            start=data.get("start"),
            end=data.get("end"),
            granularity=data.get("granularity") or "month",
        )
    except services.NotInScope as exc:
        context["error"] = exc.message
        return context, 404
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return context, 400
    data = {
        "start": report.span.start,
        "end": periods.add_months(report.span.end, -1),
        "granularity": report.span.granularity,
    }
    drill = {kid.id: _query(data, org=kid.id) for kid in report.children}
    context.update(report=report, sections=_sections(report, drill), query=_query(data))
    context["trail"] = [(u, _query(data, org=u.id)) for u in report.trail]
    context["granularities"] = [
        (code, label, _query(data, org=report.unit.id, granularity=code))
        for code, label in GRANULARITY_CHOICES
    ]
    context["readers_query"] = _query(data, org=report.unit.id)
    return context, 200


def _sections(report, drill):
    """Each section with its charts and tables ready to render."""
    out = []
    labels = [p.label for p in report.span.periods]
    for section in report.sections:
        items = []
        for figure in section.figures:
            item = {"figure": figure, "value": charts.fmt(figure.value, figure.unit)}
            if figure.headline or figure.rollup == "snapshot":
                item["over_time"] = charts.columns(
                    f"{figure.label} — {report.unit.name}",
                    labels,
                    figure.series,
                    figure.unit,
                    short_labels=[p.short_label for p in report.span.periods],
                )
                item["series"] = [
                    (label, charts.fmt(v, figure.unit))
                    for label, v in zip(labels, figure.series, strict=True)
                ]
                if report.children:
                    names = [kid.name for kid in report.children]
                    values = [figure.by_child.get(kid.id) for kid in report.children]
                    item["by_unit"] = charts.bars(
                        f"{figure.label} — {_('theo đơn vị trực thuộc')}",
                        names,
                        values,
                        figure.unit,
                    )
            items.append(item)
        columns = section.figures
        rows = [
            (kid, drill[kid.id], [charts.fmt(f.by_child.get(kid.id), f.unit) for f in columns])
            for kid in report.children
        ]
        breakdowns = [
            (f, dimension, choices) for f in section.figures for dimension, choices in f.breakdown
        ]
        out.append(
            {
                "section": section,
                "items": items,
                "columns": columns,
                "rows": rows,
                "breakdowns": breakdowns,
            }
        )
    return out


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "reports/rollups/admin_dashboard.html"
    page_title = gettext_lazy("Báo cáo – Thống kê")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not services.may_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        extra, status = dashboard_context(request)
        context = self.get_context_data(**kwargs)
        context.update(extra)
        context["readers_url"] = reverse("reports_admin:readers")
        context["documents_url"] = reverse("reports_admin:documents")
        return self.render_to_response(context, status=status)


def _unit_and_months(params):
    """(org id or None, first month or None, last month or None) of the admin lists' query
    string (``org``, ``start``, ``end`` as MM/YYYY); ValidationError in Vietnamese otherwise."""
    start = periods.parse_month(params["start"], "start") if params.get("start") else None
    end = periods.parse_month(params["end"], "end") if params.get("end") else None
    org = params.get("org") or None
    if org is not None and not org.isdigit():
        raise ValidationError({"org": _("Mã đơn vị phải là số nguyên.")})
    return (int(org) if org else None), start, end


def _joined(exc):
    return " ".join(str(m) for messages in exc.message_dict.values() for m in messages)


def readers_context(request):
    params = request.GET
    context = {"error": None, "result": None}
    try:
        org, start, end = _unit_and_months(params)
        which = params.get("which", "never")
        columns = [c for c in params.getlist("columns") if c]
        result = services.readers(
            request.user,
            org,
            start=start,
            end=end,
            which=which,
            columns=columns,
            page=params.get("page", 1),
        )
    except services.NotInScope as exc:
        context["error"] = exc.message
        return context, 404
    except services.PersonalDataRefused as exc:
        context["error"] = str(exc)
        return context, 403
    except ValidationError as exc:
        context["error"] = _joined(exc)
        return context, 400
    base = {k: v for k, v in params.items() if k != "page"}
    context.update(
        result=result,
        which=which,
        prev_query=urlencode({**base, "page": result.page - 1}) if result.page > 1 else "",
        next_query=urlencode({**base, "page": result.page + 1})
        if result.page < result.pages
        else "",
    )
    return context, 200


class ReadersView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "reports/rollups/admin_readers.html"
    page_title = gettext_lazy("Đảng viên chưa mở, ít mở văn bản")
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not services.may_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        extra, status = readers_context(request)
        context = self.get_context_data(**kwargs)
        context.update(extra)
        return self.render_to_response(context, status=status)


def documents_context(request):
    """(context, status) of the documents deployed to a unit, with their reading."""
    params = request.GET
    context = {"error": None, "result": None}
    try:
        org, start, end = _unit_and_months(params)
        result = services.documents(
            request.user,
            org,
            start=start,
            end=end,
            order=params.get("order") or "-published",
            page=params.get("page", 1),
        )
    except services.NotInScope as exc:
        context["error"] = exc.message
        return context, 404
    except ValidationError as exc:
        context["error"] = _joined(exc)
        return context, 400
    base = {
        "org": result.unit.id,
        "start": result.span.start.strftime("%m/%Y"),
        "end": periods.add_months(result.span.end, -1).strftime("%m/%Y"),
    }
    # each column sorts by itself; a second click reverses the order
    sorts = [
        (
            key,
            label,
            urlencode({**base, "order": key if result.order == f"-{key}" else f"-{key}"}),
            "descending"
            if result.order == f"-{key}"
            else ("ascending" if result.order == key else ""),
        )
        for key, label in services.ORDER_LABELS.items()
    ]
    with_order = {**base, "order": result.order}
    context.update(
        result=result,
        sorts=sorts,
        prev_query=urlencode({**with_order, "page": result.page - 1}) if result.page > 1 else "",
        next_query=urlencode({**with_order, "page": result.page + 1})
        if result.page < result.pages
        else "",
    )
    return context, 200


class DocumentsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "reports/rollups/admin_documents.html"
    page_title = gettext_lazy("Văn bản triển khai và lượt mở")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not services.may_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        extra, status = documents_context(request)
        context = self.get_context_data(**kwargs)
        context.update(extra)
        return self.render_to_response(context, status=status)


# --- the member shell: a cell secretary's own figures ----------------------------------------


@never_cache
@login_required
@require_GET
def my_reports(request):
    """The dashboard in the member shell (phones): for whoever holds ``reports.view_reports``
    (a cell secretary: their cell); anyone else gets 404."""
    if not services.may_report(request.user):
        raise Http404
    extra, status = dashboard_context(request)
    return render(request, "reports/rollups/shell_dashboard.html", extra, status=status)


@never_cache
@login_required
@require_GET
def my_readers(request):
    if not services.may_report(request.user):
        raise Http404
    extra, status = readers_context(request)
    return render(request, "reports/rollups/shell_readers.html", extra, status=status)


@never_cache
@login_required
@require_GET
def my_documents(request):
    if not services.may_report(request.user):
        raise Http404
    extra, status = documents_context(request)
    return render(request, "reports/rollups/shell_documents.html", extra, status=status)
