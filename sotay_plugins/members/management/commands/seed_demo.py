"""Deterministic demo data (CONTRACT.md):
``seed_demo --scale tiny|small|province [--seed N] [--manifest FILE]``.

The data and how they are written live in ``sotay_plugins.members.demo``; this is the command.
"""

from django.core.management.base import BaseCommand

from sotay_plugins.members.demo.province import SCALES, ProvinceSeeder


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu: một tỉnh với tổ chức, đảng viên, tài khoản và phân quyền."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--manifest", help="ghi tệp JSON mô tả dữ liệu đã tạo")
        parser.add_argument(
            "--if-empty", action="store_true", help="bỏ qua, không báo lỗi, khi đã có dữ liệu"
        )

    def handle(self, *args, scale, seed, manifest=None, if_empty=False, **options):
        ProvinceSeeder(self.stdout, self.style).run(
            scale=scale, seed=seed, manifest=manifest, if_empty=if_empty
        )
