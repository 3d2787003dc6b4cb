"""Uploaded files every plugin shares: what we accept, how we check it, how we serve it.

- ``check_file(upload)`` refuses, in Vietnamese, a file that is too large, empty, of a kind we
  do not take, or whose bytes are not what its extension says (the name is never trusted).
- ``serve_private(field_file, content_type)`` answers a file that has no public URL, after the
  caller's scope check: nginx sends it (``X-Accel-Redirect``) when ``SOTAY_SENDFILE = "nginx"``,
  Django streams it otherwise. Never cached by a shared cache; never sniffed by the browser.
  ``serve_private_media`` does the same for audio and video, with byte ranges (seeking).
"""

from __future__ import annotations

import contextlib
import os
import re
import zipfile
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

MAX_FILE_SIZE = 20 * 1024 * 1024

#: kind → (label, extensions, content type)
FILE_KINDS = {
    "pdf": ("PDF", (".pdf",), "application/pdf"),
    "docx": (
        "Word",
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "Excel",
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "jpeg": ("JPEG", (".jpg", ".jpeg"), "image/jpeg"),
    "png": ("PNG", (".png",), "image/png"),
    "gif": ("GIF", (".gif",), "image/gif"),
    "webp": ("WebP", (".webp",), "image/webp"),
}
EXTENSIONS = {ext: kind for kind, (_label, exts, _type) in FILE_KINDS.items() for ext in exts}
#: Shown in the browser (PDF viewer, images); everything else is downloaded.
INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp")
#: The internal nginx location that aliases the private storage root (site/deploy/nginx).
SENDFILE_PREFIX_DEFAULT = "/protected-private/"


def sniff(upload):
    """The kind of file its bytes say it is (None: none we accept). Never trusts the name."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:  # reads the directory only, extracts nothing
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


def extension_of(name):
    name = (name or "").lower()
    return os.path.splitext(name)[1]


def check_file(upload, *, kinds=None, max_size=MAX_FILE_SIZE):
    """Refuse (in Vietnamese) a file over ``max_size``, of a kind we do not take (``kinds``: the
    accepted subset of FILE_KINDS, default all), or whose content is not what its extension says.
    Returns the content type to serve it with."""
    kinds = tuple(kinds or FILE_KINDS)
    accepted = _("Chỉ nhận tệp %(kinds)s.") % {
        "kinds": ", ".join(dict.fromkeys(FILE_KINDS[k][0] for k in kinds))
    }
    if upload.size > max_size:
        raise ValidationError(
            _("Tệp quá lớn (%(size)s). Dung lượng tối đa là %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_size)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("Tệp rỗng."), code="empty")
    extension = extension_of(upload.name)
    claimed = EXTENSIONS.get(extension)
    if claimed is None or claimed not in kinds:
        raise ValidationError(accepted, code="kind")
    actual = sniff(upload)
    if actual is None:
        raise ValidationError(
            _("Nội dung tệp không phải là tệp %(kind)s như phần mở rộng %(ext)s. %(accepted)s")
            % {"kind": FILE_KINDS[claimed][0], "ext": extension, "accepted": accepted},
            code="content",
        )
    if actual != claimed:
        raise ValidationError(
            _(
                "Nội dung tệp là %(actual)s, không khớp với phần mở rộng %(ext)s. Xin đặt đúng tên "
                "tệp."
            )
            % {"actual": FILE_KINDS[actual][0], "ext": extension},
            code="mismatch",
        )
    return FILE_KINDS[actual][2]


def content_type_for(name):
    kind = EXTENSIONS.get(extension_of(name))
    return FILE_KINDS[kind][2] if kind else "application/octet-stream"


def serve_private(field_file, *, content_type=None, filename=None, download=None):
    """A response carrying a private file, for a caller that has checked scope already."""
    if not field_file:
        raise Http404
    content_type = content_type or content_type_for(field_file.name)
    filename = filename or os.path.basename(field_file.name)
    if getattr(settings, "SOTAY_SENDFILE", "") == "nginx":
        prefix = getattr(settings, "SOTAY_SENDFILE_PRIVATE_PREFIX", SENDFILE_PREFIX_DEFAULT)
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix + quote(field_file.name)
    else:
        try:
            handle = field_file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    attachment = content_type not in INLINE_TYPES if download is None else download
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def serve_private_media(request, field_file, *, content_type):
    """``serve_private`` for audio and video, which players seek in: a single byte range
    (``Range: bytes=a-b``) answers 206 with that part, and every answer says
    ``Accept-Ranges: bytes``. Through nginx (``SOTAY_SENDFILE``) nginx serves the ranges itself.
    A range that cannot be satisfied answers 416."""
    if getattr(settings, "SOTAY_SENDFILE", "") == "nginx":
        return serve_private(field_file, content_type=content_type, download=False)
    if not field_file:
        raise Http404
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match is None or match.groups() == ("", ""):
        response = serve_private(field_file, content_type=content_type, download=False)
        response["Accept-Ranges"] = "bytes"
        return response
    try:
        size = field_file.size
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    first, last = match.groups()
    if first == "":  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle.seek(start)
    body = handle.read(end - start + 1)
    handle.close()
    response = HttpResponse(body, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(
        False, os.path.basename(field_file.name)
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class RefusedFormKeepsNoFile:
    """Form mixin for an upload form (Wagtail's document and image forms): when the form is
    refused for any reason, its new file is refused too, so that no caller stores it anyway.

    Wagtail's multiple uploader stores the file of a form refused for a field other than the
    file (a title over 255 characters, taken from a long file name; a collection posted by hand)
    in an ``UploadedFile`` row, in the public media storage, without the file checks. With the
    refusal also on the file, it answers the error and stores nothing (issue 17: nothing may be
    kept from a refused save).
    """

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file") if cleaned else None
        new_upload = upload is not None and hasattr(upload, "content_type")
        others = [name for name in self.errors if name != "file"]
        if new_upload and others and "file" not in self.errors:
            reasons = "; ".join(
                f"{self.fields[name].label if name in self.fields else ''}: {error}".lstrip(": ")
                for name in others
                for error in self.errors[name]
            )
            self.add_error(
                "file",
                _("Tệp chưa được lưu vì biểu mẫu có lỗi: %(reasons)s") % {"reasons": reasons},
            )
        return cleaned


@contextlib.contextmanager
def removed_if_refused(instance, *field_names):
    """Around ``instance.save()``: if the save fails after a FileField wrote its new file to the
    storage (``pre_save`` writes before the INSERT/UPDATE; a constraint, a trigger, a lost
    connection can still refuse the row), the new file is deleted, so nothing stays from a
    refused save. The file the row had before is never touched."""
    before = {name: getattr(instance, name).name for name in field_names}
    try:
        yield
    except BaseException:
        for name in field_names:
            field_file = getattr(instance, name)
            if field_file.name and field_file.name != before[name] and field_file._committed:
                with contextlib.suppress(OSError):
                    field_file.storage.delete(field_file.name)
        raise
