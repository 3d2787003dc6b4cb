"""Search at province scale: issue 15's budgets.

    python bench/bench_search.py http [--duration 10] [--connections 8]
        # gunicorn (--workers sync workers, default 2; bench.settings) + wrk: bare view, search API,
        # autocomplete
    python bench/bench_search.py inprocess
        # the search facade called in this process, one query at a time: p50/p95 per query
    python bench/bench_search.py parts
        # whole search requests in this process (test client, session): CPU per request by part
    python bench/bench_search.py engine
        # osmem-server (OpenSearch API): full reindex with progress; a publish visible after its job

Database: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sotay_search) seeded with
``seed_demo --scale province`` (20,000 documents with their PDFs, 2,000 news, 110,000 members;
the search seeder indexes them last) — or ``manage.py reindex_search`` after an older seed.

``http``: database backend (no engine URL), production settings plus /bench/bare/, Redis
(``BENCH_REDIS_URL``, default redis://127.0.0.1:6379/5, flushed first) for sessions and rights.
200 random members, each with a session; the requests cycle through folded queries (no
diacritics, numbers typed with other separators, common and rare words) for each member, so
every answer is scoped to the member. wrk -t2 -c<N> on: bare, search, suggest, bare again.
Ratio: search requests/s over the mean of the two bare runs. After each run: the CPU time per
request of the gunicorn workers and of this database's PostgreSQL backends (from /proc).
Autocomplete answers are kept 30 s per viewer and index stamp, shared between the workers
through Redis (``SEARCH_SUGGEST_SECONDS``);
``BENCH_SUGGEST_SECONDS=0`` runs with none kept (every request computed). The job file repeats
each member's prefixes, so with them kept most autocompletes are answered from memory.

``engine``: starts osmem-server, sets OPENSEARCH_URL in this process, ``indexing.rebuild``
(the code ``reindex_search`` runs) with its progress bar; then edits a live news article (a
save: the outbox job runs in-process on commit, no Redis) and times until a member's search
finds its new title.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402
from benchlib import ROOT, load, make_session  # noqa: E402

OUT = ROOT / "bench" / "out"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sotay_search"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
SECRET = "bench-search-not-a-secret-" + os.uname().nodename
PORT = int(os.environ.get("PORT", "18775"))
QUERIES = [
    "nghi quyet",
    "chuyen doi so",
    "dang bo",
    "nghi quyet 12",
    "64/NQ-TU",
    "hoc tap quan triet",
    "xay dung dang",
    "ke hoach thuc hien",
    "dang phi",
    "hoi nghi ban chap hanh",
    "thai binh",
    "kinh te bien",
]
PREFIXES = ["nghi qu", "chuyen d", "ke hoa", "64-NQ", "dang ph", "hoi ng", "quy di", "huong d"]


def env(redis=True):
    e = dict(os.environ)
    e.setdefault("DATABASE_URL", DEFAULT_DB)
    e.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="WARNING",
    )
    for name in ("DJANGO_DEBUG", "REDIS_URL", "ELASTICSEARCH_URL", "OPENSEARCH_URL"):
        e.pop(name, None)
    if redis:
        e["REDIS_URL"] = REDIS
    return e


def write_jobs(name, rows):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"search_{name}.tsv"
    path.write_text("".join(f"{cookie}\t{p}\n" for cookie, p in rows))
    return path


def wrk_cpu(master, name, path, conns, duration):
    """``wrk``, plus the CPU time (from /proc) the gunicorn workers and the PostgreSQL backends
    of this database spent per request during the run."""
    from bench_checkin import cpu_snapshot, cpu_spent

    before = cpu_snapshot(master)
    result = wrk(name, path, conns, duration)
    spent = cpu_spent(before, cpu_snapshot(master))
    n = max(1, int(result["requests"]))
    result["cpu"] = {part: 1000 * seconds / n for part, seconds in spent.items()}
    print(
        f"  {name}: CPU per request gunicorn {result['cpu']['gunicorn']:.2f} ms + "
        f"PostgreSQL {result['cpu']['postgres']:.2f} ms ({n} requests)",
        flush=True,
    )
    return result


def wrk(name, path, conns, duration):
    e = dict(os.environ, SOTAY_JOBS=str(path), WRK_NAME=name, WRK_C=str(conns))
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
        timeout=duration + 60,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    print(line, flush=True)
    return dict(kv.split("=", 1) for kv in line.split()[1:])


def http(args):
    import redis as redis_lib

    redis_lib.Redis.from_url(REDIS).flushdb()
    benchlib.django_setup(env())
    from django.contrib.auth import get_user_model

    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env(),
        check=True,
    )
    users = get_user_model().objects.filter(
        pk__in=benchlib.pick_member_users(200, 15, "seed_demo --scale province")
    )
    rng = random.Random(15)
    search_rows, suggest_rows, bare_rows = [], [], []
    for user in users:
        cookie = f"sessionid={make_session(user)}"
        for q in rng.sample(QUERIES, 4):
            search_rows.append((cookie, f"/api/v1/search/?q={quote(q)}"))
        for q in rng.sample(PREFIXES, 3):
            suggest_rows.append((cookie, f"/api/v1/search/suggest/?q={quote(q)}"))
        bare_rows.append((cookie, "/bench/bare/"))
    rng.shuffle(search_rows)
    rng.shuffle(suggest_rows)
    paths = {
        "bare": write_jobs("bare", bare_rows),
        "search": write_jobs("search", search_rows),
        "suggest": write_jobs("suggest", suggest_rows),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = open(OUT / "search_gunicorn.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            gunicorn,
            "config.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        from http.client import HTTPConnection

        for _ in range(120):
            try:
                conn = HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request(
                    "GET",
                    "/bench/bare/",
                    headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"},
                )
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        print(f"== {load()}", flush=True)
        for c in args.connections:
            wrk("warmup", paths["search"], c, 3)
            bare1 = wrk_cpu(proc.pid, "bare", paths["bare"], c, args.duration)
            search = wrk_cpu(proc.pid, "search", paths["search"], c, args.duration)
            suggest = wrk_cpu(proc.pid, "suggest", paths["suggest"], c, args.duration)
            bare2 = wrk_cpu(proc.pid, "bare", paths["bare"], c, args.duration)
            bare = (float(bare1["rps"]) + float(bare2["rps"])) / 2
            print(
                f"c={c}: search {search['rps']} req/s (p95 {search['p95_ms']} ms), "
                f"ratio to bare {float(search['rps']) / bare:.3f}; suggest {suggest['rps']} "
                f"req/s (p95 {suggest['p95_ms']} ms), ratio {float(suggest['rps']) / bare:.3f}; "
                f"bare {bare:.0f} req/s",
                flush=True,
            )
        print(f"== {load()}", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def engine(args):
    from osmem_server import OsmemServer

    benchlib.django_setup(env(redis=False))
    from django.conf import settings
    from django.core.management.base import OutputWrapper

    from editorial.models import NewsPage
    from search import engine as search_engine
    from search import indexing
    from sotay_plugins.members.models import Member

    server = OsmemServer.start(japanese=False)
    try:
        settings.OPENSEARCH_URL = server.url
        print(f"== osmem-server {server.version} at {server.url}; {load()}", flush=True)
        started = time.monotonic()
        summary = indexing.rebuild(OutputWrapper(sys.stdout), database_index=False)
        print(
            f"\nfull reindex (engine): {summary['items']} items in "
            f"{time.monotonic() - started:.1f} s ({summary['kinds']}; "
            f"seconds spent {summary['spent']})",
            flush=True,
        )
        member = (
            Member.objects.filter(status="active", user__is_active=True, cell__isnull=False)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        page = (
            NewsPage.objects.live()
            .filter(audience_org__kind="province", audience_positions=0, audience_groups=0)
            .first()
        )
        # three publishes one after the other: the first after a rebuild may differ
        for attempt in range(1, 4):
            word = f"kiemtra{random.Random().randrange(10**6)}"
            page.title = f"{page.title.split(' kiemtra')[0]} {word}"
            t0 = time.monotonic()
            page.save()  # autocommit: the outbox job runs in-process on commit (no Redis)
            job_done = time.monotonic()
            found = search_engine.search(member.user, word)
            visible = time.monotonic()
            print(
                f"publish {attempt} → visible: job {1000 * (job_done - t0):.0f} ms, first search "
                f"finds it ({found.count} hit, backend {found.backend}) "
                f"{1000 * (visible - t0):.0f} ms after the save",
                flush=True,
            )
        print(f"== {load()}", flush=True)
    finally:
        server.close()


def inprocess(args):
    """Sequential calls of the search facade in this process (no HTTP, no queueing): 40 random
    members, 3 queries and 3 autocompletes each, after one warm-up search per member (a logged-in
    member's rights are cached)."""
    import statistics

    benchlib.django_setup(env(redis=False))
    from search import engine as search_engine
    from sotay_plugins.members.models import Member

    rng = random.Random(3)
    users = [
        m.user
        for m in Member.objects.select_related("user")
        .filter(status="active", user__is_active=True)
        .order_by("?")[:40]
    ]
    for user in users:
        search_engine.search(user, "dang bo")
    from bench_checkin import _cpu
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    found, completed = [], []
    cpu = {"search": [0.0, 0.0], "suggest": [0.0, 0.0]}  # this process, its PostgreSQL backend

    def timed(what, call, *args):
        started, python, postgres = time.perf_counter(), time.process_time(), _cpu(backend)
        call(*args)
        cpu[what][0] += time.process_time() - python
        cpu[what][1] += _cpu(backend) - postgres
        return (time.perf_counter() - started) * 1000

    for user in users:
        for q in rng.sample(QUERIES, 3):
            found.append(timed("search", search_engine.search, user, q))
        for q in rng.sample(PREFIXES, 3):
            completed.append(timed("suggest", search_engine.suggest, user, q))

    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(len(values) * q / 100))]

    print(
        f"search (database backend) n={len(found)} p50={statistics.median(found):.1f} "
        f"p95={pct(found, 95):.1f} ms; suggest n={len(completed)} "
        f"p50={statistics.median(completed):.1f} p95={pct(completed, 95):.1f} ms; {load()}"
    )
    print(
        "CPU per call (this process + its PostgreSQL backend, /proc; at the clock's 10 ms "
        "resolution, so over many calls): "
        + "; ".join(
            f"{what} {1000 * py / n:.2f} + {1000 * pg / n:.2f} ms"
            for (what, (py, pg)), n in zip(cpu.items(), (len(found), len(completed)), strict=True)
        )
    )


def parts(args):
    """Whole requests through Django's test client (a session cookie, every middleware, no
    HTTP server): 60 random members, 3 searches each, three rounds; the CPU per request of this
    process in all and in named parts (each part timed by wrapping its function; parts nest:
    the snippets are inside the statement's handling)."""
    from collections import defaultdict

    benchlib.django_setup(env())
    import django.contrib.auth as auth
    import django.test.client as test_client
    from django.contrib.auth import get_user_model
    from django.db.backends import utils as db_utils
    from django.test import Client

    from search import marks
    from search.backends import database

    spent = defaultdict(float)

    def wrap(owner, name, label):
        function = getattr(owner, name)

        def timed(*a, **k):
            started = time.process_time()
            try:
                return function(*a, **k)
            finally:
                spent[label] += time.process_time() - started

        setattr(owner, name, timed)

    wrap(test_client.ClientHandler, "__call__", "request")
    wrap(database, "_search_postgres", "statement and page")
    wrap(marks, "snippet", "snippets")
    wrap(marks, "highlight", "title highlights")
    wrap(auth, "get_user", "session's user")
    wrap(database, "scope_sql", "scope filter (subject, key)")
    wrap(database, "_visible_entries", "page checks")
    wrap(db_utils.CursorWrapper, "execute", "cursor.execute")
    rng = random.Random(1)
    requests = []
    for user in get_user_model().objects.filter(
        pk__in=benchlib.pick_member_users(60, 15, "seed_demo --scale province")
    ):
        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = make_session(user)
        for q in rng.sample(QUERIES, 3):
            requests.append((client, f"/api/v1/search/?q={quote(q)}"))
    for client, path in requests[::3]:  # warm: each member's rights, the kept SQL
        assert client.get(path).status_code == 200
    rng.shuffle(requests)
    for round_ in range(3):
        spent.clear()
        for client, path in requests:
            client.get(path)
        n = len(requests)
        print(
            f"round {round_ + 1}, {n} searches, CPU ms per request: "
            + ", ".join(
                f"{k} {1000 * v / n:.2f}" for k, v in sorted(spent.items(), key=lambda kv: -kv[1])
            ),
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["http", "engine", "inprocess", "parts"])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, nargs="+", default=[8])
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gunicorn sync workers (2: the runs so far; the deployed config: 2 × cores + 1)",
    )
    args = parser.parse_args()
    {"http": http, "engine": engine, "inprocess": inprocess, "parts": parts}[args.what](args)


if __name__ == "__main__":
    main()
