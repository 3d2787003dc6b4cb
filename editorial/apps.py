from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


def seed_demo(*, scale, seed, stdout=None):
    """``seed_demo``'s step for the newsroom and the library: the only way into ``editorial.demo``
    (demo data is imported when a demo is seeded, never by the running site)."""
    from .demo.seed import seed as seed_editorial

    return seed_editorial(scale=scale, seed=seed, stdout=stdout)


#: The newsroom's own roles (orgtree's document uploaders and viewers read and write here too).
EDITORIAL_BOARD = "editorial_board"
NEWS_EDITOR = "news_editor"


class EditorialConfig(PluginConfig):
    """The newsroom and the library (SPEC.md modules 2 and 8) on Wagtail pages. Not
    under sotay_plugins/ (DESIGN.md: Wagtail's pages live in editorial/) but a plugin like the
    others: it declares what it needs, and registers its rights, tabs and API through the same
    registry. Everything it adds is listed here; its routes are in ``urls``, its Wagtail hooks in
    ``wagtail_hooks``, its signal receivers in ``receivers``."""

    default = True
    name = "editorial"
    label = "editorial"
    verbose_name = _("Tin tức và văn bản")
    version = "1.0"
    depends_on = ("orgtree", "members")
    #: Wagtail's pages, documents (``LibraryFile`` is the document model), images and embeds (in
    #: the news body), its search index (reindexed on publication) and admin; RQ (the scheduler).
    requires = (
        "wagtailcore",
        "wagtailadmin",
        "wagtaildocs",
        "wagtailimages",
        "wagtailembeds",
        "wagtailsearch",
        "django_rq",
    )
    urls = "editorial.urls"

    def ready(self):
        super().ready()
        from . import permissions, receivers
        from .admin.scope import page_types_report_for_superusers_only

        permissions.register_policies()
        page_types_report_for_superusers_only()
        receivers.connect()

    def register(self, registry):
        from django.utils.html import strip_tags

        from sotay_plugins.orgtree.roles import DOCUMENT_UPLOADER, STAFF_BASE, VIEWER
        from sotay_plugins.registry import (
            DemoSeeder,
            HomeCard,
            NoticeKind,
            SearchableKind,
            ShellTab,
        )

        from . import models as m
        from . import publishing, workflows
        from .api.documents import DocumentViewSet
        from .api.me import BookmarkViewSet, ReceiptListView
        from .api.news import NewsViewSet
        from .publishing.health import SchedulerHealthView
        from .views import feed

        # Roles and rights.
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
        # What search finds (the search module indexes these generically: title, number, text,
        # the text inside the files; a save or deletion of a page or of its files re-indexes it).
        registry.add_searchable(
            SearchableKind(
                "document",
                _("Văn bản"),
                m.DocumentPage,
                # the issuing date, as the document's page and the feed show it (issue 17)
                date_field="issued_on",
                date_label=_("Ban hành"),
                queryset=lambda: m.DocumentPage.objects.live(),
                order=10,
                number_field="number",
                text=lambda page: page.summary,
                files=lambda page: [link.file.file for link in page.files.all()],
                related=((m.DocumentFile, "page_id"),),
                prefetch=("files__file",),
            )
        )
        registry.add_searchable(
            SearchableKind(
                "news",
                _("Tin bài"),
                m.NewsPage,
                date_field="published_at",
                date_label=_("Đăng"),
                queryset=lambda: m.NewsPage.objects.live(),
                order=20,
                text=lambda page: " ".join(
                    [page.lead, strip_tags(str(page.body)) if page.body else ""]
                ),
                files=lambda page: [link.file.file for link in page.attachments.all()],
                related=((m.NewsAttachment, "page_id"),),
                prefetch=("attachments__file",),
            )
        )
        # The member shell: the "Thư viện" tab (news and bookmarks are reached from inside it, so
        # the bottom bar stays at five tabs on a phone) and the home card of the feed.
        registry.add_shell_tab(
            ShellTab("library", _("Thư viện"), "editorial:library", icon="▥", order=300)
        )
        registry.add_home_card(
            HomeCard(
                "editorial.feed",
                "editorial/cards/feed.html",
                feed.home_card,
                order=30,
                depends=feed.home_card_depends,
            )
        )
        # /api/v1/: the library, the news (with their scope-checked files), the caller's read
        # receipts and bookmarks, and the scheduler's health (staff).
        registry.add_api_route("documents", DocumentViewSet, "document")
        registry.add_api_route("news", NewsViewSet, "news")
        registry.add_api_route("bookmarks", BookmarkViewSet, "bookmark")
        registry.add_api_path("me/receipts/", ReceiptListView, "me-receipts")
        registry.add_api_path("health/scheduler/", SchedulerHealthView, "health-scheduler")
        # The notices the publishing pipeline and the workflow send.
        registry.add_notice_kind(
            NoticeKind(publishing.NEWS_KIND, _("Tin bài mới trong phạm vi của bạn"))
        )
        registry.add_notice_kind(
            NoticeKind(publishing.DOCUMENT_KIND, _("Văn bản mới trong phạm vi của bạn"))
        )
        registry.add_notice_kind(NoticeKind(workflows.REJECTED_KIND, workflows.REJECTED_LABEL))
        # Audio versions made on the server for phones without a Vietnamese voice
        # (``sotay_plugins.speech``; served at /nghe/<page>/ after the page's scope check).
        from sotay_plugins.registry import SpokenKind

        from . import spoken

        registry.add_spoken_kind(
            SpokenKind(
                "document",
                _("Văn bản"),
                m.DocumentPage,
                spoken.document_text,
                spoken.documents,
                order=10,
            )
        )
        registry.add_spoken_kind(
            SpokenKind("news", _("Tin bài"), m.NewsPage, spoken.news_text, spoken.news, order=20)
        )
        # The demo (``seed_demo``).
        registry.add_demo_seeder(DemoSeeder("editorial", seed_demo, order=50))
        # Reading figures for the reports module (deployed vs opened, who never opens).
        from .statistics import provider as statistics_provider

        registry.add_statistic(statistics_provider())

        # Offline reading (issue 18): bookmarked and recently opened pages, with their files.
        from sotay_plugins.registry import OfflineSource

        from . import offline

        registry.add_offline_source(
            OfflineSource(
                "editorial",
                _("Văn bản, tin bài đã lưu hoặc mới đọc"),
                offline.items,
                offline.visible,
                order=20,
            )
        )

        # Points: reading a document (``reading.record`` sends the event).
        from sotay_plugins.registry import PointRule

        from . import reading

        registry.add_point_rule(
            PointRule(
                reading.READ_RULE,
                _("Đọc văn bản"),
                1,
                cap_per_day=5,
                titles=reading.document_titles,
                history=reading.read_history,
                order=60,
            )
        )
