"""Resolution study at province scale: issue 13's budgets for the resolutions and plans part.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sotay_study \\
        python bench/bench_study.py inprocess [--members 50] [--requests 300]
    DATABASE_URL=... python bench/bench_study.py http [--duration 10] [--threads 8]

The database must hold ``seed_demo --scale province`` (110,000 members; the study seeder adds
two resolutions, their plans, 13 district sessions with ~105,000 roll rows, ~1,170
implementation plans and ~105,000 reading rows). The script never writes to it except sessions
(and the reading rows a reader's first visit makes, as in production).

``inprocess``: production settings (``bench.settings``: adds ``/bench/bare/``), Redis as
``BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/2), Django's test client in this process:
 1. SQL queries of "Học tập" (``/hoc-tap/``) and of the resolution reader
    (``/hoc-tap/nghi-quyet/<id>/``) for ``--members`` random members (budget ≤ 10 each);
 2. time per request (p50/p95) of the bare view, "Học tập" and the reader, ``--requests`` each,
    spread over the members, and their ratio to the bare view measured in the same run;
 3. the "units without an implementation plan" report for the province (the service the admin
    page and the API read, then the admin page itself), and the completion report of a
    resolution for the province (two queries, rolled up in Python), each timed 5 times.

``http``: gunicorn ``bench.settings`` with 2 sync workers on 127.0.0.1, a Python client with
``--threads`` keep-alive connections for ``--duration`` seconds per page: requests/s and p95 of
the bare view, "Học tập" and the reader, each with the ratio to the bare view of the same run.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection

import benchlib
from benchlib import ROOT, load, make_session

SECRET = "bench-study-not-a-secret-" + os.uname().nodename
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
PORT = int(os.environ.get("PORT", "18791"))
SEED = 13


def env():
    e = dict(os.environ)
    e.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sotay_study")
    e.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_LOG_LEVEL="WARNING",
        REDIS_URL=REDIS,
    )
    for name in ("DJANGO_DEBUG", "SOTAY_PAGE_CACHE_SECONDS"):
        e.pop(name, None)
    return e


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


def members_and_pages(count):
    from sotay_plugins.study.resolutions.models import ResolutionPage

    users = benchlib.pick_member_users(count, SEED, "seed_demo --scale province")
    pages = list(ResolutionPage.objects.live().order_by("pk").values_list("pk", flat=True))
    if not pages:
        sys.exit("no resolutions: seed_demo --scale province first")
    return users, pages


def cmd_inprocess(args):
    collectstatic()
    benchlib.django_setup(env())
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sotay_plugins.orgtree.models import Organisation
    from sotay_plugins.study.plans import services
    from sotay_plugins.study.resolutions import reports
    from sotay_plugins.study.resolutions.models import ResolutionPage

    print(f"== in process, {load()}")
    user_ids, pages = members_and_pages(args.members)
    users = get_user_model().objects.in_bulk(user_ids)
    clients = []
    for uid in user_ids:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        client.force_login(users[uid], backend="django.contrib.auth.backends.ModelBackend")
        clients.append(client)
    rng = random.Random(SEED)

    # 1. queries (second visit: the per-process caches of grants and subject are warm, as they
    # are for a member browsing).
    counts = {"home": [], "reader": []}
    for client in clients:
        page = rng.choice(pages)
        for name, url in (("home", "/hoc-tap/"), ("reader", f"/hoc-tap/nghi-quyet/{page}/")):
            client.get(url, secure=True)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, secure=True)
            assert response.status_code == 200, (url, response.status_code)
            counts[name].append(len(ctx.captured_queries))
    for name, values in counts.items():
        print(f"queries {name}: max {max(values)}, median {statistics.median(values)}")

    # 2. time per request
    def timed(url_for):
        values = []
        for i in range(args.requests):
            client = clients[i % len(clients)]
            url = url_for(i)
            started = time.perf_counter()
            response = client.get(url, secure=True)
            values.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            reset_queries()
        return values

    bare = timed(lambda i: "/bench/bare/")
    home = timed(lambda i: "/hoc-tap/")
    reader = timed(lambda i: f"/hoc-tap/nghi-quyet/{pages[i % len(pages)]}/")
    bare2 = timed(lambda i: "/bench/bare/")
    bare_p50 = statistics.median(bare + bare2)
    for name, values in (("bare", bare + bare2), ("home", home), ("reader", reader)):
        ratio = statistics.median(values) / bare_p50
        print(f"{name}: {summary(values)}; p50 ratio to bare {ratio:.1f}")

    # 3. the reports for the province
    province = Organisation.objects.filter(parent__isnull=True).order_by("tree_id").first()
    admin = get_user_model().objects.filter(is_superuser=True).first()
    times, rows = [], []
    for _ in range(5):
        started = time.perf_counter()
        rows = services.missing_implementation(admin)
        times.append((time.perf_counter() - started) * 1000)
    late = sum(1 for r in rows if r[2] > 0)
    print(
        f"missing implementation (service, province): {summary(times)}; {len(rows)} rows, "
        f"{late} late"
    )
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    # The admin asks staff for a second factor: a bench authenticator, verified in the session.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=admin, name="bench_study", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get("/quan-tri/hoc-tap/chua-co-ke-hoach/", secure=True)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    print(
        f"missing implementation (admin page): {summary(times)}; "
        f"{len(ctx.captured_queries)} queries"
    )
    resolution = ResolutionPage.objects.live().order_by("pk").first()
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            total, units = reports.completion_report(admin, resolution, province)
            times.append((time.perf_counter() - started) * 1000)
    print(
        f"completion report (province, {resolution.number}): {summary(times)}; "
        f"{len(ctx.captured_queries)} queries; {total.members} members, "
        f"{total.completed} completed ({total.rate} %), {len(units)} units"
    )
    print(f"== done, {load()}")


# --- http -------------------------------------------------------------------------------------


def cmd_http(args):
    collectstatic()
    e = env()
    benchlib.django_setup(e)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    user_ids, pages = members_and_pages(args.threads * 4)
    users = get_user_model().objects.in_bulk(user_ids)
    cookies = [f"{settings.SESSION_COOKIE_NAME}={make_session(users[uid])}" for uid in user_ids]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=e,
    )
    try:
        for _ in range(100):
            try:
                conn = HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request(
                    "GET",
                    "/bench/bare/",
                    headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"},
                )
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        print(f"== http, gunicorn 2 sync workers, {args.threads} client threads, {load()}")
        results = {}
        plan = [
            ("bare", lambda i: "/bench/bare/"),
            ("home", lambda i: "/hoc-tap/"),
            ("reader", lambda i: f"/hoc-tap/nghi-quyet/{pages[i % len(pages)]}/"),
            ("bare", lambda i: "/bench/bare/"),
        ]
        for name, url_for in plan:
            rate, values = drive(args, cookies, url_for)
            results.setdefault(name, []).append((rate, values))
        bare_rate = statistics.mean(r for r, _v in results["bare"])
        for name, runs in results.items():
            rate = statistics.mean(r for r, _v in runs)
            values = [v for _r, vs in runs for v in vs]
            print(f"{name}: {rate:.0f} req/s ({rate / bare_rate:.2f} of bare), {summary(values)}")
        print(f"== done, {load()}")
    finally:
        server.terminate()
        server.wait(timeout=20)


def drive(args, cookies, url_for):
    stop = time.monotonic() + args.duration
    lock = threading.Lock()
    values, errors = [], []

    def worker(k):
        conn = HTTPConnection("127.0.0.1", PORT, timeout=30)
        i = k
        while time.monotonic() < stop:
            headers = {
                "Host": "127.0.0.1",
                "Cookie": cookies[i % len(cookies)],
                "X-Forwarded-Proto": "https",
            }
            started = time.perf_counter()
            conn.request("GET", url_for(i), headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if response.status == 200:
                    values.append(elapsed)
                else:
                    errors.append(response.status)
            i += args.threads

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.threads)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"   non-200 answers: {len(errors)} ({sorted(set(errors))})")
    return len(values) / (time.monotonic() - started), values


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("inprocess")
    p.add_argument("--members", type=int, default=50)
    p.add_argument("--requests", type=int, default=300)
    p.set_defaults(func=cmd_inprocess)
    p = sub.add_parser("http")
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--threads", type=int, default=8)
    p.set_defaults(func=cmd_http)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
