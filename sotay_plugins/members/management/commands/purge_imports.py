from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from sotay_plugins.members.importing import purge_stale_files


class Command(BaseCommand):
    help = "Xóa các tệp Excel đã tải lên nhưng không nhập sau N ngày (tệp chứa số CCCD)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=2)

    def handle(self, *args, days, **options):
        count = purge_stale_files(timezone.now() - timedelta(days=days))
        self.stdout.write(f"Đã xóa {count} tệp.")
