"""The resolution reader in a real browser on a cheap phone (360×740): scrolling to the end
records the reading (the page's script), and without JavaScript the "Tôi đã đọc hết" button does
the same; "Học tập" shows the progress. No CSP violation, no script error, targets and contrast
as the shell requires. Screenshots: /tmp/shots-study/."""

from pathlib import Path

import pytest

from sotay_plugins.study.resolutions.models import ResolutionStudy
from tests.e2e.helpers import CONTRAST_PROBLEMS, SMALL_TARGETS, STRUCTURE, watch_csp
from tests.factories import MemberFactory, ensure_site, small_tree

from .resolutions_helpers import resolution

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Matkhau@123"
PHONE = {"width": 360, "height": 740}
SHOTS = Path("/tmp/shots-study")  # noqa: S108 (screenshots for a person to look at)


@pytest.fixture
def world():
    ensure_site()
    tree = small_tree()
    long_body = [
        {"type": "paragraph", "value": f"<p>Đoạn {n}: nội dung nghị quyết cần đọc kỹ.</p>"}
        for n in range(40)
    ]
    return {
        "tree": tree,
        "member": MemberFactory(full_name="Nguyễn Văn Bình", cell=tree["c11"]),
        "other": MemberFactory(full_name="Trần Thị Lan", cell=tree["c12"]),
        "page": resolution(tree["province"], body=long_body),
    }


def check_page(page, where):
    structure = page.evaluate(STRUCTURE)
    assert structure["lang"] == "vi" and structure["h1"] == 1, (where, structure)
    assert structure["unlabelled"] == [], (where, structure)
    assert page.evaluate(SMALL_TARGETS) == [], where
    assert page.evaluate(CONTRAST_PROBLEMS) == [], where
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], where


def login(page, base, member):
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Số CCCD").fill(member.cccd)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")


def test_reading_to_the_end_with_and_without_javascript(live_server, browser, world):
    base, res = live_server.url, world["page"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors, violations = [], []
    context = browser.new_context(viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    violations.append(watch_csp(context))
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, base, world["member"])
    page.goto(f"{base}/hoc-tap/")
    assert "Chưa bắt đầu" in page.content()
    check_page(page, "study home")
    page.get_by_role("link", name=res.title).click()
    page.wait_for_url(f"{base}/hoc-tap/nghi-quyet/{res.pk}/")
    check_page(page, "reader")
    page.screenshot(path=str(SHOTS / "e2e-reader-top.png"))
    assert not ResolutionStudy.objects.get(member=world["member"]).read_at
    page.locator("#ket-thuc").scroll_into_view_if_needed()
    page.get_by_text("Đồng chí đã đọc hết nghị quyết.").wait_for()
    page.screenshot(path=str(SHOTS / "e2e-reader-end.png"))
    row = ResolutionStudy.objects.get(member=world["member"])
    assert row.read_at is not None and row.read_via == "text"
    page.goto(f"{base}/hoc-tap/")
    assert "còn bài kiểm tra" in page.content()
    context.close()

    plain = browser.new_context(viewport=PHONE, locale="vi-VN", java_script_enabled=False)
    page = plain.new_page()
    login(page, base, world["other"])
    page.goto(f"{base}/hoc-tap/nghi-quyet/{res.pk}/")
    page.locator("#ket-thuc").scroll_into_view_if_needed()
    assert not ResolutionStudy.objects.get(member=world["other"]).read_at
    page.get_by_role("button", name="Tôi đã đọc hết").click()
    page.wait_for_load_state()
    assert "Đã ghi nhận đồng chí đọc hết nghị quyết." in page.content()
    assert ResolutionStudy.objects.get(member=world["other"]).read_via == "button"
    plain.close()
    assert errors == [] and [v for found in violations for v in found] == []
