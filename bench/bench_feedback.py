"""Issue 14's budgets: keyword screening, and sending feedback with a 5 MB photo.

    python bench/bench_feedback.py screen                       # in-process, no database
    python bench/bench_feedback.py seed  [--scale province]     # recreate sotay_bench_feedback
    python bench/bench_feedback.py send  [--workers 4] [--threads 1] [--senders 20]
                                         [--duration 20]

``screen``: 10,000 keywords and phrases (random Vietnamese syllables, one to three words, half
with diacritics), the automaton built once (its time printed), then a 5,000-character text
(Vietnamese prose with a few of the terms inside, spaced and dotted) screened 200 times:
mean, p95 and max per text. Budget: under 5 ms.

``seed``: drops and recreates the PostgreSQL database ``sotay_bench_feedback`` (DATABASE_URL's
server; the name must start with sotay_bench), migrates and runs ``seed_demo --scale``.

``send``: gunicorn (``bench.settings``: the production settings plus the bare view,
``--workers`` sync workers, or gthread with ``--threads`` > 1) on this database; ``--senders``
members (with API tokens) each POST ``/api/v1/feedback/`` as multipart with a 5 MB JPEG that
carries GPS EXIF, back to back for ``--duration`` seconds (a Python driver: one keep-alive
connection per sender thread). Latency p50/p95/max and feedback per second; then the same
driver GETs ``/bench/bare/`` with the same number of connections for the same time, and the
ratio of the two throughputs is printed. Every stored photo of the run is opened with Pillow to
check that it has no EXIF left (GPS stripped), and the rows are counted (none lost).
"""

from __future__ import annotations

import argparse
import io
import os
import random
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


class Server:
    def __init__(self, env, workers, threads):
        self.env, self.workers, self.threads = env, workers, threads

    def __enter__(self):
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, "config.wsgi:application", "--workers", str(self.workers)]
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        command += ["--bind", f"127.0.0.1:{PORT}", "--log-level", "warning", "--timeout", "120"]
        self.log = open(ROOT / "var" / "feedback_gunicorn.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
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


def drive(connections, duration, make_request):
    """``connections`` threads, each on one keep-alive connection, back to back until
    ``duration`` has passed. Returns (latencies in ms of 2xx answers, other statuses)."""
    stop = time.monotonic() + duration
    latencies, errors, lock = [], [], threading.Lock()

    def worker(n):
        conn = HTTPConnection("127.0.0.1", PORT, timeout=120)
        while time.monotonic() < stop:
            method, path, body, headers = make_request(n)
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers={**HEADERS, **headers})
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError as exc:
                status = repr(exc)
                conn = HTTPConnection("127.0.0.1", PORT, timeout=120)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                (latencies if isinstance(status, int) and status < 300 else errors).append(
                    elapsed if isinstance(status, int) and status < 300 else status
                )

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.monotonic() - started


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def cmd_send(args):
    url = os.environ.get("DATABASE_URL", DB_DEFAULT)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-feedback-" + "x" * 40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "REDIS_URL": os.environ.get("REDIS_URL", REDIS),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    benchlib.django_setup(env, extra=("DJANGO_SECURE_SSL_REDIRECT",))
    from rest_framework.authtoken.models import Token

    from sotay_plugins.feedback import services
    from sotay_plugins.feedback.models import Attachment, Feedback
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
        if len(senders) == args.senders:
            break
    if len(senders) < args.senders:
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
    before = Feedback.objects.count()
    started_at = time.time()
    print(benchlib.load())
    with Server(env, args.workers, args.threads):
        # warm-up: every worker loads its code and its first automaton
        drive(args.senders, 3, lambda n: ("GET", "/bench/bare/", None, {}))

        def send(n):
            key, body, content_type = bodies[n]
            return (
                "POST",
                "/api/v1/feedback/",
                body,
                {
                    "Authorization": f"Token {key}",
                    "Content-Type": content_type,
                    "Content-Length": str(len(body)),
                },
            )

        sent, send_errors, send_time = drive(args.senders, args.duration, send)
        bare, bare_errors, bare_time = drive(
            args.senders, args.duration, lambda n: ("GET", "/bench/bare/", None, {})
        )
    print(benchlib.load())
    after = Feedback.objects.count()
    send_rate, bare_rate = len(sent) / send_time, len(bare) / bare_time
    print(
        f"send: {args.senders} senders, photo {len(photo) / 1e6:.1f} MB with GPS, gunicorn "
        f"{args.workers} workers x {args.threads} threads: {len(sent)} sent in {send_time:.1f} s "
        f"= {send_rate:.1f}/s; p50 {pct(sent, 0.5):.0f} ms, p95 {pct(sent, 0.95):.0f} ms, "
        f"max {max(sent or [0]):.0f} ms; errors {len(send_errors)} "
        f"{sorted(set(map(str, send_errors)))[:3]}"
    )
    print(
        f"bare: {len(bare)} in {bare_time:.1f} s = {bare_rate:.0f} req/s; "
        f"p95 {pct(bare, 0.95):.0f} ms;"
        f" errors {len(bare_errors)}; ratio send/bare = {send_rate / bare_rate:.4f}"
    )
    stored = after - before
    print(
        f"rows: {stored} feedback stored for {len(sent)} acknowledged "
        f"(lost {max(0, len(sent) - stored)})"
    )
    from PIL import Image

    checked = with_exif = 0
    recent = Attachment.objects.filter(
        feedback__created_on__gte=time.strftime("%Y-%m-%d", time.localtime(started_at - 86400))
    )
    for item in recent.order_by("-pk")[: min(stored, 200)]:
        with item.file.open("rb") as handle, Image.open(handle) as image:
            checked += 1
            with_exif += bool(image.getexif()) or "exif" in image.info
    print(f"photos: {checked} stored photos opened with Pillow, {with_exif} with EXIF/GPS left")


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
    args = parser.parse_args()
    {"screen": cmd_screen, "seed": cmd_seed, "send": cmd_send}[args.command](args)


if __name__ == "__main__":
    main()
