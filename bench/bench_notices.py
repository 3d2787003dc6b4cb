"""Issue 18 (notices): a notice to the whole province, and the member's inbox page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sotay_notices \
    REDIS_URL=redis://127.0.0.1:6379/9 SECRET_KEY=bench DJANGO_SETTINGS_MODULE=bench.settings \
    DJANGO_ALLOWED_HOSTS=testserver .venv/bin/python bench/bench_notices.py --devices 20000

(after ``manage.py seed_demo --scale province`` on that database).

1. Fan-out: ``notice_requested`` for every member of the province (the receiver's cost), then
   the fan-out job (inbox rows written with ``ON CONFLICT DO NOTHING``, push and mail jobs
   queued through the outbox); ``--devices`` members get a push subscription first, so that
   many pushes are queued. The same request is sent again to show the dedupe (0 rows more).
   Jobs are queued in Redis (REDIS_URL) and not run here: the budget is "written and queued".
2. The inbox page (``/thong-bao/``) for random members with notices, in-process through the
   whole middleware stack (Django's test client, a real session), against the bare view
   (``/bench/bare/``) in the same process and run: queries per page, median and p95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def fan_out(devices):
    from django.db import connection

    from sotay_plugins import signals
    from sotay_plugins.members.models import Member
    from sotay_plugins.notices import services
    from sotay_plugins.notices.models import Notice, NoticeRequest, PushSubscription
    from sotay_plugins.orgtree.models import Organisation

    province = Organisation.objects.filter(parent__isnull=True, is_active=True).first()
    ids = list(
        Member.objects.filter(cell__tree_id=province.tree_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    PushSubscription.objects.filter(endpoint__startswith="https://push.bench.invalid/").delete()
    PushSubscription.objects.bulk_create(
        [
            PushSubscription(
                member_id=pk,
                endpoint=f"https://push.bench.invalid/{uuid.uuid4().hex}",
                p256dh="B" + "A" * 86,
                auth="AAAAAAAAAAAAAAAAAAAAAA",
            )
            for pk in ids[:: max(1, len(ids) // devices)][:devices]
        ],
        batch_size=5000,
    )
    key = f"bench:{uuid.uuid4().hex}"
    before = Notice.objects.count()
    t0 = time.perf_counter()
    signals.notice_requested.send(
        sender=None,
        kind="notices.announcement",
        member_ids=ids,
        title="Thông báo toàn tỉnh (đo tải)",
        body="Đo thời gian ghi hộp thư và xếp hàng thông báo đẩy.",
        url="/thong-bao/",
        dedupe_key=key,
        send_at=None,
    )
    t_receiver = time.perf_counter() - t0
    req = NoticeRequest.objects.get(dedupe_key=key)
    t1 = time.perf_counter()
    result = services.fan_out(request_id=req.pk)
    t_fan_out = time.perf_counter() - t1
    rows = Notice.objects.count() - before
    queued = {func.rsplit(".", 1)[-1]: n for func, n in _jobs_since(req.created_at)}
    # The same key again (a retry of the whole request): no row more.
    again = services.request(kind="notices.announcement", member_ids=ids, title="x", dedupe_key=key)
    NoticeRequest.objects.filter(pk=again.pk).update(state="queued")
    t2 = time.perf_counter()
    services.fan_out(request_id=again.pk)
    t_again = time.perf_counter() - t2
    extra = Notice.objects.count() - before - rows
    connection.close()
    return {
        "members": len(ids),
        "receiver_s": t_receiver,
        "fan_out_s": t_fan_out,
        "rows": rows,
        "result": result,
        "queued_jobs": queued,
        "again_s": t_again,
        "again_rows": extra,
        "key": key,
    }


def _jobs_since(when):
    from django.db.models import Count

    from sotay_plugins.models import OutboxJob

    return (
        OutboxJob.objects.filter(created_at__gte=when, func__startswith="sotay_plugins.notices")
        .values_list("func")
        .annotate(n=Count("pk"))
    )


def pages(samples, members, seed):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sotay_plugins.notices.models import Notice

    user_ids = list(
        Notice.objects.filter(member__user__is_active=True)
        .values_list("member__user_id", flat=True)
        .distinct()[: members * 20]
    )
    import random

    rng = random.Random(seed)
    users = get_user_model().objects.in_bulk(rng.sample(user_ids, min(members, len(user_ids))))
    clients = []
    for user in users.values():
        client = Client()
        client.cookies["sessionid"] = benchlib.make_session(user)
        client.get("/thong-bao/", secure=True)  # warm
        clients.append(client)
    queries = []
    for client in clients[:20]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/thong-bao/", secure=True).status_code == 200
        queries.append(len(ctx.captured_queries))
    inbox, bare, profile = [], [], []
    for i in range(samples):
        client = clients[i % len(clients)]
        t0 = time.perf_counter()
        response = client.get("/thong-bao/", secure=True)
        inbox.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
        t0 = time.perf_counter()
        client.get("/bench/bare/", secure=True)
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        client.get("/ho-so/", secure=True)  # another member page, for reference
        profile.append(time.perf_counter() - t0)
    return {
        "queries_max": max(queries),
        "queries_min": min(queries),
        "inbox_median_ms": statistics.median(inbox) * 1000,
        "inbox_p95_ms": percentile(inbox, 0.95) * 1000,
        "bare_median_ms": statistics.median(bare) * 1000,
        "bare_p95_ms": percentile(bare, 0.95) * 1000,
        "profile_median_ms": statistics.median(profile) * 1000,
        "profile_p95_ms": percentile(profile, 0.95) * 1000,
        "inbox_rps": 1 / statistics.mean(inbox),
        "bare_rps": 1 / statistics.mean(bare),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=600)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--skip-fan-out", action="store_true")
    args = parser.parse_args()
    # The production settings use the manifest storage: the templates need collected files.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=benchlib.ROOT,
        check=True,
    )
    benchlib.django_setup(dict(os.environ))
    print(benchlib.load())
    if not args.skip_fan_out:
        out = fan_out(args.devices)
        print(
            f"fan-out: {out['members']} members; receiver {out['receiver_s']:.3f} s; "
            f"job {out['fan_out_s']:.1f} s: {out['rows']} inbox rows, "
            f"{out['result']['pushes']} pushes in {out['queued_jobs']} queued jobs; "
            f"the same key again: {out['again_rows']} rows more ({out['again_s']:.1f} s)"
        )
        import django_rq

        django_rq.get_queue("default").empty()  # the queued jobs are not run here
    result = pages(args.samples, args.members, args.seed)
    print(
        f"inbox: {result['queries_min']}–{result['queries_max']} queries; median "
        f"{result['inbox_median_ms']:.1f} ms, p95 {result['inbox_p95_ms']:.1f} ms "
        f"({result['inbox_rps']:.0f} req/s in one process); bare view median "
        f"{result['bare_median_ms']:.2f} ms, p95 {result['bare_p95_ms']:.2f} ms "
        f"({result['bare_rps']:.0f} req/s); ratio {result['inbox_rps'] / result['bare_rps']:.2f}; "
        f"the profile page /ho-so/ median {result['profile_median_ms']:.1f} ms, "
        f"p95 {result['profile_p95_ms']:.1f} ms"
    )
    print(benchlib.load())


if __name__ == "__main__":
    main()
