"""Reading the newsroom and the library: what a user may read, and the receipts of reading.

All through the scope engine (``scope.visible_to``):

- ``readable(user, Model)``: live pages of that kind the user may read: the audience for
  members, issuers' subtrees for staff with ``VIEW_LIBRARY``; editors see their own drafts in
  the admin, never here.
- ``file_access(user, file_id)``: a file may be fetched iff it is attached to a page the user may
  read (or the user uploaded it, or is a superuser).
- ``record(user, page, counter)``: one read receipt per member, page and day, counted
  (``sotay_plugins.receipts.Receipt``: one statement, safe under concurrent opens).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from sotay_plugins import versions
from sotay_plugins.orgtree import scope
from sotay_plugins.signals import points_earned

from .models import (
    Bookmark,
    DocumentFile,
    DocumentPage,
    LibraryFile,
    NewsAttachment,
    NewsPage,
    ReadReceipt,
)


def readable(user, model):
    return scope.visible_to(user, model.objects.live())


def may_read(user, page):
    page = getattr(page, "specific", page)
    return readable(user, type(page)).filter(pk=page.pk).exists()


#: What the download check reads of a page linking a file: the scope rule's fields and units.
_RULE_FIELDS = (
    "audience_positions",
    "audience_groups",
    "live",
    *(
        f"{unit}__{name}"
        for unit in ("issuer_org", "audience_org")
        for name in ("id", "tree_id", "lft", "rght")
    ),
)
_FILE_FIELDS = (
    "file__id",
    "file__file",
    "file__title",
    "file__content_type",
    "file__uploaded_by_user_id",
)


#: How long a file's links are kept in the shared cache (a publication or a tree write ends them
#: sooner).
LINKS_TTL = 10 * 60


def file_access(user, file_id):
    """(the LibraryFile, the id of a readable page it belongs to or None), or None when the user
    may not fetch it (on every download: cheap). The file and the live pages that link it, with
    their units, are read once (:func:`file_links`); the scope engine decides in Python for this
    user (``scope.sees``, held to ``visible_to`` by its property test)."""
    stored, pages = file_links(file_id)
    if stored is None:
        return None
    for page in pages:
        if scope.sees(user, page):
            return stored, page.pk
    uploader = getattr(user, "is_authenticated", False) and stored.uploaded_by_user_id == user.pk
    if not (uploader or scope.is_superadmin(user)):
        return None
    return stored, None


def file_links(file_id):
    """``(LibraryFile or None, [live pages linking it, documents first, with their units])``.

    One query per kind of link, kept in the shared cache under the content stamp (every
    publication, withdrawal or deletion of a page, every change of a file) and the grants stamp
    (every tree write moves units): what decides access is never older than those."""
    from .publishing import CONTENT_VERSION_KEY

    stamps = versions.current_many([CONTENT_VERSION_KEY, scope.GRANTS_VERSION_KEY])
    key = (
        f"editorial:file-links:{file_id}:"
        f"{stamps[CONTENT_VERSION_KEY]}:{stamps[scope.GRANTS_VERSION_KEY]}"
    )
    found = cache.get(key)
    if found is not None:
        return found
    stored, pages = None, []
    for link_model in (DocumentFile, NewsAttachment):
        links = list(
            link_model.objects.filter(file_id=file_id)
            .select_related("file", "page__issuer_org", "page__audience_org")
            .only("page_id", "file_id", *_FILE_FIELDS, *(f"page__{name}" for name in _RULE_FIELDS))[
                :20
            ]
        )
        for link in links:
            stored = link.file
            if link.page.live:
                pages.append(link.page)
    if stored is None:
        stored = (
            LibraryFile.objects.filter(pk=file_id)
            .only("pk", "file", "title", "content_type", "uploaded_by_user_id")
            .first()
        )
    cache.set(key, (stored, pages), LINKS_TTL)
    return stored, pages


def record(user, page, counter="opens", *, at=None):
    """Count an open (``opens``) or a download (``downloads``) of ``page`` by the member.

    Opening a document may earn points (the rule ``editorial.read``, registered in ``apps.py``):
    ``points_earned`` is sent after commit; the ledger keeps one line per member and document,
    so the opens after the first earn nothing (and cost it no query)."""
    member = scope.subject(user)
    if member is None:
        return False
    ReadReceipt.count_daily(page, member.member_id, at=at, counters=(counter,))
    if counter == "opens" and isinstance(page, DocumentPage):
        member_id, source = member.member_id, f"editorial.documentpage:{page.pk}"
        transaction.on_commit(
            lambda: points_earned.send(
                sender=DocumentPage,
                rule=READ_RULE,
                member_id=member_id,
                source=source,
                at=at or timezone.now(),
            )
        )
    return True


#: The point rule of reading a document (registered in ``apps.py``).
READ_RULE = "editorial.read"


def document_titles(pks):
    pks = [int(pk) for pk in pks if str(pk).isdigit()]
    return dict(DocumentPage.objects.filter(pk__in=pks).values_list("pk", "title"))


def read_history(since):
    """(member_id, source, at) of the first open of each document by each member since
    ``since``."""
    from django.db.models import Min

    rows = (
        ReadReceipt.objects.filter(
            page_id__in=DocumentPage.objects.values("pk"), opens__gt=0, first_at__gte=since
        )
        .values("member_id", "page_id")
        .annotate(at=Min("first_at"))
        .values_list("member_id", "page_id", "at")
    )
    for member_id, page_id, at in rows.iterator():
        yield member_id, f"editorial.documentpage:{page_id}", at


def is_bookmarked(user, page):
    member = scope.subject(user)
    return (
        member is not None
        and Bookmark.objects.filter(member_id=member.member_id, page_id=page.pk).exists()
    )


def page_context(user, page):
    """What a news or document page shows besides its fields: its files, the bookmark, and its
    audio version made on the server (None until the job made it)."""
    page = getattr(page, "specific", page)
    from sotay_plugins import speech

    context = {"bookmarked": is_bookmarked(user, page), "spoken_audio": speech.audio_of(page)}
    if isinstance(page, DocumentPage):
        context["page_files"] = list(page.files.select_related("file"))
        context["links"] = list(
            page.links.select_related("target").filter(target__in=readable(user, DocumentPage))
        )
    elif isinstance(page, NewsPage):
        context["page_files"] = list(page.attachments.select_related("file"))
    return context
