"""``manage.py restore_backup FILE [--database-url URL] [--private-root DIR] [--media-root DIR]``:
load an archive into an empty database and empty folders (sotay_plugins.backups.restore)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sotay_plugins import backups


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu vào cơ sở dữ liệu trống (mặc định: DATABASE_URL) và các thư mục "
        "tệp trống, rồi so số dòng của từng bảng."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--database-url", help="cơ sở dữ liệu đích (mặc định: DATABASE_URL)")
        parser.add_argument("--private-root", help="thư mục tệp riêng tư đích")
        parser.add_argument("--media-root", help="thư mục media đích")

    def handle(self, *args, archive, database_url=None, private_root=None, media_root=None, **o):
        try:
            target = (
                backups.Database.from_url(database_url)
                if database_url
                else backups.Database.from_settings()
            )
            roots = backups.roots()
            roots["private"] = private_root or roots["private"]
            roots["media"] = media_root or roots["media"]
            manifest = backups.restore(archive, target, file_roots=roots)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Đã khôi phục %(tables)d bảng (%(rows)d dòng) và %(files)d tệp vào %(name)s.")
            % {
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": len(manifest["files"]),
                "name": target.name,
            }
        )
