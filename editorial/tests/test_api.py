"""The newsroom and library API: scope (404 outside it, lists never leak), the contract's org
fields, filters and their bad input (400, Vietnamese), files checked before they are served,
read receipts (one row a day), bookmarks (idempotent), a constant number of queries, the schema."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from editorial.models import (
    Bookmark,
    DocumentFile,
    DocumentLink,
    DocumentPage,
    LibraryFile,
    NewsAttachment,
    NewsPage,
    ReadReceipt,
)
from editorial.sections import section_for
from sotay_plugins.orgtree.models import AdvisoryBody, Organisation
from sotay_plugins.orgtree.roles import VIEWER
from tests.factories import MemberFactory, UserFactory, grant

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_numbers = iter(range(1, 10_000))


# --- helpers ---------------------------------------------------------------------------------


def library_file(title="Tệp", content=PDF, name="van-ban.pdf"):
    stored = LibraryFile(title=title, file=ContentFile(content, name=name))
    stored.save()
    return stored


def document(
    issuer,
    audience=None,
    *,
    title=None,
    number=None,
    kind="nghi_quyet",
    issued_on=None,
    files=1,
    **extra,
):
    n = next(_numbers)
    page = DocumentPage(
        title=title or f"Nghị quyết số {n} của {issuer.name}",
        slug=f"van-ban-{n}",
        number=number or f"{n}-NQ/TU",
        kind=kind,
        issued_on=issued_on or date(2025, 1, 1 + n % 28),
        summary=f"Trích yếu văn bản {n}",
        issuer_org=issuer,
        audience_org=audience or issuer,
        live=True,
        **extra,
    )
    section_for(issuer).add_child(instance=page)
    for i in range(files):
        DocumentFile(page=page, file=library_file(f"Tệp {n}.{i}"), sort_order=i).save()
    return page


def news(issuer, audience=None, *, title=None, category="current", attachments=0, **extra):
    n = next(_numbers)
    page = NewsPage(
        title=title or f"Tin số {n} của {issuer.name}",
        slug=f"tin-{n}",
        category=category,
        lead=f"Sapo tin {n}",
        issuer_org=issuer,
        audience_org=audience or issuer,
        live=True,
        **extra,
    )
    section_for(issuer).add_child(instance=page)
    for i in range(attachments):
        NewsAttachment(page=page, file=library_file(f"Đính kèm {n}.{i}"), sort_order=i).save()
    return page


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response):
    return {item["id"] for item in results(response)}


@pytest.fixture
def world(tree):
    # the fixture's units were loaded before their children were added: read their places again
    w = {name: Organisation.objects.get(pk=unit.pk) for name, unit in tree.items()}
    w["a11"] = MemberFactory(cell=tree["c11"], full_name="Trần Văn An")
    w["sec11"] = MemberFactory(
        cell=tree["c11"], full_name="Bí thư 1.1", positions={"bi_thu_chi_bo"}
    )
    w["a21"] = MemberFactory(cell=tree["c21"], full_name="Đỗ Thị Dung")
    w["d1_doc"] = document(
        tree["d1"],
        title="Nghị quyết Huyện ủy 1 về chuyển đổi số",
        number="05-NQ/HU",
        issued_on=date(2025, 3, 2),
    )
    w["d2_doc"] = document(
        tree["d2"],
        title="Chỉ thị Huyện ủy 2",
        number="07-CT/HU",
        kind="chi_thi",
        issued_on=date(2024, 6, 1),
    )
    w["prov_doc"] = document(
        tree["province"],
        title="Quyết định của Tỉnh ủy",
        number="12-QĐ/TU",
        kind="quyet_dinh",
        issued_on=date(2024, 1, 15),
    )
    w["d1_news"] = news(tree["d1"], title="Hội nghị Huyện ủy 1", attachments=1)
    w["d2_news"] = news(tree["d2"], title="Tin Huyện ủy 2", category="bulletin")
    return w


@pytest.fixture
def as_user(api):
    def login(user):
        api.force_authenticate(user)
        return api

    return login


# --- scope -----------------------------------------------------------------------------------


def test_anonymous_gets_401(api, world):
    for url in (
        "/api/v1/documents/",
        f"/api/v1/documents/{world['d1_doc'].pk}/",
        "/api/v1/news/",
        "/api/v1/me/receipts/",
        "/api/v1/bookmarks/",
    ):
        response = api.get(url)
        assert response.status_code == 401, url
        assert response.json()["detail"]


def test_a_member_sees_their_audience_only(as_user, world):
    api = as_user(world["a21"].user)
    assert ids(api.get("/api/v1/documents/")) == {world["d2_doc"].pk, world["prov_doc"].pk}
    assert ids(api.get("/api/v1/news/")) == {world["d2_news"].pk}
    doc = world["d1_doc"]
    response = api.get(f"/api/v1/documents/{doc.pk}/")
    assert response.status_code == 404 and response.json() == {"detail": "Không tìm thấy."}
    file_id = doc.files.get().file_id
    assert api.get(f"/api/v1/documents/{doc.pk}/files/{file_id}/").status_code == 404
    assert api.get(f"/api/v1/news/{world['d1_news'].pk}/").status_code == 404
    attachment = world["d1_news"].attachments.get().file_id
    assert api.get(f"/api/v1/news/{world['d1_news'].pk}/files/{attachment}/").status_code == 404
    assert api.post("/api/v1/bookmarks/", {"page": doc.pk}, format="json").status_code == 404
    assert not Bookmark.objects.exists() and not ReadReceipt.objects.exists()


def test_items_carry_the_contract_fields(as_user, world):
    api = as_user(world["a11"].user)
    by_id = {item["id"]: item for item in results(api.get("/api/v1/documents/"))}
    doc = world["d1_doc"]
    item = by_id[doc.pk]
    assert item["title"] == doc.title and item["number"] == "05-NQ/HU"
    assert item["issuer_org"] == world["d1"].pk and item["audience_org"] == world["d1"].pk
    assert item["kind"] == "nghi_quyet" and item["kind_label"] == "Nghị quyết"
    assert item["issued_on"] == "2025-03-02" and item["issuer_name"] == "Huyện 1"
    assert item["files"][0]["url"] == f"/api/v1/documents/{doc.pk}/files/{item['files'][0]['id']}/"
    assert item["files"][0]["content_type"] == "application/pdf"
    assert item["files"][0]["size"] == len(PDF) and item["files"][0]["name"].endswith(".pdf")
    assert item["url"].endswith(f"/{doc.slug}/")
    assert by_id[world["prov_doc"].pk]["issuer_org"] == world["province"].pk
    news_item = results(api.get("/api/v1/news/"))[0]
    assert news_item["id"] == world["d1_news"].pk
    assert news_item["issuer_org"] == world["d1"].pk and news_item["audience_org"] == world["d1"].pk
    assert news_item["category"] == "current" and news_item["category_label"] == "Thời sự"


def test_audience_narrowed_to_a_cell_positions_and_groups(as_user, world):
    narrow = document(
        world["d1"],
        world["c11"],
        title="Chỉ cho bí thư chi bộ",
        audience_positions={"bi_thu_chi_bo"},
    )
    retired = document(world["d1"], title="Cho đảng viên hưu trí", audience_groups={"retired"})
    other_cell = document(world["b1"], world["c12"], title="Cho chi bộ 1.2")
    api = as_user(world["sec11"].user)
    seen = ids(api.get("/api/v1/documents/"))
    assert narrow.pk in seen and retired.pk not in seen and other_cell.pk not in seen
    detail = api.get(f"/api/v1/documents/{narrow.pk}/").json()
    assert detail["audience_org"] == world["c11"].pk and detail["audience_positions"] == [
        "bi_thu_chi_bo"
    ]
    api = as_user(world["a11"].user)  # same cell, no position
    seen = ids(api.get("/api/v1/documents/"))
    assert narrow.pk not in seen and retired.pk not in seen
    assert api.get(f"/api/v1/documents/{narrow.pk}/").status_code == 404


def test_staff_viewer_sees_the_issuer_subtree(as_user, world):
    staff = UserFactory()
    grant(staff, VIEWER, world["d1"])
    below = document(world["b1"], world["c12"], title="Văn bản Đảng ủy xã 1")
    api = as_user(staff)
    assert ids(api.get("/api/v1/documents/")) == {world["d1_doc"].pk, below.pk}
    assert ids(api.get("/api/v1/news/")) == {world["d1_news"].pk}
    assert api.get(f"/api/v1/documents/{world['d2_doc'].pk}/").status_code == 404
    # staff without a member record: reading counts nothing, receipts and bookmarks are empty
    assert api.get(f"/api/v1/documents/{below.pk}/").status_code == 200
    assert not ReadReceipt.objects.exists()
    assert results(api.get("/api/v1/me/receipts/")) == []
    assert results(api.get("/api/v1/bookmarks/")) == []
    response = api.post("/api/v1/bookmarks/", {"page": below.pk}, format="json")
    assert response.status_code == 403 and "đảng viên" in response.json()["detail"]


def test_a_superuser_sees_everything(as_user, world):
    root = UserFactory(is_superuser=True)
    seen = ids(as_user(root).get("/api/v1/documents/"))
    assert {world["d1_doc"].pk, world["d2_doc"].pk, world["prov_doc"].pk} <= seen


def test_drafts_are_not_listed(as_user, world):
    draft = document(world["d1"], title="Bản nháp")
    draft.live = False
    draft.save()
    api = as_user(world["a11"].user)
    assert draft.pk not in ids(api.get("/api/v1/documents/"))
    assert api.get(f"/api/v1/documents/{draft.pk}/").status_code == 404


# --- filters ---------------------------------------------------------------------------------


def test_document_filters(as_user, world):
    api = as_user(world["a11"].user)
    d1, prov = world["d1_doc"].pk, world["prov_doc"].pk
    assert ids(api.get("/api/v1/documents/", {"kind": "quyet_dinh"})) == {prov}
    assert ids(api.get("/api/v1/documents/", {"issuer": world["d1"].pk})) == {d1}
    assert ids(api.get("/api/v1/documents/", {"year": 2024})) == {prov}
    assert ids(api.get("/api/v1/documents/", {"number": "qd/tu"})) == {prov}
    assert ids(api.get("/api/v1/documents/", {"number": "QĐ"})) == {prov}
    assert ids(api.get("/api/v1/documents/", {"number": "NQ/HU"})) == {d1}
    assert ids(api.get("/api/v1/documents/", {"q": "chuyen doi SỐ"})) == {d1}
    assert ids(api.get("/api/v1/documents/", {"q": "chuyển đổi tỉnh"})) == set()
    assert ids(api.get("/api/v1/documents/", {"kind": "", "year": "", "q": "  "})) == {d1, prov}
    # newest first: issued_on descending
    assert [item["id"] for item in results(api.get("/api/v1/documents/"))] == [d1, prov]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "mat"}, "kind"),
        ({"year": "hai nghìn"}, "year"),
        ({"year": "0"}, "year"),
        ({"year": "99999"}, "year"),
        ({"issuer": "abc"}, "issuer"),
        ({"issuer": "-3"}, "issuer"),
        ({"issuer": "99999999999999999999999"}, "issuer"),
    ],
)
def test_bad_document_filters_are_400_in_vietnamese(as_user, world, params, field):
    response = as_user(world["a11"].user).get("/api/v1/documents/", params)
    assert response.status_code == 400
    body = response.json()
    assert list(body["fields"]) == [field]
    assert any(ch in body["detail"] for ch in "ăâđêôơưáàảãạếềểễệíìỉĩịóòỏõọúùủũụýỳỷỹỵ")


def test_several_bad_filters_are_named_together(as_user, world):
    response = as_user(world["a11"].user).get("/api/v1/documents/", {"kind": "x", "year": "y"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"kind", "year"}
    assert "kind" in response.json()["detail"] and "year" in response.json()["detail"]


def test_news_filters(as_user, world):
    featured = news(
        world["province"], title="Tin nổi bật của Tỉnh ủy", category="leadership", featured=True
    )
    api = as_user(world["a11"].user)
    assert ids(api.get("/api/v1/news/", {"category": "leadership"})) == {featured.pk}
    assert ids(api.get("/api/v1/news/", {"featured": "1"})) == {featured.pk}
    assert ids(api.get("/api/v1/news/", {"featured": "0"})) == {world["d1_news"].pk}
    assert ids(api.get("/api/v1/news/", {"issuer": world["d1"].pk})) == {world["d1_news"].pk}
    assert ids(api.get("/api/v1/news/", {"q": "noi bat"})) == {featured.pk}
    bad = api.get("/api/v1/news/", {"category": "khong-co"})
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["category"]
    assert api.get("/api/v1/news/", {"featured": "có lẽ"}).status_code == 400


def test_lists_paginate(as_user, world):
    for _ in range(3):
        document(world["d1"], files=0)
    api = as_user(world["a11"].user)
    first = api.get("/api/v1/documents/", {"page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["next"]
    third = api.get("/api/v1/documents/", {"page_size": 2, "page": 3}).json()
    assert len(third["results"]) == 1
    assert api.get("/api/v1/documents/", {"page": 99}).status_code == 404


# --- detail, links, files, receipts --------------------------------------------------------


def test_detail_shows_readable_links_only_and_counts_opens(as_user, world):
    doc, d2_doc, prov = world["d1_doc"], world["d2_doc"], world["prov_doc"]
    DocumentLink(page=doc, kind="implements", target=prov, sort_order=0).save()
    DocumentLink(
        page=doc, kind="replaces", target=d2_doc, sort_order=1
    ).save()  # not readable in d1
    body = AdvisoryBody.objects.create(
        org=world["d1"], kind="tuyen_giao", name="Ban Tuyên giáo Huyện ủy 1"
    )
    doc.advisory_body = body
    doc.save()
    api = as_user(world["a11"].user)
    data = api.get(f"/api/v1/documents/{doc.pk}/").json()
    assert data["links"] == [
        {
            "kind": "implements",
            "kind_label": "Thực hiện",
            "document": prov.pk,
            "title": prov.title,
            "number": prov.number,
        }
    ]
    assert data["advisory_body"] == body.pk and data["advisory_body_name"] == body.name
    assert data["bookmarked"] is False and data["linked_from"] == []
    assert api.get(f"/api/v1/documents/{prov.pk}/").json()["linked_from"][0]["document"] == doc.pk
    api.get(f"/api/v1/documents/{doc.pk}/")
    receipt = ReadReceipt.objects.get(page_id=doc.pk)
    assert receipt.opens == 2 and receipt.downloads == 0 and receipt.member_id == world["a11"].pk
    assert ReadReceipt.objects.filter(page_id=doc.pk).count() == 1


def test_file_download_checks_scope_and_counts(as_user, world):
    doc = world["d1_doc"]
    file_id = doc.files.get().file_id
    api = as_user(world["a11"].user)
    response = api.get(
        f"/api/v1/documents/{doc.pk}/files/{file_id}/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200, getattr(response, "content", b"")
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "private" in response["Cache-Control"]
    receipt = ReadReceipt.objects.get(page_id=doc.pk)
    assert receipt.downloads == 1 and receipt.opens == 0
    # production: nginx sends the file after the check (the in-process scheduler stays off, as in
    # tests)
    with override_settings(SOTAY_SENDFILE="nginx", SOTAY_SCHEDULER_IN_PROCESS=False):
        response = api.get(f"/api/v1/documents/{doc.pk}/files/{file_id}/")
    stored = LibraryFile.objects.get(pk=file_id)
    assert response.status_code == 200 and response["X-Accel-Redirect"].endswith(stored.file.name)
    assert ReadReceipt.objects.get(page_id=doc.pk).downloads == 2
    # a file of another (even a readable) document is not a file of this one
    other_file = world["prov_doc"].files.get().file_id
    assert api.get(f"/api/v1/documents/{doc.pk}/files/{other_file}/").status_code == 404
    assert api.get(f"/api/v1/documents/{doc.pk}/files/999999/").status_code == 404
    assert ReadReceipt.objects.get(page_id=doc.pk).downloads == 2


def test_news_detail_and_attachment(as_user, world):
    article = world["d1_news"]
    article.body = [("heading", "Kết quả"), ("paragraph", "<p>Nội dung <b>chính</b></p>")]
    article.save()
    api = as_user(world["a11"].user)
    data = api.get(f"/api/v1/news/{article.pk}/").json()
    assert data["issuer_org"] == world["d1"].pk and data["audience_org"] == world["d1"].pk
    assert "Kết quả" in data["body_html"] and "<b>chính</b>" in data["body_html"]
    assert [block["type"] for block in data["body"]] == ["heading", "paragraph"]
    assert data["lead_image_url"] is None and data["bookmarked"] is False
    attachment = data["attachments"][0]
    assert attachment["url"] == f"/api/v1/news/{article.pk}/files/{attachment['id']}/"
    response = api.get(attachment["url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    receipt = ReadReceipt.objects.get(page_id=article.pk)
    assert (receipt.opens, receipt.downloads) == (1, 1)
    doc_file = world["d1_doc"].files.get().file_id
    assert api.get(f"/api/v1/news/{article.pk}/files/{doc_file}/").status_code == 404


def test_receipts_list_is_the_callers_own(as_user, world):
    api = as_user(world["a11"].user)
    api.get(f"/api/v1/documents/{world['d1_doc'].pk}/")
    api.get(f"/api/v1/documents/{world['d1_doc'].pk}/")
    api.get(f"/api/v1/news/{world['d1_news'].pk}/")
    as_user(world["sec11"].user).get(f"/api/v1/documents/{world['d1_doc'].pk}/")
    api = as_user(world["a11"].user)
    rows = results(api.get("/api/v1/me/receipts/"))
    assert {(r["page"], r["kind"], r["opens"]) for r in rows} == {
        (world["d1_doc"].pk, "document", 2),
        (world["d1_news"].pk, "news", 1),
    }
    today = timezone.localdate().isoformat()
    assert all(r["day"] == today and r["downloads"] == 0 and r["title"] for r in rows)
    assert ReadReceipt.objects.count() == 3


# --- bookmarks -------------------------------------------------------------------------------


def test_bookmarks_are_idempotent(as_user, world):
    api = as_user(world["a11"].user)
    doc, article = world["d1_doc"], world["d1_news"]
    first = api.post("/api/v1/bookmarks/", {"page": doc.pk}, format="json")
    assert first.status_code == 201
    assert first.json()["page"] == doc.pk and first.json()["kind"] == "document"
    assert first.json()["issuer_org"] == world["d1"].pk and first.json()["number"] == "05-NQ/HU"
    assert api.post("/api/v1/bookmarks/", {"page": doc.pk}, format="json").status_code == 200
    assert (
        api.post("/api/v1/bookmarks/", {"page": str(article.pk)}, format="json").status_code == 201
    )
    assert Bookmark.objects.count() == 2
    assert {r["page"] for r in results(api.get("/api/v1/bookmarks/"))} == {doc.pk, article.pk}
    assert api.get(f"/api/v1/documents/{doc.pk}/").json()["bookmarked"] is True
    assert api.delete(f"/api/v1/bookmarks/{doc.pk}/").status_code == 204
    assert api.delete(f"/api/v1/bookmarks/{doc.pk}/").status_code == 204
    assert {r["page"] for r in results(api.get("/api/v1/bookmarks/"))} == {article.pk}
    # another member's list is theirs alone
    assert results(as_user(world["sec11"].user).get("/api/v1/bookmarks/")) == []


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"page": ""},
        {"page": "abc"},
        {"page": True},
        {"page": -1},
        {"page": 1.5},
        {"page": None},
    ],
)
def test_bad_bookmark_input(as_user, world, payload):
    response = as_user(world["a11"].user).post("/api/v1/bookmarks/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["page"] and "văn bản" in response.json()["detail"]
    assert not Bookmark.objects.exists()


def test_bookmarks_list_only_still_readable_pages(as_user, world):
    doc = world["d1_doc"]
    Bookmark.objects.create(member=world["a11"], page_id=doc.pk)
    Bookmark.objects.create(
        member=world["a11"], page_id=world["d2_doc"].pk
    )  # out of scope (e.g. audience changed)
    api = as_user(world["a11"].user)
    assert [r["page"] for r in results(api.get("/api/v1/bookmarks/"))] == [doc.pk]
    doc.unpublish()
    assert results(api.get("/api/v1/bookmarks/")) == []


# --- budgets and schema --------------------------------------------------------------------


def count_queries(api, url):
    api.get(url)  # warm caches (grants, site roots, content types)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries), response


LISTS = ("/api/v1/documents/", "/api/v1/news/", "/api/v1/bookmarks/", "/api/v1/me/receipts/")


def test_lists_take_a_constant_number_of_queries(as_user, world):
    member = world["a11"]
    api = as_user(member.user)

    def add(n):
        for _ in range(n):
            doc = document(world["d1"], files=2)
            article = news(world["d1"], attachments=1)
            for page in (doc, article):
                Bookmark.objects.get_or_create(member=member, page_id=page.pk)
                api.get(f"/api/v1/{'documents' if page is doc else 'news'}/{page.pk}/")

    add(2)
    few = {url: count_queries(api, url) for url in LISTS}
    add(18)
    many = {url: count_queries(api, url) for url in LISTS}
    for url in LISTS:
        assert len(few[url][1].json()["results"]) >= 2 and len(many[url][1].json()["results"]) == 20
        assert few[url][0] == many[url][0], (url, few[url][0], many[url][0])
        assert many[url][0] <= 5, (url, many[url][0])


def test_schema_lists_the_library(as_user, world):
    staff = UserFactory(is_staff=True)
    response = as_user(staff).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/documents/",
        "/api/v1/documents/{id}/",
        "/api/v1/documents/{id}/files/{file_id}/",
        "/api/v1/news/",
        "/api/v1/news/{id}/",
        "/api/v1/me/receipts/",
        "/api/v1/bookmarks/",
    ):
        assert path in paths, path
