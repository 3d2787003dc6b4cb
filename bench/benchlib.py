"""What the bench scripts share (imported as ``benchlib``: a script's own folder is first on
``sys.path``): Django set up in the script's process from the environment it gives its server,
the machine's load, a sample of members who can log in, and sessions as Django's login stores
them (what wrk's requests carry)."""

import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


#: What every script's server is configured by; a script adds its own (``extra``).
SERVER_VARIABLES = (
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_LOG_LEVEL",
    "REDIS_URL",
)


def django_setup(environment, extra=()):
    """Set up Django here with the server's variables (``SERVER_VARIABLES`` and ``extra``) as
    ``environment`` has them (one it leaves out is removed), so this process sees what the
    server it starts sees."""
    for name in (*SERVER_VARIABLES, *extra):
        if name in environment:
            os.environ[name] = environment[name]
        else:
            os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load():
    return "load average " + " ".join(open("/proc/loadavg").read().split()[:3])


def pick_member_users(count, seed, how_to_seed):
    """The user ids of ``count`` random active members with an active account (at most all)."""
    from sotay_plugins.members.models import Member

    ids = list(
        Member.objects.filter(status="active", user__is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    if not ids:
        sys.exit(f"no members: {how_to_seed} first")
    return random.Random(seed).sample(ids, min(count, len(ids)))


def make_session(user):
    """A session for ``user`` as Django's login view stores it (user id, backend, auth hash)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    backend = "django.contrib.auth.backends.ModelBackend"
    kept = "sotay_plugins.members.backends.KeptAccountBackend"
    if kept in settings.AUTHENTICATION_BACKENDS and settings.SOTAY_KEPT_ACCOUNT_SECONDS > 0:
        backend = kept  # what the sign-in names (members.backends.serve_session)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def recreate_database(default_url):
    """Drop and create the benchmark's database (DATABASE_URL, else ``default_url``); only one
    named sotay_bench*, never another. Returns its URL."""
    import subprocess
    from urllib.parse import urlsplit

    url = os.environ.get("DATABASE_URL", default_url)
    db = urlsplit(url).path.lstrip("/")
    if not db.startswith("sotay_bench"):
        sys.exit(f"refusing to drop '{db}': use a database named sotay_bench*")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    drop, create = f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', f'CREATE DATABASE "{db}"'
    subprocess.run(["psql", admin, "-q", "-c", drop, "-c", create], check=True)
    return url


#: nginx in front of gunicorn, as site/deploy/nginx.conf.example has it in production: clients
#: keep their connections to nginx, and nginx passes each whole request on. Without it, a client
#: that opens a connection and sends its first request later (a member between two answers)
#: holds one of gunicorn's gthread threads while the worker waits up to 5 s for its first bytes
#: (gunicorn 27's ``DEFAULT_WORKER_DATA_TIMEOUT``), and the other requests queue behind
#: (bench/RESULTS.md, issue 13, 2026-12-06 11:20).
NGINX_CONF = """worker_processes 1;
pid {out}/nginx.pid;
error_log {out}/nginx_error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  client_max_body_size 21m;
  upstream app {{ server 127.0.0.1:{upstream}; keepalive 32; }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_read_timeout 60s;
    }}
  }}
}}
"""


def nginx_front(port, upstream, out):
    """Start nginx on ``port`` proxying to gunicorn on ``upstream`` (config and logs in
    ``out``); returns the process (stop it with ``stop_nginx``). None if nginx is not installed
    (Debian's package ``nginx-light``)."""
    import shutil
    import subprocess
    import time

    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        return None
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    conf = out / "nginx.conf"
    conf.write_text(NGINX_CONF.format(out=out, upstream=upstream, port=port))
    proc = subprocess.Popen(  # noqa: S603
        [binary, "-p", str(out), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=open(out / "nginx_stderr.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    time.sleep(0.5)
    if proc.poll() is not None:
        sys.exit(f"nginx did not start: see {out}/nginx_stderr.log")
    return proc


def stop_nginx(proc):
    import signal

    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(timeout=10)
