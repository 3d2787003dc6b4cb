"""Make one export from the shell, as its requester (rights checked as in the admin), and wait
for it: for a cron job that mails a pack, and for the benchmark (bench/bench_exports.py).

    python manage.py export_report --user vanphong.tinh --kind members --org TB --personal
    python manage.py export_report --user capnhat.01 --kind monthly --org TB.01 --month 2026-11 \
        --out pack.zip
"""

import shutil
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.reports.exports import periods, services
from sotay_plugins.reports.exports.models import Export


class Command(BaseCommand):
    help = "Xuất một báo cáo (như trong trang quản trị) và chờ tệp."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="người yêu cầu (tên đăng nhập)")
        parser.add_argument("--kind", required=True, choices=[k for k, _l in Export.Kind.choices])
        parser.add_argument("--org", required=True, help="mã đơn vị")
        parser.add_argument("--month", help="NNNN-TT (báo cáo tháng)")
        parser.add_argument("--start", type=_date, help="NNNN-TT-NN")
        parser.add_argument("--end", type=_date, help="NNNN-TT-NN")
        parser.add_argument("--format", choices=[f for f, _l in Export.Format.choices])
        parser.add_argument("--personal", action="store_true")
        parser.add_argument("--out", help="chép tệp ra đây")

    def handle(self, *args, **o):
        user = get_user_model().objects.filter(username=o["user"]).first()
        org = Organisation.objects.filter(code=o["org"]).first()
        if user is None or org is None:
            raise CommandError("Không có tài khoản hoặc đơn vị này.")
        today = timezone.localdate()
        start, end = o["start"] or today.replace(day=1), o["end"] or today
        began = time.perf_counter()
        try:
            if o["month"]:
                start, end = periods.month_bounds(o["month"])
            export, _created = services.request_export(
                user,
                kind=o["kind"],
                org=org,
                start=start,
                end=end,
                personal=o["personal"],
                fmt=o["format"],
            )
        except services.NotFound:
            raise CommandError("Đơn vị ngoài phạm vi của tài khoản này.") from None
        except (services.Refused, ValidationError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        export.refresh_from_db()
        if export.is_active:  # REDIS_URL set: the job is queued; run it here instead
            services.run_export(export.pk)
            export.refresh_from_db()
        seconds = time.perf_counter() - began
        if export.status != Export.Status.DONE:
            raise CommandError(f"{export.get_status_display()}: {export.message}")
        if o["out"]:
            with export.file.open("rb") as source, open(o["out"], "wb") as target:
                shutil.copyfileobj(source, target)
        self.stdout.write(
            f"export {export.pk}: {export.rows} dòng, {export.units} chi bộ, "
            f"{export.size} byte, {seconds:.1f} s, {export.file_name}"
        )


def _date(text):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ: {text}") from None
