"""``/api/v1/news/``: news and bulletins the caller may read (filters, detail, files)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework.decorators import action

from ..choices import NewsCategory
from ..models import (
    NewsAttachment,
    NewsPage,
)
from .pages import (
    FILE_PARAM,
    FILE_RESPONSES,
    ISSUER_PARAM,
    Q_PARAM,
    AnyAccept,
    Params,
    ScopedPagesViewSet,
    folded_words,
)
from .serializers import (
    NewsDetailSerializer,
    NewsSerializer,
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "category", OpenApiTypes.STR, enum=NewsCategory.values, description="category"
            ),
            ISSUER_PARAM,
            OpenApiParameter(
                "featured", OpenApiTypes.BOOL, description="1: featured articles only"
            ),
            Q_PARAM,
        ]
    )
)
class NewsViewSet(ScopedPagesViewSet):
    """News and internal bulletins the caller may read, newest first."""

    model = NewsPage
    file_model = NewsAttachment
    serializer_class = NewsSerializer

    def get_serializer_class(self):
        return NewsDetailSerializer if self.action == "retrieve" else NewsSerializer

    def get_queryset(self):
        queryset = self.readable()
        if self.action == "retrieve":
            queryset = queryset.select_related("lead_image").prefetch_related(
                Prefetch(
                    "attachments",
                    queryset=NewsAttachment.objects.select_related("file").order_by(
                        "sort_order", "pk"
                    ),
                )
            )
        elif self.action == "list":
            queryset = self.filter(queryset)
        return queryset.order_by("-published_at", "-pk")

    def filter(self, queryset):
        params = Params(self.request.query_params)
        category = params.choice("category", NewsCategory)
        issuer = params.integer("issuer", _("Mã đơn vị ban hành phải là số nguyên dương."))
        featured = params.flag("featured")
        q = params.text("q")[:200]
        params.check()
        if category:
            queryset = queryset.filter(category=category)
        if issuer:
            queryset = queryset.filter(issuer_org_id=issuer)
        if featured is not None:
            queryset = queryset.filter(featured=featured)
        return folded_words(queryset, q) if q else queryset

    @extend_schema(parameters=[FILE_PARAM], responses=FILE_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<file_id>[0-9]+)",
        url_name="file",
        content_negotiation_class=AnyAccept,
    )
    def file(self, request, pk=None, file_id=None):
        """An attachment of the article, after the scope check."""
        return self.download(request, pk, int(file_id))
