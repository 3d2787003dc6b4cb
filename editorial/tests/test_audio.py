"""The audio version of a document or news article (issue 18: read aloud on phones without a
Vietnamese voice): made by espeak-ng in the publishing's background job, cached per text, made
again for a new text (the old file removed), served only to readers of the page, and a failure
of the speech engine leaves the page working."""

import shutil
import stat
import wave

import pytest
from django.core.management import call_command
from django.urls import reverse

from editorial.models import DocumentPage, NewsPage
from sotay_plugins import speech
from sotay_plugins.models import OutboxJob, SpokenAudio
from tests.factories import login

from .helpers import make_page, member

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    not ESPEAK, reason="espeak-ng is not installed (apt-get install espeak-ng)"
)


@pytest.fixture
def speaking(settings):
    """Audio made on publish (the test settings switch it off for every other test)."""
    settings.SOTAY_SPEECH_ON_PUBLISH = True
    settings.SOTAY_SPEECH_MAX_CHARS = 600
    return settings


def publish(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revision = page.save_revision()
        revision.publish()
    page.refresh_from_db()
    return revision


def document(tree, **fields):
    page = make_page(tree["d1"], document=True, title="Nghị quyết về xây dựng Đảng", **fields)
    page.summary = "Về tăng cường công tác xây dựng, chỉnh đốn Đảng trong tình hình mới."
    return page


@needs_espeak
@pytest.mark.django_db
def test_publishing_makes_a_compact_audio_once_and_again_for_a_new_text(
    tree, speaking, django_capture_on_commit_callbacks
):
    page = document(tree)
    publish(page, django_capture_on_commit_callbacks)
    job = OutboxJob.objects.get(func=speech.GENERATE_JOB)
    assert job.state == OutboxJob.State.DONE and job.result["made"] is True
    audio = SpokenAudio.objects.get(page_id=page.pk)
    assert audio.seconds > 2 and audio.size > 1000
    name = audio.file.name
    assert audio.file.storage.exists(name)
    with audio.file.open("rb") as handle:
        head = handle.read(64)
    if shutil.which("opusenc"):
        assert head.startswith(b"OggS") and b"OpusHead" in head
        assert audio.content_type == "audio/ogg" and name.endswith(".opus")
        # Opus at 16 kbit/s: about 2 KB a second of speech (a WAV would be 44 KB a second)
        assert audio.size < audio.seconds * 4000
    # Cached: running the job again, or the command, makes nothing.
    assert speech.generate(page)["cached"] is True
    call_command("generate_audio", "--kind", "document", stdout=open("/dev/null", "w"))  # noqa: SIM115
    audio.refresh_from_db()
    assert audio.file.name == name
    # A new revision that changes only who reads it: same words, same audio.
    page.audience_org = tree["b1"]
    publish(page, django_capture_on_commit_callbacks)
    audio.refresh_from_db()
    assert audio.file.name == name
    # A new revision with a new text: a new file, and the old one is gone.
    page.summary = "Về đổi mới phương thức lãnh đạo của Đảng đối với hệ thống chính trị."
    revision = publish(page, django_capture_on_commit_callbacks)
    audio.refresh_from_db()
    assert audio.file.name != name and audio.revision_id == revision.pk
    assert audio.file.storage.exists(audio.file.name)
    assert not audio.file.storage.exists(name)
    assert SpokenAudio.objects.filter(page_id=page.pk).count() == 1


@needs_espeak
@pytest.mark.django_db
def test_the_audio_is_served_to_readers_of_the_page_only(
    client, tree, speaking, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    page = document(tree)
    publish(page, django_capture_on_commit_callbacks)
    url = reverse("editorial:page_audio", args=[page.pk])
    reader, outsider = member(tree["c11"]), member(tree["c21"])
    # anonymous: to the login page
    assert client.get(url).status_code == 302
    login(client, outsider.user)
    assert client.get(page.url).status_code == 404
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_RANGE="bytes=0-3").status_code == 404
    login(client, reader.user)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == SpokenAudio.objects.get(page_id=page.pk).content_type
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "inline" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:4] in (b"OggS", b"RIFF", b"ID3\x03", b"\xff\xfb")
    # A player seeks with byte ranges.
    assert response["Accept-Ranges"] == "bytes"
    size = SpokenAudio.objects.get(page_id=page.pk).size
    part = client.get(url, HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206 and len(part.content) == 8
    assert part["Content-Range"] == f"bytes 4-11/{size}"
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert (
        tail.status_code == 206 and tail["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"
    )
    assert client.get(url, HTTP_RANGE=f"bytes={size}-").status_code == 416
    assert client.get(url, HTTP_RANGE="bytes=junk").status_code == 200  # ignored: the whole file
    # The page shows a large labelled player for it.
    html = client.get(page.url).content.decode()
    assert f'src="{url}"' in html and "data-read-aloud-audio" in html
    assert "Nghe bản đọc" in html and "controls" in html
    # A withdrawn page: its audio is not served either.
    page.unpublish()
    assert client.get(url).status_code == 404
    # Not a news or document page, or no such page: 404.
    assert (
        client.get(reverse("editorial:page_audio", args=[page.get_parent().pk])).status_code == 404
    )
    assert client.get(reverse("editorial:page_audio", args=[999999])).status_code == 404


@needs_espeak
@pytest.mark.django_db
def test_api_detail_carries_the_audio_url(api, tree, speaking, django_capture_on_commit_callbacks):
    page = document(tree)
    news = make_page(tree["d1"], title="Tin chưa có bản đọc")
    publish(page, django_capture_on_commit_callbacks)
    NewsPage.objects.filter(pk=news.pk).update(live=True)
    api.force_authenticate(member(tree["c11"]).user)
    detail = api.get(f"/api/v1/documents/{page.pk}/").json()
    assert detail["audio_url"] == reverse("editorial:page_audio", args=[page.pk])
    assert api.get(f"/api/v1/news/{news.pk}/").json()["audio_url"] is None
    assert "audio_url" not in api.get("/api/v1/documents/").json()["results"][0]
    api.force_authenticate(member(tree["c21"]).user)
    assert api.get(f"/api/v1/documents/{page.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_failing_speech_engine_leaves_the_page_working(
    client, tree, speaking, tmp_path, django_capture_on_commit_callbacks
):
    reader = member(tree["c11"])
    # espeak-ng missing
    speaking.SOTAY_SPEECH_ESPEAK = str(tmp_path / "no-such-espeak")
    page = document(tree)
    publish(page, django_capture_on_commit_callbacks)
    job = OutboxJob.objects.get(func=speech.GENERATE_JOB)
    assert job.state == OutboxJob.State.DONE and "not installed" in job.result["failed"]
    assert not SpokenAudio.objects.exists()
    # an engine that hangs: stopped by the timeout, no shell involved
    hang = tmp_path / "espeak-hangs"
    hang.write_text("#!/bin/sh\nexec sleep 30\n")
    hang.chmod(hang.stat().st_mode | stat.S_IEXEC)
    speaking.SOTAY_SPEECH_ESPEAK = str(hang)
    speaking.SOTAY_SPEECH_TIMEOUT = 0.5
    result = speech.generate(DocumentPage.objects.get(pk=page.pk))
    assert "no answer after 0.5 s" in result["failed"]
    # an engine that crashes
    crash = tmp_path / "espeak-crashes"
    crash.write_text("#!/bin/sh\necho 'voice not found' >&2\nexit 3\n")
    crash.chmod(crash.stat().st_mode | stat.S_IEXEC)
    speaking.SOTAY_SPEECH_ESPEAK = str(crash)
    result = speech.generate(DocumentPage.objects.get(pk=page.pk))
    assert "exited with 3: voice not found" in result["failed"]
    assert not SpokenAudio.objects.exists()
    # The page reads as before, with no player, and the audio URL answers 404.
    login(client, reader.user)
    response = client.get(page.url)
    assert response.status_code == 200 and "data-read-aloud-audio" not in response.content.decode()
    assert client.get(reverse("editorial:page_audio", args=[page.pk])).status_code == 404


@pytest.mark.django_db
def test_without_an_encoder_the_wav_is_kept(
    tree, speaking, tmp_path, django_capture_on_commit_callbacks
):
    """No opusenc and no lame: the audio is kept as WAV (with a warning), not lost. A fake
    espeak-ng that writes a short WAV stands in, so this runs wherever the suite runs."""
    fake = tmp_path / "espeak-fake"
    fake.write_text(
        "#!/usr/bin/env python3\n"
        "import sys, wave\n"
        "out = sys.argv[sys.argv.index('-w') + 1]\n"
        "sys.stdin.read()\n"
        "w = wave.open(out, 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)\n"
        "w.writeframes(b'\\x01\\x00' * 22050); w.close()\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    speaking.SOTAY_SPEECH_ESPEAK = str(fake)
    speaking.SOTAY_SPEECH_ENCODER = "wav"
    speaking.SOTAY_SPEECH_CHUNK_CHARS = 40  # several chunks, joined with a pause
    page = make_page(tree["d1"], document=True)
    DocumentPage.objects.filter(pk=page.pk).update(live=True)
    result = speech.generate(DocumentPage.objects.get(pk=page.pk))
    assert result["made"] is True and result["encoder"] == "wav"
    audio = SpokenAudio.objects.get(page_id=page.pk)
    assert audio.content_type == "audio/wav"
    page = DocumentPage.objects.get(pk=page.pk)
    text = speech.capped(speech.normalise(speech.spoken_kind(page).text(page)))[0]
    chunks = len(speech.chunks(text, 40))
    assert chunks >= 2
    pause = int(22050 * speech.CHUNK_PAUSE)
    with audio.file.open("rb") as handle, wave.open(handle) as joined:
        assert joined.getnframes() == 22050 * chunks + pause * (chunks - 1)
    # Deleting the page deletes its audio, and its file once committed.
    name, storage = audio.file.name, audio.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert not SpokenAudio.objects.filter(pk=audio.pk).exists()
    assert not storage.exists(name)


def test_text_is_chunked_at_sentences_and_capped_at_a_word():
    text = "Câu một. Câu hai rất dài dài dài! Câu ba?\nTiêu đề\n" + "chữ " * 50
    pieces = speech.chunks(text, 30)
    assert all(len(p) <= 30 for p in pieces)
    assert pieces[0].startswith("Câu một.") and "Tiêu đề" in " ".join(pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    capped, truncated = speech.capped("một hai ba bốn năm sáu bảy tám", 12)
    assert truncated and capped.startswith("một hai ba.") and "Bản đọc dừng ở đây" in capped
    assert speech.capped("ngắn", 12) == ("ngắn", False)
    assert speech.chunks("x" * 70, 30) == ["x" * 30, "x" * 30, "x" * 10]


@pytest.mark.django_db
def test_the_schema_describes_audio_url_and_the_command_refuses_an_unknown_kind(api):
    from django.core.management.base import CommandError

    from tests.factories import UserFactory

    api.force_authenticate(UserFactory(is_staff=True))
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for name in ("DocumentDetail", "NewsDetail"):
        field = schema["components"]["schemas"][name]["properties"]["audio_url"]
        assert field["type"] == "string" and field.get("nullable") is True, (name, field)
    with pytest.raises(CommandError, match="unknown kind"):
        call_command("generate_audio", "--kind", "tho")


@needs_espeak
@pytest.mark.django_db
def test_the_demo_speaks_its_newest_province_wide_pages(tree, settings):
    from editorial.demo.seed import speak_newest

    province_wide = make_page(tree["province"], document=True)
    district_only = make_page(tree["d1"], document=True)
    DocumentPage.objects.filter(pk__in=[province_wide.pk, district_only.pk]).update(live=True)
    assert speak_newest() == 0  # the test settings make no audio on publish: nor does the demo
    settings.SOTAY_SPEECH_ON_PUBLISH = True
    assert speak_newest() == 1
    assert list(SpokenAudio.objects.values_list("page_id", flat=True)) == [province_wide.pk]
