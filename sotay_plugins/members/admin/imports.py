"""Wagtail admin pages of the spreadsheet import (``importing`` does the work; these stay thin).

    /quan-tri/nhap-dang-vien/                 upload form (unit + file) and recent imports
    /quan-tri/nhap-dang-vien/mau.xlsx         the template (?org=<id> lists that unit's cells)
    /quan-tri/nhap-dang-vien/<id>/            dry-run report, then the result
    /quan-tri/nhap-dang-vien/<id>/nhap/       POST: start the import job
    /quan-tri/nhap-dang-vien/<id>/tien-do/    progress bar (refreshes every 2 s, no JS needed)
    /quan-tri/nhap-dang-vien/<id>/trang-thai/ the same as JSON

Every page needs ``members.import_members`` somewhere; a batch is reachable only through
``scope.visible_to`` (its unit under one where the user holds the capability), else 404.
``wagtail_hooks.py`` routes :data:`urlpatterns` and adds the menu item.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation

from .. import importing as importer
from ..importing.batches import progress_of
from ..models import ImportBatch

CAPABILITY = importer.CAPABILITY


def _require(request):
    if not scope.can(request.user, CAPABILITY):
        raise PermissionDenied


def _batch(request, pk):
    return get_object_or_404(
        scope.visible_to(request.user, ImportBatch).select_related("org", "job"), pk=pk
    )


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'— ' * obj.level}{obj.code} · {obj.name}"


class UploadForm(forms.Form):
    org = OrgChoiceField(
        queryset=Organisation.objects.none(),
        label=gettext_lazy("Nhập vào đơn vị"),
        help_text=gettext_lazy("Mọi chi bộ trong tệp phải trực thuộc đơn vị này."),
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx)"),
        help_text=gettext_lazy("Dùng mẫu tải về; tối đa 10 MB."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = (
            scope.managed_orgs(user, CAPABILITY).filter(is_active=True).order_by("tree_id", "lft")
        )
        self.fields["org"].error_messages["invalid_choice"] = gettext_lazy(
            "Bạn không có quyền nhập vào đơn vị này; xin chọn một đơn vị trong danh sách."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(
                _("Chỉ nhận tệp Excel .xlsx (tệp .xls cũ xin mở bằng Excel và lưu lại dạng .xlsx).")
            )
        try:
            importer.check_size(upload)
        except importer.ImportFileError as exc:
            raise ValidationError(exc.messages) from None
        return upload


class ImportMixin(WagtailAdminTemplateMixin):
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        _require(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return []


class UploadView(ImportMixin, FormView):
    template_name = "members/import/upload.html"
    form_class = UploadForm
    page_title = gettext_lazy("Nhập đảng viên từ Excel")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["batches"] = scope.visible_to(self.request.user, ImportBatch).select_related(
            "org", "job"
        )[:20]
        context["units"] = importer.template_units(self.request.user)
        context["max_mb"] = settings.SOTAY_IMPORT_MAX_BYTES // (1024 * 1024)
        return context

    def form_valid(self, form):
        try:
            batch = importer.start_batch(
                user=self.request.user,
                org=form.cleaned_data["org"],
                uploaded_file=form.cleaned_data["file"],
            )
        except importer.ImportFileError as exc:
            for message in exc.messages:
                form.add_error("file", message)
            return self.form_invalid(form)
        return redirect("members_import:batch", pk=batch.pk)


class BatchView(ImportMixin, TemplateView):
    template_name = "members/import/report.html"
    page_title = gettext_lazy("Kết quả kiểm tra tệp nhập")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = _batch(self.request, kwargs["pk"])
        context.update(
            batch=batch,
            can_confirm=batch.state == ImportBatch.State.CHECKED
            and batch.total_rows
            and not batch.error_rows,
        )
        return context


class ProgressView(ImportMixin, TemplateView):
    template_name = "members/import/progress.html"
    page_title = gettext_lazy("Đang nhập đảng viên")

    def get(self, request, *args, **kwargs):
        batch = _batch(request, kwargs["pk"])
        if batch.state != ImportBatch.State.RUNNING:
            return redirect("members_import:batch", pk=batch.pk)
        return self.render_to_response(self.get_context_data(batch=batch, status=status_of(batch)))


def status_of(batch):
    """The batch's state for the progress page and its JSON. ``message``: what the batch says as
    a whole (why it failed: e.g. that no row was written), in the user's language."""
    running = batch.state == ImportBatch.State.RUNNING
    done, total = progress_of(batch)
    percent = int(done * 100 / total) if total else 0
    general = [m for item in batch.errors or () if not item.get("row") for m in item["errors"]]
    return {
        "id": batch.pk,
        "state": batch.state,
        "state_label": str(batch.get_state_display()),
        "done": batch.state in (ImportBatch.State.DONE, ImportBatch.State.FAILED),
        "progress": done,
        "total": total,
        "percent": 100 if batch.state == ImportBatch.State.DONE else percent,
        "total_rows": batch.total_rows,
        "created": batch.created if not running else 0,
        "updated": batch.updated if not running else 0,
        "unchanged": batch.unchanged if not running else 0,
        "error_rows": batch.error_rows,
        "message": " ".join(general),
    }


def status_json(request, pk):
    _require(request)
    return JsonResponse(status_of(_batch(request, pk)))


@require_POST
def confirm(request, pk):
    _require(request)
    batch = _batch(request, pk)
    try:
        job = importer.confirm_batch(batch, request.user)
    except (ValidationError, importer.ImportFileError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("members_import:batch", pk=batch.pk)
    if job is None:
        messages.warning(request, _("Tệp này đã được nhập hoặc đang nhập."))
    return redirect("members_import:progress", pk=batch.pk)


def template_download(request):
    _require(request)
    cells = None
    org_id = request.GET.get("org")
    if org_id and org_id.isdigit():
        org = scope.managed_orgs(request.user, CAPABILITY).filter(pk=int(org_id)).first()
        if org is not None:
            cells = importer.template_cells(org)
    response = HttpResponse(importer.build_template(cells), content_type=importer.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-dang-vien.xlsx"'
    return response


urlpatterns = [
    path("", UploadView.as_view(), name="upload"),
    path("mau.xlsx", template_download, name="template"),
    path("<int:pk>/", BatchView.as_view(), name="batch"),
    path("<int:pk>/nhap/", confirm, name="confirm"),
    path("<int:pk>/tien-do/", ProgressView.as_view(), name="progress"),
    path("<int:pk>/trang-thai/", status_json, name="status"),
]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can(request.user, CAPABILITY)


def menu_item():
    return ImportMenuItem(
        gettext_lazy("Nhập đảng viên từ Excel"),
        reverse("members_import:upload"),
        name="nhap-dang-vien",
        icon_name="upload",
        order=310,
    )
