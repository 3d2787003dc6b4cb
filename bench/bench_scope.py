"""The scope engine's cost for a member on a province-scale tree.

Usage (on the database seeded by bench/bench_seed.sh, i.e. ``seed_demo --scale province --seed 1``;
DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/sotay_bench)::

    python bench/bench_scope.py [--samples 1000] [--seed 1] [--json bench/out/scope.json]

For each of ``--samples`` members drawn at random (fixed ``--seed``), the user object is read
afresh (as a request's ``request.user`` would be) and, for each scoped model (Organisation:
the member's own units; Member: their own record), we time and count the SQL queries of

- ``call``:  ``scope.visible_to(user, Model)``: reading the member's grants and subject,
  building the lazy queryset (the engine's own cost);
- ``total``: the same followed by evaluating the queryset (``list(qs)``): the engine's queries
  plus the one that fetches the rows;
- ``warm``:  a second ``visible_to(...)`` + evaluation on the same user object (grants and
  subject are kept on it for the rest of the request).

The engine also keeps a user's grants in the shared cache across requests (locmem here, Redis in
production): Organisation, measured first, is the user's first request with nothing cached;
Member, measured next for the same user, is a later request whose grants come from the cache.

On PostgreSQL the engine writes a range reached through a foreign key (``cell`` for Member) as
``cell_id = ANY(ARRAY(SELECT id FROM organisation WHERE <range>))``, so that ``<range> OR pk =
<own id>`` (a cell secretary's view of members) uses the indexes (BitmapOr) instead of scanning
every member: bench/RESULTS.md §2 has the figures from before and after that change.

Times are wall-clock milliseconds measured with ``time.perf_counter`` around each operation;
queries are counted with ``django.test.utils.CaptureQueriesContext``. Prints median, p95 and max
per model and phase, and the highest query count seen. ``--json FILE`` also writes the figures.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sotay_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sotay_plugins.members.models import Member  # noqa: E402
from sotay_plugins.orgtree import scope  # noqa: E402
from sotay_plugins.orgtree.models import Organisation  # noqa: E402


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json")
    args = parser.parse_args()

    User = get_user_model()
    member_users = list(
        Member.objects.filter(status="active").values_list("user_id", flat=True).order_by("pk")
    )
    if not member_users:
        sys.exit("no members: seed the database first (bench/bench_seed.sh)")
    rng = random.Random(args.seed)
    picked = [rng.choice(member_users) for _ in range(args.samples)]
    orgs, members = Organisation.objects.count(), len(member_users)
    print(
        f"database: {connection.vendor} {connection.settings_dict.get('NAME')}; "
        f"{orgs} organisations, {members} active members; {args.samples} samples; "
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )

    models = [Organisation, Member]
    results = {
        m.__name__: {
            "call": [],
            "total": [],
            "warm": [],
            "q_call": [],
            "q_total": [],
            "q_warm": [],
            "rows": [],
        }
        for m in models
    }
    # Warm up the connection and the ORM's caches.
    for uid in picked[:20]:
        for model in models:
            list(scope.visible_to(User.objects.get(pk=uid), model))

    for uid in picked:
        for model in models:
            r = results[model.__name__]
            user = User.objects.get(pk=uid)  # a fresh request.user: nothing cached on it
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                qs = scope.visible_to(user, model)
                t1 = time.perf_counter()
                n_call = len(ctx.captured_queries)
                rows = list(qs)
                t2 = time.perf_counter()
            r["call"].append((t1 - t0) * 1000)
            r["total"].append((t2 - t0) * 1000)
            r["q_call"].append(n_call)
            r["q_total"].append(len(ctx.captured_queries))
            r["rows"].append(len(rows))
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                list(scope.visible_to(user, model))
                r["warm"].append((time.perf_counter() - t0) * 1000)
            r["q_warm"].append(len(ctx.captured_queries))

    summary = {"loadavg_after": [round(x, 2) for x in os.getloadavg()]}
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'model':<13}{'phase':<7}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}{'queries (max)':>15}"
    )
    for name, r in results.items():
        summary[name] = {}
        for phase in ("call", "total", "warm"):
            times, queries = r[phase], r[f"q_{phase}"]
            summary[name][phase] = {
                "median_ms": round(statistics.median(times), 3),
                "p95_ms": round(pct(times, 95), 3),
                "max_ms": round(max(times), 3),
                "queries_max": max(queries),
                "queries_min": min(queries),
            }
            s = summary[name][phase]
            print(
                f"{name:<13}{phase:<7}{s['median_ms']:>10.3f}{s['p95_ms']:>9.3f}{s['max_ms']:>9.3f}"
                f"{s['queries_max']:>15}"
            )
        summary[name]["rows_median"] = statistics.median(r["rows"])
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
