import time

from django.core.management.base import BaseCommand

from sotay_plugins.notices import services


class Command(BaseCommand):
    help = (
        "Gửi các thông báo đã đến giờ hẹn, đẩy lại các thông báo bị giữ (giờ yên lặng, mạng "
        "chậm) và gửi bản tóm tắt hằng ngày. Chạy mỗi phút (cron, systemd timer) hoặc --loop 60."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="lặp lại sau mỗi N giây")

    def handle(self, *args, loop=0, **options):
        while True:
            summary = services.tick()
            self.stdout.write(
                f"Đã bắt đầu gửi {summary['started']}, đẩy lại {summary['pushes']}, "
                f"tóm tắt {summary['digests']}."
            )
            if not loop:
                return
            time.sleep(loop)
