"""The newsroom and the document library (SPEC.md modules 2 and 8), as Wagtail pages.

Tree: the province's HomePage → one SectionPage per organisation that publishes (created on
demand, ``sections.section_for``) → its NewsPage and DocumentPage children. Wagtail keeps the
revisions, the moderation workflow (the editorial board's task, ``workflows``) and the
scheduled publishing; the scope engine decides who reads:

- News and documents are ``Published``: issued by the section's organisation, for an audience
  organisation inside the issuer's subtree, optionally narrowed to positions and member groups.
  ``scope.visible_to(user, DocumentPage.objects.live())`` is the library of a member; staff see
  what was issued under the units where they hold ``VIEW_LIBRARY``.
- Files (``LibraryFile``, Wagtail's document model swapped for one in private storage) have no
  public URL: ``files_visible_to`` allows a file when it is attached to a live page the user may
  read, or when the user may edit such a page.
- Opens and downloads are counted once per member, page and day (``ReadReceipt``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.documents.models import AbstractDocument, Document
from wagtail.embeds.blocks import EmbedBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page, Task
from wagtail.search import index

from sotay_plugins.orgtree.models import AdvisoryBody, Organisation, Published
from sotay_plugins.orgtree.scope import ScopeSpec
from sotay_plugins.receipts import Receipt
from sotay_plugins.slugs import autogenerate_slug
from sotay_plugins.storage import private_storage
from sotay_plugins.text import fold

from .choices import DocumentKind, LinkKind, NewsCategory
from .forms import ScopedPageForm, SectionPageForm

# Capabilities (held at an organisation, reaching its subtree; roles in apps.py).
VIEW_LIBRARY = "editorial.view_library"  # see news and documents issued under the unit (staff)
WRITE_NEWS = "editorial.write_news"  # write the unit's news and bulletins
UPLOAD_DOCUMENT = "editorial.upload_document"  # upload documents of an advisory body
APPROVE = "editorial.approve"  # the editorial board: approve before publication

MAX_FILE_SIZE = 20 * 1024 * 1024
FILE_KINDS = ("pdf", "docx", "xlsx")


def audience_panel():
    """The "who reads it" panel every published page shows (audience unit, positions, groups)."""
    return MultiFieldPanel(
        [
            FieldPanel("audience_org"),
            FieldPanel("audience_positions"),
            FieldPanel("audience_groups"),
        ],
        heading=_("Phạm vi người đọc"),
    )


class HomePage(Page):
    """The province's home page: the root of its site's page tree. Committee sections, news and
    the document library hang below it."""

    intro = RichTextField(_("lời giới thiệu"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["editorial.SectionPage"]
    max_count_per_parent = 1
    template = "editorial/home_page.html"

    class Meta:
        verbose_name = _("trang chủ của tỉnh")

    def permissions_for_user(self, user):
        """Rights from the scope engine, not from Wagtail groups (``permissions``)."""
        from .permissions import ScopedPagePermissionTester

        return ScopedPagePermissionTester(user, self)


class SectionPage(Page):
    """The news and documents section of one organisation (a committee at any level)."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("tổ chức đảng"),
        on_delete=models.PROTECT,
        related_name="section_page",
    )
    intro = RichTextField(_("giới thiệu"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("organisation"), FieldPanel("intro")]
    parent_page_types = ["editorial.HomePage"]
    subpage_types = ["editorial.NewsPage", "editorial.DocumentPage"]
    template = "editorial/section_page.html"
    base_form_class = SectionPageForm

    class Meta:
        verbose_name = _("chuyên mục của đơn vị")
        verbose_name_plural = _("chuyên mục của đơn vị")

    def full_clean(self, *args, **kwargs):
        autogenerate_slug(self)  # ASCII, đ → d (issue 17)
        return super().full_clean(*args, **kwargs)

    def permissions_for_user(self, user):
        """Rights from the scope engine, not from Wagtail groups (``permissions``)."""
        from .permissions import ScopedPagePermissionTester

        return ScopedPagePermissionTester(user, self)

    def serve(self, request, *args, **kwargs):
        # A section has no content of its own: its items are in the member's feed and library.
        return redirect(f"/thu-vien/?don-vi={self.organisation_id}")


# --- files ------------------------------------------------------------------------------------


def library_upload_to(instance, filename):
    now = timezone.now()
    return f"library/{now:%Y/%m}/{filename}"


class LibraryFile(AbstractDocument):
    """A file of a document or an attachment of a news article (Wagtail's document model,
    swapped: ``WAGTAILDOCS_DOCUMENT_MODEL``). Kept in private storage, never under MEDIA_URL:
    it is served by ``views.files.file_download`` after the scope check."""

    file = models.FileField(
        _("tệp"), storage=private_storage, upload_to=library_upload_to, max_length=255
    )
    content_type = models.CharField(_("kiểu tệp"), max_length=120, blank=True, editable=False)

    admin_form_fields = Document.admin_form_fields

    class Meta(AbstractDocument.Meta):
        verbose_name = _("tệp văn bản")
        verbose_name_plural = _("tệp văn bản")

    @property
    def url(self):
        return f"/tep/{self.pk}/"


class StoredFileLink(Orderable):
    """A file attached to a page (abstract: documents have files, news have attachments)."""

    file = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        verbose_name=_("tệp"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField(_("tên hiển thị"), max_length=255, blank=True)

    panels = [FieldPanel("file"), FieldPanel("label")]

    class Meta(Orderable.Meta):
        abstract = True

    def __str__(self):
        return self.label or self.file.title


# --- scoped pages ------------------------------------------------------------------------


class ScopedPage(Page, Published):
    """A page that is Published: readable by the audience (the scope engine), nobody else.

    ``serve`` answers 404 to a reader outside the audience (login first for the anonymous), and
    records the open as a read receipt of the member.
    """

    search_folded = models.TextField(editable=False, blank=True, default="")
    published_at = models.DateTimeField(
        _("đăng lúc"), null=True, blank=True, editable=False, db_index=True
    )

    scope = ScopeSpec(org_field="issuer_org", view_capability=VIEW_LIBRARY, audience=True)

    parent_page_types = ["editorial.SectionPage"]
    subpage_types: list[str] = []
    base_form_class = ScopedPageForm

    def folded_text(self):
        return fold(self.title)

    def full_clean(self, *args, **kwargs):
        autogenerate_slug(self)  # ASCII, đ → d (issue 17)
        return super().full_clean(*args, **kwargs)

    def permissions_for_user(self, user):
        """Rights from the scope engine, not from Wagtail groups (``permissions``)."""
        from .permissions import ScopedPagePermissionTester

        return ScopedPagePermissionTester(user, self)

    def save(self, *args, **kwargs):
        self.search_folded = self.folded_text()
        if self.live and self.published_at is None:
            self.published_at = self.first_published_at or timezone.now()
        return super().save(*args, **kwargs)

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        from . import reading

        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not reading.may_read(request.user, self):
            raise Http404
        from sotay_plugins.prefetch import is_prefetch

        if not is_prefetch(request):  # the phone keeping it for offline reading is no open
            reading.record(request.user, self, "opens")
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from . import reading

        context = super().get_context(request, *args, **kwargs)
        context.update(reading.page_context(request.user, self))
        return context


class NewsPage(ScopedPage):
    """A news article or internal bulletin (Bản tin nội bộ) of the section's organisation."""

    category = models.CharField(
        _("chuyên mục"), max_length=16, choices=NewsCategory.choices, default=NewsCategory.CURRENT
    )
    lead = models.TextField(
        _("sapo"), max_length=600, blank=True, help_text=_("Đoạn tóm tắt đầu bài.")
    )
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("ảnh đại diện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(
        [
            ("heading", blocks.CharBlock(label=_("Tiêu đề mục"), form_classname="title")),
            (
                "paragraph",
                blocks.RichTextBlock(
                    label=_("Đoạn văn"), features=["bold", "italic", "link", "ol", "ul"]
                ),
            ),
            (
                "image",
                blocks.StructBlock(
                    [
                        ("image", ImageChooserBlock(label=_("Ảnh"))),
                        ("caption", blocks.CharBlock(label=_("Chú thích"), required=False)),
                    ],
                    label=_("Ảnh"),
                    icon="image",
                ),
            ),
            (
                "video",
                EmbedBlock(
                    label=_("Video nhúng"), help_text=_("Đường dẫn YouTube hoặc trang video.")
                ),
            ),
            (
                "quote",
                blocks.StructBlock(
                    [
                        ("text", blocks.TextBlock(label=_("Trích dẫn"))),
                        (
                            "attribution",
                            blocks.CharBlock(label=_("Người nói / nguồn"), required=False),
                        ),
                    ],
                    label=_("Trích dẫn"),
                    icon="openquote",
                ),
            ),
        ],
        verbose_name=_("nội dung"),
        blank=True,
    )
    author = models.CharField(_("tác giả"), max_length=200, blank=True)
    source = models.CharField(_("nguồn"), max_length=300, blank=True)
    featured = models.BooleanField(_("tin nổi bật"), default=False)

    template = "editorial/news_page.html"

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("category"), FieldPanel("featured")]),
        FieldPanel("lead"),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Tệp đính kèm")),
        FieldRowPanel([FieldPanel("author"), FieldPanel("source")]),
        audience_panel(),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.FilterField("issuer_org_id"),
    ]

    class Meta:
        verbose_name = _("tin bài")
        verbose_name_plural = _("tin bài")
        indexes = [
            models.Index(fields=["audience_org", "published_at"], name="news_audience_recent")
        ]

    def folded_text(self):
        return fold(f"{self.title} {self.lead}")


class NewsAttachment(StoredFileLink):
    page = ParentalKey(NewsPage, on_delete=models.CASCADE, related_name="attachments")


class DocumentPage(ScopedPage):
    """A party document (SPEC.md module 2): never classified."""

    number = models.CharField(_("số hiệu"), max_length=60, help_text=_("Ví dụ: 15-NQ/TU"))
    kind = models.CharField(_("loại văn bản"), max_length=16, choices=DocumentKind.choices)
    issued_on = models.DateField(_("ngày ban hành"))
    advisory_body = models.ForeignKey(
        AdvisoryBody,
        verbose_name=_("cơ quan tham mưu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        help_text=_("Cơ quan soạn, đăng văn bản. Để trống nếu cấp ủy trực tiếp ban hành."),
    )
    summary = models.TextField(_("trích yếu"), max_length=2000)
    is_classified = models.BooleanField(
        _("văn bản mật"),
        default=False,
        help_text=_(
            "Hệ thống không lưu văn bản mật. Đánh dấu ô này thì văn bản sẽ không được lưu."
        ),
    )

    template = "editorial/document_page.html"

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("number"), FieldPanel("kind"), FieldPanel("issued_on")]),
        FieldPanel("advisory_body"),
        FieldPanel("summary"),
        FieldPanel("is_classified"),
        InlinePanel("files", label=_("Tệp văn bản"), min_num=1),
        InlinePanel("links", label=_("Liên kết với văn bản khác")),
        audience_panel(),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("number"),
        index.SearchField("summary"),
        index.FilterField("kind"),
        index.FilterField("issuer_org_id"),
        index.FilterField("issued_on"),
    ]

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        indexes = [
            models.Index(fields=["audience_org", "published_at"], name="doc_audience_recent"),
            models.Index(fields=["issuer_org", "issued_on"], name="doc_issuer_date"),
        ]

    def folded_text(self):
        return fold(f"{self.number} {self.title} {self.summary}")

    def clean(self):
        from .services import classified_errors

        super().clean()
        errors = classified_errors(self)
        if (
            self.advisory_body_id
            and self.issuer_org_id
            and self.advisory_body.org_id != self.issuer_org_id
        ):
            errors["advisory_body"] = _("Cơ quan tham mưu phải thuộc cấp ủy ban hành văn bản.")
        if errors:
            raise ValidationError(errors)

    @property
    def year(self):
        return self.issued_on.year if self.issued_on else None


class DocumentFile(StoredFileLink):
    page = ParentalKey(DocumentPage, on_delete=models.CASCADE, related_name="files")


class DocumentLink(Orderable):
    """ "This document implements / amends / replaces that one"."""

    page = ParentalKey(DocumentPage, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("quan hệ"), max_length=12, choices=LinkKind.choices)
    target = models.ForeignKey(
        DocumentPage,
        verbose_name=_("văn bản"),
        on_delete=models.CASCADE,
        related_name="linked_from",
    )

    panels = [FieldPanel("kind"), FieldPanel("target")]

    def clean(self):
        super().clean()
        if self.page_id and self.target_id == self.page_id:
            raise ValidationError({"target": _("Văn bản không liên kết với chính nó.")})


# --- reading ------------------------------------------------------------------------------


class Bookmark(models.Model):
    """A news article or document a member keeps to read later."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="bookmarks")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đánh dấu đọc sau")
        verbose_name_plural = _("đánh dấu đọc sau")
        constraints = [models.UniqueConstraint(fields=["member", "page"], name="bookmark_once")]
        indexes = [models.Index(fields=["member", "-created_at"], name="bookmark_member_recent")]

    def __str__(self):
        return f"{self.member_id} → {self.page_id}"


class ReadReceipt(Receipt):
    """Every open and download of a news article or document by a member: one row per member,
    page and day, with the first and last time and the counts (``sotay_plugins.receipts``)."""

    RECEIPT_TARGET = "page"
    RECEIPT_COUNTERS = ("opens", "downloads")

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    opens = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lượt đọc")
        verbose_name_plural = _("lượt đọc")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "member", "day"], name="read_receipt_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["member", "-day"], name="receipt_member_recent")]

    def __str__(self):
        return f"{self.member_id} · {self.page_id} · {self.day:%d/%m/%Y}"


# --- reading per document (the reports' per-document figures, issue 16) ---------------------


class DocumentReach(models.Model):
    """How many members under a unit opened a document: one row per document and unit (any
    level) with at least one opener, from the document's audience unit down to the cells;
    members counted once whatever the days they opened it, in the cell they belong to now, the
    members the reading statistic leaves out left out. Written by ``statistics.refresh_items``
    (the reports' rebuild and incremental refresh), read by ``statistics.items``: a report never
    counts receipts."""

    #: No constraint in the database: the rows are derived, rewritten whole by the rebuild
    #: (2,000,000 at province scale: the per-row check cost ~18 s of its ~46 s); a document's
    #: deletion still takes its rows with it (Django's cascade).
    page = models.ForeignKey(
        DocumentPage, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    org_id = models.IntegerField(_("đơn vị"))
    opened = models.PositiveIntegerField(_("số đảng viên đã mở"))

    class Meta:
        verbose_name = _("lượt mở văn bản theo đơn vị")
        verbose_name_plural = _("lượt mở văn bản theo đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["org_id", "page"], name="document_reach_once")
        ]

    def __str__(self):
        return f"{self.page_id} · {self.org_id}: {self.opened}"


class ReadingRoster(models.Model):
    """Members expected to read under each unit (any level), as of the last refresh: the
    denominator of the per-document figures (``DocumentReach``)."""

    org_id = models.IntegerField(_("đơn vị"), unique=True)
    members = models.PositiveIntegerField(_("số đảng viên phải đọc"))

    class Meta:
        verbose_name = _("số đảng viên phải đọc văn bản")
        verbose_name_plural = _("số đảng viên phải đọc văn bản")

    def __str__(self):
        return f"{self.org_id}: {self.members}"


# --- workflow -----------------------------------------------------------------------------


class EditorialBoardTask(Task):
    """A workflow step: the editorial board (Ban Biên tập, ``APPROVE``) approves or rejects.

    ``level`` says whose board: the issuing unit's (the default), or the board of the unit
    directly above it (a second step where a province wants one). Who may act, what they may
    do and whom a rejection notifies: ``workflows``.
    """

    class Level(models.TextChoices):
        ISSUER = "issuer", _("Ban Biên tập của cấp ban hành")
        PARENT = "parent", _("Ban Biên tập của cấp trên trực tiếp")

    level = models.CharField(
        _("cấp duyệt"), max_length=8, choices=Level.choices, default=Level.ISSUER
    )

    admin_form_fields = [*Task.admin_form_fields, "level"]

    class Meta:
        verbose_name = _("Ban Biên tập duyệt")
        verbose_name_plural = _("Ban Biên tập duyệt")

    def approval_org(self, obj):
        from .workflows import approval_org

        return approval_org(self, obj)

    def may_act(self, obj, user):
        from .workflows import may_act

        return may_act(self, obj, user)

    def user_can_access_editor(self, obj, user):
        return self.may_act(obj, user)

    def locked_for_user(self, obj, user):
        return not self.may_act(obj, user)

    def user_can_lock(self, obj, user):
        return self.may_act(obj, user)

    def get_actions(self, obj, user):
        from .workflows import actions

        return actions(self, obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        from .workflows import on_action

        return on_action(self, task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from .workflows import task_states_for

        return task_states_for(self, user)

    @classmethod
    def get_description(cls):
        return _(
            "Ban Biên tập của cấp ban hành (hoặc cấp trên trực tiếp) duyệt tin bài, văn bản trước "
            "khi đăng."
        )
