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
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
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
