"""The demo's roll-ups: once every module has seeded its data, compute the figures so that the
demo dashboard shows them: the last twelve months (``tiny``, ``small``), the last three at
province scale, where the demo's reading and meetings lie (``manage.py rebuild_reports`` does
the year; bench/bench_reports.py measures it)."""

from django.utils import timezone

from . import engine
from .periods import add_months, month_start


def seed(*, scale, seed, stdout=None):
    end = month_start(timezone.localdate())
    start = add_months(end, -2 if scale == "province" else -11)
    rows = engine.rebuild(start, end)
    if stdout is not None:
        stdout.write(f"reports: {rows} roll-up rows ({start:%m/%Y}–{end:%m/%Y})")
