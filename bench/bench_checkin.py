"""Check-ins on the busiest day: throughput, latency, and exactly once (issue 4's budget).

    python bench/bench_checkin.py seed   [--scale small|province]  # recreate sotay_bench_checkin
    python bench/bench_checkin.py run    [--configs sync:2 gthread:2x2 deploy:5 granian:2x2 ...]
                                         [--duration 30] [--connections 200] [--limit 20000]
                                         [--batch 10] [--close]
    python bench/bench_checkin.py queries  # SQL queries of one check-in
    python bench/bench_checkin.py pdf      # the card PDF of a 60-member cell

``seed`` drops and recreates the PostgreSQL database ``sotay_bench_checkin`` (DATABASE_URL's
server; the name must start with sotay_bench), migrates and runs ``seed_demo``.

``run``, for each gunicorn configuration (``sync:N`` = N sync workers, ``gthread:NxT`` = N
workers of T threads, ``deploy:N`` or ``deploy:NxT`` = site/deploy/gunicorn.conf.py with N
workers (of T threads), its access log included; ``granian:NxT`` = the same application under
granian, if installed, for comparison), from scratch each time:
 1. convenes today's meeting in every cell that has a secretary (bulk: one Meeting and one
    Attendance row per expected member, i.e. active and not exempt; earlier bench meetings are
    deleted first) and gives every secretary a real API token (rest_framework.authtoken);
 2. writes the jobs: one line per expected member (meeting, the secretary's token, the member's
    card QR token signed now), shuffled, at most ``--limit`` of them, plus 10 % deliberate
    repeats of earlier lines; with ``--batch N`` the scans of one meeting are grouped N at a
    time for the offline endpoint (``…/checkin/offline/``, one request carrying N scans);
 3. starts gunicorn (config.wsgi, config.settings.production, SECRET_KEY shared with this
    process so the tokens verify, DJANGO_ALLOWED_HOSTS=127.0.0.1, DJANGO_SECURE_SSL_REDIRECT=0,
    REDIS_URL=redis://127.0.0.1:6379/7 as the shared cache of rights unless --no-redis), then
    runs ``wrk -t2 -c<connections> -d<duration> --latency -s bench/checkin.lua`` (after the
    first pass, a thread starts its lines over: those are repeats too);
 4. counts: every (meeting, member) the server answered 200/201 for must be present in the
    database (lost = acknowledged but not present), each must have been answered 201 at most
    once (duplicated), and present rows must number the 201s (a row present without any 201 is
    reported as "unacknowledged": a request in flight when wrk stopped). Attendance rows per
    meeting must be unchanged in number;
 5. accounts for the CPU: seconds of CPU used during the wrk run by gunicorn (master and
    workers), by the PostgreSQL backends serving this database (with those that ended during
    the run: the postmaster's reaped children) and by wrk, per scan
    (``cpu_ms_*``), and what two otherwise idle cores could carry at that cost
    (``capacity_2_cores``: 2,000 ms / cpu_ms_total; PostgreSQL's WAL writer and checkpointer are
    not counted). Throughput itself depends on what else runs on the machine: the load average
    is printed before and after each run.
Everything runs on 127.0.0.1 and is bounded in time; wrk, gunicorn and PostgreSQL share the
machine's cores. Output: bench/out/checkin_*.txt and a RESULT line per configuration.

Card tokens do not expire (app tokens live 90 s), so jobs signed before a run stay valid.
"""

import argparse
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import benchlib
from benchlib import ROOT, load

OUT = ROOT / "bench" / "out"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sotay_bench_checkin"
SECRET = "bench-checkin-not-a-secret-" + os.uname().nodename
TITLE = "[bench] Sinh hoạt chi bộ thường kỳ"


def env(redis=True):
    e = dict(os.environ)
    e.setdefault("DATABASE_URL", DEFAULT_DB)
    e.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    e.pop("DJANGO_DEBUG", None)
    if redis:
        e["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    else:
        e.pop("REDIS_URL", None)
        e["SOTAY_ALLOW_PER_PROCESS_CACHE"] = "1"  # production refuses a per-process cache otherwise
    return e


def django_setup(redis=True):
    benchlib.django_setup(
        env(redis), ("DJANGO_SECURE_SSL_REDIRECT", "SOTAY_ALLOW_PER_PROCESS_CACHE")
    )


# --- seed ---------------------------------------------------------------------------------


def cmd_seed(args):
    url = benchlib.recreate_database(DEFAULT_DB)
    e = env(redis=False)
    e["DATABASE_URL"] = url
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=e, check=True
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--scale", args.scale, "--seed", "1"],
        cwd=ROOT,
        env=e,
        check=True,
    )
    print(f"== seeded {args.scale} in {time.perf_counter() - started:.1f} s")


# --- meetings, tokens, jobs ------------------------------------------------------------------


def convene_all():
    """Today's meeting in every cell with a secretary; one Attendance row per expected member."""
    from django.db import connection, transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from sotay_plugins.meetings.models import Attendance, Meeting
    from sotay_plugins.members.models import Member, MemberStatus
    from sotay_plugins.orgtree.models import RoleAssignment

    started = time.perf_counter()
    with transaction.atomic():
        Meeting.objects.filter(title=TITLE).delete()
        secretaries = {}
        for user_id, cell_id in (
            RoleAssignment.objects.filter(role__code="cell_secretary", org__kind="cell")
            .order_by("org_id", "pk")
            .values_list("user_id", "org_id")
        ):
            secretaries.setdefault(cell_id, user_id)
        starts = timezone.now() - timezone.timedelta(minutes=5)
        meetings = Meeting.objects.bulk_create(
            [
                Meeting(
                    title=TITLE,
                    issuer_org_id=cell,
                    audience_org_id=cell,
                    starts_at=starts,
                    place="Hội trường",
                )
                for cell in secretaries
            ],
            batch_size=2000,
        )
        by_cell = {m.audience_org_id: m.pk for m in meetings}
        expected = list(
            Member.objects.filter(cell_id__in=by_cell, status=MemberStatus.ACTIVE)
            .exclude(group="exempt")
            .values_list("pk", "cell_id", "qr_version")
        )
        Attendance.objects.bulk_create(
            [Attendance(meeting_id=by_cell[cell], member_id=pk) for pk, cell, _v in expected],
            batch_size=5000,
        )
        from sotay_plugins.authentication import tokens_valid_since

        # a kept bench database may hold tokens past SOTAY_TOKEN_DAYS: the check-in refuses those
        Token.objects.filter(
            user_id__in=secretaries.values(), created__lte=tokens_valid_since()
        ).delete()
        have = set(
            Token.objects.filter(user_id__in=secretaries.values()).values_list("user_id", flat=True)
        )
        Token.objects.bulk_create(
            [Token(user_id=u, key=Token.generate_key()) for u in set(secretaries.values()) - have]
        )
        keys = dict(
            Token.objects.filter(user_id__in=secretaries.values()).values_list("user_id", "key")
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_attendance")
        cursor.execute("ANALYZE meetings_meeting")
    print(
        f"== convened {len(meetings)} meetings, {len(expected)} expected members in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return {by_cell[cell]: keys[user] for cell, user in secretaries.items()}, [
        (by_cell[cell], pk, version) for pk, cell, version in expected
    ]


def write_jobs(meeting_keys, expected, path, repeat=0.10, seed=1, limit=None):
    from sotay_plugins.members import credentials

    rng = random.Random(seed)
    lines = []
    for meeting_id, member_id, version in expected:
        token = credentials.card_token(_Member(member_id, version))
        lines.append(f"{meeting_id}\t{meeting_keys[meeting_id]}\t{token}\t{member_id}")
    rng.shuffle(lines)
    if limit:
        lines = lines[:limit]
    stream = []
    for line in (
        lines
    ):  # a deliberate repeat (a double scan) a few hundred requests later, for 10 % of lines
        stream.append(line)
        if rng.random() < repeat:
            stream.insert(max(0, len(stream) - rng.randint(1, 400)), line)
    path.write_text("\n".join(stream) + "\n")
    return len(stream), len(lines)


def batch_jobs(path, size):
    """The same scans grouped for the offline endpoint: up to ``size`` consecutive scans of one
    meeting a line (meeting, key, tokens and members comma-separated), in the order of the jobs."""
    pending, batches = {}, []
    for line in path.read_text().splitlines():
        meeting, key, token, member = line.split("\t")
        group = pending.setdefault(meeting, [key, [], []])
        group[1].append(token)
        group[2].append(member)
        if len(group[1]) == size:
            batches.append((meeting, *pending.pop(meeting)))
    batches.extend((meeting, *group) for meeting, group in pending.items())
    path.write_text("".join(f"{m}\t{k}\t{','.join(t)}\t{','.join(b)}\n" for m, k, t, b in batches))
    return len(batches)


class _Member:
    def __init__(self, pk, qr_version):
        self.pk, self.qr_version = pk, qr_version


# --- gunicorn and wrk -------------------------------------------------------------------------


def gunicorn(config, port, redis):
    kind, _, size = config.partition(":")
    cmd = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--backlog",
        "4096",
    ]
    if kind == "sync":
        cmd += ["--workers", size]
    elif kind == "gthread":
        workers, threads = size.split("x")
        cmd += ["--workers", workers, "--worker-class", "gthread", "--threads", threads]
    elif kind == "deploy":  # the production configuration, access log included (to the log file)
        cmd = [
            cmd[0],
            "-c",
            str(ROOT / "site" / "deploy" / "gunicorn.conf.py"),
            "config.wsgi:application",
        ]
    elif (
        kind == "granian"
    ):  # another WSGI server (HTTP in Rust), if installed: N workers of T threads
        workers, threads = size.split("x")
        cmd = [
            str(Path(sys.executable).with_name("granian")),
            "--interface",
            "wsgi",
            "config.wsgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            workers,
            "--blocking-threads",
            threads,
            "--blocking-threads-idle-timeout",
            "600",
            "--backlog",
            "4096",
            "--log-level",
            "warning",
        ]
    else:
        raise SystemExit(f"unknown configuration {config}: sync:N, gthread:NxT or deploy:N[xT]")
    wait_for_port(port)
    log = open(OUT / f"checkin_gunicorn_{config.replace(':', '_')}.log", "w")  # noqa: SIM115
    workers, _x, threads = size.partition("x")
    environment = {
        **env(redis),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": workers,
        "GUNICORN_THREADS": threads or "1",
    }
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    for _ in range(120):
        try:
            subprocess.run(
                ["curl", "-sS", "-o", "/dev/null", f"http://127.0.0.1:{port}/api/v1/me/"],
                check=True,
                capture_output=True,
                timeout=5,
            )
            break
        except subprocess.SubprocessError:
            time.sleep(0.5)
    if proc.poll() is not None:
        sys.exit(f"gunicorn {config} did not start: see {log.name}")
    return proc


def wait_for_port(port, seconds=90):
    """Wait until nothing listens on ``port`` any more (an earlier gunicorn finishing its keep-alive
    connections): wrk must never measure another server than the one just started."""
    import socket

    for _ in range(seconds * 2):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
                return
            except OSError:
                time.sleep(0.5)
    sys.exit(f"port {port} is still in use after {seconds} s")


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
    try:  # the workers too (they share the master's process group)
        for _ in range(60):
            os.killpg(proc.pid, 0)
            time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _cpu(pid, children=False):
    """CPU seconds (user + system) a process has used so far, or None if it is gone; with
    ``children``, those of its children it has reaped too (gunicorn's recycled workers)."""
    try:
        fields = [
            int(f) for f in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:15]
        ]
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (fields[0] + fields[1] + (fields[2] + fields[3] if children else 0)) / os.sysconf(
        "SC_CLK_TCK"
    )


def cpu_snapshot(master):
    """CPU seconds so far of gunicorn (master and workers) and of the PostgreSQL backends serving
    this database (per pid: backends start with the workers' first requests)."""
    from django.db import connection

    gunicorn_pids = [master] + [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _parent(p.name) == master
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
        cursor.execute("SELECT pg_backend_pid()")
        postmaster = _parent(cursor.fetchone()[0])
    # A backend that ended during the run (its gunicorn worker recycled: max_requests) is no longer
    # in /proc; the postmaster, which reaped it, holds its CPU time among its children's.
    reaped = _cpu(postmaster, children=True) - _cpu(postmaster)
    return {
        "gunicorn": {pid: _cpu(pid, children=pid == master) for pid in gunicorn_pids},
        "postgres": {**{pid: _cpu(pid) for pid in backends}, "reaped": reaped},
    }


def _parent(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return None


def cpu_spent(before, after):
    """Seconds of CPU used between two snapshots, per part (a process born in between counts
    from 0)."""
    return {
        part: sum(
            (after[part][pid] or 0) - (before[part].get(pid) or 0)
            for pid in after[part]
            if after[part][pid] is not None
        )
        for part in after
    }


def verify(resp_prefix, threads):
    """Compare what the server acknowledged with what the database holds."""
    from django.db.models import Count

    from sotay_plugins.meetings.models import Attendance

    acked, created, other = set(), {}, 0
    for i in range(1, threads + 1):
        for line in Path(f"{resp_prefix}.{i}.txt").read_text().splitlines():
            status, meeting, member = line.split()
            if status in ("200", "201") and meeting != "-":
                key = (int(meeting), int(member))
                acked.add(key)
                if status == "201":
                    created[key] = created.get(key, 0) + 1
            else:
                other += 1
    rows = Attendance.objects.filter(meeting__title=TITLE)
    present = set(
        rows.filter(status__in=("present", "late")).values_list("meeting_id", "member_id")
    )
    per_pair = (
        rows.values("meeting_id", "member_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    return {
        "acknowledged": len(acked),
        "created_201": sum(created.values()),
        "present_rows": len(present),
        "lost": len(acked - present),
        "duplicated": sum(n - 1 for n in created.values() if n > 1) + per_pair,
        "unacknowledged_present": len(present - acked),
        "non_2xx": other,
        "meetings_with_present": len({m for m, _ in present}),
    }


def cmd_run(args):
    django_setup(redis=not args.no_redis)
    OUT.mkdir(exist_ok=True)
    print(
        f"== machine: {os.cpu_count()} cores; "
        f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}; {load()}"
    )
    port = args.port
    results = []
    for config in args.configs:
        meeting_keys, expected = convene_all()
        if not args.no_redis:
            subprocess.run(
                ["redis-cli", "-n", env()["REDIS_URL"].rsplit("/", 1)[-1], "FLUSHDB"],
                capture_output=True,
            )
        proc = gunicorn(config, port, not args.no_redis)
        try:
            jobs = OUT / "checkin_jobs.tsv"
            t0 = time.perf_counter()
            n, distinct = write_jobs(meeting_keys, expected, jobs, limit=args.limit)
            print(
                f"== {config}: {n} jobs ({distinct} distinct members) signed in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            if args.batch > 1:
                print(
                    f"== {config}: {batch_jobs(jobs, args.batch)} offline batches "
                    f"of up to {args.batch} scans of one meeting (POST …/checkin/offline/)"
                )
            resp = OUT / f"checkin_resp_{config.replace(':', '_')}"
            wrk_env = {
                **os.environ,
                "SOTAY_JOBS": str(jobs),
                "SOTAY_RESP": str(resp),
                "WRK_THREADS": str(args.threads),
                "SOTAY_BATCH": str(args.batch),
                "SOTAY_CLOSE": "1" if args.close else "0",
            }
            cmd = [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                "bench/checkin.lua",
                f"http://127.0.0.1:{port}",
            ]
            print(f"== {config}: {' '.join(cmd)} ({load()})")
            cpu_before, children_before = (
                cpu_snapshot(proc.pid),
                resource.getrusage(resource.RUSAGE_CHILDREN),
            )
            done = subprocess.run(
                cmd, cwd=ROOT, env=wrk_env, capture_output=True, text=True, check=False
            )
            children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = cpu_spent(cpu_before, cpu_snapshot(proc.pid))
            cpu["wrk"] = (
                children_after.ru_utime
                + children_after.ru_stime
                - children_before.ru_utime
                - children_before.ru_stime
            )
            loadavg = load()
            (OUT / f"checkin_wrk_{config.replace(':', '_')}.txt").write_text(
                done.stdout + done.stderr
            )
            result = next(
                (line for line in done.stdout.splitlines() if line.startswith("RESULT")),
                done.stdout[-500:],
            )
            time.sleep(2)  # requests still in flight when wrk stopped
        finally:
            stop(proc)
        counts = verify(resp, args.threads)
        scans = int(result.split("scans=", 1)[1].split()[0]) if "scans=" in result else 0
        per_request = {
            part: 1000 * seconds / max(scans, 1) for part, seconds in cpu.items()
        }  # per scan
        total = sum(per_request.values())
        cpu_text = " ".join(f"cpu_ms_{part}={ms:.2f}" for part, ms in per_request.items())
        line = (
            f"{result} config={config} redis={'no' if args.no_redis else 'yes'} "
            + " ".join(f"{k}={v}" for k, v in counts.items())
            + f" {cpu_text} cpu_ms_total={total:.2f}"
            f" capacity_2_cores={2000 / total if total else 0:.0f}/s batch={args.batch}"
            + f" keepalive={'no' if args.close else 'yes'}"
            + f" ({loadavg} at the end of the run)"
        )
        print(line)
        results.append(line)
    (OUT / "checkin_results.txt").write_text("\n".join(results) + "\n")
    print(f"== {load()}")


# --- queries and the PDF --------------------------------------------------------------------


def cmd_queries(args):
    django_setup(redis=not args.no_redis)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    meeting_keys, expected = convene_all()
    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
    from sotay_plugins.members import credentials

    counts, times = [], []
    for meeting_id, member_id, version in expected[:: max(1, len(expected) // 200)][:200]:
        key = meeting_keys[meeting_id]
        body = json.dumps({"token": credentials.card_token(_Member(member_id, version))})
        path = f"/api/v1/meetings/{meeting_id}/checkin/"
        client.post(
            path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
        )  # warm + 201
        Attendance_reset(meeting_id, member_id)
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.post(
                path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
            )
            times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 201, response.content
        counts.append(len(ctx.captured_queries))
    print(
        f"== check-in (201, warm rights): queries min {min(counts)} max {max(counts)}; "
        f"in-process ms median {statistics.median(times):.2f} "
        f"p95 {sorted(times)[int(len(times) * 0.95)]:.2f}"
    )
    for query in ctx.captured_queries:
        print("   ", query["sql"][:160])


def Attendance_reset(meeting_id, member_id):  # noqa: N802
    from sotay_plugins.meetings.models import Attendance

    Attendance.objects.filter(meeting_id=meeting_id, member_id=member_id).update(
        status="expected", checked_in_at=None
    )


def cmd_pdf(args):
    django_setup(redis=False)
    from sotay_plugins.members.cards import cards_pdf
    from sotay_plugins.members.models import Member

    members = list(Member.objects.select_related("cell").order_by("pk")[:60])
    times = []
    for _ in range(5):
        t = time.perf_counter()
        body = cards_pdf(members, cell_name=members[0].cell.name)
        times.append(time.perf_counter() - t)
    (OUT / "cards_60.pdf").write_bytes(body)
    print(
        f"== card PDF, 60 members (8 pages): first {times[0]:.2f} s, "
        f"then median {statistics.median(times[1:]):.2f} s, "
        f"{len(body) // 1024} KiB"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("seed")
    p.add_argument("--scale", default="province", choices=["tiny", "small", "province"])
    p = sub.add_parser("run")
    p.add_argument("--configs", nargs="+", default=["sync:2", "sync:4", "gthread:4x8"])
    p.add_argument("--duration", type=int, default=30)
    p.add_argument("--connections", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--port", type=int, default=18766)
    p.add_argument("--no-redis", action="store_true")
    p.add_argument(
        "--limit",
        type=int,
        default=None,
        help="at most this many distinct members (wrk cycles over them)",
    )
    p.add_argument(
        "--close",
        action="store_true",
        help="a new connection per request (Connection: close), "
        "as behind an nginx without keep-alive",
    )
    p.add_argument(
        "--batch",
        type=int,
        default=1,
        help="send the scans of one meeting N at a time to the offline endpoint "
        "(default 1: one scan a request)",
    )
    p = sub.add_parser("queries")
    p.add_argument("--no-redis", action="store_true")
    sub.add_parser("pdf")
    args = parser.parse_args()
    {"seed": cmd_seed, "run": cmd_run, "queries": cmd_queries, "pdf": cmd_pdf}[args.cmd](args)


if __name__ == "__main__":
    main()
