"""The shell's bottom bar fits every phone (issue 17): at 320×640 and 360×740, in normal and large
type, with and without JavaScript, the bar is never wider than the screen, its labels stay on one
line and whole, and every tab (the registered ones and however many plugins add later) is one
tap away: in the bar or in its "Thêm" menu, which opens without JavaScript."""

import pytest

from sotay_plugins.registry import ShellTab, registry
from tests.factories import MemberFactory, small_tree

from .helpers import PASSWORD, SMALL_TARGETS, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = [(320, 640), (360, 740)]

MEASURE = """
() => {
  const nav = document.querySelector("nav.tabs");
  const labels = [...nav.querySelectorAll(":scope > a .tab-label, :scope summary .tab-label")];
  return {
    viewport: window.innerWidth,
    page: document.documentElement.scrollWidth,
    bar: nav.scrollWidth,
    barBox: Math.ceil(nav.getBoundingClientRect().right),
    cut: labels.filter((l) => l.scrollWidth > l.clientWidth + 1).map((l) => l.textContent),
    wrapped: labels.filter((l) => l.getClientRects().length > 1 ||
      l.getBoundingClientRect().height > parseFloat(getComputedStyle(l).lineHeight) * 1.5)
      .map((l) => l.textContent),
    inBar: [...nav.querySelectorAll(":scope > a")].map((a) => a.textContent.trim()),
    inMenu: [...nav.querySelectorAll("details li a")].map((a) => a.textContent.trim()),
  };
}
"""

MENU_BOX = """
() => { const ul = document.querySelector("nav.tabs details ul");
  const b = ul.getBoundingClientRect();
  return {left: b.left, right: b.right, top: b.top, width: window.innerWidth}; }
"""


@pytest.fixture
def member():
    tree = small_tree()
    return MemberFactory(full_name="Trần Thị Mai", cell=tree["c11"])


@pytest.fixture
def more_tabs():
    """Two more plugins' tabs (as study's "Học tập" and feedback's "Góp ý" will add)."""
    added = [
        ShellTab("x_study", "Học tập", "members:home", icon="✎", order=400),
        ShellTab("x_feedback", "Góp ý", "members:home", icon="✉", order=450),
    ]
    for tab in added:
        registry.shell_tabs[tab.key] = tab
    yield added
    for tab in added:
        registry.shell_tabs.pop(tab.key, None)


def walk(new_page, live_server, member, shot, name, *, js):
    base = live_server.url
    for large in (False, True):
        for width, height in SIZES:
            page = new_page(js=js)
            page.set_viewport_size({"width": width, "height": height})
            if large:
                page.context.add_cookies([{"name": "sotay_large", "value": "1", "url": base}])
            log_in(page, base, member.cccd, PASSWORD)
            page.wait_for_url(f"{base}/")
            for path in ("/", "/ho-so/"):
                page.goto(f"{base}{path}")
                where = (name, width, "large" if large else "normal", path, js)
                m = page.evaluate(MEASURE)
                assert m["bar"] <= m["viewport"] and m["barBox"] <= m["viewport"], (where, m)
                assert m["page"] <= m["viewport"], (where, m)
                assert m["cut"] == [] and m["wrapped"] == [], (where, m)
                assert page.evaluate(SMALL_TARGETS) == [], where
                every = {str(tab.label) for tab in registry.ordered_tabs()}
                shown = " ".join(m["inBar"] + m["inMenu"])
                assert all(label in shown for label in every), (where, m)
                assert len(m["inBar"]) + (1 if m["inMenu"] else 0) <= (3 if large else 4)
            size = "large" if large else "normal"
            shot(page, f"bar-{name}-{width}-{size}-{'js' if js else 'nojs'}")
            if page.locator("nav.tabs details").count():
                page.locator("nav.tabs summary").click()  # opens without JavaScript too
                box = page.evaluate(MENU_BOX)
                assert 0 <= box["left"] and box["right"] <= box["width"] and box["top"] >= 0, box
                shot(page, f"bar-{name}-{width}-{'large' if large else 'normal'}-menu")
                page.locator("nav.tabs details").get_by_role("link", name="Hồ sơ").click()
                page.wait_for_url(f"{base}/ho-so/")
                assert page.get_by_role("button", name="Đăng xuất").is_visible()
                # the open page's tab is marked, in the menu, and "Thêm" shows it is there
                assert page.locator("nav.tabs summary.current").count() == 1
            page.context.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_bar_fits_every_phone_and_type_size(live_server, new_page, shot, member, js):
    walk(new_page, live_server, member, shot, "today", js=js)


def test_the_bar_fits_with_the_tabs_plugins_will_add(
    live_server, new_page, shot, member, more_tabs
):
    assert len(registry.ordered_tabs()) >= 7
    walk(new_page, live_server, member, shot, "seven", js=False)
