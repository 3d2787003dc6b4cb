"""Answering a quiz with no network, in Debian's chromium on a 360-px phone (issue 18).

A quiz that allows it keeps answering when the phone loses the network: each choice, and
"Nộp bài", waits in the service worker's queue and is sent when the network returns — in order,
each once — and the member lands on the result. A quiz that needs the network says so and keeps
nothing on the phone."""

from __future__ import annotations

import re

import pytest

from sotay_plugins.models import IdempotencyKey
from sotay_plugins.study.quizzes.models import AttemptQuestion, Question, QuizAttempt
from tests.e2e.helpers import PASSWORD, SCREENSHOTS, wait_until, watch_csp

from .quiz_helpers import quiz, world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUEUE = """() => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => resolve(event.data.waiting);
  navigator.serviceWorker.controller.postMessage({type: "list"}, [channel.port2]);
})"""


def _phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(15_000)
    return context


def _start(page, base, member, q):
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Số CCCD").fill(member.cccd)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")
    # The worker in control first: a page whose navigation began while the worker was still
    # installing stays uncontrolled (and a phone mid-quiz has had it for long).
    wait_until(page, "navigator.serviceWorker.controller !== null", timeout=30)
    page.goto(f"{base}/hoc-tap/kiem-tra/{q.pk}/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url(re.compile(r"/lan/\d+/$"))
    wait_until(page, "navigator.serviceWorker.controller !== null", timeout=30)
    return QuizAttempt.objects.get(member=member, quiz=q)


def _choose(page, item, index):
    """Pick the ``index``-th answer of a drawn question, as shown on this attempt's page."""
    value = item.answer_order[index]
    page.locator(f'input[name="q{item.question_id}"][value="{value}"]').check()
    return value


def test_answers_given_offline_are_stored_once_in_order_then_submitted(live_server, browser, tree):
    w = world(tree)
    q = w["quiz"]
    q.allow_offline = True
    q.save(update_fields=["allow_offline"])
    # one-answer questions of four answers only: each new choice replaces the one before
    Question.objects.filter(bank=w["bank"]).exclude(kind="single").update(is_active=False)
    base, errors, sent = live_server.url, [], []
    context = _phone(browser)
    violations = watch_csp(context)
    context.on(
        "response",
        lambda r: (
            sent.append((r.request.method, r.url, r.status, r.request.headers, r.headers))
            if r.request.method in ("PUT", "POST") and "/api/v1/quizzes/" in r.url
            else None
        ),
    )
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        attempt = _start(page, base, w["a"], q)
        items = list(attempt.items.order_by("position"))
        first, second = items[0], items[1]
        # every question on one page (the other pages would need the network)
        assert page.locator("fieldset.question").count() == 5
        online = _choose(page, first, 0)  # saved at once, as ever
        wait_until(page, "document.getElementById('quiz-progress').innerText.includes('1/5')")

        context.set_offline(True)
        _choose(page, first, 1)
        picked_second = _choose(page, second, 0)
        final_first = _choose(page, first, 2)  # changed its mind: the last choice wins
        page.wait_for_selector("#quiz-offline >> text=giữ trên máy")
        wait_until(page, "document.getElementById('quiz-progress').innerText.includes('2/5')")
        assert page.evaluate(QUEUE) == 3
        page.get_by_role("button", name="Nộp bài").click()
        page.wait_for_selector("#quiz-offline >> text=bài sẽ được nộp")
        assert page.evaluate(QUEUE) == 4
        assert "/lan/" in page.url and "/ket-qua/" not in page.url
        page.screenshot(path=str(SCREENSHOTS / "quiz-offline-queued-360.png"), full_page=True)
        # nothing of it reached the server yet (one read, the server is idle)
        assert [
            r.selected
            for r in AttemptQuestion.objects.filter(pk__in=[first.pk, second.pk]).order_by(
                "position"
            )
        ] == [[online], None]

        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_url(re.compile(r"/ket-qua/$"), timeout=20_000)
        assert "câu đúng" in page.content()
        page.screenshot(path=str(SCREENSHOTS / "quiz-offline-result-360.png"), full_page=True)
        assert page.evaluate(QUEUE) == 0
    finally:
        context.close()

    rows = {r.question_id: r.selected for r in AttemptQuestion.objects.filter(attempt=attempt)}
    assert rows[first.question_id] == [final_first]
    assert rows[second.question_id] == [picked_second]
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.score is not None
    # what the queue sent: three answers then the submit, in order, each once, none refused
    queued = [s for s in sent if s[3].get("idempotency-key")]
    assert [(m, st) for m, _u, st, _h, _rh in queued] == [("PUT", 200)] * 3 + [("POST", 200)]
    assert all(h.get("sotay-queued") == "1" for _m, _u, _s, h, _rh in queued)
    assert not any("idempotent-replayed" in rh for *_x, rh in queued)
    assert len({h["idempotency-key"] for _m, _u, _s, h, _rh in queued}) == 4
    assert IdempotencyKey.objects.filter(user=w["a"].user).count() == 4
    assert errors == [] and violations == []


def test_a_quiz_that_needs_the_network_says_so_and_keeps_nothing(live_server, browser, tree):
    w = world(tree)
    needs = quiz(w["bank"], w["quiz"].issuer_org, w["quiz"].audience_org, title="Bài cần mạng")
    base, errors = live_server.url, []
    context = _phone(browser)
    violations = watch_csp(context)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        attempt = _start(page, base, w["a"], needs)
        item = attempt.items.order_by("position").first()
        context.set_offline(True)
        _choose(page, item, 0)
        page.wait_for_selector("#quiz-save-error >> text=cần có mạng")
        assert "Chưa lưu" in page.locator(f"#cau-{item.position} .saved").inner_text()
        page.get_by_role("button", name="Nộp bài").click()  # stays on the page, says why
        assert "cần có mạng" in page.locator("#quiz-save-error").inner_text()
        assert "/lan/" in page.url
        assert page.evaluate(QUEUE) == 0
        page.screenshot(path=str(SCREENSHOTS / "quiz-needs-network-360.png"), full_page=True)
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(500)
        assert page.evaluate(QUEUE) == 0
    finally:
        context.close()
    assert not AttemptQuestion.objects.filter(attempt=attempt, selected__isnull=False).exists()
    assert QuizAttempt.objects.get(pk=attempt.pk).submitted_at is None
    assert not IdempotencyKey.objects.exists()
    assert errors == [] and violations == []
