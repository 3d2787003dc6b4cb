"""Real-browser tests: Debian's /usr/bin/chromium driven by Playwright's Python package.

Never a downloaded browser (no `playwright install`): if /usr/bin/chromium or the playwright
package is missing, every e2e test is skipped with the reason. Screenshots go to
var/screenshots/ (git-ignored) at the size of a cheap Android phone, 360×640.
"""

import os

import pytest

from .helpers import CHROMIUM, CHROMIUM_FLAGS, PHONE, SCREENSHOTS, watch_csp  # noqa: F401

# Playwright's sync API keeps an asyncio event loop running in this thread; Django would then
# refuse synchronous ORM calls made by the test itself ("You cannot call this from an async
# context"). The test code is plain synchronous code, so this is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def new_page(browser):
    """``new_page(js=True, init_script=None)``: a fresh phone-sized page in its own context
    (own cookies). Contexts are closed after the test, which fails if a page threw a JavaScript
    error or broke the Content-Security-Policy."""
    contexts, js_errors, violations = [], [], []

    def make(js=True, init_script=None):
        context = browser.new_context(
            viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", java_script_enabled=js
        )
        context.set_default_timeout(15_000)
        violations.append(watch_csp(context))
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: js_errors.append(f"{page.url}: {error}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert js_errors == [], js_errors
    assert [v for found in violations for v in found] == []


@pytest.fixture
def shot():
    """``shot(page, name, full=False)`` saves var/screenshots/<name>.png and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name, full=False):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full)
        return path

    return save
