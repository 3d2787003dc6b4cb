"""Shared by the search tests: a small world of documents and news, files with text."""

import io
from datetime import date

from django.core.files.base import ContentFile

from editorial.models import DocumentFile, DocumentPage, LibraryFile, NewsPage
from tests.factories import MemberFactory, small_tree
from tests.factories import published as publish


def pdf_bytes(text):
    from editorial.demo.pdf import document_pdf

    return document_pdf(
        issuer="TỈNH ỦY", kind_label="Nghị quyết", number="", issued_on=None, summary=text
    )


def docx_bytes(text):
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def attach(page, name, data):
    stored = LibraryFile(title=name)
    stored.file.save(name, ContentFile(data), save=False)
    stored.save()
    DocumentFile.objects.create(page=page, file=stored, sort_order=0, label=name)
    return stored


def make_world():
    tree = small_tree()
    doc_tw = publish(
        DocumentPage,
        tree["province"],
        title="Nghị quyết số 12-NQ/TW về tiếp tục xây dựng, chỉnh đốn Đảng",
        number="12-NQ/TW",
        kind="nghi_quyet",
        issued_on=date(2024, 5, 1),
        summary="Tăng cường xây dựng, chỉnh đốn Đảng và hệ thống chính trị",
    )
    doc_d1 = publish(
        DocumentPage,
        tree["d1"],
        title="Nghị quyết về chuyển đổi số",
        number="05-NQ/HU",
        kind="nghi_quyet",
        issued_on=date(2026, 5, 1),
        summary="Đẩy mạnh chuyển đổi số trong Đảng bộ",
    )
    doc_d2 = publish(
        DocumentPage,
        tree["d2"],
        title="Nghị quyết về chuyển đổi số",
        number="07-NQ/HU",
        kind="nghi_quyet",
        issued_on=date(2026, 5, 2),
        summary="Chuyển đổi số ở huyện 2",
    )
    news_p = publish(
        NewsPage, tree["province"], title="Hội nghị chuyển đổi số toàn tỉnh", lead="Đông đủ"
    )
    news_hn = publish(NewsPage, tree["province"], title="Đoàn công tác thăm Hà Nội", lead="")
    news_folded = publish(
        NewsPage, tree["province"], title="Ha Noi mua thu (khong dau)", lead="Bai viet"
    )
    return {
        "tree": tree,
        "doc_tw": doc_tw,
        "doc_d1": doc_d1,
        "doc_d2": doc_d2,
        "news_p": news_p,
        "news_hn": news_hn,
        "news_folded": news_folded,
        "a": MemberFactory(cell=tree["c11"]),
        "b": MemberFactory(cell=tree["c21"]),
    }
