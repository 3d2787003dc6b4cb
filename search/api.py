"""``GET /api/v1/search/?q=`` (CONTRACT.md): scoped hits with ``kind``, ``id``, ``title``,
``issuer_org``, ``audience_org``; paginated like every list (``?page=``, ``?page_size=``)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import engine

PAGE_SIZE, MAX_PAGE_SIZE = 20, 100


def _positive(request, name, default, maximum=None):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationError({name: [_("Phải là số nguyên dương.")]})
    return min(int(raw), maximum) if maximum else int(raw)


class HitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    issuer_org = serializers.IntegerField(allow_null=True)
    audience_org = serializers.IntegerField(allow_null=True)
    date = serializers.CharField(allow_null=True)
    url = serializers.CharField()


class SearchView(APIView):
    """Everything the caller may find: documents, news (and what other plugins register)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description="Từ khóa (có dấu hoặc không dấu)"
            ),
            OpenApiParameter("kind", str, description="Chỉ tìm một loại: document, news, …"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=inline_serializer(
            "SearchResults",
            {
                "count": serializers.IntegerField(),
                "counts": serializers.DictField(child=serializers.IntegerField()),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": HitSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        page = _positive(request, "page", 1)
        size = _positive(request, "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
        try:
            results = engine.search(
                request.user,
                request.query_params.get("q", ""),
                kind=request.query_params.get("kind") or None,
                offset=(page - 1) * size,
                limit=size,
            )
        except engine.QueryError as exc:
            field = "kind" if request.query_params.get("kind") and "loại" in str(exc) else "q"
            raise ValidationError({field: [str(exc)]}) from exc

        def link(n):
            if n < 1 or (n - 1) * size >= results.count:
                return None
            params = request.query_params.copy()
            params["page"] = n
            return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

        return Response(
            {
                "count": results.count,
                "counts": results.counts,
                "next": link(page + 1),
                "previous": link(page - 1) if page > 1 else None,
                "results": [hit.as_dict() for hit in results.hits],
            }
        )
