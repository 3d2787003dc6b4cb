"""The demo's roll-ups: once every module has seeded its data, compute the figures of the last
twelve months so that the demo dashboard shows them."""

from django.utils import timezone

from . import engine
from .periods import add_months, month_start


def seed(*, scale, seed, stdout=None):
    end = month_start(timezone.localdate())
    start = add_months(end, -11)
    rows = engine.rebuild(start, end)
    if stdout is not None:
        stdout.write(f"reports: {rows} roll-up rows ({start:%m/%Y}–{end:%m/%Y})")
