"""How long the server takes to make the audio version of a document (issue 18,
``sotay_plugins/speech.py``), and how large it is.

    nice -n 19 .venv/bin/python bench/bench_speech.py [--runs 3] [--json bench/out/speech.json]

No database: the same ``speech.synthesize`` the background job calls (espeak-ng in chunks, joined,
encoded by opusenc), on Vietnamese texts of 1,500 characters (a news article), 5,000 (a typical
document: its summary and two pages of PDF text) and 20,000 (the cap,
``SOTAY_SPEECH_MAX_CHARS``: about half an hour of speech). For each: wall-clock seconds (median
of ``--runs``), seconds of audio, the real-time factor (audio seconds made per wall second),
and the file's size in KB and KB per minute of audio; then the same 5,000 characters kept as WAV
(no encoder), to show what the encoding saves.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.test import override_settings  # noqa: E402

from sotay_plugins import speech  # noqa: E402

PARAGRAPH = (
    "Ban Chấp hành Đảng bộ tỉnh yêu cầu các cấp ủy, tổ chức đảng tập trung lãnh đạo, chỉ đạo "
    "thực hiện tốt các nhiệm vụ trọng tâm năm 2025. Tiếp tục đẩy mạnh học tập và làm theo tư "
    "tưởng, đạo đức, phong cách Hồ Chí Minh; nâng cao chất lượng sinh hoạt chi bộ, nhất là sinh "
    "hoạt chuyên đề. Kiểm tra, giám sát việc thực hiện Nghị quyết số 57-NQ/TW ngày 22 tháng 12 "
    "năm 2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và "
    "chuyển đổi số quốc gia.\n"
)


def text_of(chars):
    text = PARAGRAPH * (chars // len(PARAGRAPH) + 1)
    return speech.capped(speech.normalise(text), chars)[0]


def measure(chars, runs, encoder="auto"):
    text = text_of(chars)
    times, made = [], None
    with override_settings(SOTAY_SPEECH_ENCODER=encoder, SOTAY_SPEECH_MAX_CHARS=chars + 200):
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix="bench-speech-") as workdir:
                started = time.perf_counter()
                result = speech.synthesize(text, workdir)
                times.append(time.perf_counter() - started)
                made = {
                    "encoder": result.encoder,
                    "audio_seconds": round(result.seconds, 1),
                    "kb": round(result.path.stat().st_size / 1024, 1),
                }
    wall = statistics.median(times)
    return {
        "chars": len(text),
        "chunks": len(speech.chunks(text)),
        **made,
        "wall_seconds": round(wall, 2),
        "wall_max": round(max(times), 2),
        "realtime_factor": round(made["audio_seconds"] / wall, 1),
        "kb_per_audio_minute": round(made["kb"] / made["audio_seconds"] * 60, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"engine: {speech.engine_status()}  load: {os.getloadavg()}")
    rows = [measure(n, args.runs) for n in (1500, 5000, 20000)]
    rows.append(measure(5000, 1, encoder="wav"))
    for row in rows:
        print(
            f"{row['chars']:>6} chars ({row['chunks']:>2} chunks, {row['encoder']}): "
            f"{row['audio_seconds']:>7.1f} s of audio in {row['wall_seconds']:>6.2f} s "
            f"(max {row['wall_max']:.2f}; x{row['realtime_factor']} real time), "
            f"{row['kb']:>8.1f} KB ({row['kb_per_audio_minute']} KB/min)"
        )
    print(f"load after: {os.getloadavg()}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
