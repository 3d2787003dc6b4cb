"""``manage.py import_members FILE.xlsx --org CODE [--dry-run] [--user USERNAME]``

The admin's spreadsheet import from the shell (CONTRACT.md), in-process (no queue needed),
with progress on stderr.

All or nothing, as in the admin: if any row has an error, the errors are printed (in
Vietnamese, one line each), nothing is imported and the exit code is 1. Exit codes:

- 0: the file is good; imported (or, with ``--dry-run``, would import) — counts on stdout;
- 1: rows with errors (nothing imported, dry run or not);
- 2: the file or the unit cannot be used (too big, not an .xlsx, wrong columns, unknown
  ``--org``, or ``--user`` holds no import right there).

The writes run in one transaction: if they fail half-way (the database refusing a row, the
process killed), nothing is left written; the error is raised after the rollback (exit code 1,
as any uncaught error) and the batch record says, in Vietnamese, that no row was written.

Without ``--user`` the shell operator is trusted with any unit; with it, the import is scoped
exactly as in the admin.
"""

import os

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotay_plugins.members import importing as importer
from sotay_plugins.members.models import ImportBatch
from sotay_plugins.orgtree.models import Organisation


class Command(BaseCommand):
    help = gettext_lazy(
        "Nhập danh sách đảng viên từ tệp Excel theo mẫu (tất cả hoặc không: có dòng lỗi thì không "
        "nhập gì)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=gettext_lazy("tệp .xlsx theo mẫu"))
        parser.add_argument(
            "--org", required=True, help=gettext_lazy("mã đơn vị nhận (ví dụ 34.01)")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_lazy("chỉ kiểm tra, không ghi gì")
        )
        parser.add_argument(
            "--user", help=gettext_lazy("kiểm tra phạm vi như tài khoản này (tên đăng nhập)")
        )

    def handle(self, *args, file, org, dry_run=False, user=None, **options):
        unit = Organisation.objects.filter(code=org).first()
        if unit is None:
            raise CommandError(
                _("Không có đơn vị nào mang mã %(code)s.") % {"code": org}, returncode=2
            )
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("Không có tài khoản %(user)s.") % {"user": user}, returncode=2)
        if not os.path.isfile(file):
            raise CommandError(_("Không tìm thấy tệp %(file)s.") % {"file": file}, returncode=2)

        def progress(done, total):
            self.stderr.write(f"\r{done}/{total} ({done * 100 // max(total, 1)}%)", ending="")
            self.stderr.flush()

        def make_batch(report):
            batch = ImportBatch(
                org=unit,
                original_name=os.path.basename(file)[:255],
                created_by=actor,
                state=ImportBatch.State.RUNNING,
                total_rows=report.total_rows,
            )
            with open(file, "rb") as handle:
                batch.file.save("nhap-dang-vien.xlsx", File(handle), save=False)
            batch.save()
            return batch

        try:
            report = importer.run(
                file, unit, user=actor, dry_run=dry_run, make_batch=make_batch, progress=progress
            )
        except importer.ImportFileError as exc:
            self.stderr.write("")
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(_("Không nhập được; không có gì được ghi."), returncode=2) from None
        except Exception:  # the writes failed half-way: rolled back, the batch says so
            self.stderr.write("")
            self.stderr.write(_("Không nhập được; không có gì được ghi."))
            raise
        self.stderr.write("")
        for item in report.errors:
            for message in item["errors"]:
                self.stdout.write(message)
        counts = {
            "rows": report.total_rows,
            "errors": report.error_rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        if dry_run:
            line = (
                _(
                    "Kiểm tra: %(rows)d dòng, %(errors)d dòng lỗi; sẽ thêm mới %(created)d, cập "
                    "nhật %(updated)d, không đổi %(unchanged)d."
                )
                % counts
            )
        elif report.applied:
            line = (
                _(
                    "Đã nhập: %(rows)d dòng; thêm mới %(created)d, cập nhật %(updated)d, không đổi "
                    "%(unchanged)d."
                )
                % counts
            )
        else:
            line = _("%(errors)d dòng có lỗi; không có gì được nhập.") % counts
        if report.errors:
            raise CommandError(line, returncode=1)
        self.stdout.write(line)
