"""Check-in endpoints of every roll (CONTRACT.md for the meetings'): thin views over
:mod:`.service`.

For a roll with ``api_prefix`` P (meetings: ``meetings``), mounted by :func:`.rolls.add`:

- ``POST P/<pk>/checkin/`` ``{"token"}`` or ``{"cccd_qr"}`` → 201 the first time, 200 after;
- ``POST P/<pk>/checkin/offline/`` ``{"items": [{"token"|"cccd_qr", "at", "client_id"}]}``;
- ``POST P/<pk>/attendance/mark/`` ``{"member", "status", "reason"}``;
- ``GET P/<pk>/attendance/``: one row per expected member (``member``, ``status``…).

An event outside the caller's sight answers 404; errors are ``{"detail", "fields"}``.

The check-in view is served through :mod:`.fast` first (one SQL statement for a token-
authenticated JSON scan that succeeds or repeats); every other request reaches the DRF view.
"""

from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from sotay_plugins import front

from . import fast, service
from .models import MANUAL_STATUSES


class AttendanceSerializer(serializers.Serializer):
    """Documentation of an attendance record (the views return ``Record.as_dict()``)."""

    id = serializers.IntegerField()
    meeting = serializers.IntegerField()
    member = serializers.IntegerField()
    member_name = serializers.CharField()
    status = serializers.ChoiceField(choices=["expected", "present", "late", "excused", "absent"])
    status_label = serializers.CharField()
    method = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


def error_response(exc):
    data = {"detail": exc.messages[0]}
    if exc.field and exc.status == 400:
        data["fields"] = {exc.field: exc.messages}
    return Response(data, status=exc.status)


def _body(request):
    return request.data if isinstance(request.data, dict) else {}


class RollView(APIView):
    """A view of one roll (``roll_key``, set by :func:`views_for`)."""

    roll_key = None

    @property
    def roll(self):
        return service.roll_for(self.roll_key)


class CheckInView(RollView):
    """Check a member in by their QR (card or app token) or the QR of their chip citizen-ID card."""

    @classmethod
    def as_view(cls, **initkwargs):
        """DRF's view behind the fast path: a scan it can settle in one statement is answered
        there (same body, status and headers); everything else, errors included, here.

        Token-authenticated only, hence CSRF-exempt like DRF's own views (DRF enforces CSRF for
        session logins, which always take the DRF path). The view function keeps ``cls`` and
        ``initkwargs``, so the OpenAPI schema still documents this endpoint from this class."""
        drf_view = super().as_view(**initkwargs)
        if not fast.applies_to(cls):
            return drf_view

        def fast_answer(request, pk):
            return fast.attempt(service.roll_for(cls.roll_key), request, pk)

        def view(request, *args, **kwargs):
            response = None if front.tried(request) else fast_answer(request, kwargs["pk"])
            return drf_view(request, *args, **kwargs) if response is None else response

        view.cls, view.initkwargs, view.login_required, view.fast_path = (
            cls,
            initkwargs,
            False,
            True,
        )
        view.fast_answer = fast_answer  # asked in front of the middleware (sotay_plugins.front)
        view.__doc__, view.__name__, view.__qualname__ = (
            cls.__doc__,
            drf_view.__name__,
            drf_view.__qualname__,
        )
        view.__module__ = cls.__module__
        return csrf_exempt(view)

    @extend_schema(
        request=inline_serializer(
            "CheckInRequest",
            {
                "token": serializers.CharField(required=False),
                "cccd_qr": serializers.CharField(required=False),
            },
        ),
        responses={
            201: AttendanceSerializer,
            200: AttendanceSerializer,
            400: OpenApiResponse(
                description="Mã QR sai, hết hạn, bị thu hồi hoặc đảng viên không có trong danh sách"
            ),
            404: OpenApiResponse(description="Không tìm thấy (ngoài phạm vi của người gọi)"),
            409: OpenApiResponse(description="Đã khóa hoặc đã hủy: không điểm danh thêm được"),
        },
    )
    def post(self, request, pk):
        body = _body(request)
        try:
            event = service.event_for(self.roll, request.user, pk)
            result = service.check_in(
                self.roll,
                event,
                token=body.get("token"),
                cccd_qr=body.get("cccd_qr"),
                by_user=request.user,
            )
        except service.CheckInError as exc:
            return error_response(exc)
        data = result.record.as_dict()
        data["already"] = result.already
        return Response(
            data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


class OfflineCheckInView(RollView):
    """Check-ins taken offline on the device, each with its own time; each is applied exactly
    once."""

    @extend_schema(
        request=inline_serializer(
            "OfflineCheckInRequest", {"items": serializers.ListField(child=serializers.DictField())}
        ),
        responses=inline_serializer(
            "OfflineCheckInResponse",
            {
                "created": serializers.IntegerField(),
                "already": serializers.IntegerField(),
                "errors": serializers.IntegerField(),
                "results": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def post(self, request, pk):
        try:
            event = service.event_for(self.roll, request.user, pk)
            outcomes = service.sync_offline(
                self.roll, event, _body(request).get("items"), by_user=request.user
            )
        except service.CheckInError as exc:
            return error_response(exc)
        results = [outcome.as_dict() for outcome in outcomes]
        count = {
            kind: sum(1 for r in results if r["outcome"] == kind)
            for kind in ("created", "already", "error")
        }
        return Response(
            {
                "created": count["created"],
                "already": count["already"],
                "errors": count["error"],
                "results": results,
            }
        )


class MarkView(RollView):
    """The secretary marks a member by hand: present, late, excused (with a reason) or absent."""

    @extend_schema(
        request=inline_serializer(
            "MarkRequest",
            {
                "member": serializers.IntegerField(),
                "status": serializers.ChoiceField(choices=list(MANUAL_STATUSES)),
                "reason": serializers.CharField(required=False, allow_blank=True),
            },
        ),
        responses=AttendanceSerializer,
    )
    def post(self, request, pk):
        body = _body(request)
        try:
            event = service.event_for(self.roll, request.user, pk)
            record, changed = service.mark(
                self.roll,
                event,
                member_id=body.get("member"),
                status=body.get("status"),
                reason=body.get("reason") or "",
                by_user=request.user,
            )
        except service.CheckInError as exc:
            return error_response(exc)
        return Response({**record.as_dict(), "changed": changed})


class AttendanceView(RollView):
    """Who is expected at the event and how each one stands (one row per member, by name).

    Paginated like every list (``?page=``), but a page holds 500 rows: a whole cell."""

    page_size = 500

    @extend_schema(
        responses=inline_serializer(
            "AttendanceList",
            {
                "count": serializers.IntegerField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "summary": serializers.DictField(),
                "results": AttendanceSerializer(many=True),
            },
        )
    )
    def get(self, request, pk):
        try:
            roll = self.roll
            event = service.event_for(
                roll, request.user, pk, capabilities=(roll.capability, roll.view_capability)
            )
            records = service.attendance_list(roll, event, user=request.user)
        except service.CheckInError as exc:
            return error_response(exc)
        page = request.query_params.get("page", "1")
        if not page.isdigit() or int(page) < 1:
            return Response(
                {
                    "detail": _("Số trang không hợp lệ."),
                    "fields": {"page": [_("Số trang không hợp lệ.")]},
                },
                status=400,
            )
        page = int(page)
        start = (page - 1) * self.page_size
        chunk = records[start : start + self.page_size]
        if page > 1 and not chunk:
            return Response({"detail": _("Không có trang này.")}, status=404)
        url = request.build_absolute_uri(request.path)
        return Response(
            {
                "count": len(records),
                "next": f"{url}?page={page + 1}" if start + self.page_size < len(records) else None,
                "previous": f"{url}?page={page - 1}" if page > 1 else None,
                "summary": service.summary(records),
                "results": [record.as_dict() for record in chunk],
            }
        )


def views_for(roll):
    """The four views of ``roll``: ``(check-in, offline, attendance, mark)`` classes."""
    return tuple(
        type(
            f"{base.__name__}_{roll.key}", (base,), {"roll_key": roll.key, "__doc__": base.__doc__}
        )
        for base in (CheckInView, OfflineCheckInView, AttendanceView, MarkView)
    )
