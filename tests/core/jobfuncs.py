"""Job functions for the outbox tests: idempotent, with progress."""

from sotay_plugins import jobs


def count_to(*, job, n):
    for i in range(1, n + 1):
        jobs.job_progress(job, i, n)
    return {"counted": n}


def explode(*, job):
    raise RuntimeError("nổ")


def slow_effect(*, job, key, seconds):
    """A job with an effect outside the outbox (tests/faults): each run is logged in
    ``fault_runs``, then, after ``seconds``, the effect is written once into ``fault_effect``."""
    import time

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO fault_runs (key) VALUES (%s)", [key])
    time.sleep(seconds)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO fault_effect (key) VALUES (%s) ON CONFLICT (key) DO NOTHING", [key]
        )
    return {"key": key}
