"""``demo_logins``: print the address and a few demo accounts made by ``seed_demo``.

``make run`` calls it before serving, so whoever starts the demo knows how to log in: the
administrator, one member (their login is their CCCD), a cell secretary and a staff account.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from sotay_plugins.members.demo.province import DEMO_PASSWORD, SUPERUSER
from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.choices import Position
from sotay_plugins.orgtree.models import RoleAssignment


class Command(BaseCommand):
    help = "In địa chỉ trang demo và một số tài khoản mẫu để đăng nhập."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        User = get_user_model()
        rows = []
        admin = (
            User.objects.filter(username=SUPERUSER).first()
            or User.objects.filter(is_superuser=True).first()
        )
        if admin:
            rows.append(("Quản trị hệ thống", admin))
        members = (
            Member.objects.select_related("user", "cell")
            .filter(status="active", user__is_active=True)
            .order_by("pk")
        )
        plain = next((m for m in members[:50] if Position.DANG_VIEN in m.positions), None)
        secretary = next((m for m in members[:50] if Position.BI_THU_CHI_BO in m.positions), None)
        if plain:
            rows.append((f"Đảng viên — {plain.full_name}, {plain.cell.name}", plain.user))
        if secretary:
            rows.append(
                (f"Bí thư chi bộ — {secretary.full_name}, {secretary.cell.name}", secretary.user)
            )
        staff = (
            RoleAssignment.objects.select_related("user", "role", "org")
            .filter(user__member__isnull=True, user__is_superuser=False)
            .order_by("org__level", "pk")
            .first()
        )
        if staff:
            rows.append(
                (f"{staff.role.name} — {staff.org.short_name or staff.org.name}", staff.user)
            )

        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Sổ tay đảng viên điện tử: {url}"))
        out.write(f"  Trang quản trị: {url}/quan-tri/")
        if not rows:
            out.write("  Chưa có tài khoản mẫu (chạy: python manage.py seed_demo --scale tiny).")
            return
        out.write(f"  Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for label, user in rows:
            note = "" if user.check_password(DEMO_PASSWORD) else "  (mật khẩu đã được đổi)"
            out.write(f"    {user.username:<14} {label}{note}")
        out.write(
            "  Cán bộ vào trang quản trị lần đầu đăng ký ứng dụng xác thực (mã QR); không có điện"
            " thoại: python manage.py twofactor_demo <tài khoản> in mã hiện tại."
        )
        out.write("")
