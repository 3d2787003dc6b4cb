"""The reports dashboard on a cell secretary's phone (issue 16), in Debian's Chromium at
360×640: the page fits the screen (no sideways scroll), has one h1, every field labelled, targets
of 48 px, no CSP violation (the new_page fixture), charts as images with their tables; then the
list of members who never opened a document. Screenshot: var/screenshots/reports-*.png."""

from datetime import date

import pytest

from sotay_plugins.reports.rollups import engine
from sotay_plugins.reports.rollups.periods import add_months, month_start
from tests.factories import MemberFactory, grant, small_tree

from .helpers import PASSWORD, SMALL_TARGETS, STRUCTURE, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_the_secretary_reads_the_cells_figures_on_a_phone(live_server, new_page, shot):
    tree = small_tree()
    secretary = MemberFactory(
        cell=tree["c11"], full_name="Nguyễn Thị Bí Thư", positions=frozenset({"bi_thu_chi_bo"})
    )
    grant(secretary.user, "cell_secretary", tree["c11"])
    for name in ("Trần Văn An", "Lê Thị Bình"):
        MemberFactory(cell=tree["c11"], full_name=name, joined_on=date(2001, 1, 1))
    end = month_start(date.today())
    engine.rebuild(add_months(end, -2), end)

    page = new_page(js=False)
    log_in(page, live_server.url, secretary.cccd, PASSWORD)
    page.goto(f"{live_server.url}/bao-cao/?granularity=month")
    assert page.locator("h2").first.inner_text().startswith("Chi bộ 1.1")
    assert page.evaluate(OVERFLOW) <= 0
    structure = page.evaluate(STRUCTURE)
    assert structure["h1"] == 1 and structure["unlabelled"] == []
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.locator("svg[role=img] title").count() >= 2
    assert page.get_by_text("Tổng số đảng viên").first.is_visible()
    shot(page, "reports-dashboard-360", full=True)

    page.get_by_role("link", name="Danh sách đảng viên chưa mở văn bản nào").click()
    assert page.evaluate(OVERFLOW) <= 0
    assert "Trần Văn An" in page.content()
    shot(page, "reports-readers-360", full=True)
