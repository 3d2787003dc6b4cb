"""``manage.py refresh_leaderboards [--province CODE] [--date YYYY-MM-DD] [--queue]``: rewrite
the points boards (month and year) of every province, or of one. Run it nightly (cron or a
systemd timer) to close each day; events ask for a refresh themselves during the day."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.study.points import boards, ledger


class Command(BaseCommand):
    help = "Tính lại bảng xếp hạng điểm tích lũy (tháng và năm) của các tỉnh."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="Mã đảng bộ tỉnh (mặc định: mọi tỉnh).")
        parser.add_argument("--date", help="Tính theo ngày YYYY-MM-DD (mặc định: hôm nay).")
        parser.add_argument(
            "--queue", action="store_true", help="Gửi việc qua hàng đợi thay vì chạy ngay."
        )

    def handle(self, *args, province=None, date=None, queue=False, **options):
        as_of = _parse(date)
        if province:
            found = Organisation.objects.filter(code=province, parent__isnull=True).first()
            if found is None:
                raise CommandError(f"Không có đảng bộ tỉnh mã {province}.")
            provinces = [found]
        else:
            provinces = boards.provinces()
        for unit in provinces:
            if queue:
                ledger.request_refresh(unit.pk, force=True)
                self.stdout.write(f"{unit.code}: đã gửi vào hàng đợi")
                continue
            started = time.monotonic()
            rows = boards.refresh(unit.pk, as_of)
            self.stdout.write(
                f"{unit.code}: {rows} dòng xếp hạng trong {time.monotonic() - started:.1f} giây"
            )


def _parse(text):
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError("Ngày phải có dạng YYYY-MM-DD.") from None
