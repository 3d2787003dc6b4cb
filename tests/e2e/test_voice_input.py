"""Voice input in a real browser (issue 18): the microphone button beside the search box and
under the feedback text exists only where the browser offers speech recognition, is labelled in
Vietnamese, listens in Vietnamese, and what it hears fills the field. Chromium cannot listen
headless, so a stand-in recognizer is injected (``add_init_script``); without one (the
constructor removed) there is no button at all."""

import pytest

from sotay_plugins.feedback.models import Receiver
from tests.factories import MemberFactory, small_tree

from .helpers import PASSWORD, SMALL_TARGETS, log_in, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


NO_RECOGNITION = """
for (const name of ["SpeechRecognition", "webkitSpeechRecognition"]) {
  Object.defineProperty(window, name, {value: undefined, configurable: true});
}
"""
# A recognizer that "hears" window.__say (or fails when window.__fail is set).
STUB_RECOGNITION = """
(() => {
  window.__starts = [];
  window.__say = "nghị quyết 57";
  class FakeRecognition {
    start() {
      window.__starts.push({lang: this.lang, interim: this.interimResults});
      setTimeout(() => {
        if (window.__fail) { this.onerror && this.onerror({error: "no-speech"}); }
        else { this.onresult({results: [[{transcript: window.__say, confidence: 0.9}]]}); }
        this.onend && this.onend();
      }, 50);
    }
    stop() {}
    abort() {}
  }
  Object.defineProperty(window, "SpeechRecognition", {value: undefined, configurable: true});
  Object.defineProperty(
    window, "webkitSpeechRecognition", {value: FakeRecognition, configurable: true}
  );
})();
"""


@pytest.fixture
def member():
    tree = small_tree()
    Receiver.objects.create(org=tree["d1"], name="Ban Thường vụ Huyện 1")
    return MemberFactory(cell=tree["c11"], full_name="Lê Văn Nói")


def test_no_microphone_button_where_the_browser_cannot_listen(live_server, new_page, member):
    page = new_page(init_script=NO_RECOGNITION)
    log_in(page, live_server.url, member.user.username, PASSWORD)
    for path in ("/tim-kiem/", "/gop-y/gui/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert page.locator("[data-voice-input]").count() == 1, path
        assert page.locator("button.voice-input").count() == 0, path


def test_the_microphone_fills_the_search_box_and_the_feedback_text(
    live_server, new_page, shot, member
):
    page = new_page(init_script=STUB_RECOGNITION)
    log_in(page, live_server.url, member.user.username, PASSWORD)
    page.goto(live_server.url + "/tim-kiem/")
    mic = page.get_by_role("button", name="Nói để tìm kiếm")
    mic.wait_for()
    assert mic.get_attribute("aria-pressed") == "false"
    assert page.evaluate(SMALL_TARGETS) == []
    mic.click()
    wait_until(page, "document.getElementById('q').value !== ''")
    assert page.locator("#q").input_value() == "nghị quyết 57"
    assert page.evaluate("window.__starts") == [{"lang": "vi-VN", "interim": False}]
    assert mic.get_attribute("aria-pressed") == "false"  # it stopped listening by itself
    shot(page, "voice-search")
    # The feedback text: what is heard is added after what was typed.
    page.goto(live_server.url + "/gop-y/gui/")
    page.locator("#fb-text").fill("Kính gửi Ban Thường vụ,")
    page.evaluate("window.__say = 'đề nghị sửa đường vào thôn'")
    page.get_by_role("button", name="Nói để nhập nội dung").click()
    wait_until(page, "document.getElementById('fb-text').value.includes('thôn')")
    assert (
        page.locator("#fb-text").input_value()
        == "Kính gửi Ban Thường vụ, đề nghị sửa đường vào thôn"
    )
    # Nothing heard: a Vietnamese message, the field unchanged.
    page.evaluate("window.__fail = true")
    page.get_by_role("button", name="Nói để nhập nội dung").click()
    wait_until(page, "document.getElementById('fb-text-voice-status').textContent.includes('Chưa')")
    assert "Chưa nghe được" in page.locator("#fb-text-voice-status").inner_text()
    assert page.locator("#fb-text").input_value().endswith("vào thôn")
    shot(page, "voice-feedback")
