"""A resolution's audio version made on the server (issue 18): published → made by espeak-ng in
the background job, played in the reader (counted as "read to the end" when it ends, like a
recorded reading), served only to the resolution's audience; a recorded reading uploaded with
the resolution wins and nothing is synthesized."""

import shutil

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from sotay_plugins import speech
from sotay_plugins.models import SpokenAudio
from tests.factories import login

from .resolutions_helpers import api_for, resolution, world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not shutil.which("espeak-ng"),
        reason="espeak-ng is not installed (apt-get install espeak-ng)",
    ),
]


@pytest.fixture
def w(settings):
    settings.SOTAY_SPEECH_ON_PUBLISH = True
    settings.SOTAY_SPEECH_MAX_CHARS = 400
    return world()


def publish(page, capture):
    with capture(execute=True):
        page.save_revision().publish()
    page.refresh_from_db()


def test_a_published_resolution_is_read_aloud_to_its_audience_only(
    w, client, django_capture_on_commit_callbacks
):
    page = resolution(w["tree"]["d1"])
    publish(page, django_capture_on_commit_callbacks)
    audio = SpokenAudio.objects.get(page_id=page.pk)
    assert audio.seconds > 2
    url = reverse("study:resolution_audio", args=[page.pk])
    login(client, w["a"].user)
    reader = client.get(reverse("study:resolution", args=[page.pk])).content.decode()
    assert f'src="{url}"' in reader
    assert "data-study-audio" in reader and "data-read-aloud-audio" in reader
    assert "Bản đọc tự động bằng giọng máy" in reader
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == audio.content_type
    assert api_for(w["a"].user).get(f"/api/v1/resolutions/{page.pk}/").json()["audio_url"] == url
    login(client, w["far"].user)
    assert client.get(url).status_code == 404
    assert api_for(w["far"].user).get(f"/api/v1/resolutions/{page.pk}/").status_code == 404


def test_a_recorded_reading_wins_and_nothing_is_synthesized(
    w, client, django_capture_on_commit_callbacks
):
    page = resolution(w["tree"]["d1"])
    page.audio.save("doc.mp3", ContentFile(b"ID3\x03" + b"\0" * 200), save=True)
    publish(page, django_capture_on_commit_callbacks)
    assert not SpokenAudio.objects.exists()
    assert speech.generate(page)["skipped"] == "no text"
    login(client, w["a"].user)
    response = client.get(reverse("study:resolution_audio", args=[page.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    # The recorded reading removed and the page published again: now it is synthesized.
    page.audio = ""
    publish(page, django_capture_on_commit_callbacks)
    assert SpokenAudio.objects.filter(page_id=page.pk).exists()
