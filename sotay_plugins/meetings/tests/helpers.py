"""Helpers shared by the meetings tests (plain functions; fixtures live in conftest.py)."""

from datetime import datetime, timedelta

from django.utils import timezone

from sotay_plugins.meetings.models import Meeting

TZ = timezone.get_current_timezone()


def soon(days=3, hour=8):
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def cell_meeting(cell, starts_at, **fields):
    """A meeting of ``cell`` (issued by and for it) written straight to the table: no
    convening service, no attendance rows."""
    fields.setdefault("title", "Sinh hoạt")
    return Meeting.objects.create(issuer_org=cell, audience_org=cell, starts_at=starts_at, **fields)
