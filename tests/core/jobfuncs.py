"""Job functions for the outbox tests: idempotent, with progress."""

from sotay_plugins import jobs


def count_to(*, job, n):
    for i in range(1, n + 1):
        jobs.job_progress(job, i, n)
    return {"counted": n}


def explode(*, job):
    raise RuntimeError("nổ")
