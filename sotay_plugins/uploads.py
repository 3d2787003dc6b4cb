"""Multipart bodies that Django keeps in memory anyway, read in one piece and split by
python-multipart: for endpoints that take a photo (feedback), where Django's own parser was a
fifth of a send's CPU (bench/RESULTS.md, issue 14).

Django's ``MultiPartParser`` reads the body 64 KB at a time; under gunicorn each of those reads
copies what the worker has received beyond it (up to 1 MB) again, so a 5 MB photo was copied
dozens of times before it was parsed, and the parser's own stream and boundary iterators copy
it a few times more. When the whole body is at most ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (Django then
keeps every file of it in memory: nothing more is held than before), ``InMemoryMultipart``
reads it in one call and splits it with python-multipart, which finds each boundary with one
``bytes.find``; each file's bytes are one slice of the body.

The answer is Django's, by construction:

- Each part's headers go through Django's own header parsing (``parse_boundary_stream``) and
  each part through the same rules as ``MultiPartParser._parse``: the field and file counts
  (``DATA_UPLOAD_MAX_NUMBER_FIELDS``, ``DATA_UPLOAD_MAX_NUMBER_FILES``), the fields' size
  (``DATA_UPLOAD_MAX_MEMORY_SIZE``), names decoded the same way, file names sanitised by
  Django's ``sanitize_file_name``, files as ``InMemoryUploadedFile`` with the same attributes.
- Anything else — a limit exceeded, a body python-multipart refuses, a transfer encoding, a part
  without headers or with more than Django reads of them, a body shorter than announced — is
  handed to Django's own parser over the bytes already read, which answers (or refuses) exactly
  as it would have from the socket.

Use: ``uploads.parse_in_memory(request)`` before the body is read (a view's ``initial``).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, MemoryFileUploadHandler
from django.http import QueryDict
from django.http.multipartparser import (
    FILE,
    MAX_TOTAL_HEADER_SIZE,
    LazyStream,
    MultiPartParser,
    parse_boundary_stream,
)
from django.utils.datastructures import MultiValueDict
from django.utils.encoding import force_str


class _Fallback(Exception):
    """The body is not one this module answers for: Django's parser does."""


def parse_in_memory(request):
    """Let ``request``'s multipart body (if small enough to be kept in memory) be parsed by
    ``InMemoryMultipart``. Call before anything reads the body (afterwards it does nothing)."""
    django_request = getattr(request, "_request", request)
    if hasattr(django_request, "_files"):
        return  # already parsed (the CSRF check of a session reads POST): nothing to change
    handlers = django_request.upload_handlers
    if not any(isinstance(h, InMemoryMultipart) for h in handlers):
        django_request.upload_handlers = [InMemoryMultipart(django_request), *handlers]


class InMemoryMultipart(FileUploadHandler):
    """An upload handler that parses the whole body itself (Django's ``handle_raw_input``
    hook), when it is a body Django would keep in memory; otherwise Django parses it."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        handlers = [h for h in self.request.upload_handlers if h is not self]
        if (
            content_length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
            or not handlers
            or type(handlers[0]) is not MemoryFileUploadHandler
        ):
            return None  # Django streams it, to a temporary file when large
        body = input_data.read(content_length)
        try:
            if len(body) != content_length:
                raise _Fallback
            return split(body, boundary, encoding or settings.DEFAULT_CHARSET)
        except _Fallback:
            # Django's parser on the same bytes, with the request's other handlers
            parser = MultiPartParser(META, io.BytesIO(body), handlers, encoding)
            return parser.parse()

    def receive_data_chunk(self, raw_data, start):
        return raw_data  # never reached: the parsing is done above

    def file_complete(self, file_size):
        return None


def _parts(body, boundary):
    """``[(header block, data)]`` of the body's parts, as python-multipart splits them."""
    from python_multipart import MultipartParser
    from python_multipart.exceptions import MultipartParseError

    parts = []
    current = {}

    def part_begin():
        current.clear()
        current["data"] = []

    def header_field(data, start, end):
        current.setdefault("headers_start", start)

    def headers_finished():
        current["headers_done"] = True

    def part_data(data, start, end):
        current["data"].append(data[start:end])

    def part_end():
        parts.append(dict(current))

    parser = MultipartParser(
        boundary,
        callbacks={
            "on_part_begin": part_begin,
            "on_header_field": header_field,
            "on_headers_finished": headers_finished,
            "on_part_data": part_data,
            "on_part_end": part_end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError:
        raise _Fallback from None
    if parser.state != parser.state.__class__.END:
        raise _Fallback  # no closing boundary: Django reads such a body its own way
    result = []
    for part in parts:
        start = part.get("headers_start")
        if start is None or not part.get("headers_done"):
            raise _Fallback  # a part without headers
        end = body.find(b"\r\n\r\n", start)  # headers end at the first blank line
        # Django reads a part's headers (from the CRLF after its boundary) in 1,024 bytes
        if end < 0 or (end + 4) - (start - 2) > MAX_TOTAL_HEADER_SIZE:
            raise _Fallback  # more than that: Django's own refusal
        result.append((body[start:end], b"".join(part["data"])))
    return result


def split(body, boundary, encoding):
    """``(POST, FILES)`` of ``body`` as ``MultiPartParser._parse`` makes them with Django's
    in-memory file handler; raises ``_Fallback`` for anything it does not follow."""
    post, files = QueryDict(mutable=True), MultiValueDict()
    num_post_keys = num_files = num_bytes_read = 0
    sanitize = MultiPartParser.sanitize_file_name
    for header, data in _parts(body, boundary):
        # Django's own reading of a part's headers
        item_type, meta_data, _stream = parse_boundary_stream(
            LazyStream(iter([header + b"\r\n\r\n"])), MAX_TOTAL_HEADER_SIZE
        )
        if not meta_data.get("content-disposition") or "content-transfer-encoding" in meta_data:
            raise _Fallback  # a raw part, or encoded data: as Django reads them
        if settings.DATA_UPLOAD_MAX_NUMBER_FIELDS is not None:
            num_post_keys += 1
            if settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 2 < num_post_keys:
                raise _Fallback  # Django refuses it (TooManyFieldsSent)
        try:
            disposition = meta_data["content-disposition"][1]
            field_name = disposition["name"].strip()
        except (KeyError, IndexError, AttributeError):
            continue
        field_name = force_str(field_name, encoding, errors="replace")
        if item_type != FILE:
            num_bytes_read += len(data) + len(field_name) + 2
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and num_bytes_read > limit:
                raise _Fallback  # Django refuses it (RequestDataTooBig)
            post.appendlist(field_name, force_str(data, encoding, errors="replace"))
            continue
        num_files += 1
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        if limit is not None and num_files > limit:
            raise _Fallback  # Django refuses it (TooManyFilesSent)
        file_name = disposition.get("filename")
        if file_name:
            file_name = sanitize(None, force_str(file_name, encoding, errors="replace"))
        if not file_name:
            continue
        content_type, content_type_extra = meta_data.get("content-type", ("", {}))
        upload = InMemoryUploadedFile(
            file=io.BytesIO(data),  # shares ``data``: no copy
            field_name=field_name,
            name=file_name,
            content_type=content_type.strip(),
            size=len(data),
            charset=content_type_extra.get("charset"),
            content_type_extra=content_type_extra,
        )
        files.appendlist(force_str(field_name, encoding, errors="replace"), upload)
    post._mutable = False
    return post, files
