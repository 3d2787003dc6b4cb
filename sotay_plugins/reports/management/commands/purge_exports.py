from django.core.management.base import BaseCommand

from sotay_plugins.reports.exports.services import purge_expired


class Command(BaseCommand):
    help = (
        "Xóa các tệp báo cáo đã xuất quá hạn (một ngày sau khi tạo xong). Chạy mỗi giờ (cron) "
        "nếu không có RQ; với RQ, việc xóa đã được hẹn giờ khi tệp được tạo."
    )

    def handle(self, *args, **options):
        count = purge_expired()
        self.stdout.write(f"Đã xóa {count} tệp.")
