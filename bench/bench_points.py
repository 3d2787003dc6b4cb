"""Points and leaderboards at province scale: issue 13's budgets.

    python bench/bench_points.py seed
        # recreate the database (named sotay_bench*), seed_demo --scale province
    python bench/bench_points.py inprocess [--members 50]
        # SQL queries of "my points" (budget: at most 6) and of the boards page; the cost of
        # one event (ledger.award); a day's events, then the refresh of every board (budget 60 s)
    python bench/bench_points.py http [--duration 10] [--connections "2 8"]
        # gunicorn + wrk: bare view, the province board (API and admin), the member's boards
        # page, "my points" (budget for the province board page: under 100 ms)

Database: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sotay_bench_points; ``seed``
drops only a database named sotay_bench*; ``inprocess`` and ``http`` work on any database
seeded with ``seed_demo --scale province``). Redis: BENCH_REDIS_URL (default
redis://127.0.0.1:6379/4, flushed before ``http``).

``inprocess`` (production settings with Redis, Django test client, ``CaptureQueriesContext``):
 1. ``/diem/`` ("Điểm của tôi") and ``/diem/xep-hang/`` for ``--members`` random members, the
    second visit of each (the first fills the caches a session keeps: rights, the member's
    place, the province's settings): min/median/max queries;
 2. 2,000 events through ``ledger.award`` for random members and rules (autocommit as in a job):
    p50/p95 ms per event;
 3. "a day's events": every active member gets, dated today, a meeting attended and a document
    read, and one in three a study session (COPY, ~260,000 lines), then
    ``boards.refresh(province)`` is timed: month and year boards of every cell, base
    organisation, district-level unit and the province. The lines are deleted afterwards (the
    database stays as seeded) and the boards refreshed again.

``http``: gunicorn ``config.wsgi`` (2 sync workers), settings ``bench.settings`` (production +
``/bench/bare/``, bench/bare.py), Redis as in production. A viewer account holding the role
"Xem dữ liệu" at the province (made here if missing: ``bench_points_viewer``) and 200 random
members, each with a session. wrk (bench/library.lua: cycles through per-session requests)
on, in turn: ``bare``; ``province_api`` (``/api/v1/leaderboards/?unit=<province>``, the
province board's first page as the viewer; the admin's board page is not driven here: production
staff sessions need two-factor verification); ``boards`` (``/diem/xep-hang/``, each member:
their cell board and their rank up to the province); ``mine`` (``/diem/``); ``bare`` again. Each
throughput is also given as a ratio to the mean of the two bare runs of the same connection count.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime
from http.client import HTTPConnection
from pathlib import Path

import benchlib
from benchlib import ROOT, load, make_session

OUT = ROOT / "bench" / "out"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sotay_bench_points"
SECRET = "bench-points-not-a-secret-" + os.uname().nodename
PORT = int(os.environ.get("PORT", "18767"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
SEED = 1
VIEWER = "bench_points_viewer"


def env(redis=True):
    e = dict(os.environ)
    e.setdefault("DATABASE_URL", DEFAULT_DB)
    e.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="WARNING",
    )
    for name in ("DJANGO_DEBUG", "REDIS_URL"):
        e.pop(name, None)
    if redis:
        e["REDIS_URL"] = REDIS
    return e


def django_setup():
    benchlib.django_setup(env())


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def summary(values):
    return (
        f"p50 {statistics.median(values):.2f} ms, p95 {pct(values, 95):.2f} ms, "
        f"max {max(values):.2f} ms (n={len(values)})"
    )


def collectstatic():
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env(),
        check=True,
    )


# --- seed ------------------------------------------------------------------------------------


def cmd_seed(args):
    url = benchlib.recreate_database(DEFAULT_DB)
    e = env(redis=False)
    e["DATABASE_URL"] = url
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=e, check=True)
    subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "manage.py", "seed_demo", "--scale", "province"],
        cwd=ROOT,
        env=e,
        check=True,
    )


# --- in process ------------------------------------------------------------------------------


def province():
    from sotay_plugins.study.points import boards

    found = boards.provinces()
    if not found:
        sys.exit("no province: seed first (bench/bench_points.py seed)")
    return found[0]


def viewer_user():
    from django.contrib.auth import get_user_model

    from sotay_plugins.orgtree.models import Role, RoleAssignment

    user, _ = get_user_model().objects.get_or_create(username=VIEWER)
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.objects.get(code="viewer"), org=province()
    )
    return user


def cmd_inprocess(args):
    collectstatic()  # the production settings' manifest storage needs it before any template
    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    print(f"== in process, production settings, REDIS_URL={REDIS}; {load()}")
    host = settings.ALLOWED_HOSTS[0]
    users = get_user_model().objects.in_bulk(
        benchlib.pick_member_users(args.members, SEED, "bench/bench_points.py seed")
    )
    counts = {"/diem/": [], "/diem/xep-hang/": []}
    for user in users.values():
        client = Client(HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for path in counts:
            client.get(path, secure=True)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, secure=True)
            if response.status_code != 200:
                sys.exit(f"GET {path}: HTTP {response.status_code}")
            counts[path].append(len(ctx.captured_queries))
    for path, values in counts.items():
        print(
            f"QUERIES {path} over {len(values)} members: min {min(values)}, "
            f"median {statistics.median(values):g}, max {max(values)}"
        )
    award_cost()
    day_refresh()


def award_cost():
    from django.utils import timezone

    from sotay_plugins.members.models import Member
    from sotay_plugins.study.points import ledger
    from sotay_plugins.study.points.models import PointLine

    rng = random.Random(SEED)
    ids = list(Member.objects.filter(status="active").values_list("pk", flat=True))
    rules = {
        "editorial.read": "editorial.documentpage",
        "study.read": "study.resolution",
        "study.quiz_passed": "study.quiz",
        "study.session_attended": "study.session",
    }
    times, outcomes = [], {}
    marker = f"bench{int(time.time())}"
    for n in range(2000):
        member_id = rng.choice(ids)
        rule = rng.choice(sorted(rules))
        started = time.perf_counter()
        outcome = ledger.award(rule, member_id, f"{rules[rule]}:{marker}-{n}", timezone.now())
        times.append((time.perf_counter() - started) * 1000)
        outcomes[outcome.status] = outcomes.get(outcome.status, 0) + 1
    print(f"AWARD ledger.award, 2,000 events: {summary(times)}; outcomes {outcomes}")
    PointLine.objects.filter(source__contains=f":{marker}-").delete()


def day_refresh():
    from django.db import connection, transaction
    from django.utils import timezone

    from sotay_plugins.members.models import Member
    from sotay_plugins.study.points import boards
    from sotay_plugins.study.points.models import BoardEntry, PointLine

    unit = province()
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    members = list(
        Member.objects.filter(status="active").order_by("pk").values_list("pk", "cell_id")
    )
    marker = f"day{int(time.time())}"
    table = connection.ops.quote_name(PointLine._meta.db_table)
    columns = (
        "rule, member_id, cell_id, issuer_org_id, points, rule_points, source, item, title, at, "
        "day, reason, recorded_at"
    )

    def rows():
        for member_id, cell_id in members:
            at = timezone.make_aware(datetime.combine(today, datetime.min.time()))
            events = [("meetings.attended", 5), ("editorial.read", 1)]
            if rng.random() < 1 / 3:
                events.append(("study.session_attended", 5))
            for rule, points in events:
                source = f"study.quiz:{marker}-{member_id}"
                yield (
                    rule,
                    member_id,
                    cell_id,
                    cell_id,
                    points,
                    points,
                    source,
                    source,
                    "",
                    at,
                    today,
                    "",
                    now,
                )

    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
            written = 0
            for row in rows():
                copy.write_row(row)
                written += 1
    print(
        f"DAY {written} ledger lines dated today written (COPY) "
        f"in {time.monotonic() - started:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    timings = []
    for _ in range(2):
        started = time.monotonic()
        rows_written = boards.refresh(unit.pk)
        timings.append(time.monotonic() - started)
    print(
        f"REFRESH boards.refresh(province): {rows_written} board rows "
        f"(month + year, cell/base/district/province), "
        f"{', '.join(f'{t:.1f}' for t in timings)} s; {BoardEntry.objects.count()} rows in all"
    )
    PointLine.objects.filter(source__startswith=f"study.quiz:{marker}-").delete()
    boards.refresh(unit.pk)


# --- over HTTP -------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, workers=2):
        self.workers = workers

    def __enter__(self):
        OUT.mkdir(parents=True, exist_ok=True)
        collectstatic()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.log = open(OUT / "points_gunicorn.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                gunicorn,
                "config.wsgi:application",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(120):
            try:
                conn = HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request(
                    "GET",
                    "/bench/bare/",
                    headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"},
                )
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        self.__exit__()
        sys.exit("gunicorn did not answer /bench/bare/")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def write_jobs(count):
    from django.contrib.auth import get_user_model

    unit = province()
    viewer = viewer_user()
    users = get_user_model().objects.in_bulk(
        benchlib.pick_member_users(count, SEED, "bench/bench_points.py seed")
    )
    member_cookies = [f"sessionid={make_session(u)}" for u in users.values()]
    viewer_cookies = [f"sessionid={make_session(viewer)}" for _ in range(8)]
    jobs = {
        "bare": [(c, "/bench/bare/") for c in member_cookies],
        "province_api": [(c, f"/api/v1/leaderboards/?unit={unit.pk}") for c in viewer_cookies],
        "boards": [(c, "/diem/xep-hang/") for c in member_cookies],
        "mine": [(c, "/diem/") for c in member_cookies],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for name, lines in jobs.items():
        (OUT / f"points_{name}.tsv").write_text("".join(f"{c}\t{p}\n" for c, p in lines))
    return {name: len(lines) for name, lines in jobs.items()}


def wrk(name, conns, duration):
    e = dict(
        os.environ, SOTAY_JOBS=str(OUT / f"points_{name}.tsv"), WRK_NAME=name, WRK_C=str(conns)
    )
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{conns}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "library.lua"),
            f"http://127.0.0.1:{PORT}",
        ],
        env=e,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    return line, dict(item.split("=", 1) for item in line.split()[1:])


def warm(name):
    conn = HTTPConnection("127.0.0.1", PORT, timeout=60)
    for line in (OUT / f"points_{name}.tsv").read_text().splitlines():
        cookie, path = line.split("\t")
        conn.request(
            "GET",
            path,
            headers={"Cookie": cookie, "Host": "127.0.0.1", "X-Forwarded-Proto": "https"},
        )
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"{path} answered {response.status} during the warm-up")
    conn.close()


def cmd_http(args):
    django_setup()
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    print(
        f"== http: gunicorn {args.workers} sync workers, bench.settings, "
        f"REDIS_URL={REDIS}; {load()}"
    )
    print("== jobs:", write_jobs(args.sessions))
    with Gunicorn(args.workers), open(OUT / "points_wrk.txt", "w") as log:
        for name in ("province_api", "boards", "mine"):
            warm(name)
        for conns in [int(c) for c in args.connections.split()]:
            results = {}
            for name in ("bare", "province_api", "boards", "mine", "bare"):
                line, fields = wrk(name, conns, args.duration)
                print(line, flush=True)
                log.write(line + "\n")
                results.setdefault(name, []).append(float(fields["rps"]))
            bare = statistics.mean(results["bare"])
            ratios = " ".join(
                f"{name}={results[name][0] / bare:.2f}" for name in results if name != "bare"
            )
            line = f"RATIO connections={conns} bare_rps={bare:.1f} {ratios}"
            print(line, flush=True)
            log.write(line + "\n")
    print(f"== {load()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("seed")
    p = sub.add_parser("inprocess")
    p.add_argument("--members", type=int, default=50)
    p = sub.add_parser("http")
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--connections", default="2 8")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--sessions", type=int, default=200)
    args = parser.parse_args()
    {"seed": cmd_seed, "inprocess": cmd_inprocess, "http": cmd_http}[args.cmd](args)


if __name__ == "__main__":
    main()
