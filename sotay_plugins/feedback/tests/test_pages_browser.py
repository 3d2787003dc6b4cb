"""The member's feedback and Q&A pages in a real browser (Debian's chromium), at 320 and 360 px,
normal and large type, without JavaScript: no sideways scrolling, every field labelled, the
small-cell warning shown, and a hidden feedback sent through the form."""

import pytest

from sotay_plugins.feedback.models import Feedback, Receiver, Topic
from tests.e2e.helpers import PASSWORD, SCREENSHOTS, STRUCTURE, log_in
from tests.factories import MemberFactory, small_tree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENSHOTS / "feedback"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_send_follow_and_ask_on_a_phone(browser, live_server, settings):
    settings.FEEDBACK_SMALL_CELL = 5
    tree = small_tree()
    Receiver.objects.create(org=tree["d1"], name="Ban Thường vụ Huyện 1")
    Topic.objects.create(org=tree["province"], name="Xây dựng Đảng")
    member = MemberFactory(cell=tree["c11"], full_name="Trần Thị Góp Ý")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in ({"width": 320, "height": 640}, {"width": 360, "height": 740}):
        for large in (False, True):
            context = browser.new_context(viewport=size, locale="vi-VN", java_script_enabled=False)
            page = context.new_page()
            log_in(page, live_server.url, member.user.username, PASSWORD)
            if large:
                page.locator("form.size button").click()
            for path, name in (("/gop-y/gui/", "send"), ("/gop-y/", "list"), ("/hoi-dap/", "qa")):
                page.goto(live_server.url + path)
                assert page.evaluate(OVERFLOW) <= 0, (path, size, large)
                structure = page.evaluate(STRUCTURE)
                assert structure["h1"] == 1 and not structure["unlabelled"], structure
                label = f"{name}-{size['width']}{'-large' if large else ''}.png"
                page.screenshot(path=str(SHOTS / label), full_page=True)
            context.close()
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    log_in(page, live_server.url, member.user.username, PASSWORD)
    page.goto(live_server.url + "/gop-y/gui/")
    assert "chỉ có 1 đảng viên" in page.content()  # the small-cell warning
    page.select_option("#fb-receiver", label="Ban Thường vụ Huyện 1")
    page.fill("#fb-text", "Đề nghị sửa đường liên ấp <b>gấp</b>")
    page.check("input[name=hide_identity][value='1']")
    page.get_by_role("button", name="Gửi góp ý").click()
    page.wait_for_url("**/gop-y/*/")
    assert "&lt;b&gt;" not in page.inner_text("main") and "<b>gấp</b>" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "detail-360.png"), full_page=True)
    feedback = Feedback.objects.get()
    assert feedback.hide_identity and feedback.author_id is None
    context.close()
