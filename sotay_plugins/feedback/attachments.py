"""Attachments of feedback: photos, video, recordings and files.

- The size is checked first, from what the upload says (never by reading it), against the
  limit of its kind (``FEEDBACK_MAX_SIZES``); the API refuses a request whose body is over
  ``FEEDBACK_MAX_REQUEST`` before parsing it at all.
- The content must be what the extension says (magic bytes; the name is never trusted): an
  executable renamed ``.jpg`` is refused.
- Images lose their metadata before they are stored: EXIF (GPS, camera, time), XMP, IPTC and
  comments are cut from JPEG and PNG byte by byte (no re-encoding, so no quality lost and no
  time spent decoding), and so is whatever follows the image's end (the further images, each
  with its own EXIF, that phones append to a JPEG); WebP is re-encoded by Pillow without them.
  Pillow opens every image first, so a file that is not really one is refused.
- Word and Excel files lose the names and times they hold about their writer (properties,
  authors of changes and comments, saved paths, the zip's own times: ``clean_office``), and
  PDFs their information dictionary and XMP metadata (``clean_pdf``); videos and recordings
  in MP4, MOV, 3GP and M4A their user data (GPS, device, the recording's name) and times
  (``clean_iso_media``, in place).
- Files are stored in the private storage under a random name and served only through the
  scope checks of ``views`` and ``api``.
"""

from __future__ import annotations

import io
import os
import re
import struct
import uuid
import zipfile
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from sotay_plugins import files as shared_files

MB = 1024 * 1024
DEFAULT_MAX_SIZES = {"image": 10 * MB, "video": 100 * MB, "audio": 20 * MB, "file": 20 * MB}
DEFAULT_MAX_REQUEST = 120 * MB
MAX_FILES = 5

#: extension → (kind, content type, format key checked by ``sniff``)
TYPES = {
    ".jpg": ("image", "image/jpeg", "jpeg"),
    ".jpeg": ("image", "image/jpeg", "jpeg"),
    ".png": ("image", "image/png", "png"),
    ".webp": ("image", "image/webp", "webp"),
    ".mp4": ("video", "video/mp4", "iso"),
    ".mov": ("video", "video/quicktime", "iso"),
    ".3gp": ("video", "video/3gpp", "iso"),
    ".webm": ("video", "video/webm", "ebml"),
    ".mp3": ("audio", "audio/mpeg", "mp3"),
    ".m4a": ("audio", "audio/mp4", "iso"),
    ".aac": ("audio", "audio/aac", "aac"),
    ".ogg": ("audio", "audio/ogg", "ogg"),
    ".opus": ("audio", "audio/ogg", "ogg"),
    ".wav": ("audio", "audio/wav", "wav"),
    ".amr": ("audio", "audio/amr", "amr"),
    ".pdf": ("file", "application/pdf", "pdf"),
    ".docx": ("file", shared_files.FILE_KINDS["docx"][2], "docx"),
    ".xlsx": ("file", shared_files.FILE_KINDS["xlsx"][2], "xlsx"),
}


def max_sizes():
    return {**DEFAULT_MAX_SIZES, **getattr(settings, "FEEDBACK_MAX_SIZES", {})}


def max_request():
    return getattr(settings, "FEEDBACK_MAX_REQUEST", DEFAULT_MAX_REQUEST)


def accepted_text():
    return _(
        "Nhận ảnh (JPG, PNG, WebP), video (MP4, MOV, 3GP, WebM), ghi âm (MP3, M4A, AAC, OGG, "
        "WAV, AMR) và tệp PDF, Word, Excel."
    )


def sniff(upload, expected):
    """Whether the first bytes of ``upload`` are of the format ``expected``."""
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if expected == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if expected == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if expected == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if expected == "iso":  # MP4, MOV, 3GP, M4A: a box "ftyp" first
        return head[4:8] == b"ftyp"
    if expected == "ebml":
        return head.startswith(b"\x1a\x45\xdf\xa3")
    if expected == "mp3":
        return head.startswith(b"ID3") or (
            len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
        )
    if expected == "aac":
        return len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0
    if expected == "ogg":
        return head.startswith(b"OggS")
    if expected == "wav":
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    if expected == "amr":
        return head.startswith(b"#!AMR")
    if expected in ("pdf", "docx", "xlsx"):
        return shared_files.sniff(upload) == expected
    return False


def check(upload):
    """Refuse (in Vietnamese) an upload too large, of a kind we do not take, or whose bytes are
    not what its extension says. Returns ``(kind, content type, extension)``."""
    extension = shared_files.extension_of(upload.name)
    known = TYPES.get(extension)
    if known is None:
        raise ValidationError(accepted_text(), code="kind")
    kind, content_type, expected = known
    limit = max_sizes()[kind]
    size = upload.size or 0
    if size > limit:  # decided from the size alone: the content is never read
        raise ValidationError(
            _("Tệp %(name)s quá lớn (%(size)s). Dung lượng tối đa là %(max)s.")
            % {"name": upload.name, "size": filesizeformat(size), "max": filesizeformat(limit)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("Tệp %(name)s rỗng.") % {"name": upload.name}, code="empty")
    if not sniff(upload, expected):
        raise ValidationError(
            _("Nội dung tệp %(name)s không khớp với phần mở rộng %(ext)s. %(accepted)s")
            % {"name": upload.name, "ext": extension, "accepted": accepted_text()},
            code="content",
        )
    return kind, content_type, extension


# --- metadata stripping -------------------------------------------------------------------

#: JPEG segments kept: JFIF (APP0), ICC colour profile (APP2 ``ICC_PROFILE``), Adobe colour
#: transform (APP14).
_JPEG_KEEP_APP = {0xE0, 0xE2, 0xEE}


#: In entropy-coded data, a marker: 0xFF followed by neither a stuffed 0x00, a restart
#: marker (D0-D7) nor a fill byte.
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def jpeg_end(data: bytes, scan: int) -> int:
    """Where the image that starts its first scan at ``scan`` ends (just after its EOI): the
    scans and the tables between them (progressive JPEG) are walked marker by marker, found by
    a regular expression (in C: a baseline photo has one match, its EOI)."""
    i, n = scan, len(data)
    while i < n:
        found = _JPEG_MARKER.search(data, i)
        if found is None:
            return n  # no EOI: a truncated file, kept as it is
        i = found.start()
        marker = data[i + 1]
        if marker == 0xD9:
            return i + 2
        if marker == 0x01:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        i += 2 + length
    return n


def jpeg_pieces(data: bytes) -> list:
    """The pieces of the JPEG ``data`` to keep, in order: everything but its EXIF/XMP (APP1),
    IPTC (APP13), other APPn segments (APP2 only for an ICC profile: not the Multi-Picture
    index) and comments, and nothing after the image's end: phones append more images there
    (Multi-Picture Format, gain maps), each with its own EXIF. The image data (from the start
    of scan on, nearly all of a photo) is a view of ``data``, not a copy."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    head = [b"\xff\xd8"]
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            raise ValueError("bad JPEG marker")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xDA:  # start of scan: image data up to the end of this image
            return [b"".join(head), memoryview(data)[i : jpeg_end(data, i)]]
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            head.append(data[i : i + 2])
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        segment = data[i : i + 2 + length]
        if len(segment) < 2 + length:
            raise ValueError("truncated JPEG")
        is_app = 0xE0 <= marker <= 0xEF
        dropped = is_app and (
            marker not in _JPEG_KEEP_APP
            or (marker == 0xE2 and not segment[4:16] == b"ICC_PROFILE\x00")
        )
        if not (dropped or marker == 0xFE):
            head.append(segment)
        i += 2 + length
    return [b"".join(head)]


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG without its EXIF/XMP (APP1), IPTC (APP13), other APPn segments and comments."""
    return b"".join(jpeg_pieces(data))


_PNG_DROP = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}


def png_pieces(data: bytes) -> list:
    """The pieces of the PNG ``data`` to keep, in order (views of ``data``): everything but
    its eXIf, text and time chunks."""
    signature = b"\x89PNG\r\n\x1a\n"
    if not data.startswith(signature):
        raise ValueError("not a PNG")
    view = memoryview(data)
    out, i = [signature], len(signature)
    while i + 8 <= len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > len(data):
            raise ValueError("truncated PNG")
        if kind not in _PNG_DROP:
            out.append(view[i:end])
        i = end
        if kind == b"IEND":
            break
    return out


def strip_png(data: bytes) -> bytes:
    """The PNG without its eXIf, text and time chunks."""
    return b"".join(png_pieces(data))


class Pieces(File):
    """A file's content made of pieces (bytes, or views of the upload's bytes), stored as they
    are: a 5 MB photo is not copied again to be joined, then again to be cut into chunks (on
    this 2-core machine each copy of a photo costs about a millisecond, bench/RESULTS.md,
    issue 14). The first piece is ``bytes``, as the file system storage expects."""

    def __init__(self, pieces):
        super().__init__(None)
        self.pieces = [bytes(p) if n == 0 else p for n, p in enumerate(pieces)]
        self.size = sum(len(p) for p in self.pieces)

    def chunks(self, chunk_size=None):
        yield from self.pieces

    def multiple_chunks(self, chunk_size=None):
        return len(self.pieces) > 1

    def read(self, size=-1):  # a storage that reads instead (object storage): joined once
        return b"".join(self.pieces)

    def open(self, mode=None):
        return self

    def close(self):
        pass

    def __bool__(self):
        return True


def _bytes_of(upload):
    """The upload's bytes; of one parsed in memory, its buffer itself (no copy)."""
    buffer = getattr(upload, "file", None)
    if isinstance(buffer, io.BytesIO):
        return buffer.getvalue()
    upload.seek(0)
    return upload.read()


def clean_image_pieces(upload, extension):
    """The image without metadata, as pieces to store (see ``Pieces``); refuses what Pillow
    cannot open as that image."""
    from PIL import Image, UnidentifiedImageError

    data = _bytes_of(upload)
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            if extension in (".jpg", ".jpeg") and fmt == "JPEG":
                return jpeg_pieces(data)
            if extension == ".png" and fmt == "PNG":
                return png_pieces(data)
            if extension == ".webp" and fmt == "WEBP":
                image.load()
                buffer = io.BytesIO()
                image.save(buffer, "WEBP", quality=90)  # saved without exif/xmp
                return [buffer.getvalue()]
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        struct.error,
        Image.DecompressionBombError,
    ):
        pass
    raise ValidationError(
        _("Ảnh %(name)s bị hỏng hoặc không phải ảnh.") % {"name": upload.name}, code="content"
    )


def clean_image(upload, extension):
    """The image's bytes without metadata; refuses what Pillow cannot open as that image."""
    return b"".join(clean_image_pieces(upload, extension))


# --- video and recordings (MP4, MOV, 3GP, M4A) ----------------------------------------------

#: Boxes walked into to reach the metadata and the headers with times.
_ISO_WALK = {b"moov", b"trak", b"mdia"}
#: Boxes that hold metadata (user data: GPS ``©xyz``, make, model, the recording's name, which
#: a phone's voice recorder takes from the place; Apple's ``meta`` keys; XMP in ``uuid``):
#: turned into ``free`` boxes of the same size, filled with zeros, so nothing else moves.
_ISO_METADATA = {b"udta", b"meta", b"uuid"}
#: Headers dated to the second (movie, track, media): their creation and modification times
#: are set to zero ("not set").
_ISO_TIMES = {b"mvhd", b"tkhd", b"mdhd"}


def _iso_boxes(handle, start, end):
    """``(offset, header size, size, type)`` of the boxes between ``start`` and ``end``."""
    offset = start
    while offset + 8 <= end:
        handle.seek(offset)
        header = handle.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        header_size = 8
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
            header_size = 16
        elif size == 0:
            size = end - offset
        if size < header_size or offset + size > end:
            return
        yield offset, header_size, size, kind
        offset += size


def clean_iso_media(handle, end):
    """Cut the metadata of an ISO media file (MP4, MOV, 3GP, M4A) in place, in ``handle``
    (a seekable, writable file of ``end`` bytes): metadata boxes become ``free`` and the
    headers' times zero. Only the few bytes changed are written: a 100 MB video is not read."""

    def walk(start, stop, depth):
        for offset, header_size, size, kind in list(_iso_boxes(handle, start, stop)):
            if kind in _ISO_METADATA:
                handle.seek(offset + 4)
                handle.write(b"free")
                handle.seek(offset + header_size)
                left = size - header_size
                while left > 0:  # what was in it is gone too, not just hidden from players
                    step = min(left, 1 << 20)
                    handle.write(bytes(step))
                    left -= step
            elif kind in _ISO_TIMES:
                handle.seek(offset + header_size)
                version = handle.read(1)
                width = 8 if version == b"\x01" else 4
                if size >= header_size + 4 + 2 * width:
                    handle.seek(offset + header_size + 4)
                    handle.write(b"\x00" * (2 * width))
            elif kind in _ISO_WALK and depth < 4:
                walk(offset + header_size, offset + size, depth + 1)

    walk(0, end, 0)
    handle.flush()  # a temporary upload is moved into storage by its path, not read back
    handle.seek(0)


# --- Word and Excel properties -----------------------------------------------------------

_XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: The property parts, replaced by empty ones: the account's name (creator, last modified by),
#: the company, the manager, the times of writing, the custom properties.
_OFFICE_PROPERTIES = {
    "docProps/core.xml": _XML
    + b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"/>',
    "docProps/app.xml": _XML
    + b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"/>',
    "docProps/custom.xml": _XML
    + b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'custom-properties"/>',
}
#: Names inside the parts: tracked changes' and comments' authors (Word), the people who
#: commented (Word's people.xml, Excel's persons), the account sharing a workbook.
_OFFICE_NAME_ATTRIBUTES = re.compile(
    rb'\b((?:[A-Za-z0-9]+:)?(?:author|initials|userId|providerId|displayName|userName))="[^"]*"'
)
_OFFICE_NAME_ELEMENTS = re.compile(rb"<author>[^<]*</author>")
#: Where the file was saved (Excel's absolute path, a template's path: C:\Users\<account>\...).
_OFFICE_PATHS = re.compile(rb"<x15ac:absPath\b[^>]*/>")
_OFFICE_FILE_TARGETS = re.compile(rb'Target="file:[^"]*"')
#: The zip's own time of each part (to two seconds): all set to the zip format's first day.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def clean_office(upload):
    """The Word or Excel file without the names and times it holds about its writer: its
    property parts emptied, authors' and commenters' names blanked, saved paths dropped, and
    every part dated by the zip format's first day. The text itself is left as it is."""
    upload.seek(0)
    out = io.BytesIO()
    try:
        with (
            zipfile.ZipFile(upload) as source,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            # the parts are read whole: a file that unpacks to far more than a document does
            # (a zip bomb) is refused before any is read (zipfile holds each to its stated size)
            if sum(info.file_size for info in source.infolist()) > 10 * max_sizes()["file"]:
                raise ValueError("unpacks too large")
            for info in source.infolist():
                data = _OFFICE_PROPERTIES.get(info.filename)
                if data is None:
                    data = source.read(info)
                    if info.filename.endswith((".xml", ".rels")):
                        data = _OFFICE_NAME_ATTRIBUTES.sub(rb'\1=""', data)
                        data = _OFFICE_NAME_ELEMENTS.sub(b"<author></author>", data)
                        data = _OFFICE_PATHS.sub(b"", data)
                        data = _OFFICE_FILE_TARGETS.sub(b'Target=""', data)
                part = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
                part.compress_type = zipfile.ZIP_DEFLATED
                part.external_attr = info.external_attr
                target.writestr(part, data)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        raise ValidationError(
            _("Tệp %(name)s bị hỏng.") % {"name": upload.name}, code="content"
        ) from None
    return ContentFile(out.getvalue())


# --- PDF metadata -------------------------------------------------------------------------


def clean_pdf(upload):
    """The PDF without its information dictionary (author, creator, times of writing) and its
    XMP metadata (the document's and each page's), nor the applications' private data; the
    pages as they are. A PDF that cannot be read, or that a password locks, is refused: it
    could not be cleaned."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    upload.seek(0)
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("Tệp %(name)s có mật khẩu. Xin gửi tệp không đặt mật khẩu.")
                % {"name": upload.name},
                code="content",
            )
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        for holder in (writer._root_object, *writer.pages):
            for key in ("/Metadata", "/PieceInfo"):
                if key in holder:
                    del holder[key]
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise ValidationError(
            _("Tệp %(name)s bị hỏng.") % {"name": upload.name}, code="content"
        ) from None
    return ContentFile(out.getvalue())


def size_of(upload):
    upload.file.seek(0, os.SEEK_END)
    size = upload.file.tell()
    upload.file.seek(0)
    return size


def stored_name(extension):
    return f"feedback/{uuid.uuid4().hex}{extension}"


def prepare(uploads):
    """Check every upload; return what to store: ``[(kind, type, extension, content, size)]``.
    Nothing is stored until every file passed."""
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            _("Gửi tối đa %(n)d tệp mỗi lần.") % {"n": MAX_FILES}, code="too_many"
        )
    ready = []
    for upload in uploads:
        kind, content_type, extension = check(upload)
        if kind == "image":
            content = Pieces(clean_image_pieces(upload, extension))
        elif extension in (".docx", ".xlsx"):
            content = clean_office(upload)
        elif extension == ".pdf":
            content = clean_pdf(upload)
        elif TYPES[extension][2] == "iso":
            clean_iso_media(upload.file, size_of(upload))
            content = upload
        else:
            content = upload
        ready.append((kind, content_type, extension, content, content.size))
    return ready


def save_all(feedback, prepared, day_only=False):
    """Store the files and their rows. ``day_only`` (hidden feedback): a file kept on a local
    disk gets its times set to the start of the day, so that not even the file system dates
    the sending more finely."""
    from .models import Attachment

    storage = Attachment._meta.get_field("file").storage  # the private storage
    rows = []
    for number, (kind, content_type, extension, content, size) in enumerate(prepared, start=1):
        name = storage.save(stored_name(extension), content)
        settle(storage, name, day_only=day_only)
        rows.append(
            Attachment(
                feedback=feedback,
                kind=kind,
                file=name,
                name=f"tep-{number}{extension}",
                content_type=content_type,
                size=size,
            )
        )
    Attachment.objects.bulk_create(rows)
    return rows


def settle(storage, name, day_only=False):
    """A file just stored on a local disk: dated by its day only (``day_only``), written to the
    disk (``fsync``) before the send is acknowledged, then dropped from the page cache.

    A photo is written once and seldom read again (by a handler, through nginx); kept in the
    page cache it only takes memory from the database, and on this kind of virtual machine
    every page of a fresh 5 MB file costs the kernel (and the host) far more than the copy
    itself: 6-11 ms of a worker's CPU a photo kept in the cache, ~2.6 ms written out and
    dropped, whose pages the next file reuses (bench/RESULTS.md, issue 14). The wait for the
    disk (~10 ms alone, ~36 ms with four writers) uses no CPU. Object storage (no local
    path): nothing to do here."""
    from django.utils import timezone

    try:
        path = storage.path(name)
    except NotImplementedError:
        return
    if day_only:
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        os.utime(path, (midnight.timestamp(), midnight.timestamp()))
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        if hasattr(os, "posix_fadvise"):  # not on macOS
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def basename(attachment):
    return os.path.basename(attachment.name)
