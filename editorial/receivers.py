"""Every signal receiver of the newsroom and the library, connected in one place.

``EditorialConfig.ready`` calls ``connect()`` once the app registry is ready (the receivers
themselves live with their concern). Each connection has a ``dispatch_uid``, so a second call
changes nothing.

- Wagtail's ``page_published`` / ``page_unpublished`` of news and documents: the publishing
  pipeline (``editorial.publishing``: outbox job → reindex, notify, invalidate).
- ``post_delete`` of pages, files and their links, ``post_save`` of a file: what was cached from
  the newsroom (the download check's links, the feed) is stale (``publishing.content_changed``).
- Django's ``request_finished``: the embedded default's scheduler
  (``editorial.publishing.scheduler.after_request``).
- Wagtail's ``workflow_rejected`` / ``task_submitted``: the editorial board's notices and mails
  (``editorial.workflows``).
"""

from __future__ import annotations


def connect():
    from django.core.signals import request_finished
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import TaskState, WorkflowState
    from wagtail.signals import (
        page_published,
        page_unpublished,
        task_submitted,
        workflow_rejected,
    )

    from . import publishing, workflows
    from .models import DocumentFile, DocumentPage, LibraryFile, NewsAttachment, NewsPage
    from .publishing import scheduler

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
    for model in (NewsPage, DocumentPage, LibraryFile, DocumentFile, NewsAttachment):
        post_delete.connect(
            publishing.content_changed,
            sender=model,
            dispatch_uid=f"editorial.content.deleted.{model.__name__}",
        )
    post_save.connect(
        publishing.content_changed, sender=LibraryFile, dispatch_uid="editorial.content.file_saved"
    )
    request_finished.connect(
        scheduler.after_request, dispatch_uid="editorial.scheduler.after_request"
    )
    workflow_rejected.connect(
        workflows.on_workflow_rejected,
        sender=WorkflowState,
        dispatch_uid="editorial.rejected.notice",
    )
    workflow_rejected.connect(
        workflows.earlier_approvers_notifier,
        sender=WorkflowState,
        dispatch_uid="editorial.rejected.mail_approvers",
    )
    task_submitted.connect(
        workflows.board_submission_notifier,
        sender=TaskState,
        dispatch_uid="editorial.submitted.mail_board",
    )
