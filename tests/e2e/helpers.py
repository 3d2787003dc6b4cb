"""Helpers shared by the browser tests: the demo password, logging in, the page checks."""

from pathlib import Path

PASSWORD = "Matkhau@123"  # MemberFactory's


CONTRAST_PROBLEMS = """
() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.nodeValue.trim())) continue;
    const box = el.getBoundingClientRect(), st = getComputedStyle(el);
    if (box.width < 2 || box.height < 2 || st.visibility === "hidden") continue;
    const fg = lum(parse(st.color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    if (ratio < (large ? 3 : 4.5))
      bad.push(`${el.textContent.trim().slice(0, 40)} (${ratio.toFixed(2)})`);
  }
  return bad;
}
"""


SMALL_TARGETS = """
() => [...document.querySelectorAll(
    "button, input:not([type=hidden]), a.btn, .tabs a, .bar .brand")]
  .filter((el) => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; })
  .map((el) => { const b = el.getBoundingClientRect();
    return {what: (el.textContent || el.name || el.id).trim().slice(0, 30),
            w: Math.round(b.width), h: Math.round(b.height)}; })
  .filter((t) => t.w < 48 || t.h < 48)
"""


STRUCTURE = """
() => ({
  lang: document.documentElement.lang,
  h1: document.querySelectorAll("h1").length,
  main: document.querySelectorAll("main").length,
  header: document.querySelectorAll("body > header").length,
  unlabelled: [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label"))
    .map((el) => el.name),
})
"""


def log_in(page, base, cccd, password):
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Số CCCD").fill(cccd)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def follow(page, target):
    """Click ``target`` (a link, or a form's button) and wait until the page it leads to has
    loaded. A bare ``click()`` returns once the new page has begun: a ``count()`` or
    ``content()`` read straight after it can see a half-parsed document, which on a busy machine
    (CI runs two test passes side by side) is what it saw."""
    with page.expect_navigation():
        target.click()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 640}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def watch_csp(context):
    """The Content-Security-Policy violations the browser reports in ``context`` (a list that fills
    as pages load): every e2e test asserts it stays empty, so what the shell, the scanner, the
    reader and the admin do is what the policy lets them do."""
    found = []

    def seen(message):
        if "Content Security Policy" in message.text:
            found.append(f"{message.location.get('url', '')}: {message.text}")

    context.on("console", seen)
    return found


def wait_until(page, script, timeout=10.0):
    """Poll ``script`` until it is truthy. ``page.evaluate`` is not subject to the page's CSP;
    ``page.wait_for_function`` evaluates its string in the page, which ``script-src 'self'``
    (no 'unsafe-eval') refuses."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(50)
