"""/api/v1/meetings/: the meetings the caller may see (scope engine), their comments, and
convening/editing for those who hold ``meetings.convene`` at the cell.

The check-in part adds ``meetings/<pk>/checkin/`` and ``meetings/<pk>/attendance/`` as its own
API paths; they are not defined here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from sotay_plugins import idempotency
from sotay_plugins.api import OrgFieldsMixin

from .. import services
from ..models import Meeting, MeetingComment


class MeetingSerializer(OrgFieldsMixin, serializers.ModelSerializer):
    """A meeting. ``audience_org`` (= ``issuer_org``) is the cell; ``my_attendance`` is the
    caller's attendance status (``expected``, ``present``…), or null if not expected."""

    cell_name = serializers.CharField(source="audience_org.name", read_only=True)
    chair_name = serializers.CharField(
        source="chair.full_name", read_only=True, default=None, allow_null=True
    )
    # A URL, or "" when the meeting is not online (a URLField would promise a URI every time).
    online_link = serializers.CharField(read_only=True)
    my_attendance = serializers.CharField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "chair",
            "chair_name",
            "recorder",
            "agenda",
            "content",
            "draft_resolution",
            "minutes",
            "resolution",
            "state",
            "minutes_approved_at",
            "issuer_org",
            "audience_org",
            "cell_name",
            "my_attendance",
        ]
        read_only_fields = fields


#: DRF ships no Vietnamese catalogue: the messages of the input fields are given here.
VI_ERRORS = {
    "required": gettext_lazy("Trường này là bắt buộc."),
    "null": gettext_lazy("Trường này không được để trống."),
    "blank": gettext_lazy("Trường này không được để trống."),
    "invalid": gettext_lazy("Giá trị không hợp lệ."),
    "max_length": gettext_lazy("Quá dài: tối đa {max_length} ký tự."),
    "max_string_length": gettext_lazy("Giá trị quá lớn."),
    "invalid_choice": gettext_lazy("“{input}” không phải là lựa chọn hợp lệ."),
    "max_value": gettext_lazy("Giá trị quá lớn."),
    "min_value": gettext_lazy("Giá trị quá nhỏ."),
    "date": gettext_lazy("Cần cả ngày và giờ."),
    "make_aware": gettext_lazy("Ngày giờ không hợp lệ theo múi giờ {timezone}."),
    "overflow": gettext_lazy("Ngày giờ nằm ngoài phạm vi."),
}
DATETIME_ERRORS = {
    **VI_ERRORS,
    "invalid": gettext_lazy(
        "Ngày giờ không đúng dạng; dùng dạng YYYY-MM-DDThh:mm, ví dụ 2026-03-03T08:00+07:00."
    ),
}
INT_ERRORS = {**VI_ERRORS, "invalid": gettext_lazy("Cần một mã số (số nguyên).")}
URL_ERRORS = {
    **VI_ERRORS,
    "invalid": gettext_lazy("Nhập một địa chỉ URL hợp lệ (bắt đầu bằng https://)."),
}


class MeetingWriteSerializer(serializers.Serializer):
    """What a secretary sends to convene (POST, with ``cell``) or edit (PATCH) a meeting."""

    cell = serializers.IntegerField(required=False, error_messages=INT_ERRORS)
    kind = serializers.ChoiceField(
        choices=Meeting.Kind.choices, required=False, error_messages=VI_ERRORS
    )
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=255, error_messages=VI_ERRORS
    )
    starts_at = serializers.DateTimeField(required=False, error_messages=DATETIME_ERRORS)
    ends_at = serializers.DateTimeField(
        required=False, allow_null=True, error_messages=DATETIME_ERRORS
    )
    place = serializers.CharField(
        required=False, allow_blank=True, max_length=255, error_messages=VI_ERRORS
    )
    online_link = serializers.URLField(
        required=False, allow_blank=True, max_length=200, error_messages=URL_ERRORS
    )
    chair = serializers.IntegerField(required=False, allow_null=True, error_messages=INT_ERRORS)
    recorder = serializers.IntegerField(required=False, allow_null=True, error_messages=INT_ERRORS)
    agenda = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, error_messages=VI_ERRORS
    )
    content = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, error_messages=VI_ERRORS
    )
    draft_resolution = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, error_messages=VI_ERRORS
    )


class CommentSerializer(serializers.ModelSerializer):
    """A comment on the draft resolution: plain text (clients escape it when showing HTML)."""

    member_name = serializers.CharField(source="member.full_name", read_only=True)

    class Meta:
        model = MeetingComment
        fields = ["id", "member", "member_name", "text", "created_at"]
        read_only_fields = ["id", "member", "member_name", "created_at"]


class CommentWriteSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, error_messages=VI_ERRORS)


def _flag(value):
    return str(value or "").lower() in ("1", "true", "yes", "co")


@extend_schema(
    parameters=[
        OpenApiParameter(
            "upcoming",
            OpenApiTypes.BOOL,
            description="1: only meetings from today on, soonest first",
        ),
        OpenApiParameter(
            "cell", OpenApiTypes.INT, description="one cell (or any unit: its subtree)"
        ),
        OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (Asia/Ho_Chi_Minh)"),
        OpenApiParameter("kind", OpenApiTypes.STR),
        OpenApiParameter("state", OpenApiTypes.STR),
    ]
)
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Meetings the caller may see: members, their cell's; staff, the cells under their view
    scope. Out of scope: 404. Secretaries convene (POST, with ``cell``) and edit (PATCH)."""

    serializer_class = MeetingSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("create", "partial_update", "update"):
            return MeetingWriteSerializer
        if self.action == "comments":
            return CommentWriteSerializer if self.request.method == "POST" else CommentSerializer
        return MeetingSerializer

    def get_queryset(self):
        user = self.request.user
        qs = services.with_my_attendance(services.visible_meetings(user), user)
        qs = qs.select_related("audience_org", "chair")
        if self.action != "list":
            return qs
        params = self.request.query_params
        errors = {}
        if params.get("cell"):
            from sotay_plugins.orgtree import scope
            from sotay_plugins.orgtree.models import Organisation

            cell = params["cell"]
            org = Organisation.objects.filter(pk=int(cell)).first() if cell.isdigit() else None
            if org is None:
                errors["cell"] = [_("Không tìm thấy đơn vị.")]
            else:
                qs = qs.filter(scope.within(org, "audience_org"))
        if params.get("month"):
            try:
                qs = services.in_month(qs, *services.parse_month(params["month"]))
            except DjangoValidationError as exc:
                errors.update(exc.message_dict)
        for name, choices in (("kind", Meeting.Kind.values), ("state", Meeting.State.values)):
            if params.get(name):
                if params[name] not in choices:
                    errors[name] = [_("Giá trị không hợp lệ.")]
                else:
                    qs = qs.filter(**{name: params[name]})
        if errors:
            raise exceptions.ValidationError(errors)
        if _flag(params.get("upcoming")):
            return (
                qs.filter(services.upcoming_q())
                .exclude(state=Meeting.State.CANCELLED)
                .order_by("starts_at", "pk")
            )
        return qs.order_by("-starts_at", "-pk")

    # --- convene and edit ----------------------------------------------------------------
    @extend_schema(request=MeetingWriteSerializer, responses={201: MeetingSerializer})
    def create(self, request, *args, **kwargs):
        data = self._valid_input()
        cell = data.pop("cell", None)
        if cell is None:
            raise exceptions.ValidationError({"cell": [_("Cần chọn chi bộ.")]})
        meeting = services.convene(cell, request.user, **data)
        return Response(self._out(meeting), status=status.HTTP_201_CREATED)

    @extend_schema(request=MeetingWriteSerializer, responses=MeetingSerializer)
    def partial_update(self, request, *args, **kwargs):
        meeting = self.get_object()
        data = self._valid_input()
        if "cell" in data:
            raise exceptions.ValidationError(
                {"cell": [_("Không đổi được chi bộ của buổi sinh hoạt.")]}
            )
        meeting = services.update(meeting, request.user, **data)
        return Response(self._out(meeting))

    def _valid_input(self):
        serializer = MeetingWriteSerializer(data=self.request.data, partial=self.action != "create")
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for name in ("starts_at", "ends_at"):
            if data.get(name) is not None and timezone.is_naive(data[name]):
                data[name] = timezone.make_aware(data[name])
        return data

    def _out(self, meeting):
        # Re-read with the caller's attendance; a convener without the view right gets the row as
        # saved.
        meeting = self.get_queryset().filter(pk=meeting.pk).first() or meeting
        return MeetingSerializer(meeting, context=self.get_serializer_context()).data

    # --- comments --------------------------------------------------------------------------
    @extend_schema(methods=["GET"], responses=CommentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=CommentWriteSerializer,
        responses={201: CommentSerializer, **idempotency.schema_responses()},
    )
    @extend_schema(methods=["POST"], parameters=[idempotency.schema_parameter()])
    @action(detail=True, methods=["get", "post"], url_path="comments")
    @idempotency.idempotent
    def comments(self, request, pk=None):
        """Comments on the draft resolution: the cell's members read and write them."""
        meeting = self.get_object()
        if not services.can_see_comments(request.user, meeting):
            raise exceptions.NotFound(_("Không tìm thấy."))
        if request.method == "POST":
            serializer = CommentWriteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = services.add_comment(meeting, request.user, serializer.validated_data["text"])
            comment = services.comments_of(meeting).get(pk=comment.pk)
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(services.comments_of(meeting))
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    # --- Hà Nội's rule ---------------------------------------------------------------------
    @extend_schema(
        responses=inline_serializer(
            "MissingNextMonth",
            {
                "deadline": serializers.DateField(),
                "month": serializers.CharField(),
                "due": serializers.BooleanField(),
                # a page of cells (?page=, ?page_size=), as every list
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": inline_serializer(
                    "MissingCell",
                    {
                        "id": serializers.IntegerField(),
                        "code": serializers.CharField(),
                        "name": serializers.CharField(),
                    },
                    many=True,
                ),
            },
        )
    )
    @action(detail=False, methods=["get"], url_path="missing-next-month")
    def missing_next_month(self, request):
        """Cells under the caller's scope that have not registered next month's regular meeting
        (date and agenda). From the 20th they are late (``due``: true)."""
        today = timezone.localdate()
        year, month = services.next_month(today)
        due = today.day >= services.REGISTRATION_DAY
        cells = services.cells_without_next_month_regular(request.user, today)
        page = self.paginate_queryset(cells)
        rows = [{"id": c.pk, "code": c.code, "name": c.name} for c in page]
        response = self.get_paginated_response(rows)
        response.data.update(
            {
                "deadline": services.registration_deadline(today).isoformat(),
                "month": f"{year:04d}-{month:02d}",
                "due": due,
            }
        )
        return response
