"""Issue 14's budgets: keyword screening, and sending feedback with a 5 MB photo.

    python bench/bench_feedback.py screen                       # in-process, no database
    python bench/bench_feedback.py seed  [--scale province]     # recreate sotay_bench_feedback
    python bench/bench_feedback.py send  [--workers 4] [--threads 1] [--senders 20]
                                         [--duration 20] [--driver wrk|python]
                                         [--front none|nginx] [--config bench|production]
                                         [--keep-files]
    python bench/bench_feedback.py profile [--senders 4] [--sends 20]
                                           [--profiler cprofile|pyinstrument] [--dump FILE]
                                           [--parts]
    python bench/bench_feedback.py parse [--rounds 30]

``screen``: 10,000 keywords and phrases (random Vietnamese syllables, one to three words, half
with diacritics), the automaton built once (its time printed), then a 5,000-character text
(Vietnamese prose with a few of the terms inside, spaced and dotted) screened 200 times:
mean, p95 and max per text. Budget: under 5 ms.

``seed``: drops and recreates the PostgreSQL database ``sotay_bench_feedback`` (DATABASE_URL's
server; the name must start with sotay_bench), migrates and runs ``seed_demo --scale``.

``send``: gunicorn (``bench.settings``: the production settings plus the bare view,
``--workers`` sync workers, or gthread with ``--threads`` > 1; ``--config production``:
site/deploy/gunicorn.conf.py as it is) on this database, nginx in front with ``--front nginx``;
``--senders`` members (with API tokens) each POST ``/api/v1/feedback/`` as multipart with a
5 MB JPEG that carries GPS EXIF (half of them hidden), back to back for ``--duration`` seconds:
by default wrk (``bench/feedback.lua``, each sender's whole request built once in bench/out/),
or a Python driver (one keep-alive connection per sender thread). Latency p50/p95/max and
feedback per second; then the bare view ``/bench/bare/`` the same way, with the same number of
connections for the same time, and the ratio of the two throughputs. For both, the CPU each
part of the machine used per request (``CpuMeter``: the driver, gunicorn, PostgreSQL, nginx,
the whole machine). Every acknowledged feedback id is looked up in the database (none lost),
200 stored photos are opened with Pillow (no EXIF/GPS left), then the run's files are deleted.

``parse``: the body of a send read (gunicorn's reader on loopback TCP, 64 KB at a time or in
one call) and parsed in memory (Django's parser, ``sotay_plugins.uploads.split``), CPU each.

``profile``: sends one after another in this process, read by gunicorn's own parser from a
socket: the worker thread's CPU per send, PostgreSQL's, the queries of one send, a profile.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = benchlib.ROOT
DB_DEFAULT = "postgres://postgres@127.0.0.1:5432/sotay_bench_feedback"
PORT = 8417
REDIS = "redis://127.0.0.1:6379/6"

SYLLABLES = (
    "tham nhung hoi lo tieu cuc chay chuc quyen loi ich nhom bao loan phan dong da nguyen dang "
    "xa hoi kinh te dat dai moi truong can bo dao duc loi song cai cach hanh chinh an sinh "
    "nong thon giao thong thuy loi y te giao duc van hoa the thao du lich cong nghiep thuong mai"
).split()
ACCENTED = "tham nhũng hối lộ tiêu cực chạy chức quyền lợi ích nhóm bạo loạn phản động".split()
PROSE = (
    "Đề nghị cấp ủy quan tâm việc sửa đường liên ấp, mùa mưa đi lại rất khó khăn; người dân "
    "mong sớm có kinh phí. Góp ý về việc tổ chức sinh hoạt chi bộ: nội dung nên gắn với nhiệm vụ "
    "cụ thể của địa phương. "
)


def _terms(n, rng):
    terms = set()
    while len(terms) < n:
        words = [rng.choice(SYLLABLES + ACCENTED) for _ in range(rng.randint(1, 3))]
        terms.add(" ".join(words) + ("" if rng.random() < 0.5 else f" {rng.randint(1, 999)}"))
    return sorted(terms)


def cmd_screen(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from sotay_plugins.feedback import screening

    rng = random.Random(14)
    terms = _terms(10_000, rng)
    start = time.perf_counter()
    matcher = screening.build(terms)
    built = (time.perf_counter() - start) * 1000
    text = (PROSE + " t.h.a.m n.h.ũ.n.g " + PROSE + " Hối-Lộ ") * 40
    text = text[:5000]
    assert len(text) == 5000
    hits = matcher.find(text)
    times = []
    for _ in range(200):
        start = time.perf_counter()
        matcher.find(text)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(
        f"screen: 10,000 terms (automaton built in {built:.0f} ms, once per list version), "
        f"5,000-char text: mean {statistics.mean(times):.2f} ms, p95 {times[189]:.2f} ms, "
        f"max {times[-1]:.2f} ms; {len(hits)} terms matched (e.g. {hits[:3]})"
    )


def cmd_seed(args):
    url = benchlib.recreate_database(DB_DEFAULT)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    env.setdefault("REDIS_URL", REDIS)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "seed_demo", "--scale", args.scale], cwd=ROOT, env=env, check=True
    )


def photo_with_gps(target=5 * 1024 * 1024):
    """A JPEG of about ``target`` bytes (noise compresses badly) with GPS in its EXIF."""
    from PIL import Image

    rng = random.Random(5)
    side = 1600
    while True:
        raw = bytes(rng.getrandbits(8) for _ in range(side * side * 3 // 4)) * 4
        image = Image.frombytes("RGB", (side, side), raw[: side * side * 3])
        exif = Image.Exif()
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "N", (9.0, 56.0, 0.0), "E", (106.0, 20.0, 0.0)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
        data = buffer.getvalue()
        if len(data) >= target * 0.95 or side > 4000:
            return data
        side = int(side * (target / len(data)) ** 0.5) + 16


def multipart(fields, photo):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="anh.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


OUT = ROOT / "bench" / "out"
FRONT_PORT = 8418


def server_env():
    """What the server runs with (and this process, for the checks): production settings."""
    return {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", DB_DEFAULT),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-feedback-" + "x" * 40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "REDIS_URL": os.environ.get("REDIS_URL", REDIS),
        "DJANGO_LOG_LEVEL": "WARNING",
    }


class Server:
    """gunicorn on ``PORT``: ``config`` "bench" (``--workers`` sync workers, or gthread with
    ``--threads`` > 1, no access log) or "production" (site/deploy/gunicorn.conf.py as it is:
    preloaded app, access log; its workers and threads from the same options)."""

    def __init__(self, env, workers, threads, config="bench"):
        self.env, self.workers, self.threads, self.config = env, workers, threads, config

    def __enter__(self):
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        env = dict(self.env)
        if self.config == "production":
            env.update(
                GUNICORN_BIND=f"127.0.0.1:{PORT}",
                GUNICORN_WORKERS=str(self.workers),
                GUNICORN_THREADS=str(self.threads),
            )
            command = [gunicorn, "-c", str(ROOT / "site/deploy/gunicorn.conf.py")]
            command += ["config.wsgi:application"]
        else:
            command = [gunicorn, "config.wsgi:application", "--workers", str(self.workers)]
            if self.threads > 1:
                command += ["--worker-class", "gthread", "--threads", str(self.threads)]
            command += ["--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"]
            command += ["--timeout", "120"]
        self.log = open(ROOT / "var" / "feedback_gunicorn.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        for _ in range(120):
            try:
                conn = HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request("GET", "/bench/bare/", headers=HEADERS)
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit("gunicorn did not answer /bench/bare/")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()


HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}


# --- where the machine's time goes ------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _proc_times(pid):
    """(own user+system, reaped children's user+system) of a process, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    # after the command's ")": state is fields[0]; utime, stime, cutime, cstime are 11-14
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / TICK, (cutime + cstime) / TICK


def _children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _tree_cpu(root):
    """CPU of ``root`` and its descendants alive now, plus what its reaped children used."""
    if root is None:
        return 0.0
    own, reaped = _proc_times(root)
    total = own + reaped
    for child in _children(root):
        total += _tree_cpu(child)
    return total


def _postmaster():
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name == "postgres" and text.rsplit(")", 1)[1].split()[1] == "1":
            return int(stat.parent.name)
    return None


def _machine():
    """(busy, all) jiffies of the whole machine (/proc/stat), in seconds."""
    values = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


class CpuMeter:
    """CPU seconds used between ``start()`` and ``stop()`` by: the load generator (``driver``:
    the children this process waits for, i.e. wrk, or this process's own threads), gunicorn
    (master and workers, live or reaped), PostgreSQL (the postmaster's tree: backends, WAL
    writer, checkpointer…), nginx when in front, and the whole machine (/proc/stat: everything
    busy, the kernel's own network and disk work included)."""

    def __init__(self, gunicorn_pid, nginx_pid=None):
        self.roots = {"gunicorn": gunicorn_pid, "postgres": _postmaster(), "nginx": nginx_pid}

    def _snapshot(self):
        self_usage = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        snap = {name: _tree_cpu(pid) for name, pid in self.roots.items()}
        snap["driver_self"] = self_usage.ru_utime + self_usage.ru_stime
        snap["driver_children"] = children.ru_utime + children.ru_stime
        snap["machine"], snap["all"] = _machine()
        snap["wall"] = time.monotonic()
        return snap

    def start(self):
        self.before = self._snapshot()

    def stop(self):
        after = self._snapshot()
        self.used = {key: after[key] - self.before[key] for key in after}
        self.used["driver"] = self.used.pop("driver_self") + self.used.pop("driver_children")
        return self

    def per_request(self, requests):
        """A line: milliseconds of CPU per request of each part, and the machine's busy share."""
        used, n = self.used, max(requests, 1)
        parts = ["driver", "gunicorn", "postgres"] + (["nginx"] if self.roots["nginx"] else [])
        accounted = sum(used[p] for p in parts)
        text = ", ".join(f"{p} {used[p] * 1000 / n:.1f}" for p in parts)
        rest, machine = (used["machine"] - accounted) * 1000 / n, used["machine"] * 1000 / n
        return (
            f"CPU ms per request: {text}, the rest (kernel, others) {rest:.1f}; machine "
            f"{machine:.1f} ms; busy {used['machine'] / used['all'] * 100:.0f}% of the cores' time"
        )


# --- load generators --------------------------------------------------------------------------


def drive(connections, duration, make_request, target_port=PORT):
    """``connections`` threads, each on one keep-alive connection, back to back until
    ``duration`` has passed. Returns (latencies in ms of 2xx answers, other statuses, seconds,
    ids of the feedback acknowledged)."""
    stop = time.monotonic() + duration
    latencies, errors, acknowledged, lock = [], [], [], threading.Lock()

    def worker(n):
        conn = HTTPConnection("127.0.0.1", target_port, timeout=120)
        while time.monotonic() < stop:
            method, path, body, headers = make_request(n)
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers={**HEADERS, **headers})
                response = conn.getresponse()
                answer = response.read()
                status = response.status
            except OSError as exc:
                status, answer = repr(exc), b""
                conn = HTTPConnection("127.0.0.1", target_port, timeout=120)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if isinstance(status, int) and status < 300:
                    latencies.append(elapsed)
                    if method == "POST":
                        acknowledged.append(json.loads(answer)["id"])
                else:
                    errors.append(status)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.monotonic() - started, acknowledged


def wrk(name, connections, duration, port, jobs=None):
    """wrk -t2 on ``connections`` for ``duration`` s with bench/feedback.lua: the bare view, or
    the prebuilt requests listed in ``jobs``. Returns a dict: requests, seconds, p50/p95/max
    (ms), errors, and (sends) the statuses and acknowledged ids read from the answers."""
    env = dict(os.environ, WRK_THREADS="2", SOTAY_MODE="bare" if jobs is None else "send")
    resp = OUT / f"feedback_resp_{name}"
    for old in OUT.glob(f"feedback_resp_{name}.*.txt"):
        old.unlink()
    if jobs is not None:
        env.update(SOTAY_JOBS=str(jobs), SOTAY_RESP=str(resp))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration:g}s", "--timeout", "60s"]
    command += ["-s", str(ROOT / "bench" / "feedback.lua"), f"http://127.0.0.1:{port}"]
    text = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    (OUT / f"feedback_wrk_{name}.txt").write_text(text)
    line = next(x for x in text.splitlines() if x.startswith("RESULT "))
    result = {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}
    result["statuses"], result["acknowledged"] = {}, []
    for path in OUT.glob(f"feedback_resp_{name}.*.txt"):
        for answer in path.read_text().splitlines():
            status, feedback = answer.split()
            result["statuses"][status] = result["statuses"].get(status, 0) + 1
            if status == "201":
                result["acknowledged"].append(feedback)
    return result


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def senders_and_bodies(count):
    """``count`` members with an API token and a receiving unit, each with their multipart body
    (the same 5 MB photo with GPS; half hidden, half shown): ``(photo, [(key, body, type)])``."""
    from rest_framework.authtoken.models import Token

    from sotay_plugins.feedback import services
    from sotay_plugins.members.models import Member

    rng = random.Random(20)
    members = list(
        Member.objects.filter(status="active", user__is_active=True).select_related("cell")[:3000]
    )
    rng.shuffle(members)
    senders = []
    for member in members:
        receivers = list(services.receivers_for(member)[:1])
        if receivers:
            token, _created = Token.objects.get_or_create(user_id=member.user_id)
            senders.append((token.key, receivers[0].pk))
        if len(senders) == count:
            break
    if len(senders) < count:
        raise SystemExit("not enough members with a receiving unit: seed first")
    photo = photo_with_gps()
    bodies = []
    for n, (key, receiver) in enumerate(senders):
        body, content_type = multipart(
            {
                "receiver": receiver,
                "text": f"Phản ánh kèm ảnh hiện trường số {n}.",
                "hide_identity": "true" if n % 2 else "false",
            },
            photo,
        )
        bodies.append((key, body, content_type))
    return photo, bodies


def send_headers(key, body, content_type):
    return {
        "Authorization": f"Token {key}",
        "Content-Type": content_type,
        "Content-Length": str(len(body)),
    }


def request_bytes(key, body, content_type):
    """The whole HTTP request of a send, as a client writes it."""
    headers = {**HEADERS, **send_headers(key, body, content_type)}
    head = "POST /api/v1/feedback/ HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return head.encode() + b"\r\n" + body


def write_requests(bodies):
    """Each sender's whole HTTP request in a file (for wrk); returns the list's path."""
    OUT.mkdir(exist_ok=True)
    paths = []
    for n, (key, body, content_type) in enumerate(bodies):
        path = OUT / f"feedback_request.{n}.http"
        path.write_bytes(request_bytes(key, body, content_type))
        paths.append(str(path))
    jobs = OUT / "feedback_jobs.txt"
    jobs.write_text("\n".join(paths) + "\n")
    return jobs


def cmd_send(args):
    env = server_env()
    benchlib.django_setup(env, extra=("DJANGO_SECURE_SSL_REDIRECT",))
    from django.db.models import Max

    from sotay_plugins.feedback.models import Attachment, Feedback

    photo, bodies = senders_and_bodies(args.senders)
    jobs = write_requests(bodies) if args.driver == "wrk" else None
    before = Feedback.objects.count()
    last_attachment = Attachment.objects.aggregate(n=Max("pk"))["n"] or 0
    print(benchlib.load())
    front = None
    with Server(env, args.workers, args.threads, args.config) as server:
        port = PORT
        if args.front == "nginx":
            front = benchlib.nginx_front(FRONT_PORT, PORT, OUT / "feedback_nginx")
            if front is None:
                raise SystemExit("nginx is not installed (nginx-light), or use --front none")
            port = FRONT_PORT
        try:
            meter = CpuMeter(server.proc.pid, front.pid if front else None)
            if args.driver == "wrk":
                wrk("warm", args.senders, 3, port)  # every worker loads its code
                meter.start()
                send = wrk("send", args.senders, args.duration, port, jobs)
                send_cpu = meter.stop().per_request(send["requests"])
                meter.start()
                bare = wrk("bare", args.senders, args.duration, port)
                bare_cpu = meter.stop().per_request(bare["requests"])
                acknowledged, send_errors = send["acknowledged"], send["statuses"]
                send_errors = {k: v for k, v in send["statuses"].items() if k != "201"}
                send_errors["socket"] = int(send["errors"])
            else:
                bare_get = lambda n: ("GET", "/bench/bare/", None, {})  # noqa: E731
                drive(args.senders, 3, bare_get, port)

                def post(n):
                    key, body, content_type = bodies[n]
                    headers = send_headers(key, body, content_type)
                    return "POST", "/api/v1/feedback/", body, headers

                meter.start()
                sent, errors, seconds, acknowledged = drive(args.senders, args.duration, post, port)
                send = {"requests": len(sent), "seconds": seconds, "p50_ms": pct(sent, 0.5)}
                send.update(p95_ms=pct(sent, 0.95), max_ms=max(sent or [0]))
                send_cpu = meter.stop().per_request(len(sent))
                send_errors = {str(e): errors.count(e) for e in set(map(str, errors))}
                meter.start()
                got, bare_errors, seconds, _ids = drive(args.senders, args.duration, bare_get, port)
                bare = {"requests": len(got), "seconds": seconds, "p50_ms": pct(got, 0.5)}
                bare.update(p95_ms=pct(got, 0.95), max_ms=max(got or [0]), errors=len(bare_errors))
                bare_cpu = meter.stop().per_request(len(got))
        finally:
            benchlib.stop_nginx(front)
    print(benchlib.load())
    stored = Feedback.objects.count() - before
    send_rate = len(acknowledged) / send["seconds"]
    bare_rate = bare["requests"] / bare["seconds"]
    print(
        f"send: {args.senders} senders ({args.driver}), photo {len(photo) / 1e6:.1f} MB with GPS,"
        f" gunicorn {args.config} {args.workers} workers x {args.threads} threads, front "
        f"{args.front}: {len(acknowledged)} acknowledged (201) in {send['seconds']:.1f} s = "
        f"{send_rate:.1f}/s; p50 {send['p50_ms']:.0f} ms, p95 {send['p95_ms']:.0f} ms, "
        f"max {send['max_ms']:.0f} ms; other answers/errors {send_errors}"
    )
    print(f"  {send_cpu}")
    print(
        f"bare: {bare['requests']:.0f} in {bare['seconds']:.1f} s = {bare_rate:.0f} req/s; "
        f"p50 {bare['p50_ms']:.1f} ms, p95 {bare['p95_ms']:.1f} ms; ratio send/bare = "
        f"{send_rate / bare_rate:.4f}"
    )
    print(f"  {bare_cpu}")
    found = set(map(str, Feedback.objects.filter(pk__in=acknowledged).values_list("pk", flat=True)))
    print(
        f"rows: {stored} feedback stored during the run, {len(acknowledged)} acknowledged; "
        f"acknowledged but not stored: {len(set(acknowledged) - found)}"
    )
    from PIL import Image

    checked = with_exif = 0
    sample = random.Random(1).sample(acknowledged, min(200, len(acknowledged)))
    for item in Attachment.objects.filter(feedback_id__in=sample):
        with item.file.open("rb") as handle, Image.open(handle) as image:
            checked += 1
            with_exif += bool(image.getexif()) or "exif" in image.info
    print(f"photos: {checked} stored photos opened with Pillow, {with_exif} with EXIF/GPS left")
    if not args.keep_files:  # 5 MB a send: a run stores gigabytes
        removed = 0
        for item in Attachment.objects.filter(pk__gt=last_attachment).iterator():
            item.file.storage.delete(item.file.name)
            removed += 1
        print(f"files: the run's {removed} stored files deleted (rows kept; --keep-files)")


def cmd_profile(args):
    """One send after another in this process, read and answered as a gunicorn sync worker does
    (its parser on a socket, a client thread writing the request): CPU of the worker's thread
    per send (the client's excluded), the queries of one, PostgreSQL's CPU per send (its
    backend's /proc entry), and with ``--pyinstrument`` a profile."""
    # one database session for the whole run (its backend's CPU is read from /proc)
    env = {**server_env(), "DATABASE_CONN_MAX_AGE": "3600"}
    benchlib.django_setup(env, extra=("DJANGO_SECURE_SSL_REDIRECT", "DATABASE_CONN_MAX_AGE"))
    from django.db import connection
    from django.db.models import Max

    from config.wsgi import application
    from sotay_plugins.feedback.models import Attachment

    _photo, bodies = senders_and_bodies(args.senders)
    last_attachment = Attachment.objects.aggregate(n=Max("pk"))["n"] or 0
    raw = [request_bytes(key, body, content_type) for key, body, content_type in bodies]
    from gunicorn.config import Config
    from gunicorn.http import wsgi as gunicorn_wsgi
    from gunicorn.http.parser import RequestParser

    config = Config()
    peer, here = ("127.0.0.1", 40000), ("127.0.0.1", PORT)

    def call(n):
        """One request as a sync worker handles it (gunicorn 27's parser and body reader on a
        socket, its WSGI environ and response), the client writing from another thread."""
        client, server = socket.socketpair()

        def talk():
            client.sendall(raw[n % len(raw)])
            while client.recv(65536):
                pass

        talker = threading.Thread(target=talk)
        talker.start()
        request = next(RequestParser(config, server, peer))
        response, environ = gunicorn_wsgi.create(request, server, peer, here, config)
        response.force_close()
        result = application(environ, response.start_response)
        for item in result:
            response.write(item)
        response.close()
        if hasattr(result, "close"):
            result.close()
        server.close()
        talker.join()
        client.close()
        if response.status_code != 201:
            raise SystemExit(f"send answered {response.status}")

    for n in range(3):  # warm: imports, the automaton, the connection
        call(n)
    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call(0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    parts = _time_parts() if args.parts else None
    cpu, wall = [], []
    pg_before = _proc_times(backend)[0]
    for n in range(args.sends):
        c0, w0 = time.thread_time(), time.perf_counter()
        call(n)
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    pg = (_proc_times(backend)[0] - pg_before) * 1000 / args.sends
    print(
        f"profile: {args.sends} sends in one process through the WSGI application: CPU "
        f"median {statistics.median(cpu):.1f} ms (mean {statistics.mean(cpu):.1f}), wall median "
        f"{statistics.median(wall):.1f} ms; PostgreSQL backend {pg:.1f} ms of CPU per send; "
        f"{len(queries)} queries in one send:"
    )
    for sql in queries:
        print("   ", sql[:150])
    if parts is not None:
        total = statistics.mean(cpu)
        print("  CPU ms per send by part (inclusive; the worker thread's CPU, mean):")
        for name, seconds in parts.items():
            print(f"    {name:<40} {seconds * 1000 / args.sends:6.2f}")
        rest = total - sum(parts.values()) * 1000 / args.sends
        print(f"    {'the rest (middleware, view, gunicorn)':<40} {rest:6.2f} of {total:.2f}")
    if args.profiler == "pyinstrument":  # not a dependency: pip install pyinstrument
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for n in range(args.sends):
            call(n)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    elif args.profiler == "cprofile":
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.thread_time)  # the worker thread's CPU only
        profiler.enable()
        for n in range(args.sends):
            call(n)
        profiler.disable()
        if args.dump:
            profiler.dump_stats(args.dump)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    for item in Attachment.objects.filter(pk__gt=last_attachment).iterator():
        item.file.storage.delete(item.file.name)  # 5 MB each


#: Where a send's CPU goes (``profile --parts``): functions timed with the thread's CPU clock,
#: none inside another (so the parts add up; but ``sender`` calls ``current_member`` for a user
#: the scope engine sees as no member).
PARTS = (
    ("reading and parsing the body", "rest_framework.request", "Request._parse"),
    ("token (authentication)", "sotay_plugins.authentication", "TokenAuthentication.authenticate"),
    ("member (a Member row)", "sotay_plugins.feedback.services", "current_member"),
    ("member (the sender, from the subject)", "sotay_plugins.feedback.services", "sender"),
    ("receiver (scope)", "sotay_plugins.feedback.services", "_receiver_of"),
    ("screening", "sotay_plugins.feedback.screening", "screen"),
    ("check and strip the photo", "sotay_plugins.feedback.attachments", "prepare"),
    ("feedback row", "sotay_plugins.feedback.services", "Feedback.objects.create"),
    ("escrow", "sotay_plugins.feedback.escrow", "seal"),
    ("store the photo and its row", "sotay_plugins.feedback.attachments", "save_all"),
    ("outbox row", "sotay_plugins.jobs", "enqueue"),
    ("hand the job to Redis (after commit)", "sotay_plugins.jobs", "dispatch"),
    ("answer (serializer)", "sotay_plugins.feedback.api.feedback", "FeedbackSerializer.data"),
)


def _time_parts():
    """Wrap each of ``PARTS`` with a timer (the calling thread's CPU); returns the totals."""
    import importlib
    import inspect
    from functools import wraps

    totals = {}

    def timed(name, func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            start = time.thread_time()
            try:
                return func(*args, **kwargs)
            finally:
                totals[name] += time.thread_time() - start

        return wrapper

    for name, module, path in PARTS:
        totals[name] = 0.0
        owner = importlib.import_module(module)
        *outer, attr = path.split(".")
        for step in outer:
            owner = getattr(owner, step)
        if not hasattr(owner, attr):  # older code (an A/B against main)
            continue
        static = inspect.getattr_static(owner, attr)
        if isinstance(static, property):
            setattr(owner, attr, property(timed(name, static.fget)))
        else:  # a function, a class's method, a manager's method (on that manager only)
            setattr(owner, attr, timed(name, getattr(owner, attr)))
    return totals


def cmd_parse(args):
    """The body of a send (the 5.3 MB photo, three fields) read and parsed in this process,
    each way ``--rounds`` times (the thread's CPU, median): gunicorn's reader over a loopback
    TCP connection that already holds the whole request (as a worker finds it), read 64 KB at a
    time (Django's parser) or in one call (``sotay_plugins.uploads``); then the bytes in memory
    parsed by Django's ``MultiPartParser`` or split by ``uploads.split``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.uploadhandler import (
        MemoryFileUploadHandler,
        TemporaryFileUploadHandler,
    )
    from django.http import HttpRequest
    from django.http.multipartparser import MultiPartParser
    from gunicorn.config import Config
    from gunicorn.http import wsgi as gunicorn_wsgi
    from gunicorn.http.parser import RequestParser

    from sotay_plugins import uploads

    photo = photo_with_gps()
    body, content_type = multipart({"receiver": 1, "text": "x", "hide_identity": "true"}, photo)
    raw = request_bytes("k" * 40, body, content_type)
    config = Config()

    def read(step):
        listener = socket.create_server(("127.0.0.1", 0))
        client = socket.create_connection(listener.getsockname())
        server, _peer = listener.accept()
        listener.close()
        talker = threading.Thread(target=client.sendall, args=(raw,))
        talker.start()
        time.sleep(0.02)  # the request is in the socket's buffers, as wrk sends it
        start = time.thread_time()
        request = next(RequestParser(config, server, ("127.0.0.1", 1)))
        _response, environ = gunicorn_wsgi.create(
            request, server, ("127.0.0.1", 1), ("127.0.0.1", 2), config
        )
        stream, left = environ["wsgi.input"], int(environ["CONTENT_LENGTH"])
        while left:
            left -= len(stream.read(min(step, left)))
        used = time.thread_time() - start
        talker.join()
        server.close()
        client.close()
        return used

    def django_parse():
        meta = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body))}
        request = HttpRequest()
        handlers = [MemoryFileUploadHandler(request), TemporaryFileUploadHandler(request)]
        MultiPartParser(meta, io.BytesIO(body), handlers).parse()

    boundary = content_type.split("boundary=")[1].encode()
    ways = {
        "read 64 KB at a time (gunicorn, TCP)": lambda: read(64 * 1024),
        "read in one call (gunicorn, TCP)": lambda: read(len(body)),
        "parse in memory: Django's MultiPartParser": django_parse,
        "parse in memory: uploads.split": lambda: uploads.split(body, boundary, "utf-8"),
    }
    for name, way in ways.items():
        times = []
        for _ in range(args.rounds):
            start = time.thread_time()
            used = way()
            times.append(used if isinstance(used, float) else time.thread_time() - start)
        print(f"parse: {name:<45} median {statistics.median(times) * 1000:.2f} ms of CPU")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("screen")
    seed = sub.add_parser("seed")
    seed.add_argument("--scale", default="province")
    send = sub.add_parser("send")
    send.add_argument("--workers", type=int, default=4)
    send.add_argument("--threads", type=int, default=1)
    send.add_argument("--senders", type=int, default=20)
    send.add_argument("--duration", type=float, default=20)
    send.add_argument("--driver", choices=("wrk", "python"), default="wrk")
    send.add_argument("--front", choices=("none", "nginx"), default="none")
    send.add_argument("--config", choices=("bench", "production"), default="bench")
    send.add_argument("--keep-files", action="store_true")
    profile = sub.add_parser("profile")
    profile.add_argument("--senders", type=int, default=4)
    profile.add_argument("--sends", type=int, default=20)
    profile.add_argument("--profiler", choices=("pyinstrument", "cprofile"))
    profile.add_argument("--dump", help="with --profiler cprofile: write the pstats file here")
    profile.add_argument("--parts", action="store_true", help="CPU per part of a send")
    parse = sub.add_parser("parse")
    parse.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    commands = {
        "screen": cmd_screen,
        "seed": cmd_seed,
        "send": cmd_send,
        "profile": cmd_profile,
        "parse": cmd_parse,
    }
    commands[args.command](args)


if __name__ == "__main__":
    main()
