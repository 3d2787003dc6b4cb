"""``/api/v1/documents/``: the library the caller may read (filters, detail, files)."""

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

from sotay_plugins.text import fold

from .. import reading
from ..choices import DocumentKind
from ..models import (
    DocumentFile,
    DocumentLink,
    DocumentPage,
)
from .pages import (
    FILE_PARAM,
    FILE_RESPONSES,
    ISSUER_PARAM,
    Q_PARAM,
    AnyAccept,
    Params,
    ScopedPagesViewSet,
    folded_number,
    folded_words,
)
from .serializers import (
    DocumentDetailSerializer,
    DocumentSerializer,
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "kind", OpenApiTypes.STR, enum=DocumentKind.values, description="kind of document"
            ),
            ISSUER_PARAM,
            OpenApiParameter("year", OpenApiTypes.INT, description="year of issue"),
            OpenApiParameter(
                "number", OpenApiTypes.STR, description="part of the number (số hiệu), e.g. NQ/TU"
            ),
            Q_PARAM,
        ]
    )
)
class DocumentViewSet(ScopedPagesViewSet):
    """The library: documents the caller may read (members: their audience; staff: what was issued
    under the units where they hold ``editorial.view_library``), newest first."""

    model = DocumentPage
    file_model = DocumentFile
    serializer_class = DocumentSerializer

    def get_serializer_class(self):
        return DocumentDetailSerializer if self.action == "retrieve" else DocumentSerializer

    def get_queryset(self):
        queryset = self.readable().select_related("advisory_body")
        if self.action == "file":
            return queryset
        queryset = queryset.prefetch_related(
            Prefetch(
                "files",
                queryset=DocumentFile.objects.select_related("file").order_by("sort_order", "pk"),
            )
        )
        if self.action == "list":
            queryset = self.filter(queryset)
        return queryset.order_by("-issued_on", "-published_at", "-pk")

    def filter(self, queryset):
        params = Params(self.request.query_params)
        kind = params.choice("kind", DocumentKind)
        issuer = params.integer("issuer", _("Mã đơn vị ban hành phải là số nguyên dương."))
        year = params.integer("year", _("Năm ban hành phải là số, ví dụ 2024."), low=1, high=9999)
        number, q = params.text("number")[:60], params.text("q")[:200]
        params.check()
        if kind:
            queryset = queryset.filter(kind=kind)
        if issuer:
            queryset = queryset.filter(issuer_org_id=issuer)
        if year:
            queryset = queryset.filter(issued_on__year=year)
        if fold(number):
            queryset = queryset.alias(number_folded=folded_number()).filter(
                number_folded__contains=fold(number)
            )
        return folded_words(queryset, q) if q else queryset

    def detail_context(self, page):
        readable = reading.readable(self.request.user, DocumentPage).values("pk")
        return {
            **super().detail_context(page),
            "links": list(
                DocumentLink.objects.filter(page=page, target__in=readable)
                .select_related("target")
                .order_by("sort_order", "pk")
            ),
            "linked_from": list(
                DocumentLink.objects.filter(target=page, page__in=readable)
                .select_related("page")
                .order_by("pk")
            ),
        }

    @extend_schema(parameters=[FILE_PARAM], responses=FILE_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<file_id>[0-9]+)",
        url_name="file",
        content_negotiation_class=AnyAccept,
    )
    def file(self, request, pk=None, file_id=None):
        """A file of the document (inline for PDF, else as a download), after the scope check."""
        return self.download(request, pk, int(file_id))
