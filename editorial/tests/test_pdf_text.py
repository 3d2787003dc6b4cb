"""The phone reading view of a PDF (issue 17): its text reflowed for a 360 px screen, scoped like
the file itself, cached, and offered on the document's page."""

from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from editorial import pdftext
from editorial.demo.pdf import document_pdf
from editorial.models import DocumentFile, DocumentPage, LibraryFile
from editorial.sections import section_for
from sotay_plugins.orgtree.models import Organisation
from tests.factories import MemberFactory, small_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    cache.clear()
    t = {k: Organisation.objects.get(pk=v.pk) for k, v in small_tree().items()}
    data = document_pdf(
        issuer="Huyện ủy Huyện 1",
        kind_label="Nghị quyết",
        number="15-NQ/HU",
        issued_on=date(2026, 3, 1),
        summary="Về đẩy mạnh chuyển đổi số trong các tổ chức cơ sở đảng",
    )
    stored = LibraryFile(title="Nghị quyết 15-NQ/HU", content_type="application/pdf")
    stored.file.save("nq-15.pdf", ContentFile(data), save=False)
    stored.save()
    doc = DocumentPage(
        title="Nghị quyết về chuyển đổi số",
        issuer_org=t["d1"],
        audience_org=t["b1"],
        number="15-NQ/HU",
        kind="nghi_quyet",
        issued_on=date(2026, 3, 1),
        summary="Trích yếu",
        live=True,
    )
    section_for(t["d1"]).add_child(instance=doc)
    DocumentFile.objects.create(page=doc, file=stored)
    inside = MemberFactory(cell=t["c11"])
    outside = MemberFactory(cell=t["c21"])
    return {"stored": stored, "doc": doc, "inside": inside, "outside": outside}


def test_the_reading_view_reflows_the_pdf_text(world, client):
    client.force_login(world["inside"].user)
    url = f"/tep/{world['stored'].pk}/doc/"
    page = client.get(url).content.decode()
    assert "chuyển đổi số" in page and "15-NQ/HU" in page
    assert "Bản đọc trên điện thoại" in page and "<h1" in page
    assert f'href="{world["doc"].url}"' in page  # back to the document
    # paragraphs, not the PDF's own lines: no paragraph is a short broken line of a sentence
    assert page.count("<p>") >= 3
    # the document's page offers it
    doc_page = client.get(world["doc"].url).content.decode()
    assert url in doc_page and "Đọc trên điện thoại" in doc_page


def test_scoped_like_the_file(world, client):
    client.force_login(world["outside"].user)
    assert client.get(f"/tep/{world['stored'].pk}/doc/").status_code == 404
    assert client.get(f"/tep/{world['stored'].pk}/").status_code == 404
    client.logout()
    assert client.get(f"/tep/{world['stored'].pk}/doc/").status_code == 302


def test_extracted_once_then_cached(world, client, monkeypatch, django_assert_max_num_queries):
    client.force_login(world["inside"].user)
    url = f"/tep/{world['stored'].pk}/doc/"
    assert client.get(url).status_code == 200
    calls = []
    monkeypatch.setattr(pdftext, "extract", lambda stored: calls.append(stored) or [])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    assert calls == []


def test_a_broken_pdf_says_so(world, client):
    stored = world["stored"]
    stored.file.save("hong.pdf", ContentFile(b"%PDF-1.4 not really"), save=True)
    client.force_login(world["inside"].user)
    page = client.get(f"/tep/{stored.pk}/doc/").content.decode()
    assert "không có chữ để đọc" in page


def test_reflow_joins_broken_lines_and_keeps_headings_and_items():
    text = (
        "I. MỤC ĐÍCH, YÊU CẦU\n Quán triệt sâu sắc, tạo sự thống nhất cao trong nhận thức của cán\n"
        "bộ, đảng viên.\n1. Học tập nghị quyết\n- Tổ chức quán triệt"
    )
    assert pdftext.reflow(text) == [
        (True, "I. MỤC ĐÍCH, YÊU CẦU"),
        (False, "Quán triệt sâu sắc, tạo sự thống nhất cao trong nhận thức của cán bộ, đảng viên."),
        (False, "1. Học tập nghị quyết"),
        (False, "- Tổ chức quán triệt"),
    ]
