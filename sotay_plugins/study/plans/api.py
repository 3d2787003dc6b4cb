"""Study plans, sessions and implementation plans in the API (scoped; out of scope: 404).

- ``GET /api/v1/study/plans/`` (+ ``<pk>/``, ``<pk>/missing-implementation/``): plans the
  caller may see (a member: plans addressed to their cell; staff: their units' plans).
- ``GET /api/v1/study/sessions/`` (+ ``<pk>/``): sessions; the roll's own paths
  (``<pk>/checkin/``, ``<pk>/checkin/offline/``, ``<pk>/attendance/``,
  ``<pk>/attendance/mark/``) are the attendance plugin's.
- ``GET/POST /api/v1/study/implementation-plans/``: a committee records its own unit's plan.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from sotay_plugins.api import OrgFieldsMixin
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation

from . import services
from .models import ImplementationPlan, StudyPlan, StudySession


class StudyPlanSerializer(OrgFieldsMixin, serializers.ModelSerializer):
    resolution_number = serializers.CharField(source="resolution.number", read_only=True)
    resolution_title = serializers.CharField(source="resolution.title", read_only=True)

    class Meta:
        model = StudyPlan
        fields = [
            "id",
            "title",
            "resolution",
            "resolution_number",
            "resolution_title",
            "audiences",
            "description",
            "deadline",
            "cells_plan_too",
            "issuer_org",
            "audience_org",
            "created_at",
        ]


class MissingSerializer(serializers.Serializer):
    org = serializers.IntegerField()
    org_name = serializers.CharField()
    parent_name = serializers.CharField(allow_blank=True)
    days_late = serializers.IntegerField()


class MissingPageSerializer(serializers.Serializer):
    """A page of units without an implementation plan (the API's pagination)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MissingSerializer(many=True)


class StudyPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Plans the caller may see (scope engine). Out of scope: 404."""

    serializer_class = StudyPlanSerializer

    def get_queryset(self):
        return (
            services.visible_plans(self.request.user)
            .select_related("resolution")
            .order_by("-deadline", "-pk")
        )

    @extend_schema(responses=MissingPageSerializer)
    @action(detail=True, methods=["get"], url_path="missing-implementation")
    def missing_implementation(self, request, pk=None):
        """Units under the caller's view scope without an implementation plan for this plan,
        with the days they are late (0: the deadline has not passed)."""
        plan = services.followed_plans(request.user).filter(pk=pk).first()
        if plan is None or not scope.can(request.user, services.VIEW_STUDY):
            raise exceptions.NotFound(_("Không tìm thấy."))
        rows = services.missing_implementation(request.user, plan=plan)
        page = self.paginate_queryset(rows)
        data = [
            {
                "org": unit.pk,
                "org_name": unit.name,
                "parent_name": unit.parent.name if unit.parent_id else "",
                "days_late": late,
            }
            for _plan, unit, late in page
        ]
        return self.get_paginated_response(MissingSerializer(data, many=True).data)


class StudySessionSerializer(OrgFieldsMixin, serializers.ModelSerializer):
    resolution = serializers.IntegerField(source="plan.resolution_id", read_only=True)

    class Meta:
        model = StudySession
        fields = [
            "id",
            "plan",
            "resolution",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "expected_participants",
            "state",
            "issuer_org",
            "audience_org",
        ]


class StudySessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Study sessions the caller may see (invited members, staff of the units). Out of scope:
    404. Check-in and the roll: the attendance plugin's paths under the same prefix."""

    serializer_class = StudySessionSerializer

    def get_queryset(self):
        qs = services.visible_sessions(self.request.user).select_related("plan")
        plan = self.request.query_params.get("plan")
        if plan:
            if not plan.isdigit():
                raise exceptions.ValidationError({"plan": [_("Giá trị không hợp lệ.")]})
            qs = qs.filter(plan_id=int(plan))
        return qs.order_by("-starts_at", "-pk")


class ImplementationPlanSerializer(OrgFieldsMixin, serializers.ModelSerializer):
    days_late = serializers.SerializerMethodField()
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = ImplementationPlan
        fields = [
            "id",
            "plan",
            "number",
            "issued_on",
            "text",
            "has_file",
            "days_late",
            "issuer_org",
            "audience_org",
            "created_at",
        ]

    def get_days_late(self, obj) -> int:
        return obj.days_late()

    def get_has_file(self, obj) -> bool:
        return bool(obj.file)


class ImplementationPlanWriteSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    org = serializers.IntegerField(help_text="The committee's own unit.")
    number = serializers.CharField(max_length=60)
    issued_on = serializers.DateField()
    text = serializers.CharField(required=False, allow_blank=True, max_length=services.TEXT_LIMIT)


class ImplementationPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Implementation plans the caller may see; a committee records its own (POST)."""

    serializer_class = ImplementationPlanSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return ImplementationPlanWriteSerializer
        return ImplementationPlanSerializer

    def get_queryset(self):
        qs = scope.visible_to(self.request.user, ImplementationPlan.objects.all()).select_related(
            "plan"
        )
        plan = self.request.query_params.get("plan")
        if plan:
            if not plan.isdigit():
                raise exceptions.ValidationError({"plan": [_("Giá trị không hợp lệ.")]})
            qs = qs.filter(plan_id=int(plan))
        return qs.order_by("-issued_on", "-pk")

    @extend_schema(
        request=ImplementationPlanWriteSerializer,
        responses={201: ImplementationPlanSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = ImplementationPlanWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = services.visible_plans(request.user).filter(pk=data["plan"]).first()
        if plan is None:
            plan = services.followed_plans(request.user).filter(pk=data["plan"]).first()
        if plan is None:
            raise exceptions.ValidationError({"plan": [_("Không tìm thấy kế hoạch học tập.")]})
        org = services.recording_orgs(request.user).filter(pk=data["org"]).first()
        if org is None:
            if Organisation.objects.filter(pk=data["org"]).exists():
                raise exceptions.PermissionDenied(
                    _("Bạn không có quyền ghi kế hoạch thực hiện của đơn vị này.")
                )
            raise exceptions.ValidationError({"org": [_("Không tìm thấy đơn vị.")]})
        item = services.record_implementation(
            request.user,
            plan,
            org,
            number=data["number"],
            issued_on=data["issued_on"],
            text=data.get("text", ""),
        )
        out = ImplementationPlanSerializer(item, context=self.get_serializer_context()).data
        return Response(out, status=status.HTTP_201_CREATED)
