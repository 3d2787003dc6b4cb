"""Serializers of the newsroom and library API (``editorial.api``).

Every news article and document carries ``issuer_org`` and ``audience_org`` (organisation ids,
CONTRACT.md). File URLs point at the API's scope-checked downloads, never at storage.
"""

from __future__ import annotations

import os

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sotay_plugins.api import OrgFieldsMixin
from sotay_plugins.files import content_type_for

from ..models import DocumentLink, DocumentPage, NewsPage, ReadReceipt

RENDITION = "fill-640x360"


def _http_request(context):
    """The Django request under DRF's (Wagtail caches site roots on it: one lookup per request)."""
    request = context.get("request")
    return getattr(request, "_request", request)


def page_url(page, context):
    return page.get_url(request=_http_request(context))


class FileSerializer(serializers.Serializer):
    """A file of a document (or an attachment of a news article): ``id`` is the file's id, ``url``
    the API download that checks scope first."""

    route = "api:document-file"

    id = serializers.IntegerField(source="file_id", read_only=True)
    title = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    content_type = serializers.SerializerMethodField()
    size = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_title(self, obj) -> str:
        return obj.label or obj.file.title

    def get_name(self, obj) -> str:
        return os.path.basename(obj.file.file.name)

    def get_content_type(self, obj) -> str:
        return obj.file.content_type or content_type_for(obj.file.file.name)

    def get_size(self, obj) -> int | None:
        if obj.file.file_size is not None:
            return obj.file.file_size
        # not recorded (a file saved outside the admin form): ask the storage, never write here
        try:
            return obj.file.file.size
        except OSError:
            return None

    def get_url(self, obj) -> str:
        return reverse(self.route, args=[obj.page_id, obj.file_id])


class AttachmentSerializer(FileSerializer):
    route = "api:news-file"


class _PageFields(OrgFieldsMixin, serializers.ModelSerializer):
    issuer_name = serializers.CharField(source="issuer_org.name", read_only=True)
    audience_name = serializers.CharField(source="audience_org.name", read_only=True)
    audience_positions = serializers.SerializerMethodField()
    audience_groups = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_audience_positions(self, obj) -> list[str]:
        return sorted(obj.audience_positions or ())

    def get_audience_groups(self, obj) -> list[str]:
        return sorted(obj.audience_groups or ())

    def get_url(self, obj) -> str | None:
        return page_url(obj, self.context)


# --- documents -----------------------------------------------------------------------------


class DocumentSerializer(_PageFields):
    """A document of the library (list item)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    advisory_body = serializers.IntegerField(
        source="advisory_body_id", read_only=True, allow_null=True
    )
    advisory_body_name = serializers.SerializerMethodField()
    files = FileSerializer(many=True, read_only=True)

    class Meta:
        model = DocumentPage
        fields = [
            "id",
            "title",
            "number",
            "kind",
            "kind_label",
            "issued_on",
            "issuer_org",
            "issuer_name",
            "advisory_body",
            "advisory_body_name",
            "audience_org",
            "audience_name",
            "audience_positions",
            "audience_groups",
            "summary",
            "published_at",
            "url",
            "files",
        ]
        read_only_fields = fields

    def get_advisory_body_name(self, obj) -> str | None:
        return obj.advisory_body.name if obj.advisory_body_id else None


class LinkSerializer(serializers.ModelSerializer):
    """A link between documents ("implements", "amends", "replaces"): only readable targets."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    document = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    number = serializers.SerializerMethodField()

    class Meta:
        model = DocumentLink
        fields = ["kind", "kind_label", "document", "title", "number"]
        read_only_fields = fields

    def _other(self, obj):
        return obj.page if self.context.get("incoming") else obj.target

    def get_document(self, obj) -> int:
        return self._other(obj).pk

    def get_title(self, obj) -> str:
        return self._other(obj).title

    def get_number(self, obj) -> str:
        return self._other(obj).number


class AudioFieldMixin(serializers.Serializer):
    """``audio_url``: the page's audio version made on the server (``sotay_plugins.speech``),
    served after the same scope check as the page; null until it is made."""

    audio_url = serializers.SerializerMethodField()

    def get_audio_url(self, obj) -> str | None:
        if self.context.get("audio") is None:
            return None
        return reverse("editorial:page_audio", args=[obj.pk])


class DocumentDetailSerializer(AudioFieldMixin, DocumentSerializer):
    """A document with its links (``links``: this one → others; ``linked_from``: others → this one,
    both limited to documents the caller may read) and whether the caller bookmarked it."""

    links = serializers.SerializerMethodField()
    linked_from = serializers.SerializerMethodField()
    bookmarked = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = [
            *DocumentSerializer.Meta.fields,
            "links",
            "linked_from",
            "bookmarked",
            "audio_url",
        ]
        read_only_fields = fields

    @extend_schema_field(LinkSerializer(many=True))
    def get_links(self, obj):
        return LinkSerializer(self.context.get("links", []), many=True).data

    @extend_schema_field(LinkSerializer(many=True))
    def get_linked_from(self, obj):
        return LinkSerializer(
            self.context.get("linked_from", []), many=True, context={"incoming": True}
        ).data

    def get_bookmarked(self, obj) -> bool:
        return bool(self.context.get("bookmarked"))


# --- news ----------------------------------------------------------------------------------


class NewsSerializer(_PageFields):
    """A news article or internal bulletin (list item)."""

    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = NewsPage
        fields = [
            "id",
            "title",
            "category",
            "category_label",
            "lead",
            "author",
            "source",
            "featured",
            "issuer_org",
            "issuer_name",
            "audience_org",
            "audience_name",
            "audience_positions",
            "audience_groups",
            "published_at",
            "url",
        ]
        read_only_fields = fields


class NewsDetailSerializer(AudioFieldMixin, NewsSerializer):
    """A news article: ``body_html`` is the body as the member page renders it, ``body`` its
    blocks (``[{"type", "value", "id"}]``), ``lead_image_url`` a 640×360 rendition (or null)."""

    lead_image_url = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    bookmarked = serializers.SerializerMethodField()

    class Meta(NewsSerializer.Meta):
        fields = [
            *NewsSerializer.Meta.fields,
            "lead_image_url",
            "body_html",
            "body",
            "attachments",
            "bookmarked",
            "audio_url",
        ]
        read_only_fields = fields

    def get_lead_image_url(self, obj) -> str | None:
        if not obj.lead_image_id:
            return None
        try:
            return obj.lead_image.get_rendition(RENDITION).url
        except Exception:  # a missing or unreadable source image must not break the article
            return None

    def get_body_html(self, obj) -> str:
        return str(obj.body)

    def get_body(self, obj) -> list[dict]:
        return list(obj.body.raw_data)

    def get_bookmarked(self, obj) -> bool:
        return bool(self.context.get("bookmarked"))


# --- the caller's reading ------------------------------------------------------------------


class ReceiptSerializer(serializers.ModelSerializer):
    """One day of the caller's reading of one page: opens and downloads counted."""

    page = serializers.IntegerField(source="page_id", read_only=True)
    title = serializers.CharField(source="page.title", read_only=True)
    kind = serializers.SerializerMethodField(help_text="document | news")

    class Meta:
        model = ReadReceipt
        fields = ["page", "title", "kind", "day", "first_at", "last_at", "opens", "downloads"]
        read_only_fields = fields

    def get_kind(self, obj) -> str | None:
        return self.context.get("kinds", {}).get(obj.page.content_type_id)


class BookmarkSerializer(serializers.Serializer):
    """A page the caller keeps to read later (``item``: the document or news article)."""

    page = serializers.IntegerField(source="page_id", read_only=True)
    kind = serializers.SerializerMethodField(help_text="document | news")
    title = serializers.CharField(source="item.title", read_only=True)
    number = serializers.SerializerMethodField()
    issuer_org = serializers.IntegerField(source="item.issuer_org_id", read_only=True)
    audience_org = serializers.IntegerField(source="item.audience_org_id", read_only=True)
    published_at = serializers.DateTimeField(
        source="item.published_at", read_only=True, allow_null=True
    )
    url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_kind(self, obj) -> str:
        return "document" if isinstance(obj.item, DocumentPage) else "news"

    def get_number(self, obj) -> str | None:
        return getattr(obj.item, "number", None)

    def get_url(self, obj) -> str | None:
        return page_url(obj.item, self.context)


class BookmarkCreateSerializer(serializers.Serializer):
    page = serializers.IntegerField(
        help_text="id of a document or news article the caller may read"
    )
