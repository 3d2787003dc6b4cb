"""Issue 18: the shell's first load (budget: under 50 KB compressed), what the service worker
fetches after it, and a repeat load (budget: no network request for the shell).

Drives Debian's chromium (Playwright, a fresh profile on disk, 360×740) against a running server:
logs a member in, empties the HTTP cache, then

1. **first load** of each page: every response the page itself received (document, stylesheets,
   scripts, icons, the web app manifest, the worker script), raw and gzipped (level 6, what the
   example nginx site in ``site/deploy/`` serves: ``gzip_comp_level 6``; ``brotli`` too when the
   ``brotli`` module is importable);
2. **the worker's own fetches** that follow in the background (the precached shell, the offline
   manifest and the items it keeps): not part of the page's load, reported apart;
3. **repeat load** of the same pages: the requests that reached the network (the page's HTML is
   personal and always asked for; a static file from the network is a failure of the budget);
4. **offline**: a kept page loaded with the network cut: requests that reached the network
   (must be none) and whether it showed.

    .venv/bin/python bench/bench_offline.py BASE CCCD PASSWORD [PAGE ...]

Prints JSON. Without PAGE: ``/``, ``/ma-qr/``, ``/sinh-hoat/``, ``/thu-vien/``.
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile

from playwright.sync_api import sync_playwright

try:  # optional: nginx's brotli module is not in Debian's default build
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
PHONE = {"width": 360, "height": 740}


def packed(body):
    found = {"raw": len(body), "gzip": len(gzip.compress(body, 6))}
    if brotli is not None:
        found["br"] = len(brotli.compress(body, quality=5))
    return found


def total(rows):
    out = {"requests": len(rows), "raw": 0, "gzip": 0}
    for row in rows:
        for key in ("raw", "gzip", "br"):
            if key in row:
                out[key] = out.get(key, 0) + row[key]
    return out


def log_in(page, base, cccd, password):
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Số CCCD").fill(cccd)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")


def main(base, cccd, password, pages):
    out = {"first": {}, "worker": {}, "repeat": {}, "offline": {}}
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            viewport=PHONE,
            locale="vi-VN",
        )
        page = context.pages[0] if context.pages else context.new_page()
        # Log in without loading the shell: a bare request, so the first load below is cold.
        page.goto(f"{base}/suc-khoe/")
        log_in_page = context.new_page()
        log_in(log_in_page, base, cccd, password)
        log_in_page.close()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.clearBrowserCache")
        page.evaluate(
            "() => navigator.serviceWorker.getRegistrations()"
            ".then(rs => Promise.all(rs.map(r => r.unregister())))"
        )
        page.evaluate("() => caches.keys().then(ks => Promise.all(ks.map(k => caches.delete(k))))")
        page.evaluate(
            "() => new Promise(ok => { const r = indexedDB.deleteDatabase('sotay-offline');"
            " r.onsuccess = r.onerror = r.onblocked = () => ok(); })"
        )

        rows = []

        def record(response):
            request = response.request
            try:
                body = response.body()
            except Exception:  # noqa: BLE001 - a redirect or an aborted body has none
                body = b""
            rows.append(
                {
                    "url": response.url.replace(base, ""),
                    "type": request.resource_type,
                    "worker": request.service_worker is not None,
                    "from_worker": response.from_service_worker,
                    "status": response.status,
                    **packed(body),
                }
            )

        context.on("response", record)
        for path in pages:
            rows.clear()
            page.goto(base + path, wait_until="load")
            page.wait_for_timeout(3000)  # the worker installs and keeps items meanwhile
            # The page's load: what the page received (from the network, or through the worker
            # once it controls the page), not the worker's background fetches.
            mine = [r for r in rows if not r["worker"]]
            out["first"][path] = {"total": total(mine), "files": mine}
            out["worker"][path] = total([r for r in rows if r["worker"]])
            cdp.send("Network.clearBrowserCache")  # the next page's first load is cold too
            # only the worker's cache remains: the next "first load" is what a new page costs
            # once the shell is installed; the very first page is the budget's figure.
        for path in pages:
            rows.clear()
            page.goto(base + path, wait_until="load")
            page.wait_for_timeout(500)
            # What reached the server: the page's own requests that the worker did not answer,
            # and the worker's own fetches (a page goes to the network through the worker).
            network = [r for r in rows if r["worker"] or not r["from_worker"]]
            out["repeat"][path] = {
                "network": [r["url"] for r in network],
                "static_from_network": [r["url"] for r in network if "/static/" in r["url"]],
                "answered_by_worker": sum(1 for r in rows if r["from_worker"]),
            }
        kept = page.evaluate(
            """() => new Promise((ok) => { const c = new MessageChannel();
            c.port1.onmessage = (e) => ok(e.data.items);
            navigator.serviceWorker.controller.postMessage({type: "list"}, [c.port2]); })"""
        )
        context.set_offline(True)
        for item in kept[:3]:
            rows.clear()
            page.goto(base + item["url"], wait_until="load")
            out["offline"][item["url"]] = {
                "title": page.title(),
                "network": [r["url"] for r in rows if r["worker"] or not r["from_worker"]],
            }
        context.set_offline(False)
        context.close()
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(
        sys.argv[1].rstrip("/"),
        sys.argv[2],
        sys.argv[3],
        sys.argv[4:] or ["/", "/ma-qr/", "/sinh-hoat/", "/thu-vien/"],
    )
