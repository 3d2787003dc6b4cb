"""The quiz in a real browser (Debian's chromium), on a 360-px phone: with JavaScript each choice
is saved as it is made and the countdown runs; without it the plain form saves and submits."""

from __future__ import annotations

import re

import pytest

from sotay_plugins.study.quizzes.models import AttemptQuestion, QuizAttempt
from tests.e2e.helpers import PASSWORD, SCREENSHOTS, follow, wait_until

from .quiz_helpers import world

SHOTS = SCREENSHOTS


def _context(browser, js=True, large=False):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        java_script_enabled=js,
    )
    context.set_default_timeout(15_000)
    return context


def _log_in(page, base, member):
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Số CCCD").fill(member.cccd)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_a_member_takes_the_quiz_with_and_without_javascript(live_server, browser, tree):
    SHOTS.mkdir(parents=True, exist_ok=True)
    w = world(tree)
    base = live_server.url
    errors = []

    # with JavaScript: start, pick an answer (saved at once), see the countdown
    context = _context(browser)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    _log_in(page, base, w["a"])
    page.goto(f"{base}/hoc-tap/kiem-tra/")
    page.screenshot(path=str(SHOTS / "quiz-list-360.png"), full_page=True)
    page.get_by_role("link", name=re.compile("Kiểm tra Nghị quyết 57")).click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url(re.compile(r"/lan/\d+/"))
    attempt = QuizAttempt.objects.get(member=w["a"])
    first = attempt.items.order_by("position").first()
    choice = page.locator(f'input[name="q{first.question_id}"]').first
    choice.check()
    # The page counts the answer once the server has answered its save; only then is the row
    # read (polling the database from here while the test server writes locks SQLite's shared
    # in-memory tables, and the save went out beside the service worker's first fetches).
    wait_until(
        page, "document.getElementById('quiz-progress').innerText.includes('1/5')", timeout=15
    )
    row = AttemptQuestion.objects.get(pk=first.pk)
    assert row.selected == [int(choice.get_attribute("value"))]
    assert re.fullmatch(r"\d\d:\d\d", page.locator("#quiz-clock").inner_text())
    assert "1/5" in page.locator("#quiz-progress").inner_text()
    page.screenshot(path=str(SHOTS / "quiz-attempt-360.png"), full_page=True)
    page.get_by_role("button", name="Chữ lớn").click()
    page.wait_for_load_state()
    page.screenshot(path=str(SHOTS / "quiz-attempt-360-large.png"), full_page=True)
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()

    # without JavaScript, on another device: the attempt resumes with the saved choice, the
    # form saves the page and submits
    context = _context(browser, js=False)
    page = context.new_page()
    _log_in(page, base, w["a"])
    page.goto(f"{base}/hoc-tap/kiem-tra/{w['quiz'].pk}/")
    follow(page, page.get_by_role("link", name="Tiếp tục làm bài"))
    assert page.locator(f'input[name="q{first.question_id}"]:checked').count() == 1
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url(re.compile(r"/ket-qua/"))
    assert "câu đúng" in page.content()
    assert "Giải thích" in page.content()
    page.screenshot(path=str(SHOTS / "quiz-result-360-nojs.png"), full_page=True)
    context.close()
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.score is not None
    assert errors == []
