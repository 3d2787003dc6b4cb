"""Helpers for bench/bench_pages.sh: SQL queries per member page, and sessions for wrk.

Run with the settings and database the benchmark uses (bench_pages.sh sets them)::

    python bench/pages.py queries  [--members 50] [--seed 1]
        Logs in ``--members`` random members with Django's test client (``force_login``) and
        GETs ``/`` (home) and ``/ho-so/`` (my profile) for each, as HTTPS (X-Forwarded-Proto),
        counting SQL queries with ``CaptureQueriesContext``. Fails (exit 1) on a non-200
        answer. Prints min / median / max queries per page and the queries of one request.

    python bench/pages.py sessions [--count 200] [--seed 1] --out bench/out/sessions.txt
        Creates ``--count`` logged-in sessions for distinct random members in the session
        store (what Django's login view stores: user id, backend, auth hash) and writes their
        keys, one a line, for bench/pages.lua to spread wrk's requests over many members.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django  # noqa: E402

django.setup()

from benchlib import make_session, pick_member_users  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PAGES = {"home": "/", "profile": "/ho-so/"}


def pick_members(count, seed):
    return pick_member_users(count, seed, "seed the database (bench/bench_seed.sh)")


def queries(args):
    User = get_user_model()
    counts = {name: [] for name in PAGES}
    example = {}
    host = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0]
    for uid in pick_members(args.members, args.seed):
        client = Client(HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
        client.force_login(
            User.objects.get(pk=uid), backend="django.contrib.auth.backends.ModelBackend"
        )
        for name, path in PAGES.items():
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, secure=True)
            if response.status_code != 200:
                sys.exit(f"GET {path} for user {uid}: HTTP {response.status_code}")
            counts[name].append(len(ctx.captured_queries))
            example.setdefault(name, [q["sql"][:160] for q in ctx.captured_queries])
    for name, values in counts.items():
        print(
            f"{PAGES[name]:<8} queries per request over {len(values)} members: "
            f"min {min(values)}, median {statistics.median(values):g}, max {max(values)}"
        )
    if args.verbose:
        for name, sqls in example.items():
            print(f"-- {PAGES[name]} (one request):")
            for sql in sqls:
                print("   ", sql)


def sessions(args):
    User = get_user_model()
    users = User.objects.filter(pk__in=pick_members(args.count, args.seed))
    keys = [make_session(user) for user in users]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(keys) + "\n")
    print(f"{len(keys)} sessions written to {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("queries")
    q.add_argument("--members", type=int, default=50)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("-v", "--verbose", action="store_true")
    s = sub.add_parser("sessions")
    s.add_argument("--count", type=int, default=200)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--out", default="bench/out/sessions.txt")
    args = parser.parse_args()
    {"queries": queries, "sessions": sessions}[args.command](args)


if __name__ == "__main__":
    main()
