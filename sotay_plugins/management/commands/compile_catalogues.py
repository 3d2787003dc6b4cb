"""Compile every .po catalogue of the project to .mo, in pure Python (polib).

Django's own ``compilemessages`` needs GNU gettext's msgfmt; the install step runs this instead
so that a fresh machine needs nothing beyond pip. ``makemessages`` (run by developers when
strings change) still needs gettext.
"""

import os
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Biên dịch các tệp dịch .po thành .mo (không cần gettext)."

    def handle(self, *args, **options):
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        roots += [
            p for p in (Path(settings.BASE_DIR) / "sotay_plugins").glob("**/locale") if p.is_dir()
        ]
        compiled = 0
        for root in roots:
            for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
                try:
                    catalogue = polib.pofile(str(po_path))
                except OSError as exc:
                    raise CommandError(f"Không đọc được {po_path}: {exc}") from exc
                # written beside it, then renamed over it: a process starting meanwhile (a
                # server, a second test run) reads the old catalogue or the new, never half
                mo_path = po_path.with_suffix(".mo")
                partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
                catalogue.save_as_mofile(str(partial))
                os.replace(partial, mo_path)
                compiled += 1
                self.stdout.write(f"{po_path} ({catalogue.percent_translated()}% đã dịch)")
        self.stdout.write(self.style.SUCCESS(f"Đã biên dịch {compiled} tệp."))
