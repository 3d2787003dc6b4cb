import time

from django.core.management.base import BaseCommand

from sotay_plugins import jobs


class Command(BaseCommand):
    help = "Giao các công việc nền còn chờ (khi Redis từng không truy cập được) cho hàng đợi RQ."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="lặp lại sau mỗi N giây")

    def handle(self, *args, loop=0, **options):
        while True:
            delivered = jobs.sweep()
            self.stdout.write(f"Đã giao {delivered} công việc.")
            if not loop:
                return
            time.sleep(loop)
