"""What a member's phone keeps of the newsroom and the library for reading offline (issue 18):
the documents and news they bookmarked, and those they opened in the last ``RECENT_DAYS``, with
their files (``registry.OfflineSource``, registered in ``apps.py``).

Only what ``reading.readable`` (the scope engine) lets them read now, live pages only; the phone
asks :func:`visible` again when it is back online and deletes what left their scope.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sotay_plugins.orgtree import scope
from sotay_plugins.registry import OfflineItem

from . import reading
from .models import Bookmark, DocumentPage, NewsPage, ReadReceipt

RECENT_DAYS = 14
MOST_BOOKMARKS = 40
MOST_RECENT = 20
#: A file larger than this is left to the network (a phone's storage is small).
MOST_FILE_BYTES = 10 * 1024 * 1024

KINDS = ((DocumentPage, "files", "document"), (NewsPage, "attachments", "news"))


def _local_id(pk):
    return f"p{pk}"


def _page_ids(local_ids):
    found = set()
    for local in local_ids:
        text = str(local)
        if text.startswith("p") and text[1:].isascii() and text[1:].isdigit() and len(text) < 20:
            found.add(int(text[1:]))
    return found


def wanted_page_ids(member_id, now=None):
    """The member's bookmarks (newest first), then the pages they opened recently."""
    now = now or timezone.now()
    marked = list(
        Bookmark.objects.filter(member_id=member_id)
        .order_by("-created_at", "-pk")
        .values_list("page_id", flat=True)[:MOST_BOOKMARKS]
    )
    opened = list(
        ReadReceipt.objects.filter(
            member_id=member_id,
            day__gte=timezone.localdate(now) - timedelta(days=RECENT_DAYS),
            opens__gt=0,
        )
        .order_by("-last_at")
        .values_list("page_id", flat=True)[: MOST_RECENT * 2]
    )
    recent = [pk for pk in dict.fromkeys(opened) if pk not in set(marked)][:MOST_RECENT]
    return marked, recent


def items(user):
    """Bookmarked and recently opened pages the user may read, with their files: 5 queries."""
    member = scope.subject(user)
    if member is None:
        return []
    marked, recent = wanted_page_ids(member.member_id)
    wanted = [*marked, *recent]
    if not wanted:
        return []
    order = {pk: index for index, pk in enumerate(wanted)}
    bookmarked = set(marked)
    found = []
    for model, files_name, kind in KINDS:
        pages = (
            reading.readable(user, model)
            .filter(pk__in=wanted)
            .only("pk", "title", "url_path", "last_published_at")
            .prefetch_related(f"{files_name}__file")
        )
        for page in pages:
            found.append((order[page.pk], page, getattr(page, files_name).all(), kind))
    found.sort(key=lambda row: row[0])
    return [_item(page, links, kind, page.pk in bookmarked) for _index, page, links, kind in found]


def _item(page, links, kind, bookmarked):
    urls, stamps = [], [page.last_published_at.isoformat() if page.last_published_at else ""]
    for link in links:
        stored = link.file
        size = _size(stored)
        stamps.append(f"{stored.pk}:{stored.file.name}:{size}")
        if size is not None and size > MOST_FILE_BYTES:
            continue
        address = reverse("editorial:file", args=[stored.pk])
        urls.append(address)
        if stored.file.name.lower().endswith(".pdf"):
            urls.append(f"{address}?xem=1")
            urls.append(reverse("editorial:file_text", args=[stored.pk]))
    return OfflineItem(
        local_id=_local_id(page.pk),
        title=page.title,
        url=page.url,
        kind=f"{kind}-bookmarked" if bookmarked else kind,
        files=tuple(urls),
        version="|".join(stamps),
    )


def _size(stored):
    size = getattr(stored, "file_size", None)
    if size is None:
        return None
    return size


def visible(user, local_ids):
    """Of ``local_ids``, the pages the user may still read (two queries)."""
    pks = _page_ids(local_ids)
    if not pks:
        return set()
    seen = set()
    for model, _files, _kind in KINDS:
        seen.update(reading.readable(user, model).filter(pk__in=pks).values_list("pk", flat=True))
    return {_local_id(pk) for pk in seen}
