"""/api/v1/notices/: the caller's notifications (newest first, with ``read``), mark read, their
preferences, and their devices for Web Push (create, list, delete). Everything here is the
caller's own: another member's notice or device answers 404.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from sotay_plugins.members.services import current_member

from .. import push, services
from ..models import Mode, Notice, PushSubscription

VI_ERRORS = {
    "required": gettext_lazy("Trường này là bắt buộc."),
    "null": gettext_lazy("Trường này không được để trống."),
    "blank": gettext_lazy("Trường này không được để trống."),
    "invalid": gettext_lazy("Giá trị không hợp lệ."),
    "max_length": gettext_lazy("Quá dài: tối đa {max_length} ký tự."),
    "invalid_choice": gettext_lazy("“{input}” không phải là lựa chọn hợp lệ."),
    "not_a_list": gettext_lazy("Cần một danh sách."),
}


def _member(request):
    member = current_member(request.user)
    if member is None:
        raise exceptions.NotFound(_("Tài khoản này không gắn với hồ sơ đảng viên nào."))
    return member


class NoticeSerializer(serializers.ModelSerializer):
    """One notification; ``read`` is true once the member opened it or marked it read."""

    read = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "kind", "title", "body", "url", "created_at", "read", "read_at"]
        read_only_fields = fields

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "unread",
                OpenApiTypes.STR,
                enum=["1", "true"],
                description="Only the notifications not read yet.",
            )
        ]
    )
)
class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's notifications, newest first. ``?unread=1``: only those not read yet."""

    serializer_class = NoticeSerializer

    def get_queryset(self):
        rows = services.inbox(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(
        request=None,
        responses=inline_serializer("NoticeReadResult", {"changed": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read (again: nothing changes)."""
        notice = self.get_object()
        return Response({"changed": services.mark_read(request.user, [notice.pk])})


class ReadAllView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer("NoticeReadAllResult", {"changed": serializers.IntegerField()}),
    )
    def post(self, request):
        """Mark all the caller's notifications read."""
        return Response({"changed": services.mark_read(request.user)})


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=100, error_messages=VI_ERRORS)
    label = serializers.CharField(read_only=True)
    mode = serializers.ChoiceField(choices=Mode.choices, error_messages=VI_ERRORS)
    required = serializers.BooleanField(read_only=True)


class PreferencesInput(serializers.Serializer):
    modes = PreferenceSerializer(many=True, error_messages=VI_ERRORS)
    email = serializers.EmailField(
        required=False, allow_blank=True, max_length=254, error_messages=VI_ERRORS
    )


class PreferencesOutput(serializers.Serializer):
    modes = PreferenceSerializer(many=True)
    email = serializers.CharField()
    quiet_hours = serializers.ListField(child=serializers.CharField(), allow_null=True)


def _preferences(member):
    from ..models import NoticeSettings

    own = NoticeSettings.objects.filter(member=member).first()
    hours = services.quiet_hours(own)
    return {
        "modes": [
            {"kind": k, "label": str(label), "mode": mode, "required": required}
            for k, label, mode, required in services.member_modes(member)
        ],
        "email": own.email if own else "",
        "quiet_hours": [h.strftime("%H:%M") for h in hours] if hours else None,
    }


class PreferencesView(APIView):
    @extend_schema(responses=PreferencesOutput)
    def get(self, request):
        """How the caller gets each kind of notice (immediate, digest, off; required kinds
        cannot be changed), their e-mail for notices and their quiet hours."""
        return Response(_preferences(_member(request)))

    @extend_schema(request=PreferencesInput, responses=PreferencesOutput)
    def put(self, request):
        """Change some kinds' mode (and the e-mail address: blank turns e-mail off). A required
        kind, an unknown kind or mode refuses the whole change."""
        from ..models import NoticeSettings

        member = _member(request)
        data = PreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_modes(
            member, {row["kind"]: row["mode"] for row in data.validated_data["modes"]}
        )
        if "email" in data.validated_data:
            NoticeSettings.objects.update_or_create(
                member=member, defaults={"email": data.validated_data["email"]}
            )
        return Response(_preferences(member))


class PushKeyView(APIView):
    @extend_schema(responses=inline_serializer("PushKey", {"public_key": serializers.CharField()}))
    def get(self, request):
        """The server's VAPID public key (the browser's ``applicationServerKey``); empty when
        Web Push is not configured."""
        return Response({"public_key": push.public_key()})


class PushSubscriptionSerializer(serializers.ModelSerializer):
    """A device: the push service's ``endpoint`` and the browser's ``p256dh`` and ``auth``
    keys (base64url, from ``PushSubscription.toJSON().keys``)."""

    endpoint = serializers.CharField(max_length=1000, error_messages=VI_ERRORS)
    p256dh = serializers.CharField(max_length=200, write_only=True, error_messages=VI_ERRORS)
    auth = serializers.CharField(max_length=100, write_only=True, error_messages=VI_ERRORS)

    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "p256dh", "auth", "user_agent", "created_at", "last_push_at"]
        read_only_fields = ["id", "user_agent", "created_at", "last_push_at"]


class PushSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's devices that receive Web Push. Creating the same endpoint again updates it."""

    serializer_class = PushSubscriptionSerializer

    def get_queryset(self):
        return PushSubscription.objects.filter(member__user_id=self.request.user.pk).order_by(
            "-created_at", "-id"
        )

    def create(self, request, *args, **kwargs):
        member = _member(request)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = push.subscribe(
            member,
            endpoint=data.validated_data["endpoint"],
            p256dh=data.validated_data["p256dh"],
            auth=data.validated_data["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(self.get_serializer(subscription).data, status=status.HTTP_201_CREATED)
