"""The library's core rules: MẬT never stored, uploader rights per advisory body, audience
inside the issuer, reading through the scope engine, read receipts counted once a day."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.utils import timezone

from editorial import reading, services
from editorial.models import DocumentFile, DocumentPage, LibraryFile, NewsPage, ReadReceipt
from editorial.sections import section_for
from sotay_plugins.orgtree.choices import AdvisoryKind
from sotay_plugins.orgtree.models import AdvisoryBody
from tests.factories import MemberFactory, UserFactory, grant, small_tree
from tests.factories import document_page as document


@pytest.mark.parametrize(
    "number", ["12-NQ/TU MẬT", "05-CT/HU (Mật)", "Tối mật 3", "TUYỆT MẬT-01", "07/mat"]
)
def test_a_classified_number_is_refused(tree, number):
    page = DocumentPage(
        title="X",
        number=number,
        kind="nghi_quyet",
        issued_on=date(2026, 1, 1),
        summary="Y",
        issuer_org=tree["d1"],
        audience_org=tree["d1"],
    )
    errors = services.classified_errors(page)
    assert "MẬT" in errors["number"]


@pytest.mark.parametrize("number", ["15-NQ/TU", "120-KH/ĐU", "08-CT/HU", "Matxcova-1"])
def test_an_ordinary_number_passes(tree, number):
    page = DocumentPage(
        title="X",
        number=number,
        kind="nghi_quyet",
        issued_on=date(2026, 1, 1),
        summary="Y",
        issuer_org=tree["d1"],
        audience_org=tree["d1"],
    )
    assert services.classified_errors(page) == {}


def test_a_document_marked_classified_cannot_be_saved(tree):
    page = DocumentPage(
        title="X",
        number="1-NQ/TU",
        kind="nghi_quyet",
        issued_on=date(2026, 1, 1),
        summary="Y",
        issuer_org=tree["d1"],
        audience_org=tree["d1"],
        is_classified=True,
        slug="x",
    )
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert "mật" in caught.value.message_dict["is_classified"][0].lower()


def test_audience_wider_than_the_issuer_is_refused(tree):
    page = DocumentPage(
        title="X",
        number="1-NQ/HU",
        kind="nghi_quyet",
        issued_on=date(2026, 1, 1),
        summary="Y",
        issuer_org=tree["d1"],
        audience_org=tree["province"],
        slug="x",
    )
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert "audience_org" in caught.value.message_dict


def test_uploader_rights_follow_the_advisory_body(tree):
    tuyen_giao = AdvisoryBody.objects.create(
        org=tree["d1"], kind=AdvisoryKind.choices[0][0], name="Ban Tuyên giáo"
    )
    to_chuc = AdvisoryBody.objects.create(
        org=tree["d1"], kind=AdvisoryKind.choices[0][0], name="Ban Tổ chức"
    )
    uploader, admin, stranger = UserFactory(), UserFactory(), UserFactory()
    grant(uploader, "document_uploader", tree["d1"], body=tuyen_giao)
    grant(admin, "full_admin", tree["province"])
    grant(
        stranger,
        "document_uploader",
        tree["d2"],
        body=AdvisoryBody.objects.create(
            org=tree["d2"], kind=AdvisoryKind.choices[0][0], name="Ban Tuyên giáo"
        ),
    )
    assert services.may_upload(uploader, tree["d1"], tuyen_giao)
    assert not services.may_upload(uploader, tree["d1"], to_chuc)
    assert not services.may_upload(
        uploader, tree["d1"], None
    )  # the committee's own documents: not theirs
    assert list(services.upload_bodies(uploader, tree["d1"])) == [tuyen_giao]
    assert services.may_upload(admin, tree["d1"], to_chuc) and services.may_upload(
        admin, tree["d1"], None
    )
    assert not services.may_upload(stranger, tree["d1"], tuyen_giao)


def test_members_read_only_their_audience(tree):
    a = MemberFactory(cell=tree["c11"])
    b = MemberFactory(cell=tree["c21"])
    d1_doc = document(tree["d1"])
    province_doc = document(tree["province"], number="1-NQ/TU", slug="tinh")
    secretaries_only = document(
        tree["d1"], number="2-CT/HU", slug="bi-thu", audience_positions={"bi_thu_chi_bo"}
    )
    assert set(reading.readable(a.user, DocumentPage)) == {d1_doc, province_doc}
    assert set(reading.readable(b.user, DocumentPage)) == {province_doc}
    assert not reading.may_read(b.user, d1_doc) and not reading.may_read(a.user, secretaries_only)


def test_a_draft_is_read_by_nobody_but_the_admin(tree):
    a = MemberFactory(cell=tree["c11"])
    draft = document(tree["d1"], live=False)
    assert not reading.may_read(a.user, draft)


def test_files_are_readable_only_through_a_readable_page(tree):
    a, b = MemberFactory(cell=tree["c11"]), MemberFactory(cell=tree["c21"])
    doc = document(tree["d1"])
    lf = LibraryFile(title="Toàn văn", file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="nq.pdf"))
    lf.save()
    DocumentFile.objects.create(page=doc, file=lf, sort_order=0)
    assert reading.file_access(a.user, lf.pk) == (lf, doc.pk)
    assert reading.file_access(b.user, lf.pk) is None
    assert not lf.file.url.startswith("/media/")  # private storage: no public URL


def test_a_read_receipt_is_one_row_a_day_with_counts(tree):
    a = MemberFactory(cell=tree["c11"])
    doc = document(tree["d1"])
    # Mid-morning, local time: the three reads must fall on one local day whenever the test runs.
    now = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    reading.record(a.user, doc, "opens", at=now)
    reading.record(a.user, doc, "opens", at=now + timedelta(minutes=5))
    reading.record(a.user, doc, "downloads", at=now + timedelta(minutes=6))
    row = ReadReceipt.objects.get()
    assert (row.opens, row.downloads, row.first_at, row.last_at) == (
        2,
        1,
        now,
        now + timedelta(minutes=6),
    )
    reading.record(a.user, doc, "opens", at=now + timedelta(days=1))
    assert ReadReceipt.objects.count() == 2
    staff = UserFactory()
    assert reading.record(staff, doc) is False  # staff-only accounts leave no receipt


@pytest.mark.django_db(transaction=True)
def test_concurrent_opens_of_one_document_lose_none():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    tree = small_tree()
    member = MemberFactory(cell=tree["c11"])
    doc = document(tree["d1"])
    threads, per_thread = 8, 25
    barrier = threading.Barrier(threads)

    def opener():
        try:
            barrier.wait()
            for _ in range(per_thread):
                reading.record(member.user, doc, "opens")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=opener) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    row = ReadReceipt.objects.get(page=doc, member=member)
    assert row.opens == threads * per_thread


def test_news_page_folds_its_text_for_search(tree):
    news = NewsPage(
        title="Đại hội Đảng bộ tỉnh",
        lead="Thành công tốt đẹp",
        issuer_org=tree["province"],
        audience_org=tree["province"],
        live=True,
    )
    section_for(tree["province"]).add_child(instance=news)
    news.refresh_from_db()
    assert news.search_folded == "dai hoi dang bo tinh thanh cong tot dep"
    assert news.published_at is not None


def test_a_section_is_made_once_per_organisation(tree):
    first = section_for(tree["d1"])
    assert section_for(tree["d1"]).pk == first.pk and first.live
