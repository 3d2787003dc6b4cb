"""The phone reading view of a PDF (issue 17): a PDF shown in the page is unreadable at 360 px,
so its text is extracted on the server (pypdf) and reflowed into paragraphs that follow the
reader's type size. Scoped like the file itself (``reading.file_access``), cached.

Cached in the shared cache under the file's id, stored name and size (a new file is a new key),
for 30 days; extraction is bounded (pages, characters) so a huge PDF cannot hold a worker.
A scanned PDF (images only) has no text: the view says so and offers the file.
"""

from __future__ import annotations

import hashlib
import logging
import re

from django.core.cache import cache

log = logging.getLogger(__name__)

CACHE_SECONDS = 30 * 24 * 3600
MAX_PAGES = 300
MAX_CHARS = 400_000
#: A heading line: mostly capitals ("I. MỤC ĐÍCH, YÊU CẦU", "QUY ĐỊNH").
_HEADING = re.compile(
    r"^[^a-zàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]+$"
)
#: A line that starts a new paragraph: a list item ("1.", "a)", "-", "+", "•").
_ITEM = re.compile(r"^(\d+[.)]|[a-zđ][.)]|[-+•–])\s")


def reflow(text):
    """Paragraphs of one page's extracted text: ``[(is_heading, text)]``. A line indented, a
    heading in capitals or a list item starts a paragraph; other lines continue the previous
    one (the PDF broke them at its own width, not the phone's)."""
    paragraphs = []
    for raw in (text or "").splitlines():
        line = " ".join(raw.split())
        if not line:
            paragraphs.append(None)  # a blank line ends the paragraph
            continue
        has_letters = any(ch.isalpha() for ch in line)
        heading = has_letters and bool(_HEADING.match(line)) and len(line) < 120
        starts = (
            raw[:1].isspace()
            or heading
            or bool(_ITEM.match(line))
            or not paragraphs
            or paragraphs[-1] is None
            or paragraphs[-1][0]
        )
        if starts:
            paragraphs.append((heading, line))
        else:
            is_heading, previous = paragraphs[-1]
            paragraphs[-1] = (is_heading, f"{previous} {line}")
    return [p for p in paragraphs if p is not None and p[1] not in ("*", "—————")]


def extract(stored):
    """``[[(is_heading, paragraph)], …]``, one list per page (at most MAX_PAGES), or None when
    the file cannot be read as a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    pages, total = [], 0
    try:
        with stored.file.open("rb") as fh:
            reader = PdfReader(fh)
            for page in reader.pages[:MAX_PAGES]:
                text = page.extract_text() or ""
                total += len(text)
                pages.append(reflow(text))
                if total > MAX_CHARS:
                    break
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("PDF text extraction failed for file %s: %s", stored.pk, exc)
        return None
    return pages


def pages_of(stored):
    """The reflowed pages of ``stored`` (a LibraryFile), from the cache when it has them."""
    try:
        size = stored.file.size
    except OSError:
        size = 0
    name = hashlib.sha256(stored.file.name.encode()).hexdigest()[:16]
    key = f"editorial:pdftext:v1:{stored.pk}:{name}:{size}"
    found = cache.get(key)
    if found is None:
        found = extract(stored)
        cache.set(key, found if found is not None else [], CACHE_SECONDS)
    return found or []
