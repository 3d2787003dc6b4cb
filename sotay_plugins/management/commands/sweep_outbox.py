import time

from django.core.management.base import BaseCommand

from sotay_plugins import jobs


class Command(BaseCommand):
    help = (
        "Giao lại cho hàng đợi RQ các công việc nền còn chờ (Redis từng không truy cập được),"
        " bị Redis làm mất, hoặc bị bỏ dở khi tiến trình chạy chúng dừng đột ngột."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="lặp lại sau mỗi N giây")
        parser.add_argument(
            "--older-than",
            type=int,
            default=30,
            help="chỉ giao công việc đã chờ quá N giây (mặc định 30)",
        )

    def handle(self, *args, loop=0, older_than=30, **options):
        while True:
            delivered = jobs.sweep(older_than_seconds=older_than)
            self.stdout.write(f"Đã giao {delivered} công việc.")
            if not loop:
                return
            time.sleep(loop)
