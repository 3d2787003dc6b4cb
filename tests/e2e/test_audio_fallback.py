"""The read-aloud button on a phone without a Vietnamese voice (issue 18), in a real browser:
the page's audio version made on the server (``sotay_plugins.speech``) is shown as a large
player, and "Nghe đọc" plays it instead of the browser's speech; a page without an audio
version and without speech has no button at all."""

import io
import wave
from datetime import date

import pytest
from django.core.files.base import ContentFile

from editorial.models import DocumentPage
from sotay_plugins.models import SpokenAudio
from tests.factories import MemberFactory, document_page, small_tree

from .helpers import PASSWORD, SMALL_TARGETS, log_in, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# The browser's speech with no Vietnamese voice: speaking fails, as on such a phone.
NO_VIETNAMESE_VOICE = """
(() => {
  const fake = {
    speak(u) { setTimeout(() => u.onerror && u.onerror({error: "language-unavailable"}), 0); },
    cancel() {}, getVoices() { return [{lang: "en-US", name: "English"}]; },
    addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", {value: fake, configurable: true});
})();
"""
NO_SPEECH = (
    'Object.defineProperty(window, "speechSynthesis", {value: undefined, configurable: true});'
)


def wav_seconds(seconds=30):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 8000 * seconds)
    return buffer.getvalue()


@pytest.fixture
def world():
    tree = small_tree()
    member = MemberFactory(cell=tree["c11"], full_name="Phạm Thị Nghe")
    spoken = document_page(tree["d1"], title="Văn bản có bản đọc", issued_on=date(2025, 3, 1))
    silent = document_page(tree["d1"], title="Văn bản chưa có bản đọc", issued_on=date(2025, 3, 2))
    audio = SpokenAudio(page_id=spoken.pk, text_hash="x" * 64, content_type="audio/wav", seconds=30)
    audio.file.save("e2e.wav", ContentFile(wav_seconds()), save=True)
    return {"member": member, "spoken": spoken, "silent": silent}


@pytest.mark.parametrize("speech", [NO_SPEECH, NO_VIETNAMESE_VOICE], ids=["none", "no-vi"])
def test_read_aloud_plays_the_audio_version(live_server, new_page, shot, world, speech):
    page = new_page(init_script=speech)
    log_in(page, live_server.url, world["member"].user.username, PASSWORD)
    page.goto(live_server.url + DocumentPage.objects.get(pk=world["spoken"].pk).url)
    player = page.locator("audio[data-read-aloud-audio]")
    assert player.get_attribute("controls") is not None
    card = page.locator(".spoken-audio").bounding_box()
    assert player.bounding_box()["width"] >= card["width"] - 40  # the card's full width
    assert page.get_by_role("heading", name="Nghe bản đọc").is_visible()
    page.get_by_role("button", name="Nghe đọc").wait_for()
    button = page.locator("button[data-read-aloud]")  # its name changes while it plays
    assert page.evaluate(SMALL_TARGETS) == []
    button.click()
    wait_until(page, "!document.querySelector('audio[data-read-aloud-audio]').paused")
    state = page.evaluate(
        "(() => { const a = document.querySelector('audio[data-read-aloud-audio]');"
        " return {t: a.currentTime, ended: a.ended, paused: a.paused}; })()"
    )
    assert button.inner_text().strip() == "Dừng đọc", state
    assert page.locator(".read-aloud-note:visible").count() == 0  # no "install a voice" error
    shot(page, f"audio-fallback-{'none' if speech == NO_SPEECH else 'no-vi'}")
    button.click()
    wait_until(page, "document.querySelector('audio[data-read-aloud-audio]').paused")
    assert button.inner_text().strip() == "Nghe đọc"
    # Played to the end: the button is ready again.
    button.click()
    page.evaluate("document.querySelector('audio[data-read-aloud-audio]').currentTime = 29.5")
    wait_until(page, "document.querySelector('audio[data-read-aloud-audio]').ended")
    assert button.inner_text().strip() == "Nghe đọc"


def test_no_speech_and_no_audio_version_means_no_button(live_server, new_page, world):
    page = new_page(init_script=NO_SPEECH)
    log_in(page, live_server.url, world["member"].user.username, PASSWORD)
    page.goto(live_server.url + DocumentPage.objects.get(pk=world["silent"].pk).url)
    page.wait_for_load_state("load")
    assert page.locator("audio").count() == 0
    assert not page.get_by_role("button", name="Nghe đọc").is_visible()
