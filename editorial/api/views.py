"""/api/v1/ of the newsroom and the library, scoped through ``reading.readable`` (the scope engine).

- ``documents/``: the library the caller may read, newest first. Filters ``?kind=``, ``?issuer=``
  (organisation id), ``?year=``, ``?number=`` (part of the number, accents and case ignored),
  ``?q=`` (every word in the number, title or summary). ``documents/<id>/``: one document with
  its readable links and the caller's bookmark; reading it counts an open.
  ``documents/<id>/files/<file_id>/``: a file of that document, after the scope check; counts a
  download.
- ``news/``: news and bulletins the caller may read, newest first (``?category=``, ``?issuer=``,
  ``?featured=``, ``?q=``); ``news/<id>/`` (body and attachments; counts an open);
  ``news/<id>/files/<file_id>/``.
- ``me/receipts/``: the caller's own read receipts (one row per page and day).
- ``bookmarks/``: the caller's bookmarks of pages they may still read; POST ``{"page": id}``
  (201, or 200 when already kept); DELETE ``bookmarks/<page_id>/`` (204, also when not kept).

Bad filter values answer 400 with a Vietnamese ``detail`` and ``fields``; pages the caller may
not read answer 404, as if they did not exist.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, Value
from django.db.models.functions import Lower, Replace
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from sotay_plugins.files import content_type_for, serve_private
from sotay_plugins.orgtree import scope
from sotay_plugins.text import fold, tokens

from .. import reading
from ..choices import DocumentKind, NewsCategory
from ..models import (
    Bookmark,
    DocumentFile,
    DocumentLink,
    DocumentPage,
    NewsAttachment,
    NewsPage,
    ReadReceipt,
)
from .serializers import (
    BookmarkCreateSerializer,
    BookmarkSerializer,
    DocumentDetailSerializer,
    DocumentSerializer,
    NewsDetailSerializer,
    NewsSerializer,
    ReceiptSerializer,
)

MAX_ID = 2**31 - 1
MAX_QUERY_WORDS = 10


class AnyAccept(BaseContentNegotiation):
    """For file downloads: whatever the client accepts (a PDF viewer sends ``Accept: application/pdf``),
    the view answers with the file; errors still come as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# --- query parameters ----------------------------------------------------------------------


class Params:
    """Reads query parameters, collecting a Vietnamese message per bad one; ``check()`` raises
    them together (400, ``fields``) before anything is queried."""

    def __init__(self, query_params):
        self.query = query_params
        self.errors = {}

    def text(self, name):
        return (self.query.get(name) or "").strip()

    def integer(self, name, message, *, low=1, high=MAX_ID):
        raw = self.text(name)
        if not raw:
            return None
        if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
            return int(raw)
        self.errors[name] = [message]
        return None

    def choice(self, name, choices):
        raw = self.text(name)
        if not raw:
            return None
        if raw in choices.values:
            return raw
        self.errors[name] = [
            _("Giá trị “%(value)s” không có trong danh sách: %(choices)s.")
            % {"value": raw[:40], "choices": ", ".join(choices.values)}
        ]
        return None

    def flag(self, name):
        raw = self.text(name).lower()
        if not raw:
            return None
        if raw in ("1", "true", "yes"):
            return True
        if raw in ("0", "false", "no"):
            return False
        self.errors[name] = [_("Chỉ nhận 1 (có) hoặc 0 (không).")]
        return None

    def check(self):
        if self.errors:
            raise exceptions.ValidationError(self.errors)


def folded_words(queryset, raw):
    """Pages whose folded text (``search_folded``) holds every word of ``raw``."""
    for word in tokens(raw)[:MAX_QUERY_WORDS]:
        queryset = queryset.filter(search_folded__contains=word)
    return queryset


def folded_number():
    """The number as ``fold`` would write it, in SQL (numbers are ASCII but for Đ)."""
    return Lower(Replace(Replace("number", Value("Đ"), Value("D")), Value("đ"), Value("d")))


ISSUER_PARAM = OpenApiParameter(
    "issuer", OpenApiTypes.INT, description="id of the issuing organisation"
)
Q_PARAM = OpenApiParameter(
    "q", OpenApiTypes.STR, description="words to look for (accents and case ignored)"
)
FILE_PARAM = OpenApiParameter(
    "file_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the file"
)
FILE_RESPONSES = {
    (200, "application/octet-stream"): OpenApiTypes.BINARY,
    404: OpenApiResponse(description="no such file of a page the caller may read"),
}


class _ScopedPages(viewsets.ReadOnlyModelViewSet):
    """What documents and news share: the readable queryset, the detail that counts an open,
    the file download that counts a download."""

    model = None
    file_model = None

    def readable(self):
        return reading.readable(self.request.user, self.model).select_related(
            "issuer_org", "audience_org"
        )

    def detail_context(self, page):
        return {"bookmarked": reading.is_bookmarked(self.request.user, page)}

    def retrieve(self, request, *args, **kwargs):
        page = self.get_object()
        reading.record(request.user, page, "opens")
        context = {**self.get_serializer_context(), **self.detail_context(page)}
        return Response(self.get_serializer(page, context=context).data)

    def download(self, request, pk, file_id):
        page = self.get_object()
        link = (
            self.file_model.objects.select_related("file")
            .filter(page_id=page.pk, file_id=file_id)
            .first()
        )
        if link is None:
            raise Http404
        stored = link.file
        response = serve_private(
            stored.file, content_type=stored.content_type or content_type_for(stored.file.name)
        )
        reading.record(request.user, page, "downloads")
        return response


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
class DocumentViewSet(_ScopedPages):
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
class NewsViewSet(_ScopedPages):
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


# --- the caller's reading ------------------------------------------------------------------


def page_kinds():
    """content type id → "document" | "news" (ContentType's own cache: no query after the first)."""
    return {
        ContentType.objects.get_for_model(DocumentPage).pk: "document",
        ContentType.objects.get_for_model(NewsPage).pk: "news",
    }


class ReceiptListView(generics.ListAPIView):
    """The caller's own read receipts, most recent day first: one row per page and day with the
    first and last time and the counts of opens and downloads. Staff accounts that are not members
    have none."""

    serializer_class = ReceiptSerializer

    def get_queryset(self):
        member = scope.subject(self.request.user)
        if member is None:
            return ReadReceipt.objects.none()
        return (
            ReadReceipt.objects.filter(member_id=member.member_id)
            .select_related("page")
            .order_by("-day", "-last_at", "-pk")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "kinds": page_kinds()}


def readable_page(user, pk):
    """The document or news article ``pk`` if the user may read it, else None."""
    for model in (DocumentPage, NewsPage):
        page = reading.readable(user, model).filter(pk=pk).first()
        if page is not None:
            return page
    return None


class BookmarkViewSet(viewsets.GenericViewSet):
    """The caller's bookmarks (documents and news to read later), newest first; only pages the
    caller may still read are listed."""

    serializer_class = BookmarkSerializer
    lookup_field = "page"
    lookup_value_regex = "[0-9]+"

    def member(self):
        return scope.subject(self.request.user)

    def get_queryset(self):
        member = self.member()
        if member is None:
            return Bookmark.objects.none()
        user = self.request.user
        readable = Q(page_id__in=reading.readable(user, DocumentPage).values("pk")) | Q(
            page_id__in=reading.readable(user, NewsPage).values("pk")
        )
        return Bookmark.objects.filter(readable, member_id=member.member_id).order_by(
            "-created_at", "-pk"
        )

    def list(self, request):
        bookmarks = self.paginate_queryset(self.get_queryset())
        ids = [b.page_id for b in bookmarks]
        items = {}
        if ids:
            for model in (DocumentPage, NewsPage):
                items.update((p.pk, p) for p in model.objects.filter(pk__in=ids))
        kept = []
        for bookmark in bookmarks:
            bookmark.item = items.get(bookmark.page_id)
            if bookmark.item is not None:
                kept.append(bookmark)
        return self.get_paginated_response(self.get_serializer(kept, many=True).data)

    @extend_schema(
        request=BookmarkCreateSerializer,
        responses={
            201: BookmarkSerializer,
            200: BookmarkSerializer,
            404: OpenApiResponse(description="no such page the caller may read"),
        },
    )
    def create(self, request):
        raw = request.data.get("page") if hasattr(request.data, "get") else None
        if raw is None or raw == "":
            raise exceptions.ValidationError(
                {"page": [_("Cần mã số của văn bản hoặc tin bài cần lưu (trường “page”).")]}
            )
        text = str(raw).strip() if not isinstance(raw, bool) else ""
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID):
            raise exceptions.ValidationError(
                {"page": [_("Mã số văn bản, tin bài phải là số nguyên dương.")]}
            )
        member = self.member()
        if member is None:
            raise exceptions.PermissionDenied(
                _("Chỉ tài khoản đảng viên mới lưu được mục đọc sau.")
            )
        page = readable_page(request.user, int(text))
        if page is None:
            raise Http404
        bookmark, created = Bookmark.objects.get_or_create(
            member_id=member.member_id, page_id=page.pk
        )
        bookmark.item = page
        return Response(
            self.get_serializer(bookmark).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(responses={204: None})
    def destroy(self, request, page=None):
        member = self.member()
        if member is not None:
            Bookmark.objects.filter(member_id=member.member_id, page_id=int(page)).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
