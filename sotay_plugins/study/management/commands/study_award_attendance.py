"""Send the attendance points of the study sessions of the last days (cron).

Check-ins are recorded by the attendance plugin with one SQL UPDATE and no signal; this sends
``study.session_attended`` for everyone checked in at sessions that started in the last
``--days`` days (the points ledger earns once per rule, member and source).
"""

from django.core.management.base import BaseCommand

from sotay_plugins.study.plans.services import award_recent


class Command(BaseCommand):
    help = "Cộng điểm dự buổi học tập nghị quyết cho người đã điểm danh (các ngày gần đây)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=2)

    def handle(self, *args, **options):
        sent = award_recent(days=max(1, options["days"]))
        self.stdout.write(f"Đã gửi {sent} lượt cộng điểm dự buổi học.")
