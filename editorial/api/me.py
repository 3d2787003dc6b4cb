"""The caller's own reading: ``/api/v1/me/receipts/`` and ``/api/v1/bookmarks/``."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, generics, status, viewsets
from rest_framework.response import Response

from sotay_plugins.idempotency import idempotent, schema_parameter, schema_responses
from sotay_plugins.orgtree import scope

from .. import reading
from ..models import (
    Bookmark,
    DocumentPage,
    NewsPage,
    ReadReceipt,
)
from .pages import MAX_ID
from .serializers import (
    BookmarkCreateSerializer,
    BookmarkSerializer,
    ReceiptSerializer,
)


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
        parameters=[schema_parameter()],
        request=BookmarkCreateSerializer,
        responses={
            201: BookmarkSerializer,
            200: BookmarkSerializer,
            404: OpenApiResponse(description="no such page the caller may read"),
            **schema_responses(),
        },
    )
    @idempotent
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
