"""The scoped file download (/tep/<id>/). Files live in private storage and have no public URL:
``file_download`` checks ``reading.file_access`` and hands the file to
``sotay_plugins.files.serve_private`` (X-Accel-Redirect through nginx in production)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET
from wagtail.models import Page

from sotay_plugins import files
from sotay_plugins.prefetch import is_prefetch

from .. import reading


@never_cache
@xframe_options_sameorigin  # the document page shows its PDF in an <iframe>
@login_required
@require_GET
def file_download(request, file_id):
    """A library file, iff the user may read a page it belongs to (or may edit it): 404
    otherwise. ``?xem=1`` shows a PDF in the browser; everything else is downloaded. A
    member's download is counted against the page the file belongs to (one page they may read
    is enough)."""
    user = request.user
    access = reading.file_access(user, file_id)
    if access is None or not access[0].file:
        raise Http404
    stored, page_id = access
    content_type = stored.content_type or files.content_type_for(stored.file.name)
    inline = request.GET.get("xem") == "1" and content_type == "application/pdf"
    if page_id is not None and not inline and not is_prefetch(request):
        # Shown in the page's viewer, the file is part of the page's open (counted there).
        reading.record(user, Page(pk=page_id), "downloads")
    return files.serve_private(stored.file, content_type=content_type, download=not inline)


@never_cache
@login_required
@require_GET
def file_text(request, file_id):
    """The phone reading view of a PDF (issue 17): its text, reflowed, in the shell's type.
    Scoped exactly like the file (404 when the user may not fetch it, or it is not a PDF)."""
    from .. import pdftext

    access = reading.file_access(request.user, file_id)
    if access is None or not access[0].file:
        raise Http404
    stored, page_id = access
    content_type = stored.content_type or files.content_type_for(stored.file.name)
    if content_type != "application/pdf":
        raise Http404
    page = Page.objects.filter(pk=page_id).only("title", "url_path").first() if page_id else None
    return render(
        request,
        "editorial/file_text.html",
        {"stored": stored, "page": page, "pages": pdftext.pages_of(stored)},
    )
