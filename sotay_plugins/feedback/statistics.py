"""Feedback, for the reports module's roll-ups (``registry.StatisticsProvider``, issue 16): per
receiving unit and month (the unit a feedback is addressed to: a cell, a base organisation, a
district...; a forwarded one counts where it is now).

- ``received``: feedback sent in the month; ``closed``: closed in the month, ``closed_on_time``
  of those closed by their due day, and the rate (``sum``);
- ``open``: feedback received and not yet closed at the end of the month (today, for the
  current month), ``overdue``: of those, past their due day (``stock``).

One query whatever the size: the feedback that could be open in the months asked (received
before their end, not closed before their start), bucketed by month in Python. Nothing here
names an author: only dates, states and the receiving unit are read.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay_plugins.registry import month_of, month_starts

from .models import Entry, Feedback


def rows(start, end, *, cells=None, exclude=frozenset()):
    """:class:`registry.CellFigure` s for the months from ``start`` to ``end``."""
    from sotay_plugins.registry import cell_figures

    today = timezone.localdate()
    months = list(month_starts(start, end))
    if not months:
        return []
    ends = {}
    for index, month in enumerate(months):
        following = months[index + 1] if index + 1 < len(months) else end
        ends[month] = min(following - timedelta(days=1), today)
    figures = defaultdict(int)
    found = (
        Feedback.objects.filter(created_on__lt=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .order_by()
        .values_list("receiver__org_id", "created_on", "closed_on", "due_on")
    )
    for unit, created, closed, due in found.iterator(chunk_size=5000):
        if cells is not None and unit not in cells:
            continue
        if created >= start:
            figures[(unit, month_of(created), "received")] += 1
        if closed is not None and start <= closed < end:
            month = month_of(closed)
            figures[(unit, month, "closed")] += 1
            if due is None or closed <= due:
                figures[(unit, month, "closed_on_time")] += 1
        for month in months:
            last = ends[month]
            if month > today or created > last or (closed is not None and closed <= last):
                continue
            figures[(unit, month, "open")] += 1
            if due is not None and due < last:
                figures[(unit, month, "overdue")] += 1
    return cell_figures(figures)


def touched(since):
    """The months whose figures changed since ``since``, for every receiving unit (``None``:
    the figures sit on units of any level, which the refresh recomputes only whole; a month's
    feedback is little): the months of feedback received, closed or forwarded since then, and
    always the current month (its open feedback falls overdue as the days pass)."""
    day = timezone.localdate(since)
    months = {month_of(timezone.localdate())}
    for created, closed in (
        Feedback.objects.filter(Q(created_on__gte=day) | Q(closed_on__gte=day))
        .order_by()
        .values_list("created_on", "closed_on")
    ):
        months.add(month_of(created))
        if closed is not None:
            months.add(month_of(closed))
    # forwarded since: it now counts at its new unit from the month it was received
    for created in (
        Entry.objects.filter(kind=Entry.Kind.FORWARDED, on__gte=day)
        .order_by()
        .values_list("feedback__created_on", flat=True)
    ):
        months.update(month_starts(month_of(created), timezone.localdate() + timedelta(days=1)))
    return {(None, month) for month in months}


def provider():
    from sotay_plugins.registry import Measure, StatisticsProvider

    return StatisticsProvider(
        key="feedback",
        label=_("Góp ý, phản ánh"),
        section="feedback",
        order=50,
        rows=rows,
        touched=touched,
        description=_(
            "Góp ý gửi tới đơn vị (góp ý đã chuyển tính ở đơn vị đang nhận); tồn đọng và quá "
            "hạn tính vào cuối tháng, tháng hiện tại tính đến hôm nay."
        ),
        measures=(
            Measure("received", _("Góp ý đã nhận")),
            Measure("closed", _("Góp ý đã kết thúc")),
            Measure("closed_on_time", _("Góp ý kết thúc đúng hạn")),
            Measure(
                "on_time_rate",
                _("Tỷ lệ góp ý kết thúc đúng hạn"),
                "rate",
                numerator="closed_on_time",
                denominator="closed",
                unit="%",
            ),
            Measure("open", _("Góp ý chưa kết thúc (cuối kỳ)"), "stock"),
            Measure("overdue", _("Góp ý quá hạn chưa kết thúc (cuối kỳ)"), "stock"),
        ),
    )
