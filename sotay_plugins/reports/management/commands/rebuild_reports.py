"""Rebuild every roll-up from the modules' raw rows (issue 16): ``manage.py rebuild_reports``
(default: the last twelve months), ``--from 2026-01 --to 2026-12``, ``--provider members``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sotay_plugins.registry import registry
from sotay_plugins.reports.rollups import engine
from sotay_plugins.reports.rollups.periods import MAX_MONTHS, add_months, month_start, parse_month


class Command(BaseCommand):
    help = "Tính lại toàn bộ số liệu tổng hợp báo cáo từ dữ liệu gốc."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="YYYY-MM (mặc định: 11 tháng trước)")
        parser.add_argument("--to", dest="end", help="YYYY-MM (mặc định: tháng này)")
        parser.add_argument("--provider", action="append", help="chỉ nguồn số liệu này")

    def handle(self, *args, start=None, end=None, provider=None, **options):
        try:
            end = parse_month(end, "to") if end else month_start(timezone.localdate())
            start = parse_month(start, "from") if start else add_months(end, -11)
        except ValidationError as exc:
            raise CommandError(
                "; ".join(m for ms in exc.message_dict.values() for m in ms)
            ) from None
        if start > end:
            raise CommandError("Tháng bắt đầu phải trước tháng kết thúc.")
        if (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
            raise CommandError(f"Tối đa {MAX_MONTHS} tháng mỗi lần.")
        unknown = set(provider or ()) - set(registry.statistics)
        if unknown:
            raise CommandError(f"Không có nguồn số liệu: {', '.join(sorted(unknown))}")
        began = timezone.now()
        last = [0]

        def progress(done, total):
            if options.get("verbosity", 1) > 1 or done == total or done - last[0] >= 10:
                last[0] = done
                self.stdout.write(f"{done}/{total}")

        rows = engine.rebuild(start, end, providers=provider, progress=progress)
        seconds = (timezone.now() - began).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"{rows} dòng số liệu ({start:%m/%Y}–{end:%m/%Y}) trong {seconds:.1f} giây."
            )
        )
