"""The newsroom and library at province scale: issue 3's budgets.

    python bench/bench_library.py seed
        # recreate sotay_bench_library, seed_demo --scale province
    python bench/bench_library.py inprocess
        # SQL queries per page; read receipt cost (p50/p95)
    python bench/bench_library.py http [--duration 15] [--connections "2 8"]
        # gunicorn + wrk: bare view, /, library, API, download
    python bench/bench_library.py opens [--requests 1000] [--concurrency 100]
        # 1,000 concurrent opens of one document lose none
    python bench/bench_library.py all
        # inprocess, http, opens (after seed)

Database: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/sotay_bench_library (the name
must start with sotay_bench: ``seed`` drops it). Everything runs on 127.0.0.1, bounded in time.

``seed``: drop, create, migrate, then ``/usr/bin/time -v python manage.py seed_demo --scale
province --seed 1``: the units and members (``seed_demo``'s own part) and then the editorial
demo (~20,000 documents, ~2,000 news, ~2,000,000 read receipts; ``editorial.demo``), each part
printing its own time.

``inprocess`` (production settings with Redis as in ``http``, Django test client,
``CaptureQueriesContext``):
 1. SQL queries of ``/`` (the member home with the library's feed card: a member's first visit,
    rendered, and ``/ kept``: a later visit, served from the page cache), ``/thu-vien/`` with
    filters and ``/api/v1/documents/?kind=&year=`` for 50 random members (budget for ``/``: 10);
 2. recording a read receipt: ``editorial.reading.record(user, page, "opens")`` (finds the
    member, then one INSERT … ON CONFLICT) and ``ReadReceipt.count_daily``
    (``sotay_plugins.receipts``) alone, 2,000 calls each for random (member, provincial
    document) pairs, autocommit as in a request: p50/p95/max in ms (budget: under 2 ms).

``http``: gunicorn ``config.wsgi`` with 2 sync workers (the page benchmarks' setup:
bench/bench_pages.sh), production settings as ``bench.settings`` (they add ``/bench/bare/``: a
fixed page through the whole middleware stack, ``bench/bare.py``), ``SOTAY_SENDFILE=nginx``
(the file view answers with X-Accel-Redirect, so only the check is measured),
``REDIS_URL`` = ``BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/8, flushed first) as in
production: sessions, cached rights and kept pages (``sotay_plugins.pagecache``, on with a
shared cache) live there. 200 sessions of distinct random members, each with the CSRF cookie a
browser keeps after its first visit; for each member the script writes the requests it will
send (bench/out/library_*.tsv: Cookie header, path):
 - ``bare``: /bench/bare/ (the framework's ceiling);  - ``home``: / ;
 - ``library``: /thu-vien/ with ``loai``, ``nam``, ``so``, ``q`` alone and combined;
 - ``api``: /api/v1/documents/ with ``kind``, ``year``, ``number``, ``q``;
 - ``download``: /tep/<id>/ of a file of a document the member may read.
For each connection count: ``wrk -t2 -cN -d<duration>s --latency -s bench/library.lua`` on each,
``bare`` first and last (its two runs averaged for the ratio home / bare, budget ≥ 0.5). The
warm-up visits each member's home page once (rendered and kept, as their first visit of the
day) and downloads each of their files once, so ``home`` measures the pages served from the
page cache and ``download`` the check with the file's links and the member's place kept.
Last, gunicorn again with ``SOTAY_PAGE_CACHE_SECONDS=0``: ``home_uncached``, every request
rendered (a member's first visit of the day, or the first after a publication).

``opens``: the same gunicorn; one provincial document every member may read; ``--requests``
GETs of its page from ``--concurrency`` threads, (a) all as ONE member (every request adds one to
the same receipt row) and (b) spread over 200 members; then the receipts' ``opens`` must have
grown by exactly the number of 200 answers.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote

import benchlib
from benchlib import ROOT, load, make_session

OUT = ROOT / "bench" / "out"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sotay_bench_library"
SECRET = "bench-library-not-a-secret-" + os.uname().nodename
PORT = int(os.environ.get("PORT", "18766"))
SEED = 1


REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


def env(redis=False):
    e = dict(os.environ)
    e.setdefault("DATABASE_URL", DEFAULT_DB)
    e.update(
        DJANGO_SETTINGS_MODULE="bench.settings",  # production + /bench/bare/
        SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="WARNING",
        SOTAY_SENDFILE="nginx",
    )
    for name in ("DJANGO_DEBUG", "REDIS_URL", "SOTAY_PAGE_CACHE_SECONDS"):
        e.pop(name, None)
    if redis:
        e["REDIS_URL"] = REDIS
    return e


def django_setup(redis=False):
    benchlib.django_setup(env(redis), ("SOTAY_SENDFILE",))


def collectstatic():
    """The production settings' manifest storage needs it before any template renders."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env(),
        check=True,
    )


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def summary(values):
    return (
        f"p50 {statistics.median(values):.2f} ms, p95 {pct(values, 95):.2f} ms, "
        f"max {max(values):.2f} ms (n={len(values)})"
    )


# --- seed ------------------------------------------------------------------------------------


def cmd_seed(args):
    url = benchlib.recreate_database(DEFAULT_DB)
    e = env()
    e["DATABASE_URL"] = url
    e["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    e["DJANGO_LOG_LEVEL"] = "WARNING"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=e, check=True
    )
    print(f"== {load()}")
    started = time.perf_counter()
    subprocess.run(
        [
            "/usr/bin/time",
            "-v",
            sys.executable,
            "manage.py",
            "seed_demo",
            "--scale",
            args.scale,
            "--seed",
            str(SEED),
        ],
        cwd=ROOT,
        env=e,
        check=True,
    )
    print(f"== seeded {args.scale} in {time.perf_counter() - started:.1f} s; {load()}")


# --- members, sessions, requests ----------------------------------------------------------------


def pick_users(count, seed=SEED):
    return benchlib.pick_member_users(count, seed, "python bench/bench_library.py seed")


def filter_paths(rng, years):
    """Library and API requests with filters that match the seeded data."""
    from editorial.demo.texts import ABBREV

    kinds = list(ABBREV)
    words = [
        "chuyển đổi số",
        "sinh hoạt chi bộ",
        "đảng viên",
        "kiểm tra giám sát",
        "dân vận",
        "thiên tai",
        "phat trien dang vien",
        "Huy hiệu Đảng",
    ]
    kind, year, word = rng.choice(kinds), rng.choice(years), rng.choice(words)
    number = f"{rng.randint(1, 30):02d}-{ABBREV[kind]}"
    library = rng.choice(
        [
            f"/thu-vien/?loai={kind}",
            f"/thu-vien/?loai={kind}&nam={year}",
            f"/thu-vien/?nam={year}",
            f"/thu-vien/?so={quote(number)}",
            f"/thu-vien/?q={quote(word)}",
            f"/thu-vien/?loai={kind}&nam={year}&so={quote(number)}&q={quote(word)}",
            f"/thu-vien/?loai={kind}&nam={year}&q={quote(word)}",
        ]
    )
    api = rng.choice(
        [
            f"/api/v1/documents/?kind={kind}&year={year}",
            f"/api/v1/documents/?kind={kind}",
            f"/api/v1/documents/?year={year}",
            f"/api/v1/documents/?number={quote(number)}",
            f"/api/v1/documents/?q={quote(word)}",
            f"/api/v1/documents/?kind={kind}&year={year}&q={quote(word)}",
        ]
    )
    return library, api


def write_jobs(count=200):
    """Sessions of ``count`` members and the requests each will send, one file per endpoint."""
    from django.contrib.auth import get_user_model
    from django.utils.crypto import get_random_string

    from editorial import reading
    from editorial.models import DocumentFile, DocumentPage

    User = get_user_model()
    rng = random.Random(SEED)
    years = sorted({d.year for d in DocumentPage.objects.dates("issued_on", "year")})
    jobs = {name: [] for name in ("bare", "home", "library", "api", "download")}
    for user in User.objects.filter(pk__in=pick_users(count)).order_by("pk"):
        # The browser's cookies: the session and the CSRF cookie a first visit left.
        key = f"sessionid={make_session(user)}; csrftoken={get_random_string(32)}"
        jobs["bare"].append((key, "/bench/bare/"))
        jobs["home"].append((key, "/"))
        for _ in range(5):
            library, api = filter_paths(rng, years)
            jobs["library"].append((key, library))
            jobs["api"].append((key, api))
        readable = reading.readable(user, DocumentPage).order_by("-published_at").values("pk")[:20]
        files = list(
            DocumentFile.objects.filter(page__in=readable).values_list("file_id", flat=True)[:5]
        )
        jobs["download"].extend((key, f"/tep/{file_id}/") for file_id in files)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in jobs.items():
        rng.shuffle(rows)
        (OUT / f"library_{name}.tsv").write_text("".join(f"{k}\t{p}\n" for k, p in rows))
    return {name: len(rows) for name, rows in jobs.items()}


# --- in-process ------------------------------------------------------------------------------


def cmd_inprocess(args):
    collectstatic()
    django_setup(redis=True)
    flush_redis()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from editorial import reading
    from editorial.models import DocumentPage, ReadReceipt
    from sotay_plugins.orgtree import scope
    from sotay_plugins.orgtree.choices import OrgKind

    print(f"== in-process, {load()}")
    User = get_user_model()
    host = settings.ALLOWED_HOSTS[0]
    rng = random.Random(SEED)
    years = sorted({d.year for d in DocumentPage.objects.dates("issued_on", "year")})
    counts = {"/": [], "library": [], "api": [], "/ kept": []}
    times = {"/": [], "library": [], "api": [], "/ kept": []}
    example = {}
    for uid in pick_users(args.members):
        client = Client(HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
        client.force_login(
            User.objects.get(pk=uid), backend="django.contrib.auth.backends.ModelBackend"
        )
        library, api = filter_paths(rng, years)
        # The first visit renders the home page (and sets the CSRF cookie), the second renders and
        # keeps it, the third is served whole from the page cache.
        for name, path in (
            ("/", "/"),
            ("library", library),
            ("api", api),
            (None, "/"),
            ("/ kept", "/"),
        ):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(path, secure=True)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                sys.exit(f"GET {path} for user {uid}: HTTP {response.status_code}")
            if name is None:
                continue
            times[name].append(elapsed)
            counts[name].append(len(ctx.captured_queries))
            example.setdefault(name, (path, [q["sql"][:200] for q in ctx.captured_queries]))
    for name, values in counts.items():
        print(
            f"{name:<8} queries per request over {len(values)} members: min {min(values)}, "
            f"median {statistics.median(values):g}, max {max(values)}; "
            f"in-process time {summary(times[name])}"
        )
    if args.verbose:
        for _name, (path, sqls) in example.items():
            print(f"-- {path}:")
            for sql in sqls:
                print("   ", sql)

    # recording a read receipt
    province_docs = list(
        DocumentPage.objects.live()
        .filter(audience_org__kind=OrgKind.PROVINCE, audience_positions=0, audience_groups=0)
        .values_list("pk", flat=True)
    )
    users = list(User.objects.filter(pk__in=pick_users(2000, seed=7)))
    before = ReadReceipt.objects.count()
    record_ms, direct_ms = [], []
    for user in users:
        page = DocumentPage(pk=rng.choice(province_docs))
        user = User.objects.get(pk=user.pk)  # a fresh user object, as in a request
        started = time.perf_counter()
        reading.record(user, page, "opens")
        record_ms.append((time.perf_counter() - started) * 1000)
    for user in users:
        member = scope.subject(user)
        page_id = rng.choice(province_docs)
        started = time.perf_counter()
        ReadReceipt.count_daily(page_id, member.member_id, counters=("opens",))
        direct_ms.append((time.perf_counter() - started) * 1000)
    print(
        "reading.record(user, page, 'opens'), fresh user (member lookup + upsert): "
        f"{summary(record_ms)}"
    )
    print(f"ReadReceipt.count_daily (the upsert alone, member known): {summary(direct_ms)}")
    print(f"receipts: {before} before, {ReadReceipt.objects.count()} after")
    print(f"== {load()}")
    (OUT / "library_inprocess.json").write_text(
        json.dumps(
            {
                "queries": {k: [min(v), statistics.median(v), max(v)] for k, v in counts.items()},
                "record_ms": [statistics.median(record_ms), pct(record_ms, 95)],
                "count_daily_ms": [statistics.median(direct_ms), pct(direct_ms, 95)],
            }
        )
    )


# --- gunicorn + wrk ------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, workers=2, redis=False, page_cache=None):
        self.workers, self.redis, self.page_cache = workers, redis, page_cache

    def __enter__(self):
        OUT.mkdir(parents=True, exist_ok=True)
        e = env(self.redis)
        if self.page_cache is not None:
            e["SOTAY_PAGE_CACHE_SECONDS"] = str(self.page_cache)
        collectstatic()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.log = open(OUT / "library_gunicorn.log", "w")  # noqa: SIM115
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
            env=e,
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
        sys.exit(
            "gunicorn did not answer /bench/bare/ "
            "(not run with DJANGO_SETTINGS_MODULE=bench.settings?)"
        )

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def wrk(name, conns, duration, threads=2, label=None):
    e = dict(
        os.environ,
        SOTAY_JOBS=str(OUT / f"library_{name}.tsv"),
        WRK_NAME=label or name,
        WRK_C=str(conns),
    )
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
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
    fields = dict(item.split("=", 1) for item in line.split()[1:])
    return line, fields


def flush_redis():
    """Start from an empty cache: no kept page, no cached session from an earlier run."""
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def first_visits(name="home"):
    """One GET of each line of ``name``'s jobs, in turn: a member's first visit of the day of
    their home page (rendered and kept), or first download of each file (the file's links and
    the member's place read and kept)."""
    conn = HTTPConnection("127.0.0.1", PORT, timeout=60)
    for line in (OUT / f"library_{name}.tsv").read_text().splitlines():
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
    django_setup(redis=True)
    flush_redis()
    print(
        f"== http: gunicorn {args.workers} sync workers, production settings, REDIS_URL={REDIS}, "
        f"SOTAY_SENDFILE=nginx; {load()}"
    )
    print("== jobs:", write_jobs(args.sessions))
    results = []
    with Gunicorn(args.workers, redis=True), open(OUT / "library_wrk.txt", "w") as log:
        print(
            "== warm-up: every member's first visit of the home page and first download of each of "
            "their files, 2 s of the others"
        )
        first_visits("home")
        first_visits("download")
        for name in ("library", "api"):
            wrk(name, 4, 2)
        for conns in [int(c) for c in args.connections.split()]:
            for name in ("bare", "home", "library", "api", "download", "bare"):
                line, fields = wrk(name, conns, args.duration)
                print(line, flush=True)
                log.write(line + "\n")
                results.append(fields)
            bare = [
                float(r["rps"])
                for r in results
                if r["name"] == "bare" and r["connections"] == str(conns)
            ]
            home = next(
                float(r["rps"])
                for r in results
                if r["name"] == "home" and r["connections"] == str(conns)
            )
            ratio = home / statistics.mean(bare[-2:])
            print(
                f"RATIO connections={conns} home_rps={home:.1f} "
                f"bare_rps={statistics.mean(bare[-2:]):.1f} "
                f"(runs {', '.join(f'{b:.1f}' for b in bare[-2:])}) ratio={ratio:.2f}",
                flush=True,
            )
            log.write(f"RATIO connections={conns} ratio={ratio:.2f}\n")
    # The same home page rendered for every request (what a visit costs when nothing is kept: the
    # first of the day, or after a publication), beside the bare view under the same server.
    print("== the home page with the page cache off (SOTAY_PAGE_CACHE_SECONDS=0)")
    with (
        Gunicorn(args.workers, redis=True, page_cache=0),
        open(OUT / "library_wrk.txt", "a") as log,
    ):
        wrk("home", 4, 2)
        for conns in [int(c) for c in args.connections.split()]:
            line, fields = wrk("home", conns, args.duration, label="home_uncached")
            print(line, flush=True)
            log.write(line + "\n")
    print(f"== {load()}")


# --- 1,000 concurrent opens of one document -------------------------------------------------------


def opens_total(page_id, member_ids):
    from django.db.models import Sum
    from django.utils import timezone

    from editorial.models import ReadReceipt

    rows = ReadReceipt.objects.filter(
        page_id=page_id, member_id__in=member_ids, day=timezone.localdate()
    )
    return rows.aggregate(total=Sum("opens"))["total"] or 0


def fire(path, keys, total, concurrency):
    """``total`` GETs of ``path``, request i with session ``keys[i % len(keys)]``, from
    ``concurrency`` threads with a keep-alive connection each. Returns status → count."""
    statuses = {}
    lock = threading.Lock()
    counter = iter(range(total))
    local = threading.local()

    def one(_):
        with lock:
            i = next(counter)
        conn = getattr(local, "conn", None) or HTTPConnection("127.0.0.1", PORT, timeout=120)
        local.conn = conn
        try:
            conn.request(
                "GET",
                path,
                headers={
                    "Cookie": keys[i % len(keys)],
                    "Host": "127.0.0.1",
                    "X-Forwarded-Proto": "https",
                },
            )
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError as error:
            local.conn = None
            status = type(error).__name__
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(total)))
    return statuses, time.perf_counter() - started


def cmd_opens(args):
    django_setup()
    from django.contrib.auth import get_user_model

    from editorial import reading
    from editorial.models import DocumentPage
    from sotay_plugins.orgtree import scope
    from sotay_plugins.orgtree.choices import OrgKind

    User = get_user_model()
    document = (
        DocumentPage.objects.live()
        .filter(audience_org__kind=OrgKind.PROVINCE, audience_positions=0, audience_groups=0)
        .order_by("-published_at")
        .first()
    )
    path = document.get_url()
    users = list(User.objects.filter(pk__in=pick_users(200, seed=11)).order_by("pk"))
    assert all(reading.may_read(u, document) for u in users[:5])
    members = {u.pk: scope.subject(u).member_id for u in users}
    keys = [f"sessionid={make_session(u)}" for u in users]
    print(f"== opens of one document: {document.number} ({path}); {load()}")
    with Gunicorn(args.workers):
        for label, subset in (("one member", [0]), ("200 members", list(range(len(users))))):
            ids = [members[users[i].pk] for i in subset]
            before = opens_total(document.pk, ids)
            statuses, elapsed = fire(
                path, [keys[i] for i in subset], args.requests, args.concurrency
            )
            after = opens_total(document.pk, ids)
            ok = statuses.get(200, 0)
            verdict = (
                "none lost" if after - before == ok else f"MISMATCH: {ok - (after - before)} lost"
            )
            print(
                f"RESULT opens={label} requests={args.requests} "
                f"concurrency={args.concurrency} statuses={statuses} "
                f"opens_before={before} opens_after={after} counted={after - before} ok200={ok} "
                f"seconds={elapsed:.1f} -> {verdict}",
                flush=True,
            )
    print(f"== {load()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--scale", default="province", choices=["tiny", "small", "province"])
    i = sub.add_parser("inprocess")
    i.add_argument("--members", type=int, default=50)
    i.add_argument("-v", "--verbose", action="store_true")
    for name in ("http", "opens", "all"):
        p = sub.add_parser(name)
        p.add_argument("--workers", type=int, default=2)
        p.add_argument("--duration", type=int, default=15)
        p.add_argument("--connections", default="2 8")
        p.add_argument("--sessions", type=int, default=200)
        p.add_argument("--requests", type=int, default=1000)
        p.add_argument("--concurrency", type=int, default=100)
        p.add_argument("--members", type=int, default=50)
        p.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if args.command == "all":
        for step in (cmd_inprocess, cmd_http, cmd_opens):
            step(args)
        return
    {"seed": cmd_seed, "inprocess": cmd_inprocess, "http": cmd_http, "opens": cmd_opens}[
        args.command
    ](args)


if __name__ == "__main__":
    main()
