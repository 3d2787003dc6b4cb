from django.core.management.base import BaseCommand, CommandError

from sotay_plugins.orgtree.services import check_tree


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của cây tổ chức (các trường lft/rght/level của django-mptt)."

    def handle(self, *args, **options):
        problems = check_tree()
        for problem in problems[:50]:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"Cây tổ chức có {len(problems)} lỗi.")
        self.stdout.write(self.style.SUCCESS("Cây tổ chức hợp lệ."))
