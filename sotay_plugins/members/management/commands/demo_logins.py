"""``demo_logins``: print the address and one demo account per role made by ``seed_demo``.

``make run`` prints it LAST (after the server's own banner, see ``run_demo``), so whoever starts
the demo sees how to log in without scrolling: the administrator, one account for every role
the seeded province holds (office, viewer, editorial board, news editor, document uploader,
member updater, cell secretary…, whatever the enabled plugins declare), and a plain member
(whose login is their CCCD).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from sotay_plugins.members.demo.province import DEMO_PASSWORD, SUPERUSER
from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.choices import Position
from sotay_plugins.orgtree.models import RoleAssignment


def demo_accounts():
    """``[(label, user)]``: the superuser, the first account of each role (highest unit first,
    staff accounts before members'), then a plain member. A handful of queries."""
    User = get_user_model()
    rows = []
    admin = (
        User.objects.filter(username=SUPERUSER).first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if admin:
        rows.append(("Quản trị hệ thống (superuser)", admin))
    seen = set()
    assignments = (
        RoleAssignment.objects.select_related("user", "role", "org", "advisory_body")
        .filter(user__is_active=True, user__is_superuser=False)
        .order_by("role__name", "org__level", "user__member", "pk")
    )
    # one account per role: the first of each role in this order (DISTINCT ON is PostgreSQL's
    # alone; the roles are a dozen, so walking the ordered rows until each is seen is cheap)
    for assignment in assignments.iterator(chunk_size=200):
        if assignment.role_id in seen:
            continue
        seen.add(assignment.role_id)
        where = assignment.org.short_name or assignment.org.name
        if assignment.advisory_body_id:
            where = f"{assignment.advisory_body.name}, {where}"
        rows.append((f"{assignment.role.name} — {where}", assignment.user))
        if len(seen) >= 40:
            break
    members = (
        Member.objects.select_related("user", "cell")
        .filter(status="active", user__is_active=True)
        .order_by("pk")
    )
    plain = next((m for m in members[:50] if Position.DANG_VIEN in m.positions), None)
    if plain:
        rows.append((f"Đảng viên — {plain.full_name}, {plain.cell.name}", plain.user))
    return rows


class Command(BaseCommand):
    help = "In địa chỉ trang demo và mỗi vai trò một tài khoản mẫu để đăng nhập."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        rows = demo_accounts()
        out = self.stdout
        out.write("")
        out.write("=" * 72)
        out.write(self.style.SUCCESS(f"Sổ tay đảng viên điện tử: {url}/"))
        out.write(f"  Trang quản trị (cán bộ): {url}/quan-tri/")
        if not rows:
            out.write("  Chưa có tài khoản mẫu (chạy: python manage.py seed_demo --scale tiny).")
            out.write("=" * 72)
            return
        out.write(f"  Tài khoản mẫu, mật khẩu chung {DEMO_PASSWORD}:")
        width = max(len(user.username) for _, user in rows)
        # The seeder gives every account the same hash: one (slow, PBKDF2) check for them all.
        verified = {}
        for label, user in rows:
            if user.password not in verified:
                verified[user.password] = user.check_password(DEMO_PASSWORD)
            note = "" if verified[user.password] else "  (mật khẩu đã được đổi)"
            out.write(f"    {user.username:<{width}}  {label}{note}")
        out.write(
            "  Đảng viên đăng nhập bằng số CCCD. Cán bộ vào trang quản trị lần đầu đăng ký ứng"
            " dụng xác thực (mã QR); không có điện thoại: python manage.py twofactor_demo"
            " <tài khoản> in mã hiện tại."
        )
        out.write("  Dừng máy chủ: Ctrl+C.")
        out.write("=" * 72)
