"""The search page in a real browser (Debian's chromium) on cheap phones, normal and large type:
the header's magnifier reaches it at 320 px, the form and hits fit without sideways scrolling,
targets are large enough, contrast holds. Screenshots: /tmp/shots-search/."""

from pathlib import Path

import pytest

from search import indexing
from tests.e2e.helpers import CONTRAST_PROBLEMS, SMALL_TARGETS, STRUCTURE, watch_csp
from tests.factories import ensure_site

from .helpers import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots-search")  # noqa: S108 (screenshots for a person to look at)
PASSWORD = "Matkhau@123"


@pytest.fixture
def live_world():
    ensure_site()
    world = make_world()
    indexing.rebuild()
    return world


@pytest.mark.parametrize("size", [(320, 640), (360, 740)])
@pytest.mark.parametrize("large", [False, True])
def test_search_from_the_header_on_a_phone(live_server, browser, live_world, size, large):
    base = live_server.url
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    violations = watch_csp(context)
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        if large:
            context.add_cookies([{"name": "sotay_large", "value": "1", "url": base}])
        page.goto(f"{base}/dang-nhap/")
        page.get_by_label("Số CCCD").fill(live_world["a"].cccd)
        page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base}/")
        link = page.locator("a.bar-search")
        assert link.is_visible()
        box = link.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44 and box["x"] + box["width"] <= width
        link.click()
        page.wait_for_url(f"{base}/tim-kiem/")
        page.get_by_label("Từ khóa hoặc số văn bản").fill("nghi quyet 12")
        page.get_by_role("button", name="Tìm", exact=True).click()
        page.wait_for_load_state()
        hits = page.locator("a.hit")
        assert hits.count() >= 1
        assert "12-NQ/TW" in hits.first.inner_text()
        assert page.locator("a.hit mark").count() >= 1
        structure = page.evaluate(STRUCTURE)
        assert structure["h1"] == 1 and structure["unlabelled"] == [], structure
        assert page.evaluate(SMALL_TARGETS) == []
        assert page.evaluate(CONTRAST_PROBLEMS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = f"search-{width}x{height}{'-large' if large else ''}"
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert errors == [] and violations == []
