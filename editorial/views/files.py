"""The scoped file download (/tep/<id>/) and a page's audio version (/nghe/<page>/). Files live
in private storage and have no public URL: ``file_download`` checks ``reading.file_access`` and
hands the file to ``sotay_plugins.files.serve_private`` (X-Accel-Redirect through nginx in
production); ``page_audio`` checks that the user may read the page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET
from wagtail.models import Page

from sotay_plugins import files, speech
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


@never_cache
@login_required
@require_GET
def page_audio(request, page_id):
    """The audio version of a news article or document (``sotay_plugins.speech``), for a reader
    of the page only: 404 when the user may not read the page, or it has no audio yet."""
    from ..models import DocumentPage, NewsPage

    page = Page.objects.filter(pk=page_id).first()
    page = page.specific if page is not None else None
    if not isinstance(page, DocumentPage | NewsPage) or not reading.may_read(request.user, page):
        raise Http404
    audio = speech.audio_of(page)
    if audio is None:
        raise Http404
    return files.serve_private_media(request, audio.file, content_type=audio.content_type)
