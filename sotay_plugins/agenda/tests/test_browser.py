"""The calendar and a task's progress in Debian's Chromium at 360×740, normal and large type:
the month grid fits the screen, a day leads to its events, an own entry is added (and one that
ends before it starts refused), a progress report with a file is sent, the assigner sees who is
late. No horizontal scroll, no contrast problem, no CSP violation. Screenshots under
var/screenshots/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sotay_plugins.agenda import services
from sotay_plugins.meetings.models import Meeting
from tests.e2e.helpers import (
    CONTRAST_PROBLEMS,
    PASSWORD,
    SCREENSHOTS,
    SMALL_TARGETS,
    follow,
    log_in,
    watch_csp,
)
from tests.factories import MemberFactory, grant, small_tree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: Elements sticking out of a 360 px screen (what makes it scroll sideways), named.
OVERFLOW = """
() => [...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > 360.5
    || (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible"
        && el.clientWidth > 0))
  .map((el) => `${el.tagName.toLowerCase()}.${el.className}: `
    + `${Math.round(el.getBoundingClientRect().right)}`)
"""

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _at(days, hour):
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_calendar_and_task_progress_on_a_phone(browser, live_server, large, tmp_path):
    tree = small_tree()
    secretary = MemberFactory(cell=tree["c11"], full_name="Bí thư Chi bộ")
    grant(secretary.user, "cell_secretary", tree["c11"])
    member = MemberFactory(cell=tree["c11"], full_name="Nguyễn Thị Hoa")
    Meeting.objects.create(
        issuer_org=tree["c11"],
        audience_org=tree["c11"],
        title="Sinh hoạt chi bộ thường kỳ",
        starts_at=_at(1, 14),
        place="Nhà văn hóa thôn Đông",
    )
    services.save_entry(member, title="Thăm gia đình chính sách", starts_at=_at(2, 8))
    task = services.assign(
        secretary.user,
        issuer_org=tree["c11"],
        title="Rà soát hồ sơ đảng viên trên Sổ tay",
        due_at=_at(3, 17),
        members=[member, secretary],
    )
    suffix = "large" if large else "normal"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    csp = watch_csp(context)
    if large:
        context.add_cookies([{"name": "sotay_large", "value": "1", "url": live_server.url}])
    page = context.new_page()
    log_in(page, live_server.url, member.cccd, PASSWORD)

    # the month
    page.goto(f"{live_server.url}/lich/")
    assert page.locator("h1").inner_text().startswith("Lịch tháng")
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(CONTRAST_PROBLEMS) == []
    assert page.evaluate(SMALL_TARGETS) == []
    cells = page.locator("table.month td a")
    assert cells.count() >= 1
    box = page.locator("table.month").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    page.screenshot(path=str(SCREENSHOTS / f"agenda-month-{suffix}.png"), full_page=True)
    meeting_day = _at(1, 14)
    if meeting_day.month == timezone.localtime().month:  # (tomorrow may be next month)
        page.locator(f'table.month a[href="#d-{meeting_day:%Y-%m-%d}"]').click()
        assert (
            page.locator(f"#d-{meeting_day:%Y-%m-%d}")
            .get_by_text("Sinh hoạt chi bộ thường kỳ")
            .is_visible()
        )

    # the coming weeks, then a new own entry (refused first: it ends before it starts)
    follow(page, page.get_by_role("link", name="Sắp tới"))
    assert page.get_by_text("Thăm gia đình chính sách").count() == 1
    assert page.get_by_text("Rà soát hồ sơ đảng viên trên Sổ tay").count() == 1
    page.screenshot(path=str(SCREENSHOTS / f"agenda-list-{suffix}.png"), full_page=True)
    page.get_by_role("link", name="+ Thêm lịch riêng").click()
    day = _at(4, 9)
    page.get_by_label("Tiêu đề").fill("Họp tổ dân phố")
    page.get_by_label("Bắt đầu").fill(day.strftime("%Y-%m-%dT09:00"))
    page.get_by_label("Kết thúc (có thể để trống)").fill(day.strftime("%Y-%m-%dT08:00"))
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Giờ kết thúc phải sau giờ bắt đầu.").count() >= 1
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SCREENSHOTS / f"agenda-entry-refused-{suffix}.png"), full_page=True)
    page.get_by_label("Kết thúc (có thể để trống)").fill(day.strftime("%Y-%m-%dT11:00"))
    follow(page, page.get_by_role("button", name="Lưu"))
    assert page.get_by_text("Đã lưu lịch “Họp tổ dân phố”.").count() == 1

    # the task: report 60 % with a file
    page.goto(f"{live_server.url}/nhiem-vu/")
    page.get_by_role("link", name="Rà soát hồ sơ đảng viên trên Sổ tay").click()
    page.get_by_label("Tiến độ (%)").fill("60")
    page.get_by_label("Ghi chú").fill("Đã rà soát 6/10 hồ sơ.")
    report = tmp_path / "bao-cao.pdf"
    report.write_bytes(PDF)
    page.get_by_label("Tệp kèm theo (PDF, Word, Excel, ảnh JPG, PNG)").set_input_files(str(report))
    page.get_by_role("button", name="Gửi báo cáo tiến độ").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Đã ghi tiến độ 60%.").count() == 1
    assert page.get_by_role("link", name="Tệp: bao-cao.pdf").count() == 1
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(CONTRAST_PROBLEMS) == []
    page.screenshot(path=str(SCREENSHOTS / f"agenda-task-progress-{suffix}.png"), full_page=True)

    # the secretary, after the deadline, sees who is late
    task.__class__.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=1))
    context.clear_cookies()
    if large:
        context.add_cookies([{"name": "sotay_large", "value": "1", "url": live_server.url}])
    log_in(page, live_server.url, secretary.cccd, PASSWORD)
    page.goto(f"{live_server.url}/nhiem-vu/{task.pk}/")
    late = page.locator(".task.late")
    assert late.count() == 2  # the member (60 %) and the secretary (0 %): both not done
    assert "Quá hạn" in late.first.inner_text()
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SCREENSHOTS / f"agenda-task-late-{suffix}.png"), full_page=True)
    # the secretary's assign form on the phone
    page.goto(f"{live_server.url}/nhiem-vu/giao/")
    assert page.get_by_label("Nguyễn Thị Hoa").count() == 1
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate(CONTRAST_PROBLEMS) == []
    page.screenshot(path=str(SCREENSHOTS / f"agenda-task-assign-{suffix}.png"), full_page=True)
    assert csp == []
    context.close()
