from django.core.management.base import BaseCommand

from sotay_plugins.notices.push import generate_vapid_keys


class Command(BaseCommand):
    help = (
        "Tạo một cặp khóa VAPID mới cho thông báo đẩy (Web Push). Đặt hai dòng in ra vào biến "
        "môi trường của máy chủ; đổi khóa thì các thiết bị phải bật lại thông báo."
    )

    def handle(self, *args, **options):
        private, public = generate_vapid_keys()
        self.stdout.write(f"SOTAY_VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"SOTAY_VAPID_PRIVATE_KEY={private}")
