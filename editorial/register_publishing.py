"""What the publishing pipeline adds: the notice kinds it sends, the scheduler's health API, and
the receivers of Wagtail's publish/unpublish signals (``editorial.publishing``) and of
``request_finished`` (the scheduler of the embedded default, ``editorial.scheduler``)."""

from django.utils.translation import gettext_lazy as _


def register(registry):
    from django.core.signals import request_finished
    from wagtail.signals import page_published, page_unpublished

    from sotay_plugins.registry import NoticeKind

    from . import publishing, scheduler
    from .health import SchedulerHealthView
    from .models import DocumentPage, NewsPage

    registry.add_notice_kind(
        NoticeKind(publishing.NEWS_KIND, _("Tin bài mới trong phạm vi của bạn"))
    )
    registry.add_notice_kind(
        NoticeKind(publishing.DOCUMENT_KIND, _("Văn bản mới trong phạm vi của bạn"))
    )
    from .workflows import REJECTED_KIND, REJECTED_LABEL

    registry.add_notice_kind(NoticeKind(REJECTED_KIND, REJECTED_LABEL))
    registry.add_api_path("health/scheduler/", SchedulerHealthView, "health-scheduler")

    for model in (NewsPage, DocumentPage):
        page_published.connect(
            publishing.on_page_published,
            sender=model,
            dispatch_uid=f"editorial.publishing.published.{model.__name__}",
        )
        page_unpublished.connect(
            publishing.on_page_unpublished,
            sender=model,
            dispatch_uid=f"editorial.publishing.unpublished.{model.__name__}",
        )
    request_finished.connect(
        scheduler.after_request, dispatch_uid="editorial.scheduler.after_request"
    )
    # Deleting a page or a file, changing a file or its links, outside publishing: what was
    # cached from the newsroom (the download check's links, the feed) is stale as well.
    from django.db.models.signals import post_delete, post_save

    from .models import DocumentFile, LibraryFile, NewsAttachment

    for model in (NewsPage, DocumentPage, LibraryFile, DocumentFile, NewsAttachment):
        post_delete.connect(
            publishing.content_changed,
            sender=model,
            dispatch_uid=f"editorial.content.deleted.{model.__name__}",
        )
    post_save.connect(
        publishing.content_changed, sender=LibraryFile, dispatch_uid="editorial.content.file_saved"
    )
