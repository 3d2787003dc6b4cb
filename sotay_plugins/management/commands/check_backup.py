"""``manage.py check_backup FILE``: exit 0 if the archive is whole (sotay_plugins.backups.check)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sotay_plugins import backups


class Command(BaseCommand):
    help = "Kiểm tra một bản sao lưu: manifest, mã băm của từng tệp, bản dump đọc được."
    requires_system_checks = []  # usable on a machine that only keeps the archives

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        manifest, problems = backups.check(archive)
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(
            _(
                "Bản sao lưu nguyên vẹn: %(tables)d bảng, %(rows)d dòng, %(files)d tệp, "
                "lập lúc %(at)s."
            )
            % {
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": len(manifest["files"]),
                "at": manifest["created_at"],
            }
        )
