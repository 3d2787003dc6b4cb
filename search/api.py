"""``GET /api/v1/search/?q=`` (CONTRACT.md): scoped hits with ``kind``, ``id``, ``title``,
``issuer_org``, ``audience_org`` (plus the issuer's name, the number, the date, a highlighted
``snippet`` and ``title_html``: HTML-escaped text with ``<mark>`` around the matches), facets by
kind, issuer and year, paginated like every list (``?page=``, ``?page_size=``).
``GET /api/v1/search/suggest/?q=`` autocompletes titles and document numbers;
``GET /api/v1/search/health/`` (staff) says which backend answers."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from sotay_plugins.orgtree import scope

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
    issuer_name = serializers.CharField()
    number = serializers.CharField()
    date = serializers.CharField(allow_null=True)
    title_html = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.CharField()


class FacetSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


def _facets(page):
    return {
        name: [{"key": str(key), "label": label, "count": n} for key, label, n in rows]
        for name, rows in page.facets.items()
    }


class SearchView(APIView):
    """Everything the caller may find: documents, news (and what other plugins register)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description="Từ khóa (có dấu hoặc không dấu)"
            ),
            OpenApiParameter("kind", str, description="Chỉ tìm một loại: document, news, …"),
            OpenApiParameter("issuer", int, description="Chỉ của một đơn vị ban hành (id)"),
            OpenApiParameter("year", int, description="Chỉ của một năm"),
            OpenApiParameter("sort", str, enum=list(engine.SORTS)),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=inline_serializer(
            "SearchResults",
            {
                "count": serializers.IntegerField(),
                "counts": serializers.DictField(child=serializers.IntegerField()),
                "facets": serializers.DictField(child=FacetSerializer(many=True)),
                "backend": serializers.CharField(),
                "notice": serializers.CharField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": HitSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        page = _positive(request, "page", 1)
        size = _positive(request, "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
        issuer = _positive(request, "issuer", None)
        year = _positive(request, "year", None, 9999)
        if page > 10_000:
            raise ValidationError({"page": [_("Trang quá xa.")]})
        try:
            results = engine.search(
                request.user,
                params.get("q", ""),
                kind=params.get("kind") or None,
                issuer=issuer,
                year=year,
                sort=params.get("sort") or "relevance",
                offset=(page - 1) * size,
                limit=size,
            )
        except engine.QueryError as exc:
            message = str(exc)
            field = "q"
            if params.get("kind") and "loại" in message:
                field = "kind"
            elif "sắp xếp" in message:
                field = "sort"
            raise ValidationError({field: [message]}) from exc

        def link(n):
            if n < 1 or (n - 1) * size >= results.count:
                return None
            copy = params.copy()
            copy["page"] = n
            return request.build_absolute_uri(f"{request.path}?{copy.urlencode()}")

        return Response(
            {
                "count": results.count,
                "counts": results.counts,
                "facets": _facets(results),
                "backend": results.backend,
                "notice": results.notice,
                "next": link(page + 1),
                "previous": link(page - 1) if page > 1 else None,
                "results": [hit.as_dict() for hit in results.hits],
            }
        )


class SuggestView(APIView):
    """Autocomplete: titles and document numbers that start like what the caller typed."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True)],
        responses=inline_serializer(
            "SearchSuggestions",
            {
                "results": inline_serializer(
                    "SearchSuggestion",
                    {
                        "kind": serializers.CharField(),
                        "id": serializers.IntegerField(),
                        "title": serializers.CharField(),
                        "number": serializers.CharField(),
                        "url": serializers.CharField(),
                    },
                    many=True,
                )
            },
        ),
    )
    def get(self, request):
        rows = engine.suggest(request.user, request.query_params.get("q", ""))
        return Response(
            {
                "results": [
                    {
                        "kind": row["kind"],
                        "id": row["object_id"],
                        "title": row["title"],
                        "number": row["number"],
                        "url": f"/tim-kiem/mo/{row['kind']}/{row['object_id']}/",
                    }
                    for row in rows
                ]
            }
        )


class HealthView(APIView):
    """Which backend answers searches now, and whether the engine is up (staff only)."""

    @extend_schema(
        responses=inline_serializer(
            "SearchHealth",
            {
                "backend": serializers.CharField(),
                "engine": serializers.CharField(allow_null=True),
                "engine_ok": serializers.BooleanField(allow_null=True),
                "fallback": serializers.BooleanField(),
            },
        )
    )
    def get(self, request):
        if not (scope.is_superadmin(request.user) or scope.grants(request.user)):
            raise PermissionDenied(_("Chỉ cán bộ được xem tình trạng máy tìm kiếm."))
        return Response(engine.health())
