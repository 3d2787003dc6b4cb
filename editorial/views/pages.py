"""How Wagtail serves what a member reads (hook functions; ``editorial/wagtail_hooks.py`` wires
them to ``on_serve_page`` and ``before_serve_document``).

- News and document pages (``ScopedPage``) are personal answers (what this member may read,
  their bookmark): never stored by a shared cache, and the template learns whether the reader
  is a member (only members keep bookmarks).
- Wagtail's own document view obeys the scope too: library files are served by
  ``editorial.views.files.file_download`` (/tep/<id>/); should Wagtail's document URL
  (/documents/<id>/<name>) ever be mounted, it answers 404 to anyone who may not fetch the
  file, exactly as /tep/ does.
"""

from django.http import Http404
from django.utils.cache import add_never_cache_headers

from sotay_plugins.orgtree import scope

from .. import reading
from ..models import DocumentPage, NewsPage


def scoped_pages_are_private(serve):
    def inner(page, request, serve_args, serve_kwargs):
        if not isinstance(page, (DocumentPage, NewsPage)):  # routing hands over the specific page
            return serve(page, request, serve_args, serve_kwargs)
        if not request.user.is_authenticated:
            return serve(
                page, request, serve_args, serve_kwargs
            )  # ScopedPage.serve: to the login page
        request.editorial_reader_is_member = scope.subject(request.user) is not None
        response = serve(page, request, serve_args, serve_kwargs)
        add_never_cache_headers(response)
        return response

    return inner


def only_readable_files(document, request):
    if reading.file_access(request.user, document.pk) is None:
        raise Http404
