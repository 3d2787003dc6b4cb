"""Library files: served only through /tep/<id>/ after the scope check (404 otherwise), never
from a guessed media URL nor from Wagtail's document URL; downloads are counted."""

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory, override_settings
from django.urls import reverse

from editorial.models import (
    DocumentFile,
    DocumentPage,
    LibraryFile,
    NewsAttachment,
    NewsPage,
    ReadReceipt,
)
from editorial.sections import section_for
from editorial.views import pages
from tests.factories import MemberFactory, UserFactory, document_page, grant


def document(org, **fields):
    return document_page(
        org, **{"title": "Nghị quyết", "number": "15-NQ/HU", "summary": "Trích yếu", **fields}
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def library_file(name="nghi-quyet.pdf", content=PDF, **fields):
    stored = LibraryFile(
        title=fields.pop("title", "Toàn văn"), file=ContentFile(content, name=name), **fields
    )
    stored.save()
    return stored


@pytest.fixture
def setup(tree):
    doc = document(tree["d1"])
    pdf = library_file()
    DocumentFile(page=doc, file=pdf).save()
    word = library_file(name="phu-luc.docx", content=b"PK\x03\x04 not really", title="Phụ lục")
    DocumentFile(page=doc, file=word).save()
    item = NewsPage(
        title="Tin có đính kèm", issuer_org=tree["d2"], audience_org=tree["d2"], live=True
    )
    section_for(tree["d2"]).add_child(instance=item)
    attached = library_file(name="tin.pdf", title="Đính kèm")
    NewsAttachment(page=item, file=attached).save()
    return {
        "doc": doc,
        "pdf": pdf,
        "word": word,
        "news": item,
        "attached": attached,
        "a": MemberFactory(cell=tree["c11"]),
        "b": MemberFactory(cell=tree["c21"]),
    }


def url(stored, **query):
    return reverse("editorial:file", args=[stored.pk]) + ("?xem=1" if query.get("xem") else "")


def read(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_member_in_scope_downloads_the_file_and_it_is_counted(client, setup):
    client.force_login(setup["a"].user)
    response = client.get(url(setup["pdf"]))
    assert response.status_code == 200 and read(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert (
        "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    )
    client.get(url(setup["word"]))
    receipt = ReadReceipt.objects.get()
    assert (receipt.page_id, receipt.member_id, receipt.downloads, receipt.opens) == (
        setup["doc"].pk,
        setup["a"].pk,
        2,
        0,
    )


def test_view_inline_shows_a_pdf_in_the_page_and_may_be_framed(client, setup):
    client.force_login(setup["a"].user)
    response = client.get(url(setup["pdf"], xem=True))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the document page's viewer frames it
    assert not ReadReceipt.objects.exists()  # the viewer is part of the page's open, not a download
    word = client.get(url(setup["word"], xem=True))
    assert word["Content-Disposition"].startswith("attachment")  # only PDFs are shown inline


def test_out_of_scope_files_answer_404(client, setup):
    client.force_login(setup["b"].user)
    assert client.get(url(setup["pdf"])).status_code == 404
    assert client.get(url(setup["pdf"], xem=True)).status_code == 404
    assert client.get(url(setup["attached"])).status_code == 200  # district 2's news attachment
    assert client.get(reverse("editorial:file", args=[999999])).status_code == 404
    client.force_login(setup["a"].user)
    assert client.get(url(setup["attached"])).status_code == 404
    orphan = library_file(name="chua-dang.pdf")  # attached to nothing: nobody's but its uploader's
    assert client.get(url(orphan)).status_code == 404
    assert ReadReceipt.objects.filter(member=setup["a"]).count() == 0


def test_the_anonymous_are_asked_to_log_in(client, setup):
    response = client.get(url(setup["pdf"]))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_a_file_of_an_unpublished_page_is_not_served(client, setup):
    DocumentPage.objects.filter(pk=setup["doc"].pk).update(live=False)
    client.force_login(setup["a"].user)
    assert client.get(url(setup["pdf"])).status_code == 404


def test_staff_viewers_fetch_files_issued_under_their_units(client, tree, setup):
    viewer = UserFactory()
    grant(viewer, "viewer", tree["d1"])
    client.force_login(viewer)
    assert client.get(url(setup["pdf"])).status_code == 200
    assert client.get(url(setup["attached"])).status_code == 404
    assert not ReadReceipt.objects.exists()


def test_a_guessed_media_url_does_not_serve_the_file(client, setup, settings):
    assert (
        setup["pdf"].url == f"/tep/{setup['pdf'].pk}/"
    )  # Wagtail's document URL is the scoped view
    name = setup["pdf"].file.name
    client.force_login(setup["b"].user)
    for guess in (
        f"/media/{name}",
        f"/media/private/{name}",
        f"/khong-phuc-vu/{name}",
        f"/documents/{setup['pdf'].pk}/{name.rsplit('/', 1)[-1]}",
        f"/trang/documents/{setup['pdf'].pk}/nghi-quyet.pdf",
    ):
        response = client.get(guess)
        assert response.status_code == 404, guess
    # the file is not under MEDIA_ROOT at all
    from pathlib import Path

    assert not (Path(settings.MEDIA_ROOT) / name).exists()


def test_wagtails_document_view_obeys_the_scope(setup):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    request = RequestFactory().get("/documents/x/")
    request.user = setup["b"].user
    with pytest.raises(Http404):
        pages.only_readable_files(setup["pdf"], request)
    request.user = AnonymousUser()
    with pytest.raises(Http404):
        pages.only_readable_files(setup["pdf"], request)
    request.user = setup["a"].user
    assert pages.only_readable_files(setup["pdf"], request) is None


@override_settings(SOTAY_SENDFILE="nginx")
def test_production_hands_the_file_to_nginx(client, setup):
    client.force_login(setup["a"].user)
    response = client.get(url(setup["pdf"], xem=True))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"].startswith("/protected-private/library/")
    assert response.content == b""


def test_the_download_check_is_a_few_queries(client, setup, django_assert_max_num_queries):
    client.force_login(setup["a"].user)
    client.get(url(setup["pdf"]))
    with django_assert_max_num_queries(
        5
    ):  # session, user, member, the file with its page, the receipt
        assert client.get(url(setup["pdf"])).status_code == 200


def test_what_decides_a_download_is_never_older_than_the_change(
    client, tree, setup, django_capture_on_commit_callbacks
):
    """The file's links and the member's place are kept across requests (shared cache): a move,
    a withdrawal or a deletion takes effect on the very next download."""
    member = setup["a"]
    client.force_login(member.user)
    assert (
        client.get(url(setup["pdf"])).status_code == 200
    )  # links and the member's subject kept now
    member.cell = tree["c21"]  # moved to another district's cell
    member.save()
    assert client.get(url(setup["pdf"])).status_code == 404
    member.cell = tree["c11"]
    member.save()
    assert client.get(url(setup["pdf"])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        DocumentPage.objects.get(pk=setup["doc"].pk).unpublish()
    assert client.get(url(setup["pdf"])).status_code == 404
    client.force_login(setup["b"].user)
    assert client.get(url(setup["attached"])).status_code == 200
    NewsPage.objects.get(pk=setup["news"].pk).delete()
    assert client.get(url(setup["attached"])).status_code == 404
