"""Compile every .po catalogue of the project to .mo, in pure Python (polib).

Django's own ``compilemessages`` needs GNU gettext's msgfmt; the install step runs this instead
so that a fresh machine needs nothing beyond pip. ``makemessages`` (run by developers when
strings change) still needs gettext.
"""

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
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                compiled += 1
                self.stdout.write(f"{po_path} ({catalogue.percent_translated()}% đã dịch)")
        self.stdout.write(self.style.SUCCESS(f"Đã biên dịch {compiled} tệp."))
