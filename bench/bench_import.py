"""The spreadsheet import's cost: a 10,000-row file into one district-level unit (budget: < 60 s
on PostgreSQL, with progress).

Usage (a database of its own, so as not to collide with other benchmarks)::

    createdb -h 127.0.0.1 -U postgres sotay_bench_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sotay_bench_import \
        python bench/bench_import.py \
        [--rows 10000] [--cells 100] [--seed-province] [--json bench/out/import.json]

The database is migrated if needed. With ``--seed-province`` (and an empty database) it is first
seeded with ``seed_demo --scale province`` so that the member and account tables hold a
province's 110,000 rows; otherwise the benchmark builds a small tree of its own. Either way it
adds (or reuses) a unit "BENCH" — one district with ``--cells`` cells under 10 base
organisations — and deletes that unit's members before timing, so every run starts the same.

It writes a ``--rows``-row spreadsheet of valid, distinct people (names with diacritics, every
column filled, ~1 in 25 a cell secretary), then times, in-process (as ``manage.py
import_members`` runs it; the admin's job runs the same code):

- ``check``:   the dry run (read + validate every row, no writes);
- ``import``:  the full import of new members (check again + create users and members + roles
               + the batch and its audit entry);
- ``again``:   the same file again (idempotent: all rows unchanged);
- ``update``:  a file with every phone number changed (all rows updated).

Wall-clock seconds by ``time.perf_counter``; progress callbacks are counted to show that the
progress bar moves (one call per 1,000-row chunk and phase).
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sotay_bench_import")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from sotay_plugins.members import importing as importer  # noqa: E402
from sotay_plugins.members.cccd import make_cccd  # noqa: E402
from sotay_plugins.members.models import ImportBatch, Member  # noqa: E402
from sotay_plugins.orgtree.choices import OrgKind  # noqa: E402
from sotay_plugins.orgtree.models import Organisation, RoleAssignment  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hữu", "Ngọc", "Quang"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hùng",
    "Lan",
    "Mai",
    "Nam",
    "Phương",
    "Thảo",
    "Tuấn",
]
GROUPS = ["Hưu trí", "Cán bộ, công chức, viên chức", "Ấp, khóm, thôn, tổ dân phố", "Doanh nghiệp"]


def bench_unit(cells):
    """The BENCH district (under the seeded province if there is one), with its cells."""
    district = Organisation.objects.filter(code__endswith=".BENCH").first()
    if district is None:
        province = Organisation.objects.filter(kind=OrgKind.PROVINCE).order_by("pk").first()
        if province is None:
            province = Organisation.objects.create(
                name="Tỉnh Thử", code="T1", kind=OrgKind.PROVINCE
            )
        district = Organisation.objects.create(
            name="Huyện Đo Tải",
            code=f"{province.code}.BENCH",
            kind=OrgKind.DISTRICT,
            parent=province,
        )
    have = Organisation.objects.filter(parent__parent=district, kind=OrgKind.CELL).count()
    if have < cells:
        for b in range(10):
            base = Organisation.objects.filter(
                code=f"{district.code}.{b:02d}"
            ).first() or Organisation.objects.create(
                name=f"Đảng bộ xã thử {b}",
                code=f"{district.code}.{b:02d}",
                kind=OrgKind.BASE,
                parent=district,
            )
            for c in range(cells // 10):
                code = f"{base.code}.{c:03d}"
                if not Organisation.objects.filter(code=code).exists():
                    Organisation.objects.create(
                        name=f"Chi bộ thử {b}.{c}", code=code, kind=OrgKind.CELL, parent=base
                    )
    district = Organisation.objects.get(pk=district.pk)
    codes = list(
        Organisation.objects.filter(
            tree_id=district.tree_id,
            lft__gt=district.lft,
            rght__lt=district.rght,
            kind=OrgKind.CELL,
        )
        .order_by("code")
        .values_list("code", flat=True)
    )
    return district, codes


def clear(district):
    members = Member.objects.filter(
        cell__tree_id=district.tree_id, cell__lft__gt=district.lft, cell__rght__lt=district.rght
    )
    user_ids = list(members.values_list("user_id", flat=True))
    RoleAssignment.objects.filter(user_id__in=user_ids).delete()
    members.delete()
    get_user_model().objects.filter(pk__in=user_ids).delete()
    drop_batches(district)


def drop_batches(district):
    for batch in ImportBatch.objects.filter(org=district):
        batch.file.delete(save=False)
        batch.delete()


def people(n, codes, rng):
    taken = set(Member.objects.values_list("cccd", flat=True))
    rows = []
    while len(rows) < n:
        gender = "male" if rng.random() < 0.6 else "female"
        birth = date(rng.randint(1945, 2000), rng.randint(1, 12), rng.randint(1, 28))
        cccd = make_cccd(
            "001", birth, gender, rng.randint(0, 999_999)
        )  # Hà Nội: apart from the seeded 034s
        if cccd in taken:
            continue
        taken.add(cccd)
        index = len(rows)
        joined = date(
            min(birth.year + rng.randint(18, 40), 2024), rng.randint(1, 12), rng.randint(1, 28)
        )
        rows.append(
            [
                f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                birth.strftime("%d/%m/%Y"),
                "Nam" if gender == "male" else "Nữ",
                cccd,
                codes[index % len(codes)],
                None,
                str(rng.randint(10_000_000, 99_999_999)),
                "Chính thức",
                joined.strftime("%d/%m/%Y"),
                date(joined.year + 1, joined.month, joined.day).strftime("%d/%m/%Y"),
                "Bí thư chi bộ" if index < len(codes) else "Đảng viên",
                rng.choice(GROUPS),
                "Xã Vũ Hội, huyện Vũ Thư, tỉnh Thái Bình",
                f"Thôn {rng.randint(1, 12)}, xã Vũ Hội",
                f"09{rng.randint(10_000_000, 99_999_999)}",
                "Có" if rng.random() < 0.9 else "Không",
            ]
        )
    return rows


def write_xlsx(rows, path):
    # A normal (not write-only) workbook, like a file saved by Excel: it records the sheet's
    # dimensions, which openpyxl's read-only mode otherwise has to find by reading the sheet twice.
    wb = Workbook()
    ws = wb.active
    ws.title = importer.LIST_SHEET
    ws.append([col.header for col in importer.all_columns()])
    for row in rows:
        ws.append(row)
    wb.save(path)


def timed(label, func, results):
    calls = []
    start = time.perf_counter()
    report = func(lambda done, total: calls.append((done, total)))
    seconds = time.perf_counter() - start
    results[label] = {
        "seconds": round(seconds, 2),
        "progress_calls": len(calls),
        **report.as_dict(),
    }
    print(
        f"{label:7s} {seconds:7.2f} s  rows={report.total_rows} created={report.created} "
        f"updated={report.updated} "
        f"unchanged={report.unchanged} errors={report.error_rows} progress_calls={len(calls)}",
        flush=True,
    )
    if report.errors:
        print(report.errors[:3])
        raise SystemExit(1)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--cells", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seed-province", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if args.seed_province and not Member.objects.exists():
        t = time.perf_counter()
        call_command("seed_demo", scale="province", seed=1)
        print(f"seeded the province in {time.perf_counter() - t:.0f} s")
    district, codes = bench_unit(args.cells)
    clear(district)
    rng = random.Random(args.seed)
    rows = people(args.rows, codes, rng)
    print(
        f"{connection.vendor}: {Member.objects.count()} members stored; "
        f"importing {len(rows)} rows into "
        f"{district.code} ({len(codes)} cells)",
        flush=True,
    )
    results = {
        "vendor": connection.vendor,
        "rows": len(rows),
        "stored_members": Member.objects.count(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ds.xlsx")
        write_xlsx(rows, path)
        results["file_bytes"] = os.path.getsize(path)
        print(f"file: {results['file_bytes'] / 1024 / 1024:.1f} MB")

        def make_batch(report):
            batch = ImportBatch(
                org=district, original_name="bench.xlsx", state=ImportBatch.State.RUNNING
            )
            with open(path, "rb") as handle:
                batch.file.save("bench.xlsx", File(handle), save=False)
            batch.save()
            return batch

        timed("check", lambda p: importer.run(path, district, dry_run=True, progress=p), results)
        timed(
            "import",
            lambda p: importer.run(path, district, make_batch=make_batch, progress=p),
            results,
        )
        timed(
            "again",
            lambda p: importer.run(path, district, make_batch=make_batch, progress=p),
            results,
        )
        for row in rows:
            row[14] = f"08{rng.randint(10_000_000, 99_999_999)}"
        write_xlsx(rows, path)
        timed(
            "update",
            lambda p: importer.run(path, district, make_batch=make_batch, progress=p),
            results,
        )
    drop_batches(
        district
    )  # the stored copies of the spreadsheet (the members stay, for inspection)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2))
    ok = results["import"]["seconds"] < 60
    print(f"budget (< 60 s for {len(rows)} rows): {'OK' if ok else 'EXCEEDED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
