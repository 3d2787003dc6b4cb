"""The inbox and the settings in Debian's Chromium at 360×740, normal and large type: read,
mark read, the badge, the settings form without JavaScript, the service worker at /sw.js, no
CSP violation, contrast and finger-sized targets. Screenshots under var/screenshots/."""

import pytest

from sotay_plugins.notices import services
from sotay_plugins.notices.models import Notice
from tests.e2e.helpers import (
    CONTRAST_PROBLEMS,
    PASSWORD,
    SCREENSHOTS,
    SMALL_TARGETS,
    follow,
    log_in,
    watch_csp,
)
from tests.factories import MemberFactory, small_tree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_inbox_and_settings_on_a_phone(browser, live_server, large, settings):
    settings.SOTAY_VAPID_PUBLIC_KEY = "BPlaceholderKeyForThePageOnly"
    tree = small_tree()
    member = MemberFactory(cell=tree["c11"])
    for i, title in enumerate(
        ["Thông báo: học tập Nghị quyết", "Nhắc đóng đảng phí quý này", "Triệu tập sinh hoạt"]
    ):
        services.request(
            kind="notices.announcement",
            member_ids=[member.pk],
            title=title,
            body="Đề nghị các đồng chí tham dự đầy đủ, đúng giờ.",
            url="/thong-bao/",
            dedupe_key=f"e2e:{i}",
        )
    Notice.objects.filter(title__startswith="Nhắc").update(read_at="2027-01-01T00:00Z")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    csp = watch_csp(context)
    if large:
        context.add_cookies([{"name": "sotay_large", "value": "1", "url": live_server.url}])
    page = context.new_page()
    log_in(page, live_server.url, member.cccd, PASSWORD)
    page.goto(f"{live_server.url}/thong-bao/")
    # on the tab, or on the "Thêm" menu holding it (large type leaves fewer places in the bar)
    assert page.locator(".tab-badge:visible").inner_text() == "2"
    assert page.locator(".notice.unread").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(CONTRAST_PROBLEMS) == []
    assert page.evaluate(SMALL_TARGETS) == []
    suffix = "large" if large else "normal"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"notices-inbox-{suffix}.png"), full_page=True)
    follow(page, page.get_by_role("button", name="Đánh dấu tất cả đã đọc"))
    assert page.locator(".notice.unread").count() == 0
    assert page.locator(".tab-badge").count() == 0
    page.get_by_role("link", name="Cài đặt thông báo").click()
    page.locator('input[name="mode-notices.announcement"][value="digest"]').check()
    follow(page, page.get_by_role("button", name="Lưu"))
    assert "Đã lưu cách nhận thông báo." in page.content()
    # The label is the finger's target; the radio inside it is drawn small.
    targets = [t for t in page.evaluate(SMALL_TARGETS) if not t["what"].startswith("mode-")]
    assert targets == []
    assert page.evaluate(CONTRAST_PROBLEMS) == []
    page.screenshot(path=str(SCREENSHOTS / f"notices-settings-{suffix}.png"), full_page=True)
    # The service worker registers at the site's root scope (the page's own script did, or here).
    scope = page.evaluate(
        "navigator.serviceWorker.register('/sw.js', {scope: '/'}).then((r) => r.scope)"
    )
    assert scope == f"{live_server.url}/"
    assert csp == []
    context.close()
