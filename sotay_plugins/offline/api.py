"""``GET /api/v1/offline/manifest/`` and ``POST /api/v1/offline/recheck/`` (issue 18), for the
service worker of the member's phone (``site/static/sw.js``)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services

ITEMS = inline_serializer(
    "OfflineItem",
    many=True,
    fields={
        "id": serializers.CharField(),
        "title": serializers.CharField(),
        "url": serializers.CharField(),
        "kind": serializers.CharField(),
        "files": serializers.ListField(child=serializers.CharField()),
        "version": serializers.CharField(),
        "stands_for": serializers.ListField(child=serializers.CharField()),
    },
)


class OfflineManifestView(APIView):
    """What the caller's phone may keep for reading offline: their bookmarked and recently
    opened documents and news, their next meeting and its materials, their card's QR — each
    with its files and a version (fetch again when it changes). Only what the caller may read
    now."""

    @extend_schema(
        responses=inline_serializer(
            "OfflineManifest", {"member": serializers.CharField(), "items": ITEMS}
        )
    )
    def get(self, request):
        return Response(services.manifest(request.user))


class RecheckInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.CharField(), max_length=services.MOST_IDS)


class RecheckView(APIView):
    """Of the ids a phone keeps (``{"ids": ["editorial:p12", …]}``, at most 500), those the
    caller may still read; the phone deletes the others. An unknown or made-up id is simply not
    in the answer; a malformed one, or too many, is refused (400) and nothing is answered."""

    @extend_schema(
        request=RecheckInput,
        responses=inline_serializer(
            "OfflineRecheck", {"visible": serializers.ListField(child=serializers.CharField())}
        ),
    )
    def post(self, request):
        data = request.data
        if not hasattr(data, "get") or "ids" not in data:
            return Response(
                {
                    "detail": _("Cần danh sách mã mục cần kiểm tra (trường “ids”)."),
                    "fields": {"ids": [_("Trường này là bắt buộc.")]},
                },
                status=400,
            )
        try:
            visible = services.still_visible(request.user, data["ids"])
        except services.BadIds as exc:
            return Response(
                {"detail": exc.messages[0], "fields": {"ids": exc.messages}}, status=400
            )
        return Response({"visible": visible})
