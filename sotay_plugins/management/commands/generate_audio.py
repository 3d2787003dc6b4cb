"""``manage.py generate_audio``: make (or keep) the audio version of every published page of every
spoken kind (``sotay_plugins.speech``): after installing espeak-ng, after changing the voice or
the rate, or for items published before audio existed. Audio already made for the same text is
kept (``--force`` makes it again); ``--enqueue`` hands each page to the background jobs instead.
"""

from django.core.management.base import BaseCommand, CommandError

from sotay_plugins import speech
from sotay_plugins.registry import registry


class Command(BaseCommand):
    help = "Tạo bản đọc (âm thanh) cho mọi văn bản, tin bài, nghị quyết đã đăng."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind",
            action="append",
            default=[],
            help="only this spoken kind (repeatable): " + ", ".join(registry.spoken_kinds),
        )
        parser.add_argument("--force", action="store_true", help="make it again even if cached")
        parser.add_argument(
            "--enqueue", action="store_true", help="queue one background job per page instead"
        )
        parser.add_argument("--limit", type=int, default=0, help="at most this many pages a kind")

    def handle(self, *args, kind, force, enqueue, limit, **options):
        unknown = set(kind) - set(registry.spoken_kinds)
        if unknown:
            raise CommandError(f"unknown kind(s): {', '.join(sorted(unknown))}")
        status = speech.engine_status()
        if not enqueue and not status["espeak-ng"]:
            raise CommandError("espeak-ng is not installed (apt-get install espeak-ng)")
        self.stdout.write(f"espeak-ng: {status['espeak-ng']} · encoder: {status['encoder']}")
        totals = {"made": 0, "cached": 0, "failed": 0, "skipped": 0, "queued": 0}
        for spoken_kind, pages in speech.all_published():
            if kind and spoken_kind.key not in kind:
                continue
            pages = pages[:limit] if limit else pages
            for page in pages.iterator(chunk_size=200):
                if enqueue:
                    totals["queued"] += bool(speech.request(page))
                    continue
                result = speech.generate(page, force=force)
                outcome = next(k for k in ("made", "cached", "failed", "skipped") if k in result)
                totals[outcome] += 1
                if outcome == "made":
                    self.stdout.write(
                        f"{spoken_kind.key} {page.pk}: {result['seconds']:.0f} s of audio, "
                        f"{result['size'] // 1024} KB, made in {result['took']:.1f} s"
                    )
                elif outcome == "failed":
                    self.stderr.write(f"{spoken_kind.key} {page.pk}: {result['failed']}")
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in totals.items()))
        if totals["failed"]:
            raise CommandError(f"{totals['failed']} page(s) failed")
