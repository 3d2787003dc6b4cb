"""/api/v1/agenda/: the caller's calendar events between two dates, their own entries (CRUD),
their tasks (list, detail, progress report), and their iCal feed's secret address (read,
reset). A task out of the caller's reach answers 404; a progress report by someone not
assigned, 403; bad input, 400 with a Vietnamese ``detail`` and the fields, nothing written.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from sotay_plugins.api import JSONParser, Pagination

from .. import services
from ..models import Assignment, Entry, Progress, Task

VI = {
    "required": gettext_lazy("Trường này là bắt buộc."),
    "null": gettext_lazy("Trường này không được để trống."),
    "blank": gettext_lazy("Trường này không được để trống."),
    "invalid": gettext_lazy("Giá trị không hợp lệ."),
    "max_length": gettext_lazy("Quá dài: tối đa {max_length} ký tự."),
    "min_value": gettext_lazy("Phải từ {min_value} trở lên."),
    "max_value": gettext_lazy("Phải không quá {max_value}."),
}


def _member(request):
    member = services.current_member(request.user)
    if member is None:
        raise exceptions.NotFound(_("Tài khoản này không gắn với hồ sơ đảng viên nào."))
    return member


class AgendaEventSerializer(serializers.Serializer):
    uid = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    starts_at = serializers.CharField(help_text="ISO 8601: a datetime, or a date when all_day.")
    ends_at = serializers.CharField(allow_null=True)
    all_day = serializers.BooleanField()
    url = serializers.CharField()
    place = serializers.CharField()


class AgendaEventPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = AgendaEventSerializer(many=True)


def _iso(value):
    return value.isoformat() if value is not None else None


def _parse_day(raw, name):
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise exceptions.ValidationError(
            {name: [_("Ngày không hợp lệ: cần dạng YYYY-MM-DD.")]}
        ) from None


class EventsView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default today)."),
            OpenApiParameter(
                "end", OpenApiTypes.DATE, description="Day after the last (default start + 31)."
            ),
        ],
        responses=AgendaEventPage,
    )
    def get(self, request):
        """The caller's calendar: meetings, study sessions, quiz and feedback deadlines, tasks
        and own entries whose day lies in [start, end) (at most 400 days), by time."""
        start = (
            _parse_day(request.query_params["start"], "start")
            if "start" in request.query_params
            else timezone.localdate()
        )
        end = (
            _parse_day(request.query_params["end"], "end")
            if "end" in request.query_params
            else start + timedelta(days=31)
        )
        if end <= start:
            raise exceptions.ValidationError({"end": [_("Ngày kết thúc phải sau ngày bắt đầu.")]})
        if (end - start).days > services.MAX_RANGE_DAYS:
            raise exceptions.ValidationError(
                {"end": [_("Mỗi lần xem tối đa %(n)d ngày.") % {"n": services.MAX_RANGE_DAYS}]}
            )
        rows = [
            {
                "uid": e.uid,
                "kind": e.kind,
                "title": e.title,
                "starts_at": _iso(e.starts_at),
                "ends_at": _iso(e.ends_at),
                "all_day": e.all_day,
                "url": e.url,
                "place": e.place,
            }
            for e in services.events(request.user, start, end)
        ]
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(page)


class AgendaEntrySerializer(serializers.ModelSerializer):
    title = serializers.CharField(max_length=200, error_messages=VI)
    starts_at = serializers.DateTimeField(error_messages=VI)
    ends_at = serializers.DateTimeField(required=False, allow_null=True, error_messages=VI)
    place = serializers.CharField(
        max_length=200, required=False, allow_blank=True, error_messages=VI
    )
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, error_messages=VI
    )

    class Meta:
        model = Entry
        fields = ["id", "title", "starts_at", "ends_at", "place", "note", "created_at"]
        read_only_fields = ["id", "created_at"]


class EntryViewSet(viewsets.ModelViewSet):
    """The caller's own calendar entries (nobody else's: another's answers 404). An entry that
    ends before it starts is refused (400, field ``ends_at``)."""

    serializer_class = AgendaEntrySerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return services.own_entries(self.request.user).order_by("starts_at", "pk")

    def _save(self, serializer, entry=None):
        data = {**serializer.validated_data}
        if entry is not None:  # a partial update keeps what it does not name
            for name in ("title", "starts_at", "ends_at", "place", "note"):
                data.setdefault(name, getattr(entry, name))
        return services.save_entry(_member(self.request), entry=entry, **data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = self._save(serializer)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        entry = self.get_object()
        serializer = self.get_serializer(entry, data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        entry = self._save(serializer, entry)
        return Response(self.get_serializer(entry).data)

    def perform_destroy(self, instance):
        services.delete_entry(_member(self.request), instance)


class AgendaAssignmentSerializer(serializers.ModelSerializer):
    who = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "member", "org", "who", "percent", "done_at", "last_report_at", "late"]
        read_only_fields = fields

    def get_who(self, obj) -> str:
        return obj.member.full_name if obj.member_id else obj.org.name

    def get_late(self, obj) -> bool:
        return services.is_late(obj, self.context["task"])


class AgendaTaskSerializer(serializers.ModelSerializer):
    """A task; ``issuer_org`` is the assigning unit, ``audience_org`` the same (the subtree it
    may reach). ``mine``: the caller's assignments (their own, their unit's); ``assignees``:
    every assignee with who is late, only for those who follow the task (else null)."""

    audience_org = serializers.IntegerField(source="issuer_org_id", read_only=True)
    mine = serializers.SerializerMethodField()
    assignees = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "due_at",
            "issuer_org",
            "audience_org",
            "created_at",
            "mine",
            "assignees",
        ]
        read_only_fields = fields

    def _rows(self, rows, task):
        return AgendaAssignmentSerializer(rows, many=True, context={"task": task}).data

    @extend_schema_field(AgendaAssignmentSerializer(many=True))
    def get_mine(self, obj):
        user = self.context["request"].user
        rows = [a for a in getattr(obj, "all_assignments", None) or obj.assignments.all()]
        return self._rows([a for a in rows if services.may_report(user, a)], obj)

    @extend_schema_field(AgendaAssignmentSerializer(many=True, allow_null=True))
    def get_assignees(self, obj):
        if not self.context.get("detail") or not services.manages(
            self.context["request"].user, obj
        ):
            return None
        return self._rows(list(obj.assignments.select_related("member", "org")), obj)


class AgendaProgressInput(serializers.Serializer):
    assignment = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, error_messages=VI
    )
    percent = serializers.IntegerField(min_value=0, max_value=100, error_messages=VI)
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, error_messages=VI
    )
    file = serializers.FileField(required=False, error_messages=VI)


ID = {"min_value": 1, "max_value": 2**63 - 1, "error_messages": VI}


class AgendaTaskInput(serializers.Serializer):
    issuer_org = serializers.IntegerField(**ID)
    title = serializers.CharField(max_length=200, error_messages=VI)
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, error_messages=VI
    )
    due_at = serializers.DateTimeField(error_messages=VI)
    members = serializers.ListField(
        child=serializers.IntegerField(**ID),
        required=False,
        max_length=5000,
        error_messages=VI,
    )
    units = serializers.ListField(
        child=serializers.IntegerField(**ID),
        required=False,
        max_length=1000,
        error_messages=VI,
    )


class AgendaProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Progress
        fields = ["id", "assignment", "percent", "note", "file_name", "created_at"]
        read_only_fields = fields


class TaskViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Tasks the caller may open: assigned to them or their unit, or (``agenda.view_task``)
    assigned in their subtree. ``?mine=1``: only those assigned to the caller. ``POST``
    assigns one (``agenda.assign_task`` at ``issuer_org``; every member and unit inside its
    subtree, else 400 and nothing written)."""

    serializer_class = AgendaTaskSerializer

    def get_queryset(self):
        from django.db.models import Prefetch

        rows = services.visible_tasks(self.request.user)
        if self.request.query_params.get("mine") in ("1", "true"):
            rows = rows.filter(pk__in=services.my_assignments(self.request.user).values("task_id"))
        return rows.prefetch_related(
            Prefetch(
                "assignments",
                queryset=services.my_assignments(self.request.user).select_related("member", "org"),
                to_attr="all_assignments",
            )
        ).order_by("-due_at", "-pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "detail": self.action == "retrieve"}

    @extend_schema(
        parameters=[OpenApiParameter("mine", OpenApiTypes.STR, enum=["1", "true"])],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AgendaTaskInput, responses={201: AgendaTaskSerializer})
    def create(self, request, *args, **kwargs):
        from sotay_plugins.orgtree.models import Organisation

        data = AgendaTaskInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        issuer = Organisation.objects.filter(pk=values["issuer_org"]).first()
        task = services.assign(
            request.user,
            issuer_org=issuer,
            title=values["title"],
            description=values.get("description", ""),
            due_at=values["due_at"],
            members=values.get("members", []),
            units=values.get("units", []),
        )
        task = self.get_queryset().get(pk=task.pk)
        return Response(self.get_serializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": AgendaProgressInput}, responses=AgendaProgressSerializer
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def progress(self, request, pk=None):
        """Report progress (percent 0–100, a note, a file: PDF, Word, Excel, JPG or PNG, at
        most 10 MB). Only an assignee: the member, or the assigned unit's committee/secretary
        (``assignment`` picks one when the caller has several)."""
        task = self.get_object()
        data = AgendaProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        candidates = list(task.assignments.select_related("member", "org"))
        wanted = data.validated_data.get("assignment")
        mine = [a for a in candidates if services.may_report(request.user, a)]
        if wanted is not None:
            mine = [a for a in mine if a.pk == wanted]
        if not mine:
            raise exceptions.PermissionDenied(
                _("Chỉ người (đơn vị) được giao mới báo cáo tiến độ.")
            )
        report = services.report_progress(
            request.user,
            mine[0],
            percent=data.validated_data["percent"],
            note=data.validated_data.get("note", ""),
            upload=data.validated_data.get("file"),
        )
        return Response(AgendaProgressSerializer(report).data, status=status.HTTP_201_CREATED)


FeedOut = inline_serializer("AgendaFeed", {"url": serializers.CharField()})


class FeedView(APIView):
    @extend_schema(responses=FeedOut)
    def get(self, request):
        """The secret address of the caller's iCal feed (made on first use)."""
        token = services.feed_token(_member(request))
        return Response({"url": request.build_absolute_uri(services.feed_path(token))})


class FeedResetView(APIView):
    @extend_schema(request=None, responses=FeedOut)
    def post(self, request):
        """A new secret address; the old one answers 404 from now on."""
        token = services.reset_feed(_member(request))
        return Response({"url": request.build_absolute_uri(services.feed_path(token))})
