"""Helpers shared by the meetings tests (plain functions; fixtures live in conftest.py)."""

from datetime import datetime, timedelta

from django.utils import timezone

TZ = timezone.get_current_timezone()


def soon(days=3, hour=8):
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)
