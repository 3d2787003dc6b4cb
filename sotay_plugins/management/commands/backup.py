"""``manage.py backup [--output FILE]``: the database and the files in one archive
(sotay_plugins.backups)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from sotay_plugins import backups


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu PostgreSQL và các tệp (riêng tư, media) vào một tệp .tar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="tệp sẽ ghi (mặc định var/backups/sotay-<ngày giờ>.tar)",
        )

    def handle(self, *args, output=None, **options):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        output = Path(output or settings.BASE_DIR / "var" / "backups" / f"sotay-{stamp}.tar")
        try:
            manifest = backups.create(output)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Đã sao lưu %(tables)d bảng (%(rows)d dòng) và %(files)d tệp vào %(path)s.")
            % {
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": len(manifest["files"]),
                "path": output,
            }
        )
