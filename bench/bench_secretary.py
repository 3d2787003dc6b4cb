"""The cell secretary's pages at province scale (issue 17): at most 10 SQL queries and p95 under
50 ms at 2 gunicorn workers for every secretary page, with the bare view (bench/bare.py) measured
in the same run for the ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sotay_secretary \\
        python bench/bench_secretary.py prepare      # after seed_demo --scale province
    python bench/bench_secretary.py queries          # SQL queries per page (Django test client)
    python bench/bench_secretary.py http [--duration 8] [--connections 2]

``prepare`` (never drops anything): picks ``--cells`` (30) random cells whose secretary
(``bi_thu_chi_bo``, holding the cell-secretary right there) has an account, and gives each, if
it has none from an earlier run, a meeting held ten days ago (minutes written, half the cell
checked in, up to three materials from the cell's reach picked, a few opens) and an upcoming one
convened through ``services.convene``. The province seed has no meeting materials: the province
gets 12 and each sampled cell's district-level unit 4 (titles "Bench: …", once). Writes
bench/out/secretary_pages.json: per secretary, the paths of the pages.

``queries``: production settings, Django test client logged in as each secretary, every page
once to warm the cached rights (as any earlier page of the session does), then counted with
``CaptureQueriesContext``: max and median per page (budget 10); then the CPU time of this
process per page (``time.process_time``: view, templates, ORM, not PostgreSQL's), 5 requests
of each page for 10 secretaries, median and p95.

``http``: gunicorn ``config.wsgi`` with 2 sync workers, ``bench.settings`` (production plus
``/bench/bare/``), Redis ``BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/7, flushed first)
for sessions and cached rights as in production, requests sent as HTTPS behind a proxy. A Python
closed-loop driver (``--connections`` threads, one request in flight each, a new connection per
request as gunicorn's sync workers close them) runs each page for ``--duration`` seconds cycling
through the secretaries' sessions, after a one-pass warm-up; ``bare`` runs first and last (their
mean is the ratio's base). Prints requests/s, p50/p95/p99 and any answer that was not 200.
The driver, gunicorn and PostgreSQL share the machine's cores.
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
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path

import benchlib
from benchlib import ROOT, load, make_session

OUT = ROOT / "bench" / "out"
JOBS = OUT / "secretary_pages.json"
SECRET = "bench-secretary-not-a-secret-" + os.uname().nodename
PORT = int(os.environ.get("PORT", "18777"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
TITLE = "Sinh hoạt (bench thư ký)"
#: Pages of the member shell measured beside the secretary's for reference (not the secretary's).
REFERENCE = {  # the member's own pages, for comparison (``lighthouse --pages home,profile,...``)
    "home": "/",
    "member_meetings": "/sinh-hoat/",
    "profile": "/ho-so/",
    "qr": "/ma-qr/",
    "library": "/thu-vien/",
    "notices": "/thong-bao/",
    "search": "/tim-kiem/?q=nghi+quyet",
    "study": "/hoc-tap/",
    "feedback": "/gop-y/",
    "calendar": "/lich/",
    "calendar_list": "/lich/sap-toi/",
    "tasks": "/nhiem-vu/",
    "assign_task": "/nhiem-vu/giao/",
    "reports": "/bao-cao/",
    "printed_card": "/ma-qr/the-giay/",
    "offline": "/ngoai-tuyen/",
}
PAGES = ("list", "convene", "meeting", "checkin", "mark", "minutes", "not_opened", "materials")


def env(redis=True):
    e = dict(os.environ)
    if "DATABASE_URL" not in e:
        sys.exit("set DATABASE_URL (a database seeded with seed_demo --scale province)")
    e.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_LOG_LEVEL="WARNING",
    )
    for name in ("DJANGO_DEBUG", "REDIS_URL", "SOTAY_PAGE_CACHE_SECONDS"):
        e.pop(name, None)
    if redis:
        e["REDIS_URL"] = REDIS
    return e


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


# --- prepare ---------------------------------------------------------------------------------


def cmd_prepare(args):
    benchlib.django_setup(env())
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from sotay_plugins.attendance.models import AttendanceStatus
    from sotay_plugins.meetings import materials, services
    from sotay_plugins.meetings.models import Attendance, Meeting
    from sotay_plugins.members.models import Member

    candidates = list(
        Member.objects.filter(
            positions__has_any={"bi_thu_chi_bo"}, status="active", user__is_active=True
        )
        .select_related("user", "cell")
        .order_by("pk")
    )
    rng = random.Random(args.seed)
    rng.shuffle(candidates)
    ensure_materials(candidates[: args.cells * 2])
    jobs, now = [], timezone.now()
    for secretary in candidates:
        if len(jobs) >= args.cells:
            break
        user, cell = secretary.user, secretary.cell
        if cell.pk not in {c.pk for c in services.secretary_cells(user)}:
            continue
        with transaction.atomic():
            past = Meeting.objects.filter(audience_org=cell, title=TITLE).first()
            if past is None:
                past = Meeting.objects.create(
                    issuer_org=cell,
                    audience_org=cell,
                    title=TITLE,
                    starts_at=now - timedelta(days=10),
                    place="Nhà văn hóa",
                    agenda="1. Kiểm điểm\n2. Phương hướng",
                    minutes="Biên bản buổi sinh hoạt.",
                    state=Meeting.State.HELD,
                    created_by=user,
                )
                ids = list(services.expected_members(cell).values_list("pk", flat=True))
                Attendance.objects.bulk_create(
                    Attendance(
                        meeting=past,
                        member_id=pk,
                        status=AttendanceStatus.PRESENT if i % 2 else AttendanceStatus.EXPECTED,
                    )
                    for i, pk in enumerate(ids)
                )
                services.convene(
                    cell,
                    user,
                    starts_at=now + timedelta(days=5),
                    place="Nhà văn hóa",
                    agenda="1. Kiểm điểm",
                )
            if not past.picked_materials.exists():
                ids = list(past.attendance.values_list("member_id", flat=True))
                for material in materials.pickable_for(past, user)[:3]:
                    materials.pick(past, material, user=user)
                    for pk in ids[::3]:
                        materials.record_open(material, pk)
        upcoming = (
            Meeting.objects.filter(audience_org=cell, starts_at__gt=now)
            .exclude(state=Meeting.State.CANCELLED)
            .order_by("starts_at")
            .first()
        )
        pk = past.pk
        jobs.append(
            {
                "user": user.pk,
                "cell": cell.name,
                "members": services.attendance_counts(past)["total"],
                "paths": {
                    "list": reverse("meetings:sec_list"),
                    "convene": reverse("meetings:sec_convene"),
                    "meeting": reverse("meetings:sec_meeting", args=[pk]),
                    "checkin": reverse("meetings:checkin", args=[pk]),
                    "mark": reverse("meetings:sec_mark", args=[pk]),
                    "minutes": reverse("meetings:sec_minutes", args=[pk]),
                    "not_opened": reverse("meetings:sec_not_opened", args=[pk]),
                    "materials": reverse("meetings:sec_materials", args=[pk]),
                    "edit": reverse("meetings:sec_edit", args=[upcoming.pk]),
                },
            }
        )
    if not jobs:
        sys.exit("no cell secretary with an account: seed_demo --scale province first")
    OUT.mkdir(parents=True, exist_ok=True)
    JOBS.write_text(json.dumps(jobs, ensure_ascii=False, indent=1))
    sizes = [j["members"] for j in jobs]
    print(
        f"{len(jobs)} secretaries' cells ready ({min(sizes)}–{max(sizes)} expected members, "
        f"median {statistics.median(sizes)}); {JOBS.relative_to(ROOT)}"
    )


def ensure_materials(secretaries):
    """The province seed has no meeting materials: give the province 12 and each district-level
    unit of the sampled cells 4 (once), so the materials pages have something to list."""
    from sotay_plugins.meetings.models import Material
    from sotay_plugins.orgtree.choices import OrgKind

    if Material.objects.filter(title__startswith="Bench: ").exists():
        return
    rows = []
    provinces = {s.cell.get_root() for s in secretaries[:1]}
    districts = {
        s.cell.get_ancestors().filter(kind=OrgKind.DISTRICT).first() for s in secretaries
    } - {None}
    for org, n in [(p, 12) for p in provinces] + [(d, 4) for d in districts]:
        rows += [
            Material(issuer_org=org, audience_org=org, title=f"Bench: tài liệu {i} của {org.name}")
            for i in range(n)
        ]
    Material.objects.bulk_create(rows)


# --- queries ---------------------------------------------------------------------------------


def collectstatic():
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env(),
        check=True,
    )


def cmd_queries(args):
    collectstatic()
    benchlib.django_setup(env())
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    jobs = json.loads(JOBS.read_text())
    counts = {name: [] for name in (*PAGES, "edit")}
    for job in jobs:
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.force_login(get_user_model().objects.get(pk=job["user"]))
        for name, path in job["paths"].items():
            client.get(path, secure=True)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, secure=True)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}")
            counts[name].append(len(queries))
    # Django's own CPU per page (this process: view, templates, ORM; not PostgreSQL's), which
    # contention from other work on the machine inflates far less than wall-clock latency.
    cpu = {name: [] for name in counts}
    for job in jobs[:10]:
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.force_login(get_user_model().objects.get(pk=job["user"]))
        for name, path in job["paths"].items():
            client.get(path, secure=True)
            for _ in range(5):
                start = time.process_time()
                client.get(path, secure=True)
                cpu[name].append((time.process_time() - start) * 1000)
    print(f"== SQL queries per page ({len(jobs)} secretaries; budget 10), Django CPU per page")
    for name, values in counts.items():
        print(
            f"{name:11s} queries max {max(values):2d}  median {statistics.median(values):4.1f}"
            f"   CPU ms median {statistics.median(cpu[name]):5.1f}  p95 {pct(cpu[name], 95):5.1f}"
        )
    print(load())


# --- http ------------------------------------------------------------------------------------


class Gunicorn:
    def __enter__(self):
        collectstatic()
        self.log = open(OUT / "secretary_gunicorn.log", "w")  # noqa: SIM115
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [gunicorn, "config.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{PORT}"]
            + ["--log-level", "warning"],
            cwd=ROOT,
            env=env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(120):
            try:
                if get("/bench/bare/", "")[0] == 200:
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


def get(path, cookie):
    conn = HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = cookie
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, len(body)


def drive(requests, duration, connections):
    """Closed loop: ``connections`` threads, each sending the next request as soon as the last
    one is answered, for ``duration`` seconds. Returns (latencies in ms, not-200 count, rps)."""
    latencies, bad, lock = [], [0], threading.Lock()
    stop = time.perf_counter() + duration

    def worker(offset):
        n = offset
        mine, wrong = [], 0
        while time.perf_counter() < stop:
            path, cookie = requests[n % len(requests)]
            n += 1
            start = time.perf_counter()
            status, _size = get(path, cookie)
            mine.append((time.perf_counter() - start) * 1000)
            wrong += status != 200
        with lock:
            latencies.extend(mine)
            bad[0] += wrong

    begin = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i * 7,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, bad[0], len(latencies) / (time.perf_counter() - begin)


def cmd_http(args):
    benchlib.django_setup(env())
    import redis
    from django.contrib.auth import get_user_model

    redis.Redis.from_url(REDIS).flushdb()
    jobs = json.loads(JOBS.read_text())
    users = get_user_model().objects.in_bulk([j["user"] for j in jobs])
    cookies = {j["user"]: f"sessionid={make_session(users[j['user']])}" for j in jobs}
    print(
        f"== http: gunicorn 2 sync workers, bench.settings (production), REDIS_URL={REDIS}; "
        f"{len(jobs)} secretaries; {args.connections} connections, {args.duration}s a page; "
        f"{os.cpu_count()} cores shared with other work; {load()}"
    )
    results = {}
    with Gunicorn():
        for job in jobs:  # warm-up: each secretary's pages once (their rights cached)
            for path in job["paths"].values():
                status, _size = get(path, cookies[job["user"]])
                if status != 200:
                    sys.exit(f"{path} answered {status} during the warm-up")
        bare = [("/bench/bare/", "")]
        runs = [("bare", bare)]
        runs += [(name, [(j["paths"][name], cookies[j["user"]]) for j in jobs]) for name in PAGES]
        # The member's own meetings page (issue 4), same sessions: a shell page for reference.
        member = [(REFERENCE["member_meetings"], cookies[j["user"]]) for j in jobs]
        runs += [("member_meetings", member), ("bare", bare)]
        for name, requests in runs:
            latencies, bad, rps = drive(requests, args.duration, args.connections)
            results.setdefault(name, []).append(rps)
            print(
                f"{name:15s} rps {rps:7.1f}  p50 {statistics.median(latencies):6.2f} ms  "
                f"p95 {pct(latencies, 95):6.2f} ms  p99 {pct(latencies, 99):6.2f} ms  "
                f"n={len(latencies)} not200={bad}",
                flush=True,
            )
    base = statistics.mean(results["bare"])
    print(f"== ratio to the bare view (mean of its two runs, {base:.1f} req/s)")
    for name in (*PAGES, "member_meetings"):
        print(f"{name:11s} {results[name][0] / base:.2f}")
    print(load())


# --- lighthouse ------------------------------------------------------------------------------


def cmd_lighthouse(args):
    """Lighthouse (npm, ``LIGHTHOUSE``: default var/npm/node_modules/.bin/lighthouse, installed by
    ``npm install --prefix var/npm lighthouse@12.2.1``) on every secretary page of one secretary,
    mobile form factor, Debian's Chromium (``CHROME_PATH``, default /usr/bin/chromium), logged in
    through a session cookie. Prints the accessibility and performance scores and the bytes
    transferred (compressed) on first load."""
    benchlib.django_setup(env())
    import redis
    from django.contrib.auth import get_user_model

    redis.Redis.from_url(REDIS).flushdb()
    lighthouse = os.environ.get("LIGHTHOUSE") or str(ROOT / "var/npm/node_modules/.bin/lighthouse")
    job = json.loads(JOBS.read_text())[0]
    cookie = f"sessionid={make_session(get_user_model().objects.get(pk=job['user']))}"
    headers = json.dumps({"Cookie": cookie, "X-Forwarded-Proto": "https"})
    e = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    print(f"== lighthouse, mobile, {job['cell']}; {load()}")
    with Gunicorn():
        for name in args.pages.split(","):
            out = OUT / f"lighthouse_{name}.json"
            for _attempt in range(3):  # Lighthouse now and then fails a trace (NO_NAVSTART)
                run = subprocess.run(
                    [
                        lighthouse,
                        f"http://127.0.0.1:{PORT}{job['paths'].get(name) or REFERENCE[name]}",
                        "--only-categories=accessibility,performance,best-practices",
                        "--chrome-flags=--headless --no-sandbox --disable-gpu",
                        f"--extra-headers={headers}",
                        "--output=json",
                        f"--output-path={out}",
                        "--quiet",
                    ],
                    env=e,
                    timeout=240,
                )
                if run.returncode == 0:
                    break
            else:
                sys.exit(f"lighthouse failed three times on {name}")
            report = json.loads(out.read_text())
            scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
            weight = report["audits"]["total-byte-weight"]["numericValue"]
            failed = [
                a["id"]
                for a in report["audits"].values()
                if a.get("score") is not None
                and a["score"] < 1
                and a["id"] in report["categories"]["accessibility"].get("auditRefs_ids", ())
            ]
            print(
                f"{name:11s} accessibility {scores['accessibility']:3d}  "
                f"performance {scores['performance']:3d}  "
                f"best-practices {scores['best-practices']:3d}  "
                f"transferred {weight / 1024:.1f} KB {failed or ''}",
                flush=True,
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prepare = sub.add_parser("prepare")
    prepare.add_argument("--cells", type=int, default=30)
    prepare.add_argument("--seed", type=int, default=1)
    sub.add_parser("queries")
    http = sub.add_parser("http")
    http.add_argument("--duration", type=float, default=8)
    http.add_argument("--connections", type=int, default=2)
    light = sub.add_parser("lighthouse")
    light.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args()
    commands = {"prepare": cmd_prepare, "queries": cmd_queries, "http": cmd_http}
    commands["lighthouse"] = cmd_lighthouse
    commands[args.command](args)


if __name__ == "__main__":
    main()
