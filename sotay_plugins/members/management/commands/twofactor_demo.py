"""``twofactor_demo USERNAME``: for a demo without a phone, the current code of a staff
account's authenticator (enrolling one first if the account has none; the key is printed so it
can be typed into an app too). It reads the key from the database, as anyone with shell access
to the server could: it gives no right a shell does not already have."""

from base64 import b32encode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from sotay_plugins.members import twofactor


class Command(BaseCommand):
    help = "In mã xác thực hai bước hiện tại của một tài khoản cán bộ (dùng cho bản demo)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {username}.")
        if not twofactor.needs_two_factor(user):
            raise CommandError(f"{username} không phải cán bộ: không cần xác thực hai bước.")
        device = twofactor.authenticator(user)
        if device is None:
            device = twofactor.pending_authenticator(user)
            codes = twofactor.confirm(device)
            self.stdout.write(f"Đã đăng ký ứng dụng xác thực cho {username}.")
            self.stdout.write(f"Mã dự phòng: {' '.join(codes)}")
        key = b32encode(device.bin_key).decode()
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"Khóa bí mật (nhập vào ứng dụng xác thực): {key}")
        self.stdout.write(f"Mã hiện tại (đổi sau mỗi {device.step} giây): {code:0{device.digits}d}")
