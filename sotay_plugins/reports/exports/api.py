"""/api/v1/reports/exports/: the caller's exports.

    POST   /api/v1/reports/exports/                {"kind", "org", "period_start", "period_end"
                                                    | "month", "format"?, "filters"?, "personal"?}
                                                   → 201 (a new job) or 200 (the same one running)
    GET    /api/v1/reports/exports/                the caller's own exports (paginated)
    GET    /api/v1/reports/exports/{id}/           one, with its progress (%)
    GET    /api/v1/reports/exports/{id}/download/  the file (only its requester; rights checked
                                                   again; 404 otherwise or once expired)

A unit out of the caller's scope answers 404, as one that does not exist.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from sotay_plugins.files import serve_private
from sotay_plugins.orgtree.models import Organisation

from . import periods, services
from .models import Export

VI = {
    "required": gettext_lazy("Trường này là bắt buộc."),
    "null": gettext_lazy("Trường này không được để trống."),
    "invalid": gettext_lazy("Giá trị không hợp lệ."),
    "invalid_choice": gettext_lazy("Giá trị “{input}” không có trong danh sách."),
    "max_length": gettext_lazy("Quá dài: tối đa {max_length} ký tự."),
    "max_value": gettext_lazy("Số quá lớn."),
    "min_value": gettext_lazy("Số quá nhỏ."),
    "not_a_dict": gettext_lazy("Phải là một đối tượng JSON (dạng khóa: giá trị)."),
    "datetime": gettext_lazy("Ngày phải có dạng NNNN-TT-NN."),
}
DATE_ERRORS = {**VI, "invalid": gettext_lazy("Ngày phải có dạng NNNN-TT-NN, ví dụ 2026-11-30.")}


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Export.Kind.choices, error_messages=VI)
    org = serializers.IntegerField(min_value=1, max_value=2**63 - 1, error_messages=VI)
    period_start = serializers.DateField(required=False, error_messages=DATE_ERRORS)
    period_end = serializers.DateField(required=False, error_messages=DATE_ERRORS)
    month = serializers.CharField(
        required=False, max_length=7, help_text="YYYY-MM (the monthly pack)", error_messages=VI
    )
    format = serializers.ChoiceField(
        choices=Export.Format.choices, required=False, error_messages=VI
    )
    filters = serializers.DictField(
        child=serializers.CharField(max_length=20, error_messages=VI),
        required=False,
        error_messages=VI,
        help_text="member list only: status, group, membership",
    )
    personal = serializers.BooleanField(required=False, default=False, error_messages=VI)


class ExportSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    issuer_org = serializers.IntegerField(source="org_id", read_only=True)
    audience_org = serializers.IntegerField(source="org_id", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "kind",
            "kind_label",
            "format",
            "org",
            "org_name",
            "issuer_org",
            "audience_org",
            "period_start",
            "period_end",
            "filters",
            "personal",
            "status",
            "status_label",
            "progress",
            "message",
            "rows",
            "units",
            "file_name",
            "size",
            "created_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, export) -> str | None:
        if export.status != Export.Status.DONE:
            return None
        return reverse("api:report-export-download", args=[export.pk])


def _org(pk):
    return Organisation.objects.filter(pk=pk).first()


class ExportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's exports (Excel, PDF, the monthly pack), made by background jobs."""

    serializer_class = ExportSerializer
    permission_classes = [IsAuthenticated]
    queryset = Export.objects.none()

    def get_queryset(self):
        return services.my_exports(self.request.user)

    def get_object(self):
        try:
            return services.my_export(self.request.user, self.kwargs["pk"])
        except (services.NotFound, ValueError):
            raise exceptions.NotFound(_("Không tìm thấy tệp xuất này.")) from None

    @extend_schema(
        request=ExportRequestSerializer,
        responses={201: ExportSerializer, 200: ExportSerializer},
        description="Ask for an export; the same one still running is returned (200).",
    )
    def create(self, request, *args, **kwargs):
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        start, end = values.get("period_start"), values.get("period_end")
        try:
            if values.get("month"):
                start, end = periods.month_bounds(values["month"])
            export, created = services.request_export(
                request.user,
                kind=values["kind"],
                org=_org(values["org"]),
                start=start,
                end=end,
                filters=values.get("filters"),
                personal=values.get("personal", False),
                fmt=values.get("format"),
            )
        except services.NotFound:
            raise exceptions.NotFound(
                _("Không tìm thấy đơn vị này trong phạm vi bạn được xuất báo cáo.")
            ) from None
        except services.Refused as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        export.refresh_from_db()
        return Response(
            ExportSerializer(export).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="not yours, not ready, expired or out of scope"),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        try:
            export = services.for_download(request.user, pk)
        except (services.NotFound, ValueError):
            raise exceptions.NotFound(
                _("Không tìm thấy tệp xuất này, hoặc tệp đã hết hạn.")
            ) from None
        services.record_download(export, request.user)
        return serve_private(export.file, filename=export.file_name, download=True)
