"""The cell secretary's month from the phone, in Debian's Chromium (issue 17): the whole journey
without JavaScript at 360×740 (copy last month's meeting, convene, a refused end time, mark by
hand and come back to the same row, minutes, the warning when nobody was checked in, approval and
the lock), then every secretary page at 320×640 and 360×740, normal and large type, with and
without JavaScript: nothing wider than the screen, one h1, every control labelled, targets of
48 px, AA contrast; and axe-core (when installed, see ``AXE_JS``) finds no serious or critical
violation. Screenshots: var/screenshots/secretary-*.png."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from sotay_plugins.meetings import materials as material_service
from sotay_plugins.meetings import services
from sotay_plugins.meetings.models import Attendance, Material, Meeting
from tests.factories import MemberFactory, grant, small_tree

from .helpers import CONTRAST_PROBLEMS, PASSWORD, SMALL_TARGETS, STRUCTURE, follow, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: axe-core's browser build, installed into the git-ignored var/ by
#: ``npm install --prefix var/npm axe-core@4.10.2`` (or point AXE_JS at one); without it the
#: pages are still walked and checked, only axe is left out.
AXE_JS = Path(
    os.environ.get("AXE_JS")
    or Path(__file__).resolve().parents[2] / "var/npm/node_modules/axe-core/axe.min.js"
)
SIZES = {"320": {"width": 320, "height": 640}, "360": {"width": 360, "height": 740}}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def cell():
    tree = small_tree()
    secretary = MemberFactory(
        cell=tree["c11"], full_name="Nguyễn Thị Bí Thư", positions=frozenset({"bi_thu_chi_bo"})
    )
    grant(secretary.user, "cell_secretary", tree["c11"])
    people = [
        MemberFactory(cell=tree["c11"], full_name=name)
        for name in ("Trần Văn An", "Lê Thị Bình", "Phạm Văn Cường", "Đỗ Thị Dung")
    ]
    last = Meeting.objects.create(
        issuer_org=tree["c11"],
        audience_org=tree["c11"],
        title="Sinh hoạt thường kỳ tháng trước",
        starts_at=timezone.now() - timedelta(days=2),
        place="Nhà văn hóa thôn Đông",
        agenda="1. Kiểm điểm việc tháng trước\n2. Phương hướng tháng tới",
        chair=secretary,
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=last, member_id=pk)
        for pk in services.expected_members(tree["c11"]).values_list("pk", flat=True)
    )
    doc = Material.objects.create(
        issuer_org=tree["province"],
        audience_org=tree["province"],
        title="Chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    )
    Material.objects.create(
        issuer_org=tree["d1"], audience_org=tree["d1"], title="Hướng dẫn của Huyện ủy"
    )
    material_service.pick(last, doc, user=secretary.user)
    material_service.record_open(doc, people[0])
    return {"tree": tree, "secretary": secretary, "people": people, "last": last}


def context_for(browser, size, js=True, bypass_csp=False):
    context = browser.new_context(
        viewport=SIZES[size],
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        java_script_enabled=js,
        bypass_csp=bypass_csp,
    )
    context.set_default_timeout(15_000)
    return context


def check_page(page, where):
    assert page.evaluate(OVERFLOW) <= 0, (where, "wider than the screen")
    structure = page.evaluate(STRUCTURE)
    assert structure["lang"] == "vi" and structure["h1"] == 1, (where, structure)
    assert structure["unlabelled"] == [], (where, structure)
    small = [t for t in page.evaluate(SMALL_TARGETS) if t["what"] != "confirm"]
    assert small == [], (where, small)
    assert page.evaluate(CONTRAST_PROBLEMS) == [], where


def axe(page, where):
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], (where, bad)


def test_the_secretarys_month_without_javascript(live_server, browser, shot, cell):
    base, last = live_server.url, cell["last"]
    context = context_for(browser, "360", js=False)
    page = context.new_page()
    log_in(page, base, cell["secretary"].cccd, PASSWORD)
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/sinh-hoat/")
    page.get_by_role("link", name="Việc của bí thư: triệu tập, điểm danh, biên bản").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Việc của bí thư"
    shot(page, "secretary-list")

    # Copy last month's meeting, then a refused end time: the typed values stay.
    page.get_by_role("link", name="Sao chép buổi trước").first.click()
    assert page.locator("#id_place").input_value() == "Nhà văn hóa thôn Đông"
    assert "Kiểm điểm việc tháng trước" in page.locator("#id_agenda").input_value()
    page.locator("#id_start").fill("19:30")
    page.locator("#id_end").fill("18:00")
    page.get_by_role("button", name="Triệu tập và báo đảng viên").click()
    assert "Giờ kết thúc phải sau giờ bắt đầu." in page.locator("#id_end_error").inner_text()
    assert page.locator("#id_end").get_attribute("aria-invalid") == "true"
    shot(page, "secretary-convene-error", full=True)
    page.locator("#id_end").fill("21:00")
    page.get_by_role("button", name="Triệu tập và báo đảng viên").click()
    assert "Đã triệu tập" in page.locator(".messages").inner_text()
    new = Meeting.objects.exclude(pk=last.pk).get()
    assert new.place == "Nhà văn hóa thôn Đông" and new.attendance.count() == 5
    shot(page, "secretary-meeting-new", full=True)

    # Last month's meeting: mark by hand, and come back to the same row.
    page.goto(f"{base}/sinh-hoat/{last.pk}/bi-thu/")
    page.get_by_role("link", name="Điểm danh thủ công").click()
    dung = next(p for p in cell["people"] if p.full_name == "Đỗ Thị Dung")
    row = page.locator(f"#member-{dung.pk}")
    row.get_by_label("Tình trạng").select_option("excused")
    row.get_by_label("Lý do (khi vắng)").fill("Đi viện")
    follow(page, row.get_by_role("button"))
    assert page.url.endswith(f"#member-{dung.pk}")
    row = page.locator(f"#member-{dung.pk}")
    assert "Đã lưu" in row.inner_text() and "Đi viện" in row.inner_text()
    box = row.bounding_box()
    assert 0 <= box["y"] < SIZES["360"]["height"], box  # the row is on screen, not the top
    shot(page, "secretary-mark-saved")
    assert Attendance.objects.get(meeting=last, member=dung).status == "excused"

    # Minutes: saved, then approval warned (nobody present), refused without the tick, done with it.
    page.goto(f"{base}/sinh-hoat/{last.pk}/bi-thu/bien-ban/")
    page.locator("#id_minutes").fill("Chi bộ họp lúc 19 giờ 30.\nĐồng chí An phát biểu.")
    page.locator("#id_resolution").fill("Tập trung thu hoạch vụ mùa.")
    follow(page, page.get_by_role("button", name="Lưu biên bản"))
    assert "Cảnh báo: chưa có đảng viên nào được điểm danh có mặt." in page.content()
    shot(page, "secretary-minutes-warning", full=True)
    follow(page, page.get_by_role("button", name="Duyệt biên bản và khóa"))
    assert page.get_by_role("alert").first.is_visible()
    last.refresh_from_db()
    assert last.state == Meeting.State.HELD
    page.get_by_label("Tôi xác nhận vẫn duyệt dù chưa ai được điểm danh").check()
    follow(page, page.get_by_role("button", name="Duyệt biên bản và khóa"))
    assert "hồ sơ đã khóa" in page.content()
    last.refresh_from_db()
    assert last.state == Meeting.State.CLOSED
    shot(page, "secretary-minutes-locked")

    page.goto(f"{base}/sinh-hoat/{last.pk}/bi-thu/chua-doc/")
    assert "Lê Thị Bình" in page.content() and "1 đảng viên đã mở đủ tài liệu." in page.content()
    shot(page, "secretary-not-opened")
    context.close()


@pytest.mark.parametrize("size", ["320", "360"])
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_every_secretary_page_fits_the_phone(live_server, browser, shot, cell, size, large, js):
    base, last = live_server.url, cell["last"]
    context = context_for(browser, size, js=js, bypass_csp=AXE_JS.exists() and js)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, base, cell["secretary"].cccd, PASSWORD)
    page.wait_for_url(f"{base}/")
    if large:
        page.get_by_role("button", name="Chữ lớn").click()
        page.wait_for_url(f"{base}/")
    pages = {
        "list": "/sinh-hoat/bi-thu/",
        "convene": "/sinh-hoat/bi-thu/trieu-tap/",
        "meeting": f"/sinh-hoat/{last.pk}/bi-thu/",
        "materials": f"/sinh-hoat/{last.pk}/bi-thu/tai-lieu/",
        "checkin": f"/sinh-hoat/{last.pk}/diem-danh/",
        "mark": f"/sinh-hoat/{last.pk}/bi-thu/diem-danh/",
        "minutes": f"/sinh-hoat/{last.pk}/bi-thu/bien-ban/",
        "not-opened": f"/sinh-hoat/{last.pk}/bi-thu/chua-doc/",
    }
    label = f"{size}-{'large' if large else 'normal'}-{'js' if js else 'nojs'}"
    for name, path in pages.items():
        response = page.goto(base + path)
        assert response.status == 200, (name, response.status)
        where = f"{name} {label}"
        check_page(page, where)
        if js and AXE_JS.exists():
            axe(page, where)
        if name != "checkin":
            shot(page, f"secretary-{name}-{label}", full=True)
    context.close()
    assert errors == []
