"""Periods of a report: months, quarters and years, and the filters that choose them.

A report covers whole months from ``start`` to ``end`` (both included) and shows them by
``granularity``: month, quarter or year. Quarters and years are always calendar ones: a report by
quarter starts at the quarter of ``start`` and ends at the quarter of ``end``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

GRANULARITIES = ("month", "quarter", "year")
CODES = {"month": "M", "quarter": "Q", "year": "Y"}
#: The longest report: five years (a longer one is refused, not truncated).
MAX_MONTHS = 60
ROMAN = ("I", "II", "III", "IV")


def month_start(day):
    return date(day.year, day.month, 1)


def add_months(day, n):
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(start, end):
    """First days of the months from ``start`` to ``end`` (both included)."""
    out, current = [], month_start(start)
    while current <= end:
        out.append(current)
        current = add_months(current, 1)
    return out


def parse_month(text, field_name):
    """``YYYY-MM`` or ``MM/YYYY`` → the 1st of that month; a Vietnamese error otherwise."""
    text = (text or "").strip()
    try:
        if "/" in text:
            month, year = text.split("/")
        else:
            year, month = text.split("-")
        if len(year.strip()) != 4:
            raise ValueError
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise ValidationError(
            {field_name: _("Tháng không hợp lệ: nhập theo dạng MM/YYYY, ví dụ 03/2026.")}
        ) from None


@dataclass(frozen=True)
class Period:
    """One column of a report: a month, a quarter or a year (``end`` excluded)."""

    granularity: str
    start: date
    end: date

    @property
    def code(self):
        return CODES[self.granularity]

    @property
    def key(self):
        if self.granularity == "year":
            return f"{self.start.year}"
        if self.granularity == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return self.start.strftime("%Y-%m")

    @property
    def label(self):
        if self.granularity == "year":
            return _("Năm %(y)s") % {"y": self.start.year}
        if self.granularity == "quarter":
            quarter = ROMAN[(self.start.month - 1) // 3]
            return _("Quý %(q)s/%(y)s") % {"q": quarter, "y": self.start.year}
        return self.start.strftime("%m/%Y")

    @property
    def short_label(self):
        if self.granularity == "month":
            return self.start.strftime("%m/%y")
        if self.granularity == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1}/{self.start.strftime('%y')}"
        return str(self.start.year)

    @property
    def months(self):
        return months_between(self.start, add_months(self.end, -1))


def _align(day, granularity):
    if granularity == "year":
        return date(day.year, 1, 1)
    if granularity == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return month_start(day)


def _step(granularity):
    return {"month": 1, "quarter": 3, "year": 12}[granularity]


@dataclass(frozen=True)
class Span:
    """What a report covers: its periods (columns) and their months."""

    granularity: str
    periods: tuple

    @property
    def start(self):
        return self.periods[0].start

    @property
    def end(self):
        """The day after the last month (excluded)."""
        return self.periods[-1].end

    @property
    def months(self):
        return months_between(self.start, add_months(self.end, -1))

    @property
    def whole(self):
        """The span as one period when it is exactly one quarter or one year (the ``distinct``
        measures have a stored total only for those), else None."""
        months = len(self.months)
        if months == 1:
            return Period("month", self.start, self.end)
        if months == 3 and self.start.month in (1, 4, 7, 10):
            return Period("quarter", self.start, self.end)
        if months == 12 and self.start.month == 1:
            return Period("year", self.start, self.end)
        return None

    @property
    def label(self):
        whole = self.whole
        if whole:
            return whole.label
        return _("Từ %(a)s đến %(b)s") % {
            "a": self.start.strftime("%m/%Y"),
            "b": add_months(self.end, -1).strftime("%m/%Y"),
        }


def span(start=None, end=None, granularity="month"):
    """The report's span: default this year up to this month, by month. Refuses an unknown
    granularity, an end before the start and more than :data:`MAX_MONTHS` months (Vietnamese
    errors keyed by field)."""
    if granularity not in GRANULARITIES:
        raise ValidationError(
            {"granularity": _("Kỳ báo cáo phải là tháng (month), quý (quarter) hoặc năm (year).")}
        )
    today = timezone.localdate()
    end = month_start(end or today)
    start = month_start(start) if start else date(end.year, 1, 1)
    if start > end:
        raise ValidationError({"end": _("Tháng kết thúc phải sau hoặc trùng tháng bắt đầu.")})
    first, last = _align(start, granularity), _align(end, granularity)
    step = _step(granularity)
    total = len(months_between(first, add_months(last, step - 1)))
    if total > MAX_MONTHS:
        raise ValidationError(
            {"start": _("Một báo cáo gồm tối đa %(n)s tháng (5 năm).") % {"n": MAX_MONTHS}}
        )
    periods, current = [], first
    while current <= last:
        periods.append(Period(granularity, current, add_months(current, step)))
        current = add_months(current, step)
    return Span(granularity, tuple(periods))
