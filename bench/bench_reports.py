"""Issue 16's budgets: the reports' roll-ups and dashboard at province scale (PostgreSQL).

    python bench/bench_reports.py seed        # recreate the database, seed_demo province, a year
                                              # of meetings with their attendance
    python bench/bench_reports.py rebuild     # every roll-up of the last 12 months, from raw rows
    python bench/bench_reports.py refresh     # a day of events, then the incremental refresh
    python bench/bench_reports.py dashboard [--samples 200]
    python bench/bench_reports.py all         # rebuild, refresh, dashboard (after seed)

The database is ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/sotay_reports``;
``seed`` drops it first and refuses a name that does not start with ``sotay_reports`` or
``sotay_bench``). ``seed``: migrate, ``seed_demo --scale province --seed 1`` (13 / ~700 /
~5,000 / ~110,000 members; the editorial demo's ~2,000,000 read receipts over 60 days), then
one regular meeting per cell and month over the last twelve months (held, 85 % of the members
present) written by SQL: ~60,000 meetings, ~1,300,000 attendance rows.

Budgets (issue 16):
- ``rebuild``: ``engine.rebuild`` of the last twelve months for every provider: under 300 s;
- ``refresh``: 20,000 read receipts today, then ``engine.refresh`` (what changed since the last
  refresh): under 30 s; then the snapshot providers' own nightly pass, timed without a budget;
- ``dashboard``: ``GET /api/v1/reports/dashboard/?from=<Jan>&to=<Dec>`` through the Django test
  client as a viewer of the province (grants warm): p95 under 200 ms and at most 10 SQL queries;
  as a viewer of each district in turn: p95 under 100 ms.
Each figure is printed with the load average before and after (2 shared cores).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = benchlib.ROOT
DB_DEFAULT = "postgres://postgres@127.0.0.1:5432/sotay_reports"


def _env():
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DB_DEFAULT)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    env.pop("REDIS_URL", None)
    return env


def _setup():
    benchlib.django_setup(_env())


def cmd_seed(args):
    env = _env()
    url = env["DATABASE_URL"]
    db = urlsplit(url).path.lstrip("/")
    if not (db.startswith("sotay_reports") or db.startswith("sotay_bench")):
        sys.exit(f"refusing to drop '{db}'")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    # --from DB: a copy of a database already seeded with seed_demo --scale province --seed 1
    # (bench/bench_seed.sh's sotay_bench), instead of seeding again.
    template = f' TEMPLATE "{args.source}"' if args.source else ""
    subprocess.run(
        [
            "psql",
            admin,
            "-q",
            "-c",
            f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)',
            "-c",
            f'CREATE DATABASE "{db}"{template}',
        ],
        check=True,
    )
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    if not args.source:
        began = time.perf_counter()
        subprocess.run(
            [python, "manage.py", "seed_demo", "--scale", "province", "--seed", "1"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"seed_demo province: {time.perf_counter() - began:.0f} s")
    _setup()
    began = time.perf_counter()
    meetings, rows = _year_of_meetings()
    print(
        f"a year of meetings: {meetings} meetings, {rows} attendance rows, "
        f"{time.perf_counter() - began:.0f} s"
    )


def _months_back(n):
    from django.utils import timezone

    from sotay_plugins.reports.rollups.periods import add_months, month_start

    end = month_start(timezone.localdate())
    return [add_months(end, -i) for i in range(n - 1, -1, -1)]


def _year_of_meetings():
    """One held regular meeting per active cell and month (the 3rd, 08:00), registered on the
    15th of the month before; attendance for every member of the cell, 85 % present."""
    from django.db import connection

    from sotay_plugins.meetings.models import Attendance, Meeting
    from sotay_plugins.reports.rollups.periods import add_months

    q = connection.ops.quote_name
    meeting, attendance = q(Meeting._meta.db_table), q(Attendance._meta.db_table)
    total_meetings = total_rows = 0
    for month in _months_back(12):
        starts = datetime(month.year, month.month, 3, 1, 0)  # 08:00 in Hà Nội, as UTC
        before = add_months(month, -1)
        registered = datetime(before.year, before.month, 15, 1, 0)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {meeting} (issuer_org_id, audience_org_id, audience_positions,
                    audience_groups, kind, title, starts_at, place, online_link, agenda, content,
                    draft_resolution, minutes, resolution, state, created_at, updated_at)
                SELECT o.id, o.id, 0, 0, 'regular', 'Sinh hoạt thường kỳ (bench)',
                    %s::timestamptz, 'Hội trường', '', 'Nghị quyết tháng', '', '', '', '',
                    'held', %s::timestamptz, now()
                FROM orgtree_organisation o WHERE o.kind = 'cell' AND o.is_active
                RETURNING id
                """,  # noqa: S608 (table names from _meta)
                [f"{starts:%Y-%m-%d %H:%M}+00", f"{registered:%Y-%m-%d %H:%M}+00"],
            )
            ids = [r[0] for r in cursor.fetchall()]
            total_meetings += len(ids)
            cursor.execute(
                f"""
                INSERT INTO {attendance} (meeting_id, member_id, status, reason, method,
                    checked_in_at, updated_at)
                SELECT m.id, mem.id,
                    CASE WHEN random() < 0.85 THEN 'present' ELSE 'absent' END, '', '', NULL, now()
                FROM {meeting} m JOIN members_member mem ON mem.cell_id = m.audience_org_id
                WHERE m.id = ANY(%s) AND mem.status IN ('active', 'exempt')
                """,  # noqa: S608
                [ids],
            )
            total_rows += cursor.rowcount
    return total_meetings, total_rows


def _timed(label, fn, budget):
    print(benchlib.load())
    began = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - began
    verdict = "OK" if seconds < budget else "OVER BUDGET"
    print(f"{label}: {seconds:.1f} s (budget {budget} s) {verdict}")
    print(benchlib.load())
    return result


def cmd_rebuild(args):
    _setup()
    from sotay_plugins.reports.rollups import engine

    months = _months_back(12)
    rows = _timed("rebuild 12 months", lambda: engine.rebuild(months[0], months[-1]), budget=300)
    print(f"  {rows} roll-up rows written")


def cmd_refresh(args):
    _setup()
    from django.utils import timezone

    from editorial.models import DocumentPage, ReadReceipt
    from sotay_plugins.members.models import Member
    from sotay_plugins.reports.rollups import engine

    since = timezone.now()
    rng = random.Random(16)
    members = list(Member.objects.filter(status="active").values_list("pk", flat=True))
    pages = list(DocumentPage.objects.live().values_list("pk", flat=True)[:2000])
    now = timezone.now()
    today = timezone.localdate()
    seen, receipts = set(), []
    while len(receipts) < 20_000:
        key = (rng.choice(pages), rng.choice(members))
        if key in seen:
            continue
        seen.add(key)
        receipts.append(
            ReadReceipt(
                page_id=key[0], member_id=key[1], day=today, first_at=now, last_at=now, opens=1
            )
        )
    ReadReceipt.objects.bulk_create(receipts, batch_size=5000, ignore_conflicts=True)
    written = _timed("incremental refresh (a day)", lambda: engine.refresh(since), budget=30)
    print(f"  rows written: {written}")
    # the snapshot providers' nightly pass (study, feedback): reported, outside the budget
    began = time.perf_counter()
    engine.refresh_snapshots()
    print(f"snapshot providers' nightly pass: {time.perf_counter() - began:.1f} s (no budget)")


def cmd_dashboard(args):
    _setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    # the process as a production worker has it: config.wsgi, once loaded, freezes what was
    # loaded (gc.freeze) so the collector's full passes skip it
    import config.wsgi  # noqa: F401
    from sotay_plugins.orgtree.models import Organisation, Role, RoleAssignment
    from sotay_plugins.orgtree.roles import VIEWER
    from tests.factories import UserFactory

    year = timezone.localdate().year
    viewer_role = Role.objects.get(code=VIEWER)

    def viewer_at(org):
        user = UserFactory(username=f"bench-reports-{org.pk}")
        RoleAssignment.objects.get_or_create(user=user, role=viewer_role, org=org)
        return user

    def run(user, samples, budget_ms, label, url="/api/v1/reports/dashboard/", extra=None):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        params = {"from": f"{year}-01", "to": f"{year}-12", **(extra or {})}
        first = client.get(url, params, HTTP_HOST="localhost")
        assert first.status_code == 200, first.content[:300]
        times, queries = [], 0
        for _i in range(samples):
            with CaptureQueriesContext(connection) as ctx:
                began = time.perf_counter()
                response = client.get(url, params, HTTP_HOST="localhost")
                times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
            queries = max(queries, len(ctx.captured_queries))
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        verdict = "OK" if p95 < budget_ms else "OVER BUDGET"
        print(
            f"{label}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max "
            f"{times[-1]:.1f} ms, queries {queries} (budget p95 < {budget_ms} ms) {verdict}"
        )
        return p95, queries

    print(benchlib.load())
    province = Organisation.objects.filter(parent__isnull=True).order_by("pk").first()
    run(viewer_at(province), args.samples, 200, "province, a year")
    districts = list(province.get_children().filter(kind="district").order_by("pk"))
    worst = 0
    for district in districts:
        p95, _q = run(
            viewer_at(district),
            max(20, args.samples // len(districts)),
            100,
            f"district {district.code}",
        )
        worst = max(worst, p95)
    print(f"districts: worst p95 {worst:.1f} ms (budget 100 ms)")
    # Reading per document (the editorial provider's stored counts): the province's documents
    # of the year, first page and a page deep in the list, by rate.
    province_viewer = viewer_at(province)
    for label, extra in (
        ("documents, province, page 1", {"org": province.pk}),
        ("documents, province, page 40 by rate", {"org": province.pk, "order": "rate", "page": 40}),
        ("documents, a district, page 1", {"org": districts[0].pk}),
    ):
        run(
            province_viewer,
            max(20, args.samples // 4),
            200,
            label,
            url="/api/v1/reports/documents/",
            extra=extra,
        )
    print(benchlib.load())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["seed", "rebuild", "refresh", "dashboard", "all"])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument(
        "--from", dest="source", default="", help="seed: copy this seeded database instead"
    )
    args = parser.parse_args()
    if args.command == "all":
        cmd_rebuild(args)
        cmd_refresh(args)
        cmd_dashboard(args)
    else:
        {
            "seed": cmd_seed,
            "rebuild": cmd_rebuild,
            "refresh": cmd_refresh,
            "dashboard": cmd_dashboard,
        }[args.command](args)


if __name__ == "__main__":
    main()
