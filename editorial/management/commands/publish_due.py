import time

from django.core.management.base import BaseCommand

from editorial.publishing import scheduler


class Command(BaseCommand):
    help = (
        "Đăng các phiên bản đã đến giờ hẹn, gỡ các trang đã hết hạn, giao các công việc nền còn "
        "chờ (việc mà bộ lập lịch của RQ làm mỗi phút). Dùng khi không chạy rqworker "
        "--with-scheduler."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="lặp lại sau mỗi N giây")
        parser.add_argument(
            "--arm",
            action="store_true",
            help="chỉ đặt lịch phiên chạy kế tiếp vào hàng đợi RQ (cần REDIS_URL)",
        )

    def handle(self, *args, loop=0, arm=False, **options):
        if arm:
            job_id = scheduler.schedule_next()
            self.stdout.write(f"Đã đặt lịch: {job_id}")
            return
        while True:
            summary = scheduler.run_once("command")
            if summary.get("busy"):
                self.stdout.write("Một tiến trình khác đang chạy; bỏ qua lượt này.")
            else:
                self.stdout.write(
                    f"Đã đăng {summary['published']}, đã gỡ {summary['unpublished']}, "
                    f"lỗi {summary['errors']}, đã giao {summary['swept']} công việc nền."
                )
            if not loop:
                return
            time.sleep(loop)
