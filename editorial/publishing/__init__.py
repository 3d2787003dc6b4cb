"""What happens when a news article or a document is published or withdrawn.

The publishing concern: this module (the pipeline), ``scheduler`` (scheduled publishing and
expiry, every minute) and ``health`` (does the scheduler run?). The pipeline stays in the
package's ``__init__`` so that the job paths the outbox has stored (``PUBLISHED_JOB``,
``UNPUBLISHED_JOB``) keep naming it. Its receivers are connected by ``editorial.receivers``.

Wagtail's ``page_published`` / ``page_unpublished`` signals (from the editor's "Publish", a
workflow's last approval, and the scheduler, ``editorial.publishing.scheduler``) enqueue one outbox
job (``sotay_plugins.jobs``) inside the publishing transaction, so nothing is lost if Redis is down
at that moment: the row waits and the sweeper delivers it. The job is idempotent:

1. reindex: refresh ``search_folded`` if it is stale, and Wagtail's search index entry;
2. notify the audience through ``sotay_plugins.signals.notice_requested`` (the notices plugin
   delivers; until one is enabled nothing listens), only on the page's *first* publication:
   re-publishing a correction, or publishing again after a withdrawal, notifies nobody;
3. invalidate caches: bump ``content_version()``, which the feed and the library may put in
   their cache keys.

Dedupe: the job's key is ``editorial.published:<page>:<revision>`` (one publish, one job; the
outbox refuses a second pending copy). The notice's key is ``editorial.published:<page>``, the
same for every chunk of 5,000 member ids: the notices plugin keeps one notice per key and member,
so a job that runs twice (a retry) notifies nobody twice.

Who is notified: exactly the members who may read the page, by the scope engine's audience rule
(``scope.audience_q``) turned around: members whose cell lies under ``audience_org``, whose
position and group match the page's filters (empty: everyone), whose record is visible
(active or exempt) and whose account is active. One query on Member (``audience_member_ids``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Page
from wagtail.search import index

from sotay_plugins import jobs, signals, versions
from sotay_plugins.models import OutboxJob
from sotay_plugins.orgtree import scope

log = logging.getLogger(__name__)

PUBLISHED_JOB = "editorial.publishing.published_job"
UNPUBLISHED_JOB = "editorial.publishing.unpublished_job"
NEWS_KIND = "editorial.news_published"
DOCUMENT_KIND = "editorial.document_published"
NOTICE_CHUNK = 5000
CONTENT_VERSION_KEY = "editorial:content:version"


# --- cache version ----------------------------------------------------------------------------


def content_version():
    """A number that changes whenever a news article or document is published or withdrawn.

    Put it in the key of anything cached from the newsroom or the library
    (``f"feed:{member_id}:{content_version()}"``): a publication makes every such entry stale.
    """
    return versions.current(CONTENT_VERSION_KEY)


def bump_content_version():
    versions.bump(CONTENT_VERSION_KEY)


def content_changed(**kwargs):
    """Receiver: a page or file deleted, a file changed (now and once committed)."""
    versions.bump_now_and_on_commit(CONTENT_VERSION_KEY)


# --- the audience -----------------------------------------------------------------------------


def audience_member_ids(page):
    """Ids of the members who may read ``page`` (a lazy queryset, ordered by id; one query).

    The scope engine's ``audience_q`` asks "which items reach this member?"; this asks the same
    question the other way round ("which members does this item reach?") with the same rule.
    """
    from sotay_plugins.members.models import Member
    from sotay_plugins.members.services import VISIBLE_STATUSES

    members = Member.objects.filter(
        scope.within(page.audience_org, "cell"),
        status__in=VISIBLE_STATUSES,
        user__is_active=True,
    )
    if page.audience_positions:
        members = members.filter(positions__has_any=page.audience_positions)
    if page.audience_groups:
        members = members.filter(group__in=sorted(page.audience_groups))
    return members.order_by("pk").values_list("pk", flat=True)


def _notice_text(page):
    from ..models import DocumentPage

    if isinstance(page, DocumentPage):
        title = _("Văn bản mới: %(number)s — %(title)s") % {
            "number": page.number,
            "title": page.title,
        }
        return DOCUMENT_KIND, title, Truncator(page.summary).chars(200)
    return (
        NEWS_KIND,
        _("Tin mới: %(title)s") % {"title": page.title},
        Truncator(getattr(page, "lead", "")).chars(200),
    )


def notify_audience(page):
    """Ask the notices plugin to tell the page's audience, in chunks. Returns how many members."""
    with translation.override(settings.LANGUAGE_CODE):
        kind, title, body = _notice_text(page)
    url = page.url or ""
    sent = 0
    chunk = []

    def flush():
        signals.notice_requested.send(
            sender=type(page),
            kind=kind,
            member_ids=list(chunk),
            title=title,
            body=body,
            url=url,
            dedupe_key=f"editorial.published:{page.pk}",
            send_at=None,
        )

    for member_id in audience_member_ids(page).iterator(chunk_size=NOTICE_CHUNK):
        chunk.append(member_id)
        if len(chunk) == NOTICE_CHUNK:
            flush()
            sent += len(chunk)
            chunk.clear()
    if chunk:
        flush()
        sent += len(chunk)
    return sent


# --- reindex ----------------------------------------------------------------------------------


def reindex(page):
    """Bring ``search_folded`` and Wagtail's search index up to date for ``page`` (idempotent)."""
    folded = page.folded_text()
    if folded != page.search_folded:
        type(page).objects.filter(pk=page.pk).update(search_folded=folded)
        page.search_folded = folded
    index.insert_or_update_object(page)


# --- the jobs ---------------------------------------------------------------------------------


def _load(page_id):
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return None
    return page.specific


def published_job(*, job, page_id, revision_id, notify):
    """The outbox job of one publication (idempotent: safe to run twice)."""
    page = _load(page_id)
    if page is None:
        bump_content_version()
        return {"page": page_id, "skipped": "deleted"}
    reindex(page)
    notified = notify_audience(page) if notify and page.live else 0
    bump_content_version()
    return {"page": page_id, "revision": revision_id, "notified": notified}


def unpublished_job(*, job, page_id):
    """The outbox job of one withdrawal (or expiry): reindex, invalidate."""
    page = _load(page_id)
    if page is not None:
        reindex(page)
    bump_content_version()
    return {"page": page_id}


def enqueue_once(func, dedupe_key, **kwargs):
    """``jobs.enqueue`` unless the same job is already waiting (then None).

    A savepoint keeps the caller's transaction usable when the outbox refuses the duplicate.
    """
    try:
        with transaction.atomic():
            return jobs.enqueue(func, dedupe_key=dedupe_key, **kwargs)
    except IntegrityError:
        if OutboxJob.objects.filter(
            dedupe_key=dedupe_key, state__in=[OutboxJob.State.PENDING, OutboxJob.State.QUEUED]
        ).exists():
            return None
        raise


# --- signal receivers (connected by editorial.receivers) ----------------------------------------


def on_page_published(sender, instance, revision=None, **kwargs):
    page = instance
    if not page.live:
        return  # Wagtail sends page_published also when it only schedules a draft for later
    # Wagtail sets both from one clock reading on the first publication only.
    first = (
        page.first_published_at is not None and page.first_published_at == page.last_published_at
    )
    revision_id = revision.pk if revision is not None else page.live_revision_id
    enqueue_once(
        PUBLISHED_JOB,
        f"editorial.published:{page.pk}:{revision_id}",
        page_id=page.pk,
        revision_id=revision_id,
        notify=first,
    )


def on_page_unpublished(sender, instance, **kwargs):
    enqueue_once(UNPUBLISHED_JOB, f"editorial.unpublished:{instance.pk}", page_id=instance.pk)
