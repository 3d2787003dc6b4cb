"""The text inside a file: PDF (pypdf) and Word .docx (python-docx); plain text as is.

A file whose text cannot be extracted (scanned PDF, damaged, encrypted, unknown type) gives ""
and a warning in the log: its item is still indexed by its title, number and summary. The text
of one stored file is read once per process (files of the demo are shared by many documents).
"""

from __future__ import annotations

import io
import logging

log = logging.getLogger(__name__)

MAX_CHARS = 200_000
MAX_PAGES = 200


def file_text(file) -> str:
    """The text of ``file`` (a Django ``File``/``FieldFile`` or a LibraryFile-like object with
    ``.file``), or "" when it has none we can read."""
    inner = getattr(file, "file", None)
    if inner is not None and hasattr(inner, "open") and not hasattr(file, "read"):
        file = inner
    name = getattr(file, "name", "") or ""
    try:
        size = file.size
    except Exception:  # noqa: BLE001 (a missing file: nothing to read)
        log.warning("search: file %s is missing", name)
        return ""
    return _cached(name, size, file)


def _cached(name, size, file):
    key = (name, size)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    text = _extract(name, file)
    if len(_CACHE) > 512:
        _CACHE.clear()
    _CACHE[key] = text
    return text


_CACHE: dict = {}


def _extract(name, file):
    lower = name.lower()
    try:
        file.open("rb")
        try:
            data = file.read()
        finally:
            file.close()
        if lower.endswith(".pdf") or data[:5] == b"%PDF-":
            return pdf_text(data)
        if lower.endswith(".docx"):
            return docx_text(data)
        if lower.endswith((".txt", ".md", ".csv")):
            return data.decode("utf-8", errors="replace")[:MAX_CHARS]
    except Exception:  # noqa: BLE001 (any parser failure: the file has no text for us)
        log.warning("search: no text extracted from %s", name, exc_info=True)
    return ""


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, total = [], 0
    for page in reader.pages[:MAX_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        total += len(text)
        if total > MAX_CHARS:
            break
    return "\n".join(parts)[:MAX_CHARS]


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(part for part in parts if part)[:MAX_CHARS]
