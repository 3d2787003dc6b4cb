from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from sotay_plugins.authentication import issue_token, normalise_username
from sotay_plugins.orgtree import scope

from . import services
from .accounts import LOCKOUT_MESSAGE
from .models import Member


class MemberSerializer(serializers.ModelSerializer):
    """A member record. Personal data (CCCD, birth date, addresses, phone) is masked or left out
    unless the caller holds ``members.view_personal`` at the member's cell, or is the member."""

    cell = serializers.IntegerField(source="cell_id", read_only=True)
    cell_name = serializers.CharField(source="cell.name", read_only=True)
    positions = serializers.SerializerMethodField()
    cccd = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "party_record_no",
            "full_name",
            "gender",
            "birth_date",
            "cccd",
            "home_town",
            "permanent_address",
            "phone",
            "party_card_no",
            "membership",
            "cell",
            "cell_name",
            "positions",
            "group",
            "has_smartphone",
            "joined_on",
            "official_on",
            "status",
        ]
        # null when masked (to_representation)
        extra_kwargs = {
            name: {"allow_null": True}
            for name in ("birth_date", "home_town", "permanent_address", "phone")
        }

    def get_positions(self, obj) -> list[str]:
        return sorted(obj.positions)

    def get_cccd(self, obj) -> str:
        return obj.cccd if self._personal(obj) else obj.cccd_masked

    def _personal(self, obj):
        user = self.context["request"].user
        return obj.user_id == user.pk or scope.can(user, "members.view_personal", obj)

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not self._personal(obj):
            for name in ("birth_date", "home_town", "permanent_address", "phone"):
                data[name] = None
        return data


class MeView(APIView):
    """The caller's own member record (cell, positions, group) and their capabilities."""

    @extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="Me",
            serializers=[
                MemberSerializer,
                inline_serializer(
                    "StaffAccount",
                    {
                        "id": serializers.IntegerField(allow_null=True),
                        "username": serializers.CharField(),
                        "cell": serializers.IntegerField(allow_null=True),
                        "positions": serializers.ListField(child=serializers.CharField()),
                        "group": serializers.CharField(allow_null=True),
                        "is_staff_account": serializers.BooleanField(),
                    },
                ),
            ],
            resource_type_field_name=None,
        ),
        description="A member's record, or for a staff account without one its username and "
        "`is_staff_account: true`.",
    )
    def get(self, request):
        member = services.current_member(request.user)
        if member is None:
            return Response(
                {
                    "id": None,
                    "username": request.user.get_username(),
                    "cell": None,
                    "positions": [],
                    "group": None,
                    "is_staff_account": True,
                }
            )
        return Response(MemberSerializer(member, context={"request": request}).data)


class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    """Members within the caller's managed scope (``members.view_member``), plus themselves.

    Filters: ``?cell=<id>`` (or any unit: its whole subtree), ``?group=``, ``?status=``, ``?q=``
    (name or record no.).
    Every detail read by staff is written to the audit log.
    """

    serializer_class = MemberSerializer

    def get_queryset(self):
        qs = scope.visible_to(
            self.request.user, Member.objects.select_related("cell").order_by("full_name", "pk")
        )
        params = self.request.query_params
        unit = params.get("cell") or params.get("org")
        if unit and unit.isdigit():
            from sotay_plugins.orgtree.models import Organisation

            org = Organisation.objects.filter(pk=int(unit)).first()
            qs = qs.filter(scope.within(org, "cell")) if org else qs.none()
        for name in ("group", "status"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        return services.with_folded_name(qs).filter(services.search_q(params.get("q")))

    def retrieve(self, request, *args, **kwargs):
        member = self.get_object()
        serializer = self.get_serializer(member)
        services.log_view(member, request.user, personal=serializer._personal(member))
        return Response(serializer.data)


class LoginThrottle(AnonRateThrottle):
    scope = "login"


class TokenView(APIView):
    """Exchange a CCCD (or staff username) and password for an API token.

    The same lockout as the web login (HTTP 429, see sotay_plugins.authentication). The token
    lives ``SOTAY_TOKEN_DAYS`` days and dies with a change of the account's password.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request):
        username = normalise_username(request.data.get("username"))
        password = str(request.data.get("password") or "")
        missing = {
            name: [_("Trường này là bắt buộc.")]
            for name, value in (("username", username), ("password", password))
            if not value
        }
        if missing:
            raise exceptions.ValidationError(missing)
        user = authenticate(request._request, username=username, password=password)
        if getattr(request._request, "axes_locked_out", False):
            return Response(
                {"detail": str(LOCKOUT_MESSAGE)}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        if user is None:
            raise exceptions.AuthenticationFailed(
                _("Số CCCD hoặc mật khẩu không đúng, hoặc tài khoản chưa kích hoạt.")
            )
        token = issue_token(user)
        return Response({"token": token.key})
