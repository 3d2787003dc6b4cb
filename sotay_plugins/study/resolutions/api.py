"""/api/v1/resolutions/: the live resolutions the caller may study (scope engine), with the
caller's study status; ``POST /api/v1/resolutions/<pk>/read/`` records that the member reached
the end of the text (``{"via": "text"|"audio"|"button"}``), once. Out of scope: 404."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from sotay_plugins import speech
from sotay_plugins.api import OrgFieldsMixin

from . import services
from .models import ReadingVia, ResolutionOutline, ResolutionPage


class StatusSerializer(serializers.Serializer):
    started = serializers.BooleanField()
    read = serializers.BooleanField()
    quiz_passed = serializers.BooleanField()
    completed = serializers.BooleanField()
    read_at = serializers.DateTimeField(allow_null=True)
    quiz_passed_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    step = serializers.CharField()
    percent = serializers.IntegerField()


class OutlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResolutionOutline
        fields = ["audience", "title", "body"]


class ResolutionSerializer(OrgFieldsMixin, serializers.ModelSerializer):
    """A resolution (list). ``my_status``: the caller's study (null for a staff-only account)."""

    my_status = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ResolutionPage
        fields = [
            "id",
            "title",
            "number",
            "issued_on",
            "issued_by",
            "summary",
            "published_at",
            "issuer_org",
            "audience_org",
            "url",
            "my_status",
        ]

    def get_url(self, obj) -> str:
        return f"/hoc-tap/nghi-quyet/{obj.pk}/"

    @extend_schema_field(StatusSerializer(allow_null=True))
    def get_my_status(self, obj) -> dict | None:
        statuses = self.context.get("statuses")
        if statuses is None:
            return None
        return StatusSerializer(statuses.get(obj.pk, services.NOT_STARTED).as_dict()).data


class ResolutionDetailSerializer(ResolutionSerializer):
    outlines = OutlineSerializer(many=True, read_only=True)
    body = serializers.SerializerMethodField()
    audio_url = serializers.SerializerMethodField()
    video_url = serializers.CharField(read_only=True)
    document = serializers.IntegerField(source="document_id", read_only=True, allow_null=True)

    class Meta(ResolutionSerializer.Meta):
        fields = [
            *ResolutionSerializer.Meta.fields,
            "body",
            "outlines",
            "audio_url",
            "video_url",
            "document",
        ]

    def get_body(self, obj) -> str:
        return str(obj.body.render_as_block()) if obj.body else ""

    def get_audio_url(self, obj) -> str:
        """The recorded reading (a file, served after the scope check, or a link), else the
        audio version made on the server (``sotay_plugins.speech``), else empty."""
        if obj.audio:
            return f"/hoc-tap/nghi-quyet/{obj.pk}/am-thanh/"
        if obj.audio_url:
            return obj.audio_url
        if speech.audio_of(obj) is not None:
            return f"/hoc-tap/nghi-quyet/{obj.pk}/am-thanh/"
        return ""


class ReadSerializer(serializers.Serializer):
    via = serializers.ChoiceField(choices=ReadingVia.choices, default=ReadingVia.TEXT)


class ResolutionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Resolutions the caller may study: a member's audience, staff's units. Out of scope: 404."""

    serializer_class = ResolutionSerializer

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ResolutionDetailSerializer
        if self.action == "read":
            return ReadSerializer
        return ResolutionSerializer

    def get_queryset(self):
        qs = services.visible_resolutions(self.request.user).order_by("-published_at", "-pk")
        if self.action == "retrieve":
            qs = qs.prefetch_related("outlines")
        return qs

    def _member(self):
        return services.current_member(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        member = self._member()
        context = self.get_serializer_context()
        if member is not None:
            context["statuses"] = services.statuses(member, [r.pk for r in page])
        data = ResolutionSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        member = self._member()
        context = self.get_serializer_context()
        if member is not None:
            context["statuses"] = {obj.pk: services.study_status(member, obj)}
        return Response(ResolutionDetailSerializer(obj, context=context).data)

    @extend_schema(
        request=ReadSerializer,
        responses=inline_serializer(
            "ResolutionRead",
            {"first_time": serializers.BooleanField(), "status": StatusSerializer()},
        ),
    )
    @action(detail=True, methods=["post"], url_path="read")
    def read(self, request, pk=None):
        """The member reached the end of the text or of the audio (idempotent)."""
        resolution = self.get_object()
        member = self._member()
        if member is None:
            raise exceptions.PermissionDenied(_("Chỉ đảng viên mới ghi nhận việc học được."))
        serializer = ReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        status, first = services.mark_read(member, resolution, serializer.validated_data["via"])
        return Response({"first_time": first, "status": StatusSerializer(status.as_dict()).data})
