"""Documents read aloud on the server (issue 18, "Reading for those who see poorly").

A phone without a Vietnamese voice cannot use the browser's read-aloud (``speechSynthesis``).
For those, every published item of a *spoken kind* (``registry.add_spoken_kind``: the library's
documents and news, the resolutions to study) gets an audio version, made on the server:

1. Wagtail's ``page_published`` (any page; only spoken kinds go on) queues one outbox job
   (``jobs.enqueue``: after commit, RQ or in-process) — ``SOTAY_SPEECH_ON_PUBLISH``;
2. the job (``generate_job`` → ``generate``) takes the item's text from its kind (``text(page)``),
   cuts it at ``SOTAY_SPEECH_MAX_CHARS`` (at a word, with a closing sentence that says so), and
   hashes it with the voice and rate: the same text is the same audio, so a second run, or a new
   revision that changed only the audience, does nothing (``cached``). A changed text makes a new
   file; the old one is deleted once the new row is committed;
3. ``synthesize``: espeak-ng (Debian; voices ``vi``, ``vi-vn-x-central``, ``vi-vn-x-south``)
   speaks the text in chunks of at most ``SOTAY_SPEECH_CHUNK_CHARS`` cut at sentences, one
   process per chunk with a timeout (the text goes on stdin, never through a shell); the chunks'
   WAV frames are joined with a short pause, then encoded to Ogg Opus (``opusenc``, package
   ``opus-tools``: about 2 KB a second of speech), or MP3 (``lame``) where only that is
   installed, or kept as WAV with a logged warning where neither is;
4. the file goes to private storage (``SpokenAudio``, one row per page): it has no public URL.
   The module that owns the page serves it after its own scope check (a member outside the
   audience gets 404 for the audio as for the page) with ``sotay_plugins.files.serve_private``.

A failure (espeak-ng missing, a timeout, a crash) is logged and recorded in the job's result;
it never raises into the publishing request, and the page keeps working without audio.
``manage.py generate_audio`` (re)makes the audio of every published item.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess  # noqa: S404 (fixed argument lists, never a shell)
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from . import jobs
from .models import OutboxJob, SpokenAudio
from .registry import registry

log = logging.getLogger(__name__)

GENERATE_JOB = "sotay_plugins.speech.generate_job"
#: Silence between two chunks, in seconds (a sentence pause).
CHUNK_PAUSE = 0.35
#: Encoders, most compact first: (name, executable, content type, extension).
ENCODERS = (
    ("opus", "opusenc", "audio/ogg", ".opus"),
    ("mp3", "lame", "audio/mpeg", ".mp3"),
)
WAV = ("wav", "", "audio/wav", ".wav")


class SpeechError(Exception):
    """The audio could not be made (the message says why, for the log and the job's result)."""


def _setting(name, default):
    return getattr(settings, f"SOTAY_SPEECH_{name}", default)


def voice():
    return _setting("VOICE", "vi")


def rate():
    """Words a minute (espeak-ng's ``-s``; its default 175 is quick for an elderly listener)."""
    return int(_setting("RATE", 150))


def espeak_path():
    return shutil.which(_setting("ESPEAK", "espeak-ng"))


def encoder():
    """The encoder to use: ``SOTAY_SPEECH_ENCODER`` ("opus", "mp3", "wav" or "auto": the most
    compact one installed) → ``(name, path, content type, extension)``."""
    wanted = _setting("ENCODER", "auto")
    for name, program, content_type, extension in ENCODERS:
        if wanted not in ("auto", name):
            continue
        path = shutil.which(program)
        if path:
            return name, path, content_type, extension
        if wanted == name:
            log.warning("speech: encoder %s (%s) is not installed; keeping WAV", name, program)
    if wanted == "auto":
        log.warning("speech: neither opusenc nor lame is installed; keeping WAV (larger files)")
    return WAV


# --- text ---------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
#: The end of a sentence (or of a line: headings, list items) — where a chunk may be cut.
_SENTENCE_END = re.compile(r"(?<=[.!?;:…])\s+|\n+")


def normalise(text):
    """Lines kept (they end sentences: headings, list items), spaces within a line collapsed."""
    lines = (_SPACES.sub(" ", line).strip() for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line)


def capped(text, max_chars=None):
    """``(text, truncated)``: at most ``max_chars`` characters, cut at a word, with a closing
    sentence that tells the listener the rest is on the page."""
    max_chars = max_chars or int(_setting("MAX_CHARS", 20_000))
    if len(text) <= max_chars:
        return text, False
    cut = text[:max_chars]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > max_chars // 2:
        cut = cut[:space]
    with translation.override(settings.LANGUAGE_CODE):
        ending = _("Bản đọc dừng ở đây. Xin xem toàn văn trên trang.")
    cut = cut.rstrip()
    if not cut.endswith((".", "!", "?", "…")):
        cut += "."
    return f"{cut}\n{ending}", True


def chunks(text, size=None):
    """The text in pieces of at most ``size`` characters, cut after a sentence where possible,
    else at a space, else anywhere (a very long "word")."""
    size = size or int(_setting("CHUNK_CHARS", 1500))
    out, current = [], ""
    pieces = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    for piece in pieces:
        while len(piece) > size:
            cut = piece.rfind(" ", 0, size)
            cut = cut if cut > 0 else size
            head, piece = piece[:cut].strip(), piece[cut:].strip()
            if current:
                out.append(current)
                current = ""
            out.append(head)
        if current and len(current) + 1 + len(piece) > size:
            out.append(current)
            current = ""
        current = f"{current}\n{piece}" if current else piece
    if current:
        out.append(current)
    return out


def text_hash(text):
    """What the audio depends on: the text, the voice and the rate (and the engine's name)."""
    key = f"espeak-ng\0{voice()}\0{rate()}\0{text}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# --- synthesis ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Speech:
    """One synthesized audio file (in a temporary directory the caller removes)."""

    path: Path
    content_type: str
    extension: str
    seconds: float
    encoder: str


def _run(args, *, stdin=None, timeout):
    """Run one program (a list of arguments, no shell) with a timeout: SpeechError otherwise."""
    try:
        done = subprocess.run(  # noqa: S603 (fixed program paths from shutil.which, no shell)
            args, input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SpeechError(f"{Path(args[0]).name}: no answer after {timeout:g} s") from exc
    except OSError as exc:
        raise SpeechError(f"{Path(args[0]).name}: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[:300]
        raise SpeechError(f"{Path(args[0]).name} exited with {done.returncode}: {message}")
    return done


def _speak_chunk(espeak, chunk, path, timeout):
    _run(
        [espeak, "-v", voice(), "-s", str(rate()), "-w", str(path), "--stdin"],
        stdin=chunk.encode("utf-8"),
        timeout=timeout,
    )
    if not path.exists() or path.stat().st_size <= 44:
        raise SpeechError("espeak-ng wrote no audio")


def _join(parts, out_path):
    """Join the chunks' WAV files into one, with a pause between them. Returns the seconds."""
    frames = 0
    with wave.open(str(out_path), "wb") as out:
        params = None
        for index, part in enumerate(parts):
            with wave.open(str(part), "rb") as chunk:
                if params is None:
                    params = chunk.getparams()
                    out.setnchannels(params.nchannels)
                    out.setsampwidth(params.sampwidth)
                    out.setframerate(params.framerate)
                elif (chunk.getnchannels(), chunk.getsampwidth(), chunk.getframerate()) != (
                    params.nchannels,
                    params.sampwidth,
                    params.framerate,
                ):
                    raise SpeechError("espeak-ng chunks differ in format")
                if index:
                    pause = int(params.framerate * CHUNK_PAUSE)
                    out.writeframes(b"\0" * pause * params.sampwidth * params.nchannels)
                    frames += pause
                data = chunk.readframes(chunk.getnframes())
                out.writeframes(data)
                frames += len(data) // (params.sampwidth * params.nchannels)
    return frames / params.framerate if params else 0.0


def synthesize(text, workdir):
    """Speak ``text`` into one compact audio file under ``workdir``. Raises SpeechError."""
    espeak = espeak_path()
    if not espeak:
        raise SpeechError("espeak-ng is not installed (apt-get install espeak-ng)")
    timeout = float(_setting("TIMEOUT", 120))
    workdir = Path(workdir)
    parts = []
    for index, chunk in enumerate(chunks(text)):
        part = workdir / f"chunk-{index:04d}.wav"
        _speak_chunk(espeak, chunk, part, timeout)
        parts.append(part)
    if not parts:
        raise SpeechError("no text to speak")
    joined = workdir / "speech.wav"
    seconds = _join(parts, joined)
    for part in parts:
        part.unlink(missing_ok=True)
    name, program, content_type, extension = encoder()
    if name == "wav":
        return Speech(joined, content_type, extension, seconds, name)
    encoded = workdir / f"speech{extension}"
    if name == "opus":
        # complexity 5: half the time of the default 10 for the same size on speech (bench)
        args = [program, "--quiet", "--speech", "--bitrate", "16", "--comp", "5"]
        args += [str(joined), str(encoded)]
    else:
        args = [program, "--quiet", "-m", "m", "-b", "32", str(joined), str(encoded)]
    try:
        _run(args, timeout=timeout)
    except SpeechError as exc:
        log.warning("speech: encoding failed (%s); keeping WAV", exc)
        return Speech(joined, WAV[2], WAV[3], seconds, "wav")
    joined.unlink(missing_ok=True)
    return Speech(encoded, content_type, extension, seconds, name)


# --- the stored audio -----------------------------------------------------------------------------


def spoken_kind(page):
    return registry.spoken_kind(page)


def audio_of(page_or_id):
    """The page's current audio (a ``SpokenAudio`` with a file), or None. One query."""
    page_id = getattr(page_or_id, "pk", page_or_id)
    return SpokenAudio.objects.filter(page_id=page_id).exclude(file="").first()


def audio_map(page_ids):
    """``{page_id: SpokenAudio}`` for many pages (a listing): one query."""
    return {
        audio.page_id: audio
        for audio in SpokenAudio.objects.filter(page_id__in=list(page_ids)).exclude(file="")
    }


def _delete_file(storage, name):
    if name:
        try:
            storage.delete(name)
        except OSError:
            log.warning("speech: could not delete old audio %s", name, exc_info=True)


def remove(page_or_id):
    """Delete the page's audio (its row now, its file once committed)."""
    page_id = getattr(page_or_id, "pk", page_or_id)
    for audio in SpokenAudio.objects.filter(page_id=page_id):
        audio.delete()


def file_deleted(sender, instance, **kwargs):
    """``post_delete`` of a SpokenAudio (its page deleted, or ``remove``): the file goes too."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: _delete_file(storage, name))


def generate(page, *, force=False):
    """Make (or keep) the audio of one page. Returns what happened, for the job's result:
    ``{"page", "cached": True}``, ``{"page", "made": True, "seconds", "size", "took"}``,
    ``{"page", "skipped": reason}`` or ``{"page", "failed": reason}`` (logged; never raised)."""
    page = getattr(page, "specific", page)
    kind = spoken_kind(page)
    result = {"page": page.pk}
    if kind is None:
        return {**result, "skipped": "not a spoken kind"}
    if not page.live:
        return {**result, "skipped": "not live"}
    text, truncated = capped(normalise(kind.text(page)))
    if not text:
        remove(page)
        return {**result, "skipped": "no text"}
    digest = text_hash(text)
    current = SpokenAudio.objects.filter(page_id=page.pk).first()
    if current is not None and current.text_hash == digest and current.file and not force:
        if current.file.storage.exists(current.file.name):
            return {**result, "cached": True}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sotay-speech-") as workdir:
        try:
            speech = synthesize(text, workdir)
        except SpeechError as exc:
            log.warning("speech: no audio for page %s: %s", page.pk, exc)
            return {**result, "failed": str(exc)[:300]}
        took = time.monotonic() - started
        fields = {
            "text_hash": digest,
            "revision_id": page.live_revision_id,
            "content_type": speech.content_type,
            "encoder": speech.encoder,
            "seconds": round(speech.seconds, 2),
            "chars": len(text),
            "truncated": truncated,
            "took": round(took, 3),
        }
        name = f"{page.pk}-{digest[:16]}{speech.extension}"
        with speech.path.open("rb") as handle:
            saved = _store(page, name, File(handle), fields)
    return {
        **result,
        "made": True,
        "seconds": saved.seconds,
        "size": saved.size,
        "took": fields["took"],
        "encoder": speech.encoder,
    }


def _store(page, name, content, fields):
    """Write the new file, point the page's row at it, delete the old file after commit."""
    with transaction.atomic():
        audio = SpokenAudio.objects.select_for_update().filter(page_id=page.pk).first()
        old_name = audio.file.name if audio is not None and audio.file else ""
        if audio is None:
            audio = SpokenAudio(page_id=page.pk)
        for key, value in fields.items():
            setattr(audio, key, value)
        audio.file.save(name, content, save=False)
        audio.size = audio.file.size
        try:
            with transaction.atomic():
                audio.save()
        except IntegrityError:  # another run made the row in between: keep theirs
            _delete_file(audio.file.storage, audio.file.name)
            return SpokenAudio.objects.get(page_id=page.pk)
        storage = audio.file.storage
        if old_name and old_name != audio.file.name:
            transaction.on_commit(lambda: _delete_file(storage, old_name))
    return audio


def generate_job(*, job, page_id, force=False):
    """The outbox job: make the audio of one page (idempotent: a second run finds it cached)."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return {"page": page_id, "skipped": "deleted"}
    return generate(page.specific, force=force)


def request(page, revision_id=None):
    """Queue the audio of ``page`` (after commit). One pending job per page and revision."""
    revision_id = revision_id or page.live_revision_id
    key = f"speech:{page.pk}:{revision_id}"
    try:
        with transaction.atomic():
            return jobs.enqueue(GENERATE_JOB, dedupe_key=key, page_id=page.pk)
    except IntegrityError:
        if OutboxJob.objects.filter(
            dedupe_key=key, state__in=[OutboxJob.State.PENDING, OutboxJob.State.QUEUED]
        ).exists():
            return None
        raise


def on_page_published(sender, instance, revision=None, **kwargs):
    """Wagtail's ``page_published``, for every page: a live page of a spoken kind gets its audio
    made (or kept) in the background."""
    if not _setting("ON_PUBLISH", True) or not instance.live:
        return
    if spoken_kind(instance) is None:
        return
    request(instance, revision.pk if revision is not None else None)


def all_published():
    """Every live page of every spoken kind, kind by kind (for ``generate_audio``)."""
    for kind in registry.ordered_spoken_kinds():
        yield kind, kind.queryset()


def engine_status():
    """What is installed, for the command's report and the README's checks."""
    name, program, _type, _ext = encoder()
    return {"espeak-ng": espeak_path(), "encoder": name, "encoder_path": program or None}
