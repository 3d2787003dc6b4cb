from importlib import import_module
from importlib.util import find_spec

from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig

#: Each part registers what it adds from its own module's ``register(registry)``: the member's
#: pages (feed, library, news, bookmarks, files), the API, and the publishing pipeline.
PARTS = ("register_reading", "register_api", "register_publishing", "register_demo")

#: The newsroom's own roles (orgtree's document uploaders and viewers read and write here too).
EDITORIAL_BOARD = "editorial_board"
NEWS_EDITOR = "news_editor"


class EditorialConfig(PluginConfig):
    """The newsroom and the document library (SPEC.md modules 2 and 8) on Wagtail pages. Not
    under sotay_plugins/ (DESIGN.md: Wagtail's pages live in editorial/) but it registers its
    rights, tabs and API through the same registry as the plugins."""

    default = True
    name = "editorial"
    label = "editorial"
    verbose_name = _("Tin tức và văn bản")
    version = "1.0"
    depends_on = ("orgtree", "members")

    def register(self, registry):
        from sotay_plugins.orgtree.roles import DOCUMENT_UPLOADER, STAFF_BASE, VIEWER
        from sotay_plugins.registry import SearchableKind

        from . import models as m

        registry.add_role(
            EDITORIAL_BOARD,
            _("Ban Biên tập"),
            _("Duyệt tin bài, văn bản trước khi đăng."),
            capabilities=STAFF_BASE,
        )
        registry.add_role(
            NEWS_EDITOR,
            _("Biên tập viên"),
            _("Viết tin bài, bản tin của đơn vị, gửi Ban Biên tập duyệt."),
            capabilities=STAFF_BASE,
        )
        registry.add_capability(
            m.VIEW_LIBRARY,
            _("Xem tin bài, văn bản của các đơn vị trực thuộc"),
            roles=[VIEWER, DOCUMENT_UPLOADER, EDITORIAL_BOARD, NEWS_EDITOR],
        )
        registry.add_capability(
            m.WRITE_NEWS,
            _("Viết tin bài, bản tin của đơn vị"),
            roles=[NEWS_EDITOR, EDITORIAL_BOARD],
        )
        registry.add_capability(
            m.UPLOAD_DOCUMENT, _("Đăng văn bản của cơ quan tham mưu"), roles=[DOCUMENT_UPLOADER]
        )
        registry.add_capability(
            m.APPROVE,
            _("Duyệt tin bài, văn bản trước khi đăng (Ban Biên tập)"),
            roles=[EDITORIAL_BOARD],
        )
        registry.add_searchable(
            SearchableKind(
                "document",
                _("Văn bản"),
                m.DocumentPage,
                date_field="published_at",
                queryset=lambda: m.DocumentPage.objects.live(),
                order=10,
            )
        )
        registry.add_searchable(
            SearchableKind(
                "news",
                _("Tin bài"),
                m.NewsPage,
                date_field="published_at",
                queryset=lambda: m.NewsPage.objects.live(),
                order=20,
            )
        )
        for part in PARTS:
            if find_spec(f"{self.name}.{part}"):
                import_module(f"{self.name}.{part}").register(registry)
