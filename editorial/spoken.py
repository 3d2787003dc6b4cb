"""What the server reads aloud of a document or a news article (``sotay_plugins.speech``).

The same words a member sees on the page, in the order the page shows them: a document's kind,
number, title, issuer, date and summary, then the text inside its PDF files (the phone reading
view's extraction, ``pdftext``: cached, bounded); a news article's title, lead, body (headings
and paragraphs; images and videos have no words) and author. The speech module caps the length.
"""

from __future__ import annotations

import re
from html import unescape

from django.conf import settings
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from .models import DocumentPage, NewsPage


def document_text(page):
    from . import pdftext

    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("%(kind)s số %(number)s.") % {"kind": page.get_kind_display(), "number": page.number},
            f"{page.title}.",
            _("Đơn vị ban hành: %(org)s, ngày %(date)s.")
            % {"org": page.issuer_org.name, "date": page.issued_on.strftime("%d/%m/%Y")},
            _("Trích yếu:"),
            page.summary,
        ]
    for link in page.files.select_related("file").order_by("sort_order", "pk"):
        if not link.file.file.name.lower().endswith(".pdf"):
            continue
        for paragraphs in pdftext.pages_of(link.file):
            lines.extend(text for _heading, text in paragraphs)
    return "\n".join(lines)


_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote)>|<br\s*/?>", re.IGNORECASE)


def plain(html):
    """Rich text as lines of plain text (a paragraph or list item per line)."""
    return unescape(strip_tags(_BLOCK_END.sub("\n", html or "")))


def news_text(page):
    lines = [f"{page.title}."]
    if page.lead:
        lines.append(page.lead)
    for block in page.body or []:
        if block.block_type == "heading":
            lines.append(f"{block.value}.")
        elif block.block_type == "paragraph":
            lines.append(plain(block.value.source))
        elif block.block_type == "quote":
            lines.append(block.value["text"])
    if page.author:
        with translation.override(settings.LANGUAGE_CODE):
            lines.append(_("Tác giả: %(author)s.") % {"author": page.author})
    return "\n".join(lines)


def documents():
    return DocumentPage.objects.live().select_related("issuer_org").order_by("pk")


def news():
    return NewsPage.objects.live().order_by("pk")
