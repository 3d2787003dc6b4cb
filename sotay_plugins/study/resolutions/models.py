"""The resolution to study, as a Wagtail page, with its outlines per audience.

Tree: the site's root → one ``StudyIndexPage`` ("Học tập nghị quyết", created on demand by
``services.study_index``) → its ``ResolutionPage`` children. The index is given the workflow
that governs the province's home page, so a resolution goes through the same editorial board as
news and documents (``services.study_index``; no import of the editorial module).

A resolution page is ``Published`` (orgtree): the committee that publishes it for study
(``issuer_org``) and the units whose members study it (``audience_org`` + position and group
filters); the scope engine decides who reads it. ``issued_by`` names the body that issued the
resolution itself (often the Central Committee, which is not in the tree).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.embeds.blocks import EmbedBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page
from wagtail.search import index

from sotay_plugins.orgtree.models import Published
from sotay_plugins.orgtree.scope import ScopeSpec
from sotay_plugins.storage import private_storage
from sotay_plugins.text import fold

from .forms import ResolutionPageForm

# Capabilities (held at an organisation, reaching its subtree; roles in apps.py).
VIEW_STUDY = "study.view_study"  # follow the study of the units below (reports, readings)
MANAGE_STUDY = "study.manage_study"  # write resolutions, announce plans, hold sessions
PUBLISH_STUDY = "study.publish_study"  # the editorial board: publish a resolution for study


class Audience(models.TextChoices):
    """Who an outline (and a quiz) is written for. Codes are stable: the quizzes use them."""

    DANG_VIEN = "dang_vien", _("Đảng viên")
    DOAN_VIEN_HOI_VIEN = "doan_vien_hoi_vien", _("Đoàn viên, hội viên")


AUDIO_EXTENSIONS = (".mp3", ".m4a", ".ogg", ".oga")


def audio_upload_to(instance, filename):
    now = timezone.now()
    return f"study/audio/{now:%Y/%m}/{filename}"


class StudyIndexPage(Page):
    """The parent of every resolution page (one per site, created on demand)."""

    intro = RichTextField(_("giới thiệu"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["study.ResolutionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("trang học tập nghị quyết")
        verbose_name_plural = _("trang học tập nghị quyết")

    def permissions_for_user(self, user):
        from .permissions import ResolutionPagePermissionTester

        return ResolutionPagePermissionTester(user, self)

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        return redirect("study:home")


BODY_BLOCKS = [
    ("heading", blocks.CharBlock(label=_("Tiêu đề mục"), form_classname="title")),
    (
        "paragraph",
        blocks.RichTextBlock(label=_("Đoạn văn"), features=["bold", "italic", "link", "ol", "ul"]),
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
        EmbedBlock(label=_("Video nhúng"), help_text=_("Đường dẫn YouTube hoặc trang video.")),
    ),
]


class ResolutionPage(Page, Published):
    """A resolution to study: its document fields, full text, media and outlines per audience."""

    number = models.CharField(_("số hiệu"), max_length=60, help_text=_("Ví dụ: 57-NQ/TW"))
    issued_on = models.DateField(_("ngày ban hành"))
    issued_by = models.CharField(
        _("cơ quan ban hành"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: Bộ Chính trị, Ban Chấp hành Trung ương Đảng."),
    )
    summary = models.TextField(_("trích yếu"), max_length=2000)
    body = StreamField(BODY_BLOCKS, verbose_name=_("toàn văn"), blank=True)
    document = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("văn bản trong thư viện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Văn bản gốc của nghị quyết trong thư viện văn bản."),
    )
    audio = models.FileField(
        _("tệp âm thanh"),
        storage=private_storage,
        upload_to=audio_upload_to,
        max_length=255,
        blank=True,
        help_text=_("Bản đọc nghị quyết (MP3, M4A hoặc OGG, tối đa 50 MB)."),
    )
    audio_url = models.URLField(
        _("đường dẫn âm thanh"),
        blank=True,
        help_text=_("Hoặc đường dẫn tới bản đọc trên trang khác (thay cho tệp)."),
    )
    video_url = models.URLField(
        _("video"), blank=True, help_text=_("Đường dẫn YouTube hoặc trang video.")
    )
    search_folded = models.TextField(editable=False, blank=True, default="")
    published_at = models.DateTimeField(
        _("đăng lúc"), null=True, blank=True, editable=False, db_index=True
    )

    scope = ScopeSpec(org_field="issuer_org", view_capability=VIEW_STUDY, audience=True)

    parent_page_types = ["study.StudyIndexPage"]
    subpage_types: list[str] = []
    #: The writer's units only (``forms``); the admin's rights: ``permissions`` and the
    #: ``ScopedPageType`` registered in ``apps`` (listings, creation, the workflow's board).
    base_form_class = ResolutionPageForm

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("number"), FieldPanel("issued_on")]),
        FieldPanel("issued_by"),
        FieldPanel("summary"),
        PageChooserPanel("document"),
        FieldPanel("body"),
        InlinePanel("outlines", label=_("Đề cương theo đối tượng")),
        MultiFieldPanel(
            [FieldPanel("audio"), FieldPanel("audio_url"), FieldPanel("video_url")],
            heading=_("Âm thanh, video"),
        ),
        InlinePanel("infographics", label=_("Infographic")),
        MultiFieldPanel(
            [
                FieldPanel("issuer_org"),
                FieldPanel("audience_org"),
                FieldPanel("audience_positions"),
                FieldPanel("audience_groups"),
            ],
            heading=_("Đơn vị và phạm vi học tập"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("number"),
        index.SearchField("summary"),
        index.FilterField("issuer_org_id"),
    ]

    class Meta:
        verbose_name = _("nghị quyết")
        verbose_name_plural = _("nghị quyết")
        indexes = [
            models.Index(fields=["audience_org", "published_at"], name="resolution_audience"),
        ]

    def __str__(self):
        return f"{self.number} · {self.title}" if self.number else self.title

    def permissions_for_user(self, user):
        """Rights from the scope engine, not from Wagtail groups (``permissions``)."""
        from .permissions import ResolutionPagePermissionTester

        return ResolutionPagePermissionTester(user, self)

    def folded_text(self):
        return fold(f"{self.number} {self.title} {self.summary}")

    def save(self, *args, **kwargs):
        self.search_folded = self.folded_text()
        if self.live and self.published_at is None:
            self.published_at = self.first_published_at or timezone.now()
        return super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.audio:
            from .services import audio_errors

            message = audio_errors(self.audio)
            if message:
                raise ValidationError({"audio": message})

    def serve(self, request, *args, **kwargs):
        """The member's reader is a view of the plugin (scope, reading, outline)."""
        from django.shortcuts import redirect

        return redirect("study:resolution", pk=self.pk)

    @property
    def has_audio(self):
        return bool(self.audio) or bool(self.audio_url)


class ResolutionOutline(Orderable):
    """The outline (đề cương) of a resolution written for one audience."""

    page = ParentalKey(ResolutionPage, on_delete=models.CASCADE, related_name="outlines")
    audience = models.CharField(_("đối tượng"), max_length=24, choices=Audience.choices)
    title = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = RichTextField(
        _("nội dung đề cương"), features=["h3", "h4", "bold", "italic", "ol", "ul", "link"]
    )

    panels = [FieldPanel("audience"), FieldPanel("title"), FieldPanel("body")]

    class Meta(Orderable.Meta):
        verbose_name = _("đề cương")
        verbose_name_plural = _("đề cương")
        constraints = [
            models.UniqueConstraint(fields=["page", "audience"], name="resolution_outline_once")
        ]

    def __str__(self):
        return self.title or self.get_audience_display()


class ResolutionInfographic(Orderable):
    """An infographic of the resolution (an image from Wagtail's image library)."""

    page = ParentalKey(ResolutionPage, on_delete=models.CASCADE, related_name="infographics")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("ảnh"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("chú thích"), max_length=255, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("infographic")
        verbose_name_plural = _("infographic")


class ReadingVia(models.TextChoices):
    TEXT = "text", _("Đọc đến cuối văn bản")
    AUDIO = "audio", _("Nghe hết bản đọc")
    BUTTON = "button", _("Bấm “Tôi đã đọc hết”")


class ResolutionStudy(models.Model):
    """One member's study of one resolution: one row per member and resolution.

    ``read_at``: when they first reached the end of the text or of its audio (never moves once
    set). ``quiz_passed_at``: when the quizzes part recorded a pass of their audience's quiz
    (``services.mark_quiz_passed``). ``completed_at``: when both were true (study complete).
    """

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="resolution_studies"
    )
    resolution = models.ForeignKey(ResolutionPage, on_delete=models.CASCADE, related_name="studies")
    started_at = models.DateTimeField(_("bắt đầu lúc"), default=timezone.now)
    read_at = models.DateTimeField(_("đọc hết lúc"), null=True, blank=True)
    read_via = models.CharField(
        _("đọc hết bằng"), max_length=8, choices=ReadingVia.choices, blank=True
    )
    quiz_passed_at = models.DateTimeField(_("đạt bài kiểm tra lúc"), null=True, blank=True)
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("việc học nghị quyết")
        verbose_name_plural = _("việc học nghị quyết")
        constraints = [
            models.UniqueConstraint(fields=["member", "resolution"], name="resolution_study_once")
        ]
        indexes = [
            models.Index(fields=["resolution", "member"], name="study_resolution_member"),
        ]

    def __str__(self):
        return f"{self.member_id} · {self.resolution_id}"
