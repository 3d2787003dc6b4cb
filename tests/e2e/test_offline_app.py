"""The installable app that reads offline (issue 18), as a member on a cheap phone would use it,
in Debian's Chromium at 360×740: the app is installable (manifest, service worker registered and
in control, no installability error from Chromium itself); a bookmarked document, its file, the
next meeting's material and the printed card's QR read with no network; the shell comes from the
worker's cache (no request for it); a bookmark made offline is sent once when the network
returns, and so is a comment on the draft resolution; a document withdrawn while the phone was
offline is deleted from it after reconnecting and never shown."""

import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from editorial.models import Bookmark, DocumentFile, LibraryFile
from sotay_plugins.meetings.models import Material, MeetingComment, MeetingMaterial
from sotay_plugins.models import IdempotencyKey
from tests.factories import MemberFactory, document_page, small_tree

from .helpers import CHROMIUM, CHROMIUM_FLAGS, PASSWORD, log_in, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE = {"width": 360, "height": 740}

KEPT = """() => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => resolve(event.data);
  navigator.serviceWorker.controller.postMessage({type: "list"}, [channel.port2]);
})"""

SYNC = """() => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => resolve(event.data);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const message = {type: "sync", force: true, csrf};
  navigator.serviceWorker.controller.postMessage(message, [channel.port2]);
})"""


@pytest.fixture
def world():
    from datetime import datetime, timedelta

    from django.utils import timezone

    from sotay_plugins.meetings.models import Meeting

    tree = small_tree()
    member = MemberFactory(full_name="Nguyễn Thị Tâm", cell=tree["c11"])
    kept = document_page(tree["d1"], title="Nghị quyết về chuyển đổi số", number="7-NQ/HU")
    stored = LibraryFile(title="Toàn văn", file=ContentFile(PDF, name="chuyen-doi-so.pdf"))
    stored.save()
    DocumentFile(page=kept, file=stored).save()
    withdrawn = document_page(tree["d1"], title="Kế hoạch sẽ bị thu hồi", number="8-KH/HU")
    later = document_page(tree["province"], title="Chỉ thị đọc sau", number="9-CT/TU")
    for page in (kept, withdrawn):
        Bookmark.objects.create(member=member, page=page)
    day = timezone.localdate() + timedelta(days=3)
    meeting = Meeting.objects.create(
        issuer_org=tree["c11"],
        audience_org=tree["c11"],
        title="Sinh hoạt chi bộ tháng này",
        starts_at=datetime(day.year, day.month, day.day, 8, tzinfo=timezone.get_current_timezone()),
    )
    material = Material.objects.create(
        issuer_org=tree["province"], audience_org=tree["province"], title="Tài liệu sinh hoạt"
    )
    material.file.save("tai-lieu.pdf", ContentFile(PDF), save=True)
    MeetingMaterial.objects.create(meeting=meeting, material=material)
    return locals()


def test_installable_and_readable_offline(live_server, browser, shot, world, tmp_path):
    w, base = world, live_server.url
    # A profile on disk, not an incognito context: Chromium refuses to install from incognito
    # ("in-incognito"), and would not say whether anything else stands in the way.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_FLAGS,
        headless=True,
        viewport=PHONE,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(20_000)
    violations, errors, sent = watch_csp(context), [], []
    # What reached the server and was answered (a try cut off by the network is no answer).
    context.on(
        "response",
        lambda r: (
            sent.append((r.request.method, r.url, r.status, r.headers))
            if r.request.method != "GET"
            else None
        ),
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        _steps(page, context, base, w, shot, sent)
    finally:
        context.close()
    assert errors == [] and violations == []


def _steps(page, context, base, w, shot, sent):
    log_in(page, base, w["member"].cccd, PASSWORD)
    page.wait_for_url(f"{base}/")
    # --- installable: manifest, worker registered and in control, Chromium's own verdict
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    manifest_url = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = json.loads(page.evaluate(f"fetch('{manifest_url}').then(r => r.text())"))
    assert manifest["display"] == "standalone" and manifest["lang"] == "vi"
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    assert page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)") == (
        f"{base}/"
    )
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    # --- the worker keeps the member's items (bookmarks, the meeting's material, the card)
    for _attempt in range(60):
        if len(page.evaluate(KEPT)["items"]) >= 5:
            break
        page.wait_for_timeout(500)
    kept = {item["title"] for item in page.evaluate(KEPT)["items"]}
    assert {"Nghị quyết về chuyển đổi số", "Kế hoạch sẽ bị thu hồi", "Tài liệu sinh hoạt"} <= kept

    # --- a repeat load: the shell comes from the worker, the network sees only the page
    from_network = []
    page.on(
        "requestfinished",
        lambda r: (
            from_network.append(r.url)
            if "/static/" in r.url and not r.response().from_service_worker
            else None
        ),
    )
    page.reload()
    page.wait_for_load_state("load")
    assert from_network == []

    # --- with no network: the document, its file, the material, the card
    context.set_offline(True)
    page.goto(f"{base}{w['kept'].url}")
    assert page.locator("h1").inner_text() == "Nghị quyết về chuyển đổi số"
    file_url = reverse("editorial:file", args=[w["stored"].pk])
    assert page.evaluate(
        f"fetch('{file_url}').then(r => r.status + ' ' + r.headers.get('content-type'))"
    ) == ("200 application/pdf")
    shot(page, "offline-document")
    page.goto(f"{base}{reverse('meetings:material', args=[w['material'].pk])}")
    assert "Tài liệu sinh hoạt" in page.locator("main").inner_text()
    page.goto(f"{base}/ma-qr/")
    assert page.locator("#printed-card svg").count() == 1
    assert "dùng được cả khi không có mạng" in page.locator("#printed-card").inner_text()
    shot(page, "offline-qr-card")
    page.goto(f"{base}/thu-vien/")  # never kept: the offline page, listing what is
    assert page.locator("h1").inner_text() == "Không có mạng"
    page.wait_for_selector("#kept-list li")
    shot(page, "offline-fallback", full=True)

    # --- a bookmark made offline is sent once when the network returns
    context.set_offline(False)
    page.goto(f"{base}{w['later'].url}")
    context.set_offline(True)
    page.get_by_role("button", name="Lưu đọc sau").click()
    page.wait_for_selector("#offline-status")
    assert "sẽ tự gửi khi có mạng" in page.locator("#offline-status").inner_text()
    shot(page, "offline-bookmark-queued")
    assert not Bookmark.objects.filter(page=w["later"]).exists()
    # The withdrawn document loses its scope while the phone is offline.
    w["withdrawn"].unpublish()
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#offline-status >> text=Đã gửi")
    assert Bookmark.objects.filter(page=w["later"], member=w["member"]).count() == 1
    page.evaluate(SYNC)  # a second flush: nothing left to send
    answered = [(s, h) for _m, url, s, h in sent if url.endswith("/api/v1/bookmarks/")]
    assert [s for s, h in answered if "idempotent-replayed" not in h] == [201], answered
    assert IdempotencyKey.objects.filter(user=w["member"].user).count() == 1

    # --- the withdrawn document is gone from the phone and never shown
    titles = {item["title"] for item in page.evaluate(KEPT)["items"]}
    assert "Kế hoạch sẽ bị thu hồi" not in titles
    assert "Nghị quyết về chuyển đổi số" in titles
    context.set_offline(True)
    page.goto(f"{base}{w['withdrawn'].url}")
    assert page.locator("h1").inner_text() == "Không có mạng"
    assert "Kế hoạch sẽ bị thu hồi" not in page.content()
    shot(page, "offline-withdrawn")

    # --- a comment on the draft resolution written offline, on the kept meeting page
    page.goto(f"{base}{reverse('meetings:detail', args=[w['meeting'].pk])}")
    page.get_by_label("Góp ý của đồng chí").fill("Đề nghị bổ sung chỉ tiêu chuyển đổi số.")
    page.get_by_role("button", name="Gửi góp ý").click()
    page.wait_for_selector("#offline-status")
    shot(page, "offline-comment-queued")
    assert not MeetingComment.objects.exists()
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#offline-status >> text=Đã gửi")
    page.evaluate(SYNC)
    comments = MeetingComment.objects.filter(meeting=w["meeting"], member=w["member"])
    assert [c.text for c in comments] == ["Đề nghị bổ sung chỉ tiêu chuyển đổi số."]
