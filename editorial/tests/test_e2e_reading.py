"""The reading side in a real browser on a cheap phone (360×740): the home feed, the library
with a filter, a document page with its PDF viewer, in normal and large type. Screenshots go to
/tmp/shots/ (and var/screenshots/ through the shared ``shot`` fixture's folder)."""

from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from editorial.models import DocumentFile, DocumentPage, LibraryFile, NewsPage
from editorial.sections import section_for
from tests.e2e.helpers import CONTRAST_PROBLEMS, SMALL_TARGETS, STRUCTURE, watch_csp
from tests.factories import MemberFactory, small_tree
from tests.factories import ensure_site as ensure_home

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Matkhau@123"
PHONE = {"width": 360, "height": 740}
SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots for a person to look at, nothing secret)


def pdf_bytes(text="Nghi quyet so 15-NQ/TU"):
    """A small valid one-page PDF that says ``text``."""
    stream = f"BT /F1 24 Tf 40 700 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def add(model, org, audience=None, **fields):
    page = model(issuer_org=org, audience_org=audience or org, live=True, **fields)
    section_for(org).add_child(instance=page)
    return page


@pytest.fixture
def world():
    ensure_home()
    tree = small_tree()
    member = MemberFactory(full_name="Nguyễn Văn Bình", cell=tree["c11"])
    doc = add(
        DocumentPage,
        tree["province"],
        title="Nghị quyết về đẩy mạnh chuyển đổi số trong các cơ quan đảng",
        number="15-NQ/TU",
        kind="nghi_quyet",
        issued_on=date(2026, 3, 2),
        summary=(
            "Về đẩy mạnh chuyển đổi số, xây dựng chính quyền số giai đoạn 2026–2030.\n"
            "Giao các cấp ủy triển khai."
        ),
    )
    stored = LibraryFile(
        title="Toàn văn Nghị quyết 15", file=ContentFile(pdf_bytes(), name="15-nq-tu.pdf")
    )
    stored.save()
    DocumentFile(page=doc, file=stored, label="Toàn văn Nghị quyết 15-NQ/TU").save()
    add(
        DocumentPage,
        tree["d1"],
        title="Chỉ thị về công tác phát triển đảng viên năm 2026",
        number="08-CT/HU",
        kind="chi_thi",
        issued_on=date(2026, 2, 10),
        summary="Phát triển đảng viên.",
    )
    add(
        DocumentPage,
        tree["c11"],
        title="Thông báo lịch sinh hoạt chuyên đề quý I",
        number="03-TB/CB",
        kind="thong_bao",
        issued_on=date(2026, 3, 5),
        summary="Lịch sinh hoạt chuyên đề.",
    )
    add(
        NewsPage,
        tree["b1"],
        title="Đảng ủy xã tổng kết công tác năm 2025",
        category="leadership",
        lead="Sáng 05/01, Đảng ủy xã tổ chức hội nghị tổng kết.",
    )
    for n in range(6):
        add(
            NewsPage,
            tree["province"],
            title=f"Tin thời sự số {n + 1} của Tỉnh ủy về chuyển đổi số",
            category="current",
        )
    add(
        DocumentPage,
        tree["d2"],
        title="Văn bản của Huyện 2",
        number="09-KH/HU",
        kind="ke_hoach",
        issued_on=date(2026, 1, 1),
        summary="Không dành cho Huyện 1.",
    )
    return {"tree": tree, "member": member, "doc": doc, "file": stored}


@pytest.fixture
def phone(browser):
    contexts, errors, violations = [], [], []

    def make():
        context = browser.new_context(
            viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        context.set_default_timeout(15_000)
        violations.append(watch_csp(context))
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == []
    assert [v for found in violations for v in found] == []  # the PDF viewer, read-aloud…


def snap(page, name, full=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def check_page(page, where):
    structure = page.evaluate(STRUCTURE)
    assert structure["lang"] == "vi" and structure["h1"] == 1 and structure["main"] == 1, (
        where,
        structure,
    )
    assert structure["unlabelled"] == [], (where, structure)
    assert page.evaluate(SMALL_TARGETS) == [], where
    assert page.evaluate(CONTRAST_PROBLEMS) == [], where
    # nothing wider than the phone: no sideways scrolling of the page itself
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], where


def test_member_reads_feed_library_and_a_document(live_server, phone, world):
    base = live_server.url
    page = phone()
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Số CCCD").fill(world["member"].cccd)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")

    feed = page.locator(".feed")
    assert "Của chi bộ, đảng bộ cơ sở của đồng chí" in feed.inner_text()
    assert "Thông báo lịch sinh hoạt chuyên đề quý I" in feed.inner_text()
    assert "Văn bản của Huyện 2" not in page.content()
    snap(page, "feed")
    check_page(page, "feed")

    # The library tab is in the bar or, with more tabs than places, in its "Thêm" menu.
    tabs = page.get_by_role("navigation", name="Các mục chính")
    library = tabs.get_by_role("link", name="Thư viện")
    if not library.is_visible():
        tabs.locator("details.more summary").click()
    library.click()
    page.wait_for_url(f"{base}/thu-vien/")
    snap(page, "library", full=False)
    check_page(page, "library")
    page.locator("main summary").click()
    page.get_by_label("Loại văn bản").select_option("nghi_quyet")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(f"{base}/thu-vien/?*")
    rows = page.locator("ul.entries li")
    assert (
        rows.count() == 1 and "15-NQ/TU" in rows.inner_text() and "02/03/2026" in rows.inner_text()
    )
    snap(page, "library-filtered")
    check_page(page, "library filtered")

    page.get_by_role("link", name="Nghị quyết về đẩy mạnh chuyển đổi số").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Nghị quyết về đẩy mạnh")
    viewer = page.locator("object.pdf-viewer")
    assert viewer.get_attribute("data") == f"/tep/{world['file'].pk}/?xem=1"
    # On a phone the embedded viewer gives way to the reading view sized for it (issue 17).
    assert not viewer.is_visible()
    assert page.get_by_role("link", name="Đọc trên điện thoại").is_visible()
    assert page.get_by_role("link", name="Tải về").is_visible()
    assert page.get_by_role("button", name="Lưu đọc sau").is_visible()
    snap(page, "document", full=False)
    snap(page, "document-full")
    check_page(page, "document")

    # bookmark it; it shows in "Đọc sau"
    page.get_by_role("button", name="Lưu đọc sau").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Bỏ khỏi Đọc sau").is_visible()
    page.goto(f"{base}/doc-sau/")
    assert "15-NQ/TU" in page.locator("ul.entries").inner_text()
    snap(page, "bookmarks")
    check_page(page, "bookmarks")

    # large type: the same pages still fit the phone
    page.goto(f"{base}/thu-vien/?loai=nghi_quyet")
    page.get_by_role("button", name="Chữ lớn").click()
    page.wait_for_load_state()
    snap(page, "library-large")
    check_page(page, "library, large type")
    page.goto(f"{base}{world['doc'].url}")
    snap(page, "document-large", full=False)
    page.get_by_role("link", name="Đọc trên điện thoại").scroll_into_view_if_needed()
    snap(page, "document-large-reading-link", full=False)
    snap(page, "document-large-full")
    check_page(page, "document, large type")
    page.goto(f"{base}/")
    snap(page, "feed-large")
    check_page(page, "feed, large type")
    page.goto(f"{base}/tin-tuc/")
    snap(page, "news-large")
    check_page(page, "news, large type")
