"""/api/v1/materials/ and /api/v1/meetings/<pk>/materials/: meeting materials, scoped.

- ``materials/``: what the caller may see (``materials.visible_materials``: the scope engine,
  minus other cells' internal materials). Filters ``?level=province|district|base|cell``,
  ``?month=YYYY-MM``, ``?mine=1`` (only those issued by units the caller manages). POST
  (multipart, with ``file``) and PATCH for units where the caller holds
  ``meetings.manage_materials``. Reading one (or its ``file/``) records an open by the member.
  ``materials/<pk>/usage/``: whether, where and when it was used (the issuing level only).
- ``meetings/<pk>/materials/``: the meeting's materials (members of the cell, its secretary);
  POST ``{"material": id}`` picks one, DELETE ``{"material": id}`` (or ``?material=id``) drops it:
  the secretary only, not once the meeting is locked.
- ``meetings/<pk>/materials/not-opened/``: expected members who have not opened them yet
  (secretary).
"""

from __future__ import annotations

import os

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from sotay_plugins.api import JSONParser, OrgFieldsMixin
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation

from .. import materials as service
from .. import reports
from ..models import CONVENE, MANAGE_MATERIALS, Material, Meeting


class MaterialSerializer(OrgFieldsMixin, serializers.ModelSerializer):
    """A material. ``level`` is the issuing level (province, district, base, cell: internal);
    ``file_url`` the scope-checked download (null without a file)."""

    issuer_name = serializers.CharField(source="issuer_org.name", read_only=True)
    level = serializers.SerializerMethodField()
    internal = serializers.SerializerMethodField()
    audience_positions = serializers.SerializerMethodField()
    audience_groups = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    file_name = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = [
            "id",
            "title",
            "summary",
            "body",
            "month",
            "issuer_org",
            "issuer_name",
            "audience_org",
            "level",
            "internal",
            "audience_positions",
            "audience_groups",
            "file_url",
            "file_name",
            "created_at",
        ]
        read_only_fields = fields

    def get_level(self, obj) -> str:
        return str(service.level_of(obj.issuer_org.kind))

    def get_internal(self, obj) -> bool:
        return obj.issuer_org.kind == OrgKind.CELL

    def get_audience_positions(self, obj) -> list[str]:
        return sorted(obj.audience_positions or ())

    def get_audience_groups(self, obj) -> list[str]:
        return sorted(obj.audience_groups or ())

    def get_file_url(self, obj) -> str | None:
        return reverse("api:material-file", args=[obj.pk]) if obj.file else None

    def get_file_name(self, obj) -> str | None:
        return os.path.basename(obj.file.name) if obj.file else None


class MaterialWriteSerializer(serializers.Serializer):
    issuer_org = serializers.IntegerField(required=False)
    audience_org = serializers.IntegerField(required=False)
    title = serializers.CharField(required=False, max_length=255)
    summary = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True)
    month = serializers.CharField(required=False, allow_blank=True)
    audience_positions = serializers.ListField(child=serializers.CharField(), required=False)
    audience_groups = serializers.ListField(child=serializers.CharField(), required=False)
    file = serializers.FileField(required=False, allow_empty_file=True)


def _org(pk, field):
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        raise exceptions.ValidationError({field: [_("Không có tổ chức này.")]})
    return org


@extend_schema(
    parameters=[
        OpenApiParameter(
            "level", OpenApiTypes.STR, description="province | district | base | cell"
        ),
        OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM"),
        OpenApiParameter(
            "mine", OpenApiTypes.BOOL, description="1: only those issued by units I manage"
        ),
    ]
)
class MaterialViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Meeting materials the caller may see; create and edit where they manage materials."""

    serializer_class = MaterialSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        params = self.request.query_params
        if params.get("mine") in ("1", "true"):
            queryset = service.managed_materials(self.request.user)
        else:
            queryset = service.visible_materials(self.request.user).select_related("issuer_org")
        level = params.get("level")
        if level:
            kinds = [OrgKind.BASE, OrgKind.SUB] if level == OrgKind.BASE else [level]
            queryset = queryset.filter(issuer_org__kind__in=kinds)
        if params.get("month"):
            try:
                month = reports.parse_month(params["month"], field_name="month")
            except DjangoValidationError as exc:
                raise exceptions.ValidationError(exc.message_dict) from None
            queryset = queryset.filter(month=month)
        return queryset.order_by("-created_at", "-pk")

    def retrieve(self, request, *args, **kwargs):
        material = self.get_object()
        member = scope.subject(request.user)
        if member is not None:
            service.record_open(material, member.member_id)
        return Response(self.get_serializer(material).data)

    def _write(self, material, request):
        data = MaterialWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "issuer_org" in values:
            material.issuer_org = _org(values["issuer_org"], "issuer_org")
        if "audience_org" in values:
            material.audience_org = _org(values["audience_org"], "audience_org")
        elif not material.pk and material.issuer_org_id:
            material.audience_org = material.issuer_org
        for name in ("title", "summary", "body"):
            if name in values:
                setattr(material, name, values[name])
        if "month" in values:
            material.month = (
                reports.parse_month(values["month"], field_name="month")
                if values["month"]
                else None
            )
        for name in ("audience_positions", "audience_groups"):
            if name in values:
                setattr(material, name, set(values[name]))
        if not material.pk and not material.issuer_org_id:
            raise exceptions.ValidationError({"issuer_org": [_("Trường này là bắt buộc.")]})
        return service.save_material(material, user=request.user, upload=values.get("file"))

    @extend_schema(request=MaterialWriteSerializer, responses=MaterialSerializer)
    def create(self, request, *args, **kwargs):
        if not scope.can(request.user, MANAGE_MATERIALS):
            raise exceptions.PermissionDenied(_("Bạn không được đăng tài liệu sinh hoạt."))
        material = self._write(Material(), request)
        return Response(
            MaterialSerializer(material, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=MaterialWriteSerializer, responses=MaterialSerializer)
    def partial_update(self, request, *args, **kwargs):
        material = get_object_or_404(service.managed_materials(request.user), pk=kwargs["pk"])
        material = self._write(material, request)
        return Response(MaterialSerializer(material, context={"request": request}).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="file", url_name="file")
    def file(self, request, pk=None):
        from ..views.materials import serve_file

        material = self.get_object()
        if not material.file:
            raise Http404
        member = scope.subject(request.user)
        if member is not None:
            service.record_open(material, member.member_id)
        return serve_file(material)

    @extend_schema(
        responses=inline_serializer(
            "MaterialUsage",
            {
                "cell": serializers.IntegerField(),
                "cell_name": serializers.CharField(),
                "meeting_date": serializers.DateField(),
            },
            many=True,
        )
    )
    @action(detail=True, methods=["get"], url_path="usage", url_name="usage")
    def usage(self, request, pk=None):
        """Whether, where and when the material was used: the issuing level only, nothing else
        of the meetings."""
        material = get_object_or_404(Material.objects.select_related("issuer_org"), pk=pk)
        if not service.may_see_usage(request.user, material):
            raise Http404
        return Response(
            [
                {"cell": u.cell_id, "cell_name": u.cell_name, "meeting_date": u.meeting_date}
                for u in service.usage_of(material, request.user)
            ]
        )


# --- a meeting's materials -----------------------------------------------------------------

PickSerializer = inline_serializer("MaterialPick", {"material": serializers.IntegerField()})


class MeetingMaterialsView(APIView):
    """The materials of one meeting: list (cell members, secretary), pick and drop (secretary)."""

    def _meeting(self, request, pk):
        meeting = get_object_or_404(Meeting.objects.select_related("audience_org"), pk=pk)
        if not (
            service.is_of_cell(request.user, meeting.audience_org_id)
            or scope.can(request.user, CONVENE, meeting)
        ):
            raise Http404
        return meeting

    def _material_id(self, request):
        raw = request.data.get("material") if hasattr(request.data, "get") else None
        raw = raw if raw not in (None, "") else request.query_params.get("material")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise exceptions.ValidationError(
                {"material": [_("Cần mã số tài liệu (số nguyên).")]}
            ) from None

    def _listing(self, request, meeting):
        items = service.meeting_materials(meeting, request.user)
        return Response(MaterialSerializer(items, many=True, context={"request": request}).data)

    @extend_schema(responses=MaterialSerializer(many=True))
    def get(self, request, pk):
        return self._listing(request, self._meeting(request, pk))

    @extend_schema(request=PickSerializer, responses=MaterialSerializer(many=True))
    def post(self, request, pk):
        meeting = self._meeting(request, pk)
        material_id = self._material_id(request)
        material = Material.objects.filter(pk=material_id).first()
        if material is None:
            raise exceptions.ValidationError({"material": [_("Không có tài liệu này.")]})
        try:
            service.pick(meeting, material, user=request.user)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from None
        response = self._listing(request, meeting)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=PickSerializer, responses=MaterialSerializer(many=True))
    def delete(self, request, pk):
        meeting = self._meeting(request, pk)
        material_id = self._material_id(request)
        material = Material.objects.filter(pk=material_id).first()
        try:
            removed = material is not None and service.unpick(meeting, material, user=request.user)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from None
        if not removed:
            raise exceptions.ValidationError(
                {"material": [_("Tài liệu này không có trong buổi sinh hoạt.")]}
            )
        return self._listing(request, meeting)


class MeetingNotOpenedView(APIView):
    """Expected members who have not opened every material of the meeting (the secretary only)."""

    @extend_schema(
        responses=inline_serializer(
            "MaterialNotOpened",
            {
                "member": serializers.IntegerField(),
                "full_name": serializers.CharField(),
                "opened": serializers.IntegerField(),
                "expected": serializers.IntegerField(),
            },
            many=True,
        )
    )
    def get(self, request, pk):
        meeting = get_object_or_404(Meeting, pk=pk)
        if not scope.can(request.user, CONVENE, meeting):
            raise Http404
        return Response(
            [
                {
                    "member": r.member_id,
                    "full_name": r.full_name,
                    "opened": r.opened,
                    "expected": r.expected,
                }
                for r in service.not_opened(meeting, request.user)
            ]
        )


# --- reports ---------------------------------------------------------------------------------


class MeetingReportView(APIView):
    """Meetings held vs expected per month, attendance rate, members absent three times in a row
    and materials used per issuing level: per unit, rolled up the tree, within the caller's scope
    (``meetings.view_reports``, or ``meetings.convene`` for a secretary's own cell)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "org",
                OpenApiTypes.INT,
                description="the unit at the top (default: the top of my scope)",
            ),
            OpenApiParameter(
                "from", OpenApiTypes.STR, description="YYYY-MM (default: five months before `to`)"
            ),
            OpenApiParameter("to", OpenApiTypes.STR, description="YYYY-MM (default: this month)"),
            OpenApiParameter(
                "depth",
                OpenApiTypes.STR,
                description="levels below the top to list (default 2; `all`)",
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        try:
            start = (
                reports.parse_month(params["from"], field_name="from")
                if params.get("from")
                else None
            )
            end = reports.parse_month(params["to"], field_name="to") if params.get("to") else None
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        root = params.get("org")
        if root is not None and not root.isdigit():
            raise exceptions.ValidationError({"org": [_("Mã đơn vị phải là số nguyên.")]})
        depth = params.get("depth", "2")
        if depth != "all" and not depth.isdigit():
            raise exceptions.ValidationError({"depth": [_("Số cấp phải là số nguyên hoặc “all”.")]})
        if not reports.may_report(request.user):
            raise exceptions.PermissionDenied(_("Bạn không được xem báo cáo sinh hoạt chi bộ."))
        try:
            report = reports.meeting_report(
                request.user,
                root=int(root) if root else None,
                start=start,
                end=end,
                depth=None if depth == "all" else int(depth),
            )
        except PermissionDenied:
            raise Http404 from None
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        return Response(report.as_dict())
