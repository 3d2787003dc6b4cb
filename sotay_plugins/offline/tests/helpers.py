"""Helpers of the offline tests (plain functions and constants)."""

from datetime import datetime, timedelta

from django.utils import timezone

from sotay_plugins.meetings.models import Meeting

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def soon(days=3, hour=8):
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.get_current_timezone())


def cell_meeting(cell, starts_at, **fields):
    fields.setdefault("title", "Sinh hoạt")
    return Meeting.objects.create(issuer_org=cell, audience_org=cell, starts_at=starts_at, **fields)
