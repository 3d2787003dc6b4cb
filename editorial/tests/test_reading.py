"""The member's reading side: the home feed, the library with its filters, the news list, the
news and document pages, bookmarks — all through the scope engine, within query budgets."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial.models import Bookmark, DocumentLink, DocumentPage, NewsPage, ReadReceipt
from editorial.sections import section_for
from editorial.views import feed
from tests.factories import MemberFactory, UserFactory, grant
from tests.factories import document_page as document
from tests.factories import news_page as news

XSS = "<script>alert(1)</script>"


@pytest.fixture
def people(tree):
    """a: member of Chi bộ 1.1 (district 1); b: member of Chi bộ 2.1 (district 2); a secretary of
    1.1; a retired member of 1.1; a viewer (staff) at Huyện 1."""
    viewer = UserFactory()
    grant(viewer, "viewer", tree["d1"])
    return {
        "a": MemberFactory(cell=tree["c11"], full_name="Lê Văn A"),
        "b": MemberFactory(cell=tree["c21"], full_name="Trần Thị B"),
        "secretary": MemberFactory(cell=tree["c11"], positions={"bi_thu_chi_bo"}),
        "retired": MemberFactory(cell=tree["c11"], group="retired"),
        "viewer": viewer,
    }


@pytest.fixture
def docs(tree):
    return {
        "province": document(tree["province"], title="Nghị quyết của Tỉnh", number="01-NQ/TU"),
        "d1": document(
            tree["d1"],
            title="Chỉ thị của Huyện 1",
            number="02-CT/HU",
            kind="chi_thi",
            issued_on=date(2025, 6, 1),
        ),
        "d2": document(
            tree["d2"], title="Kế hoạch của Huyện 2", number="03-KH/HU", kind="ke_hoach"
        ),
        "c11": document(
            tree["c11"], title="Thông báo của Chi bộ 1.1", number="04-TB/CB", kind="thong_bao"
        ),
    }


def body(response):
    return response.content.decode()


# --- scope ------------------------------------------------------------------------------------


def test_a_member_of_another_district_sees_nothing_of_district_one(client, tree, people, docs):
    secret = docs["d1"]
    notice = news(tree["d1"], title="Tin riêng của Huyện 1")
    client.force_login(people["b"].user)
    home = body(client.get("/"))
    assert "Kế hoạch của Huyện 2" in home and "Nghị quyết của Tỉnh" in home
    assert "Chỉ thị của Huyện 1" not in home and "Tin riêng của Huyện 1" not in home
    library = body(client.get(reverse("editorial:library")))
    assert "Kế hoạch của Huyện 2" in library and "Chỉ thị của Huyện 1" not in library
    assert "Tin riêng của Huyện 1" not in body(client.get(reverse("editorial:news")))
    assert client.get(secret.url).status_code == 404
    assert client.get(notice.url).status_code == 404
    assert (
        client.post(reverse("editorial:bookmark", args=[secret.pk]), {"luu": "1"}).status_code
        == 404
    )
    assert not Bookmark.objects.exists()
    assert not ReadReceipt.objects.exists()  # a refused open is not a read
    # ...and the other member reads it all
    client.force_login(people["a"].user)
    assert client.get(secret.url).status_code == 200
    assert "Chỉ thị của Huyện 1" in body(client.get(reverse("editorial:library")))


def test_pages_ask_the_anonymous_to_log_in(client, docs):
    for url in (
        reverse("editorial:library"),
        reverse("editorial:news"),
        reverse("editorial:bookmarks"),
        docs["province"].url,
    ):
        response = client.get(url)
        assert response.status_code == 302 and "dang-nhap" in response["Location"], url
    response = client.post(reverse("editorial:bookmark", args=[docs["province"].pk]))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_position_and_group_filters_are_honoured(client, tree, people):
    document(
        tree["d1"],
        title="Chỉ dành cho bí thư chi bộ",
        number="10-HD/HU",
        audience_positions={"bi_thu_chi_bo"},
    )
    document(
        tree["d1"],
        title="Chỉ dành cho đảng viên hưu trí",
        number="11-HD/HU",
        audience_groups={"retired"},
    )
    seen = {}
    for who in ("a", "secretary", "retired"):
        client.force_login(people[who].user)
        seen[who] = body(client.get(reverse("editorial:library"))) + body(client.get("/"))
    assert "bí thư chi bộ" in seen["secretary"] and "bí thư chi bộ" not in seen["a"]
    assert "bí thư chi bộ" not in seen["retired"]
    assert (
        "hưu trí" in seen["retired"]
        and "hưu trí" not in seen["a"]
        and "hưu trí" not in seen["secretary"]
    )


def test_a_staff_viewer_reads_what_was_issued_under_their_units(client, tree, people, docs):
    client.force_login(people["viewer"])
    library = body(client.get(reverse("editorial:library")))
    assert (
        "Chỉ thị của Huyện 1" in library and "Thông báo của Chi bộ 1.1" in library
    )  # d1's subtree
    assert "Kế hoạch của Huyện 2" not in library and "Nghị quyết của Tỉnh" not in library
    assert client.get(docs["c11"].url).status_code == 200
    assert client.get(docs["d2"].url).status_code == 404
    assert not ReadReceipt.objects.exists()  # staff are not members: no receipt
    # the issuer filter offers the units they manage that publish
    assert f'value="{tree["c11"].pk}"' in library and f'value="{tree["d2"].pk}"' not in library
    home = client.get("/")
    assert home.status_code == 200 and "Chỉ thị của Huyện 1" in body(home)
    # no bookmark button for someone who is not a member (and the toggle refuses them)
    assert "Lưu đọc sau" not in body(client.get(docs["c11"].url))
    assert client.post(reverse("editorial:bookmark", args=[docs["c11"].pk])).status_code == 404


# --- escaping ---------------------------------------------------------------------------------


def test_html_in_titles_and_bodies_is_shown_as_text(client, tree, people):
    doc = document(tree["c11"], title=XSS, number="<b>9</b>", summary=f"Trích yếu {XSS}")
    item = news(
        tree["c11"],
        title=f"Tin {XSS}",
        lead=f"Sapo {XSS}",
        author=XSS,
        body=[("heading", XSS), ("quote", {"text": XSS, "attribution": XSS})],
    )
    client.force_login(people["a"].user)
    for url in ("/", reverse("editorial:library"), reverse("editorial:news"), doc.url, item.url):
        text = body(client.get(url))
        assert XSS not in text, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, url
    client.post(reverse("editorial:bookmark", args=[doc.pk]), {"luu": "1"})
    assert XSS not in body(client.get(reverse("editorial:bookmarks")))


# --- document and news pages ---------------------------------------------------------------------


def test_the_document_page_shows_its_facts_files_and_readable_links(client, tree, people, docs):
    from django.core.files.base import ContentFile

    from editorial.models import DocumentFile, LibraryFile

    doc = docs["c11"]
    stored = LibraryFile(title="Toàn văn", file=ContentFile(b"%PDF-1.4 test", name="toan-van.pdf"))
    stored.save()
    DocumentFile(page=doc, file=stored, label="Toàn văn thông báo").save()
    DocumentLink(page=doc, kind="implements", target=docs["d1"]).save()
    DocumentLink(page=doc, kind="amends", target=docs["d2"]).save()  # not readable by a: not shown
    client.force_login(people["a"].user)
    response = client.get(doc.url)
    text = body(response)
    assert response.status_code == 200
    assert (
        "04-TB/CB" in text and "Thông báo" in text and "01/03/2026" in text and "Chi bộ 1.1" in text
    )
    assert "Về tăng cường công tác xây dựng Đảng" in text
    assert f'data="/tep/{stored.pk}/?xem=1"' in text  # the in-page PDF viewer
    assert f'href="/tep/{stored.pk}/"' in text  # the download
    assert "Toàn văn thông báo" in text
    assert "Chỉ thị của Huyện 1" in text and "Kế hoạch của Huyện 2" not in text
    assert "Nghe đọc" in text and "read-aloud.js" in text
    assert 'name="csrfmiddlewaretoken"' in text and "Lưu đọc sau" in text
    assert "no-store" in response["Cache-Control"]  # personal: never kept by a shared cache


def test_the_news_page_shows_lead_body_and_byline(client, tree, people):
    item = news(
        tree["b1"],
        audience=tree["b1"],
        title="Hội nghị sơ kết",
        lead="Sáng 02/03",
        author="Phóng viên",
        source="Báo Đảng bộ",
        body=[
            ("heading", "Kết quả"),
            ("paragraph", "<p>Đạt <b>tốt</b></p>"),
            ("quote", {"text": "Đoàn kết", "attribution": "Bác Hồ"}),
        ],
    )
    client.force_login(people["a"].user)
    text = body(client.get(item.url))
    assert "Hội nghị sơ kết" in text and "Sáng 02/03" in text and "<b>tốt</b>" in text
    assert (
        "Đoàn kết" in text and "Bác Hồ" in text and "Phóng viên" in text and "Báo Đảng bộ" in text
    )
    assert "Hoạt động lãnh đạo" in text and "Xã 1" in text


def test_opening_a_page_twice_a_day_is_one_receipt_with_two_opens(client, tree, people, docs):
    client.force_login(people["a"].user)
    client.get(docs["c11"].url)
    client.get(docs["c11"].url)
    receipt = ReadReceipt.objects.get()
    assert (receipt.page_id, receipt.member_id, receipt.opens, receipt.downloads) == (
        docs["c11"].pk,
        people["a"].pk,
        2,
        0,
    )
    assert receipt.day == timezone.localdate()


def test_a_section_page_leads_to_its_documents_in_the_library(client, tree, people, docs):
    client.force_login(people["a"].user)
    response = client.get(section_for(tree["d1"]).url)
    assert (
        response.status_code == 302 and response["Location"] == f"/thu-vien/?don-vi={tree['d1'].pk}"
    )
    text = body(client.get(response["Location"]))
    assert "Chỉ thị của Huyện 1" in text and "Thông báo của Chi bộ 1.1" not in text


# --- the feed ---------------------------------------------------------------------------------


def test_the_feed_puts_the_members_own_cell_and_base_first(client, tree, people):
    now = timezone.now()
    old_own = document(tree["c11"], title="Thông báo cũ của chi bộ", number="1-TB/CB")
    DocumentPage.objects.filter(pk=old_own.pk).update(published_at=now - timedelta(days=60))
    own = news(tree["b1"], audience=tree["b1"], title="Tin của Đảng ủy xã")
    NewsPage.objects.filter(pk=own.pk).update(published_at=now - timedelta(days=3))
    for n in range(15):  # newer province items push it out of "the newest"
        news(tree["province"], title=f"Tin tỉnh {n}")
    client.force_login(people["a"].user)
    result = feed.build(people["a"].user)
    assert [item.page.title for item in result.own] == ["Tin của Đảng ủy xã"]
    assert "Tin của Đảng ủy xã" not in [item.page.title for item in result.newest]
    assert [item.page.title for item in result.newest][:2] == ["Tin tỉnh 14", "Tin tỉnh 13"]
    text = body(client.get("/"))
    assert "Của chi bộ, đảng bộ cơ sở của đồng chí" in text
    assert text.index("Tin của Đảng ủy xã") < text.index("Tin tỉnh 14")
    assert "Thông báo cũ của chi bộ" not in text  # 60 days old, and 15 newer items
    assert reverse("editorial:library") in text and reverse("editorial:news") in text


def test_the_home_page_stays_within_ten_queries_with_many_items(
    client, tree, people, django_assert_max_num_queries
):
    for n in range(20):
        document(tree["province"], title=f"Văn bản tỉnh {n}", number=f"{n}-NQ/TU")
        news(tree["b1"], audience=tree["b1"], title=f"Tin xã {n}")
    client.force_login(people["a"].user)
    with django_assert_max_num_queries(10):
        response = client.get("/")
    assert response.status_code == 200
    assert body(response).count('class="entry"') == feed.OWN_LIMIT + feed.NEWEST_LIMIT


def test_a_staff_account_without_reading_rights_has_no_feed_card(client, tree):
    staff = UserFactory()
    client.force_login(staff)
    assert "Tin tức, văn bản mới" not in body(client.get("/"))


# --- the library ------------------------------------------------------------------------------


def test_the_library_lists_rows_newest_first(client, tree, people, docs):
    client.force_login(people["a"].user)
    text = body(client.get(reverse("editorial:library")))
    assert text.index("Nghị quyết của Tỉnh") < text.index(
        "Chỉ thị của Huyện 1"
    )  # 01/03/2026 before 01/06/2025
    assert "02-CT/HU" in text and "Chỉ thị" in text and "01/06/2025" in text and "Huyện 1" in text
    assert "3 văn bản" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"loai": "chi_thi"}, {"Chỉ thị của Huyện 1"}),
        ({"nam": "2025"}, {"Chỉ thị của Huyện 1"}),
        ({"so": "ct/hu"}, {"Chỉ thị của Huyện 1"}),
        ({"so": "qd"}, {"Quyết định khen thưởng"}),  # folded: "QĐ" matches "qd"
        ({"so": "tinh"}, set()),  # a word of the title is not a number
        ({"q": "nghi quyet tinh"}, {"Nghị quyết của Tỉnh"}),  # every folded word, any order
        ({"q": "CHỈ THỊ"}, {"Chỉ thị của Huyện 1"}),
        (
            {"q": "xây dựng đảng"},
            {
                "Nghị quyết của Tỉnh",
                "Chỉ thị của Huyện 1",
                "Thông báo của Chi bộ 1.1",
                "Quyết định khen thưởng",
            },
        ),
    ],
)
def test_library_filters(client, tree, people, docs, query, expected):
    document(tree["b1"], title="Quyết định khen thưởng", number="05-QĐ/ĐU", kind="quyet_dinh")
    everything = {
        "Nghị quyết của Tỉnh",
        "Chỉ thị của Huyện 1",
        "Thông báo của Chi bộ 1.1",
        "Quyết định khen thưởng",
    }
    client.force_login(people["a"].user)
    text = body(client.get(reverse("editorial:library"), query))
    shown = {title for title in everything if f'<span class="entry-title">{title}</span>' in text}
    assert shown == expected


def test_the_issuer_filter_offers_the_members_own_units(client, tree, people, docs):
    client.force_login(people["a"].user)
    text = body(client.get(reverse("editorial:library"), {"don-vi": tree["d1"].pk}))
    assert "Chỉ thị của Huyện 1" in text and "Nghị quyết của Tỉnh" not in text
    for unit in ("province", "d1", "c11"):  # they publish, on a's branch
        assert f'<option value="{tree[unit].pk}"' in text
    assert f'<option value="{tree["d2"].pk}"' not in text  # publishes, not a's
    assert f'<option value="{tree["b1"].pk}"' not in text  # a's, but publishes nothing


def test_bad_filters_get_a_vietnamese_error_and_are_ignored(client, tree, people, docs):
    client.force_login(people["a"].user)
    response = client.get(
        reverse("editorial:library"), {"don-vi": tree["d2"].pk, "nam": "abc", "loai": "mat"}
    )
    text = body(response)
    assert response.status_code == 200
    assert "Đơn vị ban hành không có trong danh sách của đồng chí." in text
    assert "Năm phải là một số, ví dụ 2024." in text and "Loại văn bản không hợp lệ." in text
    assert "Kế hoạch của Huyện 2" not in text and "Nghị quyết của Tỉnh" in text
    assert client.get(reverse("editorial:library"), {"trang": "xyz"}).status_code == 200
    for year in ("99999", "1800", "-1"):
        response = client.get(reverse("editorial:library"), {"nam": year})
        assert response.status_code == 200 and "Năm không hợp lệ." in body(response), year


def test_the_library_costs_the_same_few_queries_for_any_number_of_documents(client, tree, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["a"].user)

    def count():
        client.get(reverse("editorial:library"))  # warm the cached grants and site root paths
        with CaptureQueriesContext(connection) as captured:
            response = client.get(
                reverse("editorial:library"), {"q": "nghi quyet", "loai": "nghi_quyet"}
            )
        assert response.status_code == 200
        return len(captured), body(response).count('class="entry"')

    document(tree["province"], title="Nghị quyết 1", number="1-NQ/TU")
    few = count()
    for n in range(30):
        document(tree["province"], title=f"Nghị quyết {n + 2}", number=f"{n + 2}-NQ/TU")
    many = count()
    assert few[1] == 1 and many[1] == 20  # a page of 20
    # user, member, issuers, count, rows, the site (Wagtail's URLs): grants and root paths are
    # cached
    assert few[0] == many[0] <= 6, (few, many)


def test_the_library_paginates(client, tree, people):
    for n in range(25):
        document(
            tree["province"],
            title=f"Văn bản số {n}",
            number=f"{n}-HD/TU",
            issued_on=date(2026, 1, 1) + timedelta(days=n),
        )
    client.force_login(people["a"].user)
    first = body(client.get(reverse("editorial:library"), {"loai": "nghi_quyet"}))
    assert first.count('class="entry"') == 20 and "Trang 1/2" in first
    assert "loai=nghi_quyet&amp;trang=2" in first
    second = body(client.get(reverse("editorial:library"), {"loai": "nghi_quyet", "trang": 2}))
    assert second.count('class="entry"') == 5 and "Văn bản số 0<" in second


# --- news -------------------------------------------------------------------------------------


def test_the_news_list_filters_by_category(client, tree, people):
    news(tree["province"], title="Tin thời sự", category="current")
    news(tree["province"], title="Tin quốc tế", category="international", featured=True)
    client.force_login(people["a"].user)
    text = body(client.get(reverse("editorial:news")))
    assert "Tin thời sự" in text and "Tin quốc tế" in text and "Nổi bật" in text
    text = body(client.get(reverse("editorial:news"), {"chuyen-muc": "international"}))
    assert "Tin thời sự" not in text and "Tin quốc tế" in text
    text = body(client.get(reverse("editorial:news"), {"chuyen-muc": "khong-co"}))
    assert "Chuyên mục không hợp lệ." in text and "Tin thời sự" in text


# --- bookmarks --------------------------------------------------------------------------------


def test_bookmarks_toggle_and_list(client, tree, people, docs):
    item = news(tree["province"], title="Tin để đọc sau")
    client.force_login(people["a"].user)
    url = reverse("editorial:bookmark", args=[docs["d1"].pk])
    response = client.post(url, {"luu": "1", "next": docs["d1"].url})
    assert response.status_code == 302 and response["Location"] == docs["d1"].url
    client.post(url, {"luu": "1"})  # idempotent
    assert Bookmark.objects.filter(member=people["a"], page_id=docs["d1"].pk).count() == 1
    client.post(reverse("editorial:bookmark", args=[item.pk]))  # no "luu": toggles on
    text = body(client.get(reverse("editorial:bookmarks")))
    assert text.index("Tin để đọc sau") < text.index("Chỉ thị của Huyện 1")  # newest bookmark first
    assert "Bỏ khỏi Đọc sau" in body(client.get(docs["d1"].url))
    client.post(reverse("editorial:bookmark", args=[item.pk]))  # toggles off
    client.post(url, {"luu": "0"})
    client.post(url, {"luu": "0"})
    assert not Bookmark.objects.exists()
    assert client.get(url).status_code == 405  # a change is a POST
    assert client.post(reverse("editorial:bookmark", args=[999999])).status_code == 404


def test_an_unsafe_next_is_not_followed(client, tree, people, docs):
    client.force_login(people["a"].user)
    response = client.post(
        reverse("editorial:bookmark", args=[docs["d1"].pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/doc-sau/"


def test_a_bookmark_of_a_page_that_left_the_scope_is_not_shown(client, tree, people, docs):
    client.force_login(people["a"].user)
    client.post(reverse("editorial:bookmark", args=[docs["d1"].pk]), {"luu": "1"})
    client.post(reverse("editorial:bookmark", args=[docs["province"].pk]), {"luu": "1"})
    DocumentPage.objects.filter(pk=docs["d1"].pk).update(
        audience_org=tree["c12"]
    )  # another cell of Xã 1
    text = body(client.get(reverse("editorial:bookmarks")))
    assert "Nghị quyết của Tỉnh" in text and "Chỉ thị của Huyện 1" not in text
    DocumentPage.objects.filter(pk=docs["province"].pk).update(live=False)  # unpublished
    assert "Nghị quyết của Tỉnh" not in body(client.get(reverse("editorial:bookmarks")))


def test_the_shell_has_a_library_tab(client, tree, people):
    client.force_login(people["a"].user)
    text = body(client.get(reverse("editorial:library")))
    # In the bar or in its "Thêm" menu: the bar fits any number of tabs (test_shell_bar.py).
    assert 'href="/thu-vien/" aria-current="page"' in text
