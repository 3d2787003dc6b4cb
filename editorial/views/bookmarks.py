"""The member's bookmarks ("Đọc sau", /doc-sau/): the list, and adding or removing one. A page
the member may not read (any more) is neither shown nor bookmarkable (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sotay_plugins.orgtree import scope

from .. import reading
from ..models import Bookmark, DocumentPage, NewsPage
from .library import LIST_DOCUMENT_FIELDS
from .news import LIST_NEWS_FIELDS

BOOKMARKS_SHOWN = 200


def _readable_page(user, page_id):
    """The live news or document page ``page_id`` if the user may read it (else None)."""
    for model in (DocumentPage, NewsPage):
        page = reading.readable(user, model).filter(pk=page_id).only("title", "url_path").first()
        if page is not None:
            return page
    return None


@never_cache
@login_required
@require_GET
def bookmarks(request):
    """The member's bookmarks that they may still read (a page that left their scope is not
    shown), the newest first. Three queries: the bookmarks, then documents and news."""
    member = scope.subject(request.user)
    items = []
    if member is not None:
        marked = list(
            Bookmark.objects.filter(member_id=member.member_id)
            .order_by("-created_at", "-pk")
            .values_list("page_id", "created_at")[:BOOKMARKS_SHOWN]
        )
        when = dict(marked)
        if marked:
            documents = (
                reading.readable(request.user, DocumentPage)
                .filter(pk__in=when)
                .select_related("issuer_org")
                .only(*LIST_DOCUMENT_FIELDS)
            )
            news = (
                reading.readable(request.user, NewsPage)
                .filter(pk__in=when)
                .select_related("issuer_org")
                .only(*LIST_NEWS_FIELDS)
            )
            items = [("document", d) for d in documents] + [("news", n) for n in news]
            items.sort(key=lambda item: when[item[1].pk], reverse=True)
    return render(
        request,
        "editorial/bookmarks.html",
        {
            "items": items,
            "is_member": member is not None,
            "section": "bookmarks",
        },
    )


@login_required
@require_POST
def bookmark_toggle(request, page_id):
    """Add (``luu=1``), remove (``luu=0``) or, without ``luu``, toggle a bookmark. Idempotent
    with ``luu``; 404 for a page the user may not read or for a user who is not a member."""
    member = scope.subject(request.user)
    page = _readable_page(request.user, page_id) if member is not None else None
    if page is None:
        raise Http404
    wanted = request.POST.get("luu")
    existing = Bookmark.objects.filter(member_id=member.member_id, page_id=page.pk)
    if wanted not in ("0", "1"):
        wanted = "0" if existing.exists() else "1"
    if wanted == "1":
        Bookmark.objects.bulk_create(
            [Bookmark(member_id=member.member_id, page_id=page.pk)], ignore_conflicts=True
        )
        messages.success(request, _("Đã lưu vào mục Đọc sau."))
    else:
        existing.delete()
        messages.success(request, _("Đã bỏ khỏi mục Đọc sau."))
    target = request.POST.get("next") or page.get_url(request) or "/doc-sau/"
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = "/doc-sau/"
    # The address itself, never a view name: redirect("abc") would try reverse("abc") (a 500).
    return HttpResponseRedirect(target)
