"""The member's QR page renews its code without reloading (issue 17: the meta refresh reloaded
the page every minute while the member read it, axe: critical), and keeps a no-JavaScript
"Làm mới mã" link."""

import pytest

from tests.factories import MemberFactory, small_tree

from .helpers import PASSWORD, SMALL_TARGETS, log_in, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member():
    return MemberFactory(full_name="Lê Văn Tư", cell=small_tree()["c11"])


def test_the_code_is_renewed_in_place_with_javascript(live_server, new_page, shot, member):
    base = live_server.url
    page = new_page()
    page.clock.install()
    log_in(page, base, member.cccd, PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/ma-qr/")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    page.evaluate("window.__stayed = true")
    first = page.locator("#qr-card svg").inner_html()
    assert "tự đổi mới" in page.locator("#qr-note").inner_text()
    with page.expect_response(lambda r: r.url.endswith("/ma-qr/the/")) as renewal:
        page.clock.run_for(61_000)
    assert renewal.value.status == 200
    wait_until(page, "document.getElementById('qr-card').dataset.renewed === '1'")
    assert page.evaluate("window.__stayed") is True  # the same page: nothing reloaded
    assert page.locator("#qr-card svg").count() == 1
    assert page.url == f"{base}/ma-qr/"
    # the button renews in place too
    with page.expect_response(lambda r: r.url.endswith("/ma-qr/the/")):
        page.get_by_role("link", name="Làm mới mã").click()
    wait_until(page, "document.getElementById('qr-card').dataset.renewed === '2'")
    assert page.evaluate("window.__stayed") is True
    assert first.startswith("<") and page.evaluate(SMALL_TARGETS) == []
    shot(page, "qr-js")


def test_without_javascript_the_link_renews_the_code(live_server, new_page, shot, member):
    base = live_server.url
    page = new_page(js=False)
    log_in(page, base, member.cccd, PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/ma-qr/")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    assert "Làm mới mã" in page.locator("#qr-note").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Làm mới mã").click()
    assert page.url == f"{base}/ma-qr/" and page.locator("#qr-card svg").count() == 1
    shot(page, "qr-nojs")
