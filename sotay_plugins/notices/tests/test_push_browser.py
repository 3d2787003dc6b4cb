"""A push notification reaches the phone (issue 18: "receive a push notification"), in Debian's
Chromium at 360×740.

The real sending code pushes a notice to a device subscription whose keys the test made, through
a local push service stand-in; the test decrypts what arrived (aes128gcm, as the browser would)
and hands those very bytes to the real service worker's ``push`` handler through the Chrome
DevTools Protocol (``ServiceWorker.deliverPushMessage``). The phone then shows the notice's
Vietnamese title, body and address, and its notificationclick handler opens the notice's page."""

from __future__ import annotations

import http_ece
import pytest
import time_machine

from sotay_plugins import signals
from sotay_plugins.notices import push
from sotay_plugins.notices.models import Notice, PushSubscription
from tests.e2e.helpers import PASSWORD, SCREENSHOTS, log_in, wait_until, watch_csp
from tests.factories import MemberFactory, document_page

from .helpers import device_keys, run_jobs

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOWN = """navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) =>
  list.map((n) => ({title: n.title, body: n.body, tag: n.tag, url: (n.data || {}).url})))"""


def _send_through_the_real_code(member, service, url):
    """The notice pushed by the real sender to the test's device; returns the notice and the
    decrypted payload bytes the push service received."""
    key, p256dh, auth = device_keys()
    PushSubscription.objects.create(
        member=member, endpoint=f"{service.base}/phone", p256dh=p256dh, auth=auth
    )
    with time_machine.travel("2027-03-10 12:00 +0700", tick=True), run_jobs():  # no quiet hours
        signals.notice_requested.send(
            sender=None,
            kind="notices.announcement",
            member_ids=[member.pk],
            title="Triệu tập sinh hoạt chi bộ tháng 3",
            body="Đề nghị các đồng chí đọc trước Nghị quyết về chuyển đổi số.",
            url=url,
            dedupe_key="e2e:push:1",
        )
    assert service.paths() == ["/phone"]
    _path, headers, body = service.requests[0]
    assert headers["content-encoding"] == "aes128gcm"
    clear = http_ece.decrypt(
        body, private_key=key, auth_secret=push.b64url_decode(auth), version="aes128gcm"
    )
    return Notice.objects.get(member=member), clear


def _registration_id(cdp, page, scope):
    found = {}

    def seen(event):
        for registration in event["registrations"]:
            if registration["scopeURL"] == scope and not registration.get("isDeleted"):
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    for _ in range(100):
        if "id" in found:
            return found["id"]
        page.wait_for_timeout(100)
    raise AssertionError(f"no service worker registration for {scope}")


def test_a_pushed_notice_is_shown_with_its_title_and_opens_its_page(
    browser, live_server, vapid, push_service
):
    from tests.factories import small_tree

    tree = small_tree()
    member = MemberFactory(cell=tree["c11"], full_name="Nguyễn Thị Tâm")
    target = document_page(tree["d1"], title="Nghị quyết về chuyển đổi số", number="7-NQ/HU")
    notice, payload = _send_through_the_real_code(member, push_service, target.url)
    base = live_server.url

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(20_000)
    context.grant_permissions(["notifications"], origin=base)
    violations, errors = watch_csp(context), []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        log_in(page, base, member.cccd, PASSWORD)
        page.wait_for_url(f"{base}/")
        wait_until(page, "navigator.serviceWorker.controller !== null", timeout=30)
        assert page.evaluate("Notification.permission") == "granted"
        assert page.evaluate(SHOWN) == []

        cdp = context.new_cdp_session(page)
        registration = _registration_id(cdp, page, f"{base}/")
        # One push, delivered again if nothing shows within 10 s: on a loaded machine (CI's two
        # passes side by side) one delivery through the DevTools protocol was never seen by the
        # worker (not reproduced since). The notice's tag makes a second showing replace the
        # first, so "exactly one" below still holds; a worker that never shows fails all three.
        for attempt in range(3):
            cdp.send(
                "ServiceWorker.deliverPushMessage",
                {"origin": base, "registrationId": registration, "data": payload.decode("utf-8")},
            )
            try:
                wait_until(page, f"({SHOWN}).then((list) => list.length === 1)", timeout=10)
                break
            except AssertionError:
                if attempt == 2:
                    raise
        shown = page.evaluate(SHOWN)
        assert shown == [
            {
                "title": "Triệu tập sinh hoạt chi bộ tháng 3",
                "body": "Đề nghị các đồng chí đọc trước Nghị quyết về chuyển đổi số.",
                "tag": f"notice-{notice.pk}",
                "url": target.url,
            }
        ]

        # Opening it: the worker's real notificationclick handler runs with the shown
        # notification. A headless browser has no system notification to click, and
        # clients.openWindow needs that click's user activation, so the window it asks for is
        # recorded (the one browser call stood in for) and then opened as the phone would.
        worker = next(w for w in context.service_workers if w.url == f"{base}/sw.js")
        asked = worker.evaluate(
            """() => new Promise((resolve) => {
                 self.clients.openWindow = (url) => {
                   delete self.clients.openWindow;
                   resolve(url);
                   return Promise.resolve(null);
                 };
                 self.registration.getNotifications().then((list) => {
                   self.dispatchEvent(new NotificationEvent("notificationclick",
                                                            {notification: list[0]}));
                 });
               })"""
        )
        assert asked == f"{base}{target.url}"
        assert page.evaluate(SHOWN) == []  # the handler closed it
        page.goto(asked)
        assert page.locator("h1").inner_text() == "Nghị quyết về chuyển đổi số"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "push-opened-360.png"))
    finally:
        context.close()
    assert errors == [] and violations == []
