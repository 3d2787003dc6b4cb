"""Admin forms that need Wagtail's admin machinery loaded (kept out of ``forms``, which
``models`` imports).

``LibraryFileForm`` is ``WAGTAILDOCS_DOCUMENT_FORM_BASE``: the documents index's upload, its
multiple upload and the document chooser's upload tab all build their form on it. Nothing is
stored unless ``sotay_plugins.files.check_file`` accepts the file (size, kind, content sniffed
from the bytes: a name is never trusted); the content type it answers is stored with the file.
A form refused for another field refuses its file too (``RefusedFormKeepsNoFile``): Wagtail's
multiple uploader would otherwise keep it in an ``UploadedFile`` row.
"""

from __future__ import annotations

from wagtail.documents.forms import BaseDocumentForm

from sotay_plugins.files import RefusedFormKeepsNoFile, check_file

from ..models import FILE_KINDS, MAX_FILE_SIZE


class LibraryFileForm(RefusedFormKeepsNoFile, BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            self.instance.content_type = check_file(
                upload, kinds=FILE_KINDS, max_size=MAX_FILE_SIZE
            )
        return upload
