import time

from django.core.management.base import BaseCommand

from sotay_plugins.agenda import services


class Command(BaseCommand):
    help = (
        "Nhắc người được giao nhiệm vụ sắp đến hạn (mỗi hạn một lần). Chạy vài phút một lần "
        "(cron, systemd timer) hoặc --loop 300."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="lặp lại sau mỗi N giây")

    def handle(self, *args, loop=0, **options):
        while True:
            summary = services.tick()
            self.stdout.write(f"Đã nhắc {summary['reminded']} nhiệm vụ sắp đến hạn.")
            if not loop:
                return
            time.sleep(loop)
