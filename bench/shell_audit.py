"""Issue 17: the member shell's first-load weight, fit and axe findings, page by page.

Loads each page in Debian's chromium (Playwright) at 320×640 and 360×740, normal and large type,
with a member's session cookie; sums the document, stylesheet and script bodies of one load (the
HTTP cache off: ``route``), gzips each (level 6, nginx's default), measures the page's and the
bottom bar's ``scrollWidth`` against the viewport, injects axe-core (npm ``axe-core``; path in
``AXE_JS``) at 360 px and lists its violations. Prints JSON.

    .venv/bin/python bench/shell_audit.py BASE SESSIONID MEETING_ID DOCUMENT_URL FILE_ID
"""

import gzip
import json
import os
import sys

from playwright.sync_api import sync_playwright


def main(base, session, meeting, document_url, file_id):
    pages = [
        "/",
        "/ho-so/",
        "/ma-qr/",
        "/sinh-hoat/",
        f"/sinh-hoat/{meeting}/",
        "/thu-vien/",
        document_url,
        f"/tep/{file_id}/doc/",
    ]
    with open(os.environ["AXE_JS"]) as fh:  # node_modules/axe-core/axe.min.js
        axe = fh.read()
    out = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu"],
            headless=True,
        )
        for large in (False, True):
            for width, height in ((320, 640), (360, 740)):
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale="vi-VN"
                )
                cookies = [{"name": "sessionid", "value": session, "url": base}]
                if large:
                    cookies.append({"name": "sotay_large", "value": "1", "url": base})
                context.add_cookies(cookies)
                page = context.new_page()
                page.route("**/*", lambda route: route.continue_())
                for path in pages:
                    responses = []

                    def record(response, into=responses):
                        into.append(response)

                    page.on("response", record)
                    page.goto(base + path, wait_until="load")
                    page.remove_listener("response", record)
                    raw = packed = 0
                    for response in responses:
                        if response.request.resource_type in ("document", "stylesheet", "script"):
                            body = response.body()
                            raw += len(body)
                            packed += len(gzip.compress(body, 6))
                    fits = page.evaluate(
                        "() => [document.documentElement.scrollWidth, innerWidth,"
                        " (document.querySelector('nav.tabs') || {}).scrollWidth || 0]"
                    )
                    found = {"raw": raw, "gzip": packed, "fits": fits}
                    if width == 360:
                        page.evaluate(axe)
                        found["axe"] = page.evaluate(
                            "async () => (await axe.run(document, {resultTypes: ['violations']}))"
                            ".violations.map(v => [v.id, v.impact, v.nodes.length])"
                        )
                    out[f"{path} {width} {'large' if large else 'normal'}"] = found
                context.close()
        browser.close()
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:6])
