"""The demo's roll-ups: once every module has seeded its data, compute the figures so that the
demo dashboard shows them: the last twelve months (``tiny``, ``small``), the current one at
province scale, so that ``seed_demo`` stays within its 5 minutes (``manage.py rebuild_reports``
does the year; bench/bench_reports.py measures it)."""

from django.utils import timezone

from . import engine
from .periods import add_months, month_start


def seed(*, scale, seed, stdout=None):
    end = month_start(timezone.localdate())
    start = end if scale == "province" else add_months(end, -11)
    rows = engine.rebuild(start, end)
    if stdout is not None:
        stdout.write(f"reports: {rows} roll-up rows ({start:%m/%Y}–{end:%m/%Y})")
