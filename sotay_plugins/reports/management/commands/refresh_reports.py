"""The incremental refresh of the roll-ups (issue 16): what changed since the last refresh.
Run it nightly and, on busy days, every few minutes (cron, systemd timer); ``--queue`` hands it
to the background workers instead (through the outbox). ``--snapshots``: the figures of today of
the modules that give only the snapshot shape (study, feedback): once a night, apart."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from sotay_plugins.reports.rollups import engine, jobs


class Command(BaseCommand):
    help = "Cập nhật số liệu tổng hợp báo cáo theo các thay đổi từ lần cập nhật trước."

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="store_true", help="chạy bằng công việc nền")
        parser.add_argument(
            "--snapshots",
            action="store_true",
            help="số liệu trong ngày của các nguồn dạng ảnh chụp",
        )

    def handle(self, *args, queue=False, snapshots=False, **options):
        if queue:
            job = jobs.enqueue_refresh(snapshots=snapshots)
            self.stdout.write("Đã xếp hàng." if job else "Đã có một lần cập nhật đang chờ.")
            return
        began = timezone.now()
        written = engine.refresh_snapshots() if snapshots else engine.refresh()
        seconds = (timezone.now() - began).total_seconds()
        summary = ", ".join(f"{k}: {n}" for k, n in written.items())
        self.stdout.write(self.style.SUCCESS(f"{summary} — {seconds:.1f} giây."))
