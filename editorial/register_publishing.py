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

    registry.add_notice_kind(NoticeKind(publishing.NEWS_KIND, _("Tin bài mới trong phạm vi của bạn")))
    registry.add_notice_kind(NoticeKind(publishing.DOCUMENT_KIND, _("Văn bản mới trong phạm vi của bạn")))
    from .workflows import REJECTED_KIND, REJECTED_LABEL

    registry.add_notice_kind(NoticeKind(REJECTED_KIND, REJECTED_LABEL))
    registry.add_api_path("health/scheduler/", SchedulerHealthView, "health-scheduler")

    for model in (NewsPage, DocumentPage):
        page_published.connect(publishing.on_page_published, sender=model,
                               dispatch_uid=f"editorial.publishing.published.{model.__name__}")
        page_unpublished.connect(publishing.on_page_unpublished, sender=model,
                                 dispatch_uid=f"editorial.publishing.unpublished.{model.__name__}")
    request_finished.connect(scheduler.after_request, dispatch_uid="editorial.scheduler.after_request")
