"""Periods of an export: checked before anything is asked of the queue (bad input changes
nothing and says why, in Vietnamese)."""

from __future__ import annotations

import calendar
import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def max_years():
    """The longest period an export may span (``SOTAY_EXPORT_MAX_YEARS``, default 5)."""
    return int(getattr(settings, "SOTAY_EXPORT_MAX_YEARS", 5))


def month_bounds(text):
    """``"2026-11"`` → (1 Nov 2026, 30 Nov 2026); a Vietnamese ValidationError otherwise."""
    match = MONTH.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise ValidationError(
            {"month": [_("Tháng phải có dạng NNNN-TT, ví dụ 2026-11.")]}, code="month"
        )
    year, month = int(match[1]), int(match[2])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def check_period(start, end, *, one_month=False):
    """Refuse a period that is missing, ends before it starts, starts in the future, spans more
    than ``max_years()`` years, or (``one_month``) is not one calendar month."""
    errors = {}
    if start is None:
        errors["period_start"] = [_("Xin chọn ngày bắt đầu của kỳ báo cáo.")]
    if end is None:
        errors["period_end"] = [_("Xin chọn ngày kết thúc của kỳ báo cáo.")]
    if errors:
        raise ValidationError(errors)
    if end < start:
        raise ValidationError(
            {
                "period_end": [
                    _("Kỳ báo cáo kết thúc (%(end)s) trước khi bắt đầu (%(start)s).")
                    % {"end": f"{end:%d/%m/%Y}", "start": f"{start:%d/%m/%Y}"}
                ]
            }
        )
    if start > timezone.localdate():
        raise ValidationError(
            {"period_start": [_("Kỳ báo cáo chưa bắt đầu: ngày bắt đầu ở tương lai.")]}
        )
    years = max_years()
    try:
        limit = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        limit = date(start.year + years, 3, 1)
    if end >= limit:
        raise ValidationError(
            {
                "period_end": [
                    _("Kỳ báo cáo dài quá %(years)s năm; xin chia thành các kỳ ngắn hơn.")
                    % {"years": years}
                ]
            }
        )
    if one_month and (
        start.day != 1
        or (start.year, start.month) != (end.year, end.month)
        or end.day != calendar.monthrange(end.year, end.month)[1]
    ):
        raise ValidationError(
            {"month": [_("Báo cáo tháng cần đúng một tháng (từ ngày 1 đến ngày cuối tháng).")]}
        )
    return start, end


def label(start, end):
    """How a period reads in a file's heading."""
    if start == end:
        return _("Ngày %(day)s") % {"day": f"{start:%d/%m/%Y}"}
    if start.day == 1 and (start.year, start.month) == (end.year, end.month):
        if end.day == calendar.monthrange(end.year, end.month)[1]:
            return _("Tháng %(month)s") % {"month": f"{start:%m/%Y}"}
    return _("Từ %(start)s đến %(end)s") % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}
