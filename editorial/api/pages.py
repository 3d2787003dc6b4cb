"""What the documents and news endpoints share: query parameters read with Vietnamese errors,
folded-text filters, the schema's common parameters, and ``ScopedPagesViewSet`` (the readable
queryset, the detail that counts an open, the file download that counts a download)."""

from __future__ import annotations

from django.db.models import Value
from django.db.models.functions import Lower, Replace
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
)
from rest_framework import exceptions, viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from sotay_plugins.files import content_type_for, serve_private
from sotay_plugins.text import tokens

from .. import reading

MAX_ID = 2**31 - 1
MAX_QUERY_WORDS = 10


class AnyAccept(BaseContentNegotiation):
    """For file downloads: whatever the client accepts (a PDF viewer sends
    ``Accept: application/pdf``), the view answers with the file; errors still come as JSON."""

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


class ScopedPagesViewSet(viewsets.ReadOnlyModelViewSet):
    """What documents and news share: the readable queryset, the detail that counts an open,
    the file download that counts a download."""

    model = None
    file_model = None

    def readable(self):
        return reading.readable(self.request.user, self.model).select_related(
            "issuer_org", "audience_org"
        )

    def detail_context(self, page):
        from sotay_plugins import speech

        return {
            "bookmarked": reading.is_bookmarked(self.request.user, page),
            "audio": speech.audio_of(page),
        }

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
