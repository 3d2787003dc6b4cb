"""Issue 18 (agenda): the member's calendar month page and the iCal feed, at province scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sotay_agenda \
    SECRET_KEY=bench DJANGO_SETTINGS_MODULE=bench.settings \
    DJANGO_ALLOWED_HOSTS=testserver .venv/bin/python bench/bench_agenda.py

(after ``manage.py seed_demo --scale province`` on that database: meetings, study sessions,
quizzes, the agenda demo's tasks and entries). Members are picked among those with a task (so
every source has something to show); each gets ``--entries`` own entries in the month first.

Measured, in-process through the whole middleware stack (Django's test client, a real session),
against the bare view (``/bench/bare/``) in the same process and run:

1. ``/lich/`` (this month): queries per page (budget 8), median and p95;
2. ``/lich/ical/<token>.ics`` (the feed, ~15 months of events): queries, median and p95.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(samples, members, entries, seed):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from sotay_plugins.agenda import services
    from sotay_plugins.agenda.models import Assignment, Entry
    from sotay_plugins.members.models import Member

    rng = random.Random(seed)
    ids = list(
        Assignment.objects.filter(member__isnull=False, member__user__is_active=True)
        .values_list("member_id", flat=True)
        .distinct()[: members * 20]
    )
    chosen = Member.objects.select_related("user").in_bulk(rng.sample(ids, min(members, len(ids))))
    now = timezone.now()
    Entry.objects.filter(title__startswith="Đo tải ").delete()
    Entry.objects.bulk_create(
        [
            Entry(
                member=m,
                title=f"Đo tải {i}",
                starts_at=now + timedelta(days=i % 20, hours=i),
            )
            for m in chosen.values()
            for i in range(entries)
        ]
    )
    clients, feeds = [], []
    for member in chosen.values():
        client = Client()
        client.cookies["sessionid"] = benchlib.make_session(member.user)
        client.get("/lich/", secure=True)  # warm
        clients.append(client)
        feeds.append(services.feed_path(services.feed_token(member)))
    month_q, feed_q = [], []
    for client, feed in list(zip(clients, feeds, strict=True))[:20]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/lich/", secure=True).status_code == 200
        month_q.append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(feed, secure=True).status_code == 200
        feed_q.append(len(ctx.captured_queries))
    month, feed_t, bare = [], [], []
    for i in range(samples):
        client, feed = clients[i % len(clients)], feeds[i % len(feeds)]
        t0 = time.perf_counter()
        assert client.get("/lich/", secure=True).status_code == 200
        month.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        assert client.get(feed, secure=True).status_code == 200
        feed_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        client.get("/bench/bare/", secure=True)
        bare.append(time.perf_counter() - t0)
    Entry.objects.filter(title__startswith="Đo tải ").delete()
    return {
        "members": len(clients),
        "month_queries": (min(month_q), max(month_q)),
        "feed_queries": (min(feed_q), max(feed_q)),
        "month_median_ms": statistics.median(month) * 1000,
        "month_p95_ms": percentile(month, 0.95) * 1000,
        "feed_median_ms": statistics.median(feed_t) * 1000,
        "feed_p95_ms": percentile(feed_t, 0.95) * 1000,
        "bare_median_ms": statistics.median(bare) * 1000,
        "bare_p95_ms": percentile(bare, 0.95) * 1000,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--entries", type=int, default=10)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    # The production settings use the manifest storage: the templates need collected files.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=benchlib.ROOT,
        check=True,
    )
    benchlib.django_setup(dict(os.environ))
    print(benchlib.load())
    out = measure(args.samples, args.members, args.entries, args.seed)
    print(
        f"{out['members']} members: month page {out['month_queries'][1]} queries at most "
        f"(budget 8), median {out['month_median_ms']:.1f} ms, p95 {out['month_p95_ms']:.1f} ms; "
        f"iCal feed {out['feed_queries'][1]} queries, median {out['feed_median_ms']:.1f} ms, "
        f"p95 {out['feed_p95_ms']:.1f} ms; bare view median {out['bare_median_ms']:.1f} ms, "
        f"p95 {out['bare_p95_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
