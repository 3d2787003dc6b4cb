"""Reports on cell meetings (SPEC.md module 5, issue 4): per cell and rolled up the tree.

- meetings held vs expected per month: every active cell is expected to hold one regular
  meeting a month; a cell "held" it when a regular meeting of that month is held or closed;
- attendance rate: present + late over the attendance rows of held meetings, members exempt
  from activities (group or status "miễn sinh hoạt") left out;
- members absent three meetings in a row (regular meetings held, any absence: excused,
  absent, or never checked in), with how many of them had no reason;
- materials used per issuing level (province, district-level, base, the cell itself).

Scope: a user sees the units under those where they hold ``meetings.view_reports`` or
``meetings.convene`` (a secretary: their own cell), never a unit outside. The figures are
computed with a handful of aggregate queries (GROUP BY cell and month), then summed up each
cell's ancestors in Python: the number of queries does not grow with the number of cells.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind
from sotay_plugins.orgtree.models import Organisation

from .materials import LEVELS, level_of
from .models import CONVENE, VIEW_REPORTS, Attendance, Meeting, MeetingMaterial

HELD = (Meeting.State.HELD, Meeting.State.CLOSED)
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)
STREAK = 3
MAX_MONTHS = 24


# --- months ------------------------------------------------------------------------------


def month_start(day):
    return date(day.year, day.month, 1)


def next_month(day):
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def months_between(first, last):
    """First days of the months from ``first`` to ``last`` (both included)."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


def parse_month(text, *, field_name):
    """``YYYY-MM`` (or ``MM/YYYY``) → the first of that month; a Vietnamese error otherwise."""
    text = (text or "").strip()
    try:
        if "/" in text:
            month, year = text.split("/")
        else:
            year, month = text.split("-")[:2]
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise ValidationError(
            {field_name: _("Tháng không hợp lệ: nhập theo dạng MM/YYYY, ví dụ 03/2026.")}
        ) from None


def period(start=None, end=None):
    """The months of the report: default the last six months up to this one."""
    today = timezone.localdate()
    end = month_start(end or today)
    if start is None:
        start = end
        for _i in range(5):
            start = month_start(date.fromordinal(start.toordinal() - 1))
    start = month_start(start)
    if start > end:
        raise ValidationError({"start": _("Tháng bắt đầu phải trước tháng kết thúc.")})
    months = months_between(start, end)
    if len(months) > MAX_MONTHS:
        raise ValidationError(
            {"start": _("Một báo cáo gồm tối đa %(n)s tháng.") % {"n": MAX_MONTHS}}
        )
    return months


def _aware(day):
    return timezone.make_aware(datetime.combine(day, time.min))


# --- figures -----------------------------------------------------------------------------


@dataclass
class UnitFigures:
    org_id: int
    name: str
    code: str
    kind: str
    depth: int
    parent_id: int | None
    cells: int = 0
    expected: int = 0
    held: int = 0
    meetings: int = 0
    attended: int = 0
    attendance_rows: int = 0
    absentees: int = 0
    months: dict = field(default_factory=dict)  # month → [expected, held]
    materials: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    @property
    def held_rate(self):
        return round(100 * self.held / self.expected, 1) if self.expected else None

    @property
    def attendance_rate(self):
        return (
            round(100 * self.attended / self.attendance_rows, 1) if self.attendance_rows else None
        )

    @property
    def kind_label(self):
        return OrgKind(self.kind).label

    def month_rows(self, months):
        return [(m, *self.months.get(m, (0, 0))) for m in months]

    def as_dict(self, months):
        return {
            "org": self.org_id,
            "name": self.name,
            "code": self.code,
            "kind": self.kind,
            "depth": self.depth,
            "parent": self.parent_id,
            "cells": self.cells,
            "expected": self.expected,
            "held": self.held,
            "held_rate": self.held_rate,
            "meetings": self.meetings,
            "attended": self.attended,
            "attendance_rows": self.attendance_rows,
            "attendance_rate": self.attendance_rate,
            "absent_streak_members": self.absentees,
            "months": [
                {"month": m.strftime("%Y-%m"), "expected": e, "held": h}
                for m, e, h in self.month_rows(months)
            ],
            "materials_by_level": {str(level): n for level, n in self.materials.items()},
        }


@dataclass(frozen=True)
class Absentee:
    member_id: int
    full_name: str
    cell_id: int
    cell_name: str
    streak: int
    without_reason: int
    last_date: date
    ongoing: bool


@dataclass
class MeetingReport:
    months: list
    units: list  # UnitFigures in tree order (the shown ones)
    root: UnitFigures | None
    absentees: list

    def as_dict(self):
        return {
            "months": [m.strftime("%Y-%m") for m in self.months],
            "root": self.root.as_dict(self.months) if self.root else None,
            "units": [u.as_dict(self.months) for u in self.units],
            "absent_streak": [
                {
                    "member": a.member_id,
                    "full_name": a.full_name,
                    "cell": a.cell_id,
                    "cell_name": a.cell_name,
                    "streak": a.streak,
                    "without_reason": a.without_reason,
                    "last_date": a.last_date.isoformat(),
                    "ongoing": a.ongoing,
                }
                for a in self.absentees
            ],
        }


def _active_in(row, month):
    first, last = month, date.fromordinal(next_month(month).toordinal() - 1)
    if row["founded_on"] and row["founded_on"] > last:
        return False
    if row["dissolved_on"]:
        return row["dissolved_on"] >= first
    return row["is_active"]


def _range_q(prefix, ranges):
    """Under any of ``ranges`` (``(tree_id, lft, rght)``), through ``prefix`` ("" or a path)."""
    return scope.within(ranges, prefix.removesuffix("__"))


def compute(ranges, months, *, with_absentees=True, use_cache=True):
    """Figures of every unit in ``ranges`` (whole subtrees) for ``months``: {org id: UnitFigures},
    and the members absent three times in a row. Six queries whatever the size.

    The result is kept in the shared cache for ``SOTAY_REPORT_CACHE_SECONDS`` (default five
    minutes): a dashboard hit by many staff at once computes it once. Tree fields are part of the
    key, so a moved or new unit is never reported under its old place.
    """
    if use_cache:
        key = (
            "sotay:meetings:report:"
            + hashlib.sha256(repr((sorted(ranges), months, with_absentees)).encode()).hexdigest()
        )
        cached = cache.get(key)
        if cached is None:
            cached = _compute(ranges, months, with_absentees=with_absentees)
            cache.set(key, cached, getattr(settings, "SOTAY_REPORT_CACHE_SECONDS", 300))
        return cached
    return _compute(ranges, months, with_absentees=with_absentees)


def _compute(ranges, months, *, with_absentees):
    orgs = list(
        Organisation.objects.filter(_range_q("", ranges))
        .order_by("tree_id", "lft")
        .values(
            "pk",
            "name",
            "code",
            "kind",
            "level",
            "parent_id",
            "is_active",
            "founded_on",
            "dissolved_on",
        )
    )
    units = {
        row["pk"]: UnitFigures(
            row["pk"], row["name"], row["code"], row["kind"], row["level"], row["parent_id"]
        )
        for row in orgs
    }
    if not units:
        return units, []

    def chain(org_id):
        while org_id in units:
            yield units[org_id]
            org_id = units[org_id].parent_id

    start, end = _aware(months[0]), _aware(next_month(months[-1]))
    in_scope = _range_q("audience_org__", ranges) & Q(starts_at__gte=start, starts_at__lt=end)

    # expected: one regular meeting per active cell per month
    for row in orgs:
        if row["kind"] != OrgKind.CELL:
            continue
        active = [m for m in months if _active_in(row, m)]
        for unit in chain(row["pk"]):
            unit.cells += 1 if row["is_active"] else 0
            unit.expected += len(active)
            for m in active:
                unit.months.setdefault(m, [0, 0])[0] += 1

    # held: per cell and month, GROUP BY in the database
    held = (
        Meeting.objects.filter(in_scope, state__in=HELD)
        .annotate(month=TruncMonth("starts_at"))
        .values("audience_org_id", "month", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in held:
        month = row["month"]
        month = month_start(
            timezone.localtime(month).date() if isinstance(month, datetime) else month
        )
        for unit in chain(row["audience_org_id"]):
            unit.meetings += row["n"]
            if row["kind"] == Meeting.Kind.REGULAR:
                unit.held += 1
                unit.months.setdefault(month, [0, 0])[1] += 1

    # attendance of held meetings, exempt members left out
    attendance = (
        Attendance.objects.filter(
            _range_q("meeting__audience_org__", ranges),
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
            meeting__state__in=HELD,
        )
        .exclude(member__group=MemberGroup.EXEMPT)
        .exclude(member__status="exempt")
        .values("meeting__audience_org_id")
        .annotate(rows=Count("pk"), attended=Count("pk", filter=Q(status__in=ATTENDED)))
        .order_by()
    )
    for row in attendance:
        for unit in chain(row["meeting__audience_org_id"]):
            unit.attendance_rows += row["rows"]
            unit.attended += row["attended"]

    # materials used, by the level that issued them
    used = (
        MeetingMaterial.objects.filter(
            _range_q("meeting__audience_org__", ranges),
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
        )
        .exclude(meeting__state=Meeting.State.CANCELLED)
        .values("meeting__audience_org_id", "material__issuer_org__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in used:
        level = level_of(row["material__issuer_org__kind"])
        for unit in chain(row["meeting__audience_org_id"]):
            unit.materials[level] = unit.materials.get(level, 0) + row["n"]

    absentees = _absent_streaks(ranges, start, end, units) if with_absentees else []
    for absentee in absentees:
        for unit in chain(absentee.cell_id):
            unit.absentees += 1
    return units, absentees


def _absent_streaks(ranges, start, end, units):
    """Members with a run of at least three absences at held regular meetings.

    One query: only members absent at least three times in the period (a GROUP BY ... HAVING
    subquery) have their rows read and streamed, in date order.
    """
    base = (
        Attendance.objects.filter(
            _range_q("meeting__audience_org__", ranges),
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
            meeting__state__in=HELD,
            meeting__kind=Meeting.Kind.REGULAR,
        )
        .exclude(member__group=MemberGroup.EXEMPT)
        .exclude(member__status="exempt")
    )
    candidates = (
        base.exclude(status__in=ATTENDED)
        .order_by()
        .values("member_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=STREAK)
        .values("member_id")
    )
    rows = (
        base.filter(member_id__in=candidates)
        .order_by("member_id", "meeting__starts_at", "meeting_id")
        .values_list(
            "member_id",
            "member__full_name",
            "meeting__audience_org_id",
            "meeting__starts_at",
            "status",
        )
    )
    found = []
    # [member, name, run, no-reason, best run, best no-reason, best cell, best last date, last cell]
    current = None

    def close(state):
        if state and state["best"] >= STREAK:
            cell = state["best_cell"]
            found.append(
                Absentee(
                    state["member"],
                    state["name"],
                    cell,
                    units[cell].name if cell in units else "",
                    state["best"],
                    state["best_reasonless"],
                    state["best_last"],
                    state["run"] == state["best"] and state["run"] > 0,
                )
            )

    for member_id, name, cell_id, starts_at, status in rows.iterator(chunk_size=5000):
        if current is None or current["member"] != member_id:
            close(current)
            current = {
                "member": member_id,
                "name": name,
                "run": 0,
                "reasonless": 0,
                "best": 0,
                "best_reasonless": 0,
                "best_cell": cell_id,
                "best_last": None,
            }
        if status in ATTENDED:
            current["run"] = current["reasonless"] = 0
            continue
        current["run"] += 1
        current["reasonless"] += status != Attendance.Status.EXCUSED
        if current["run"] >= current["best"]:
            current["best"], current["best_reasonless"] = current["run"], current["reasonless"]
            current["best_cell"], current["best_last"] = cell_id, timezone.localdate(starts_at)
    close(current)
    found.sort(key=lambda a: (-a.streak, a.cell_name, a.full_name))
    return found


# --- scoped entry points -----------------------------------------------------------------


def report_ranges(user):
    """Subtrees the user may report on: where they hold VIEW_REPORTS or CONVENE."""
    if scope.is_superadmin(user):
        return list(
            Organisation.objects.filter(parent__isnull=True).values_list("tree_id", "lft", "rght")
        )
    return scope.managed_ranges(user, VIEW_REPORTS, CONVENE)


def may_report(user):
    return bool(report_ranges(user))


def report_roots(user):
    """The top units of the user's report scope (for the unit chooser)."""
    ranges = report_ranges(user)
    if not ranges:
        return Organisation.objects.none()
    # The units of those subtrees whose parent is not in them: the subtrees' top units.
    units = Organisation.objects.filter(_range_q("", ranges))
    return units.exclude(parent__in=units).order_by("tree_id", "lft")


def report_units(user):
    """Every unit the user may report on (choices of the unit filter)."""
    ranges = report_ranges(user)
    if not ranges:
        return Organisation.objects.none()
    return Organisation.objects.filter(_range_q("", ranges)).order_by("tree_id", "lft")


def meeting_report(user, *, root=None, start=None, end=None, depth=2, use_cache=True):
    """The report for ``user``: units from ``root`` (default: the top of their scope) down
    ``depth`` levels (None: all), for the months from ``start`` to ``end`` (default: the last six).

    Raises PermissionDenied when the user may report on nothing, or ``root`` lies outside.
    """
    months = period(start, end)
    ranges = report_ranges(user)
    if not ranges:
        raise PermissionDenied(_("Bạn không được xem báo cáo sinh hoạt chi bộ."))
    if root is not None:
        root = (
            Organisation.objects.filter(pk=getattr(root, "pk", root))
            .values("tree_id", "lft", "rght", "pk")
            .first()
        )
        if root is None or not any(
            t == root["tree_id"] and lft <= root["lft"] and root["rght"] <= r
            for t, lft, r in ranges
        ):
            raise PermissionDenied(_("Đơn vị này nằm ngoài phạm vi báo cáo của bạn."))
        ranges = [(root["tree_id"], root["lft"], root["rght"])]
    units, absentees = compute(ranges, months, use_cache=use_cache)
    root_unit = units.get(root["pk"]) if root else None
    tops = [root_unit] if root_unit else [u for u in units.values() if u.parent_id not in units]
    shown = list(units.values())
    if depth is not None:
        base = min(u.depth for u in tops)
        shown = [u for u in shown if u.depth - base <= depth]
    return MeetingReport(
        months=months,
        units=shown,
        root=root_unit if root_unit else (tops[0] if len(tops) == 1 else None),
        absentees=absentees,
    )


# --- statistics providers (registry) -----------------------------------------------------


def _for_orgs(orgs, pick):
    orgs = list(orgs)
    if not orgs:
        return {}
    units, _absent = compute(
        [(o.tree_id, o.lft, o.rght) for o in orgs],
        period(timezone.localdate(), timezone.localdate()),
        with_absentees=False,
    )
    return {o.pk: pick(units[o.pk]) for o in orgs if o.pk in units}


def stat_held_rate(orgs):
    """This month: % of active cells under each unit that held their regular meeting."""
    return _for_orgs(orgs, lambda u: u.held_rate)


def stat_attendance_rate(orgs):
    """This month: attendance rate at held meetings under each unit (exempt members left out)."""
    return _for_orgs(orgs, lambda u: u.attendance_rate)


def stat_materials_used(orgs):
    """This month: materials picked for meetings under each unit."""
    return _for_orgs(orgs, lambda u: sum(u.materials.values()))


# --- the roll-up shape (issue 16: the reports module stores these per cell and month) --------


def cell_rows(start, end, *, cells=None, exclude=frozenset()):
    """:class:`registry.CellFigure` s of the meetings for the months from ``start`` to ``end``
    (excluded): per cell and month the regular meeting expected and held, the meetings held, the
    attendance of held meetings (exempt members and the excluded groups left out), the regular
    meeting registered by the 20th of the month before (Hà Nội's rule) and the materials used by
    issuing level. Five queries whatever the size."""
    from sotay_plugins.registry import CellFigure

    from .services import REGISTRATION_DAY

    months = months_between(start, date.fromordinal(end.toordinal() - 1))
    if not months:
        return []
    first, last = _aware(months[0]), _aware(next_month(months[-1]))
    figures = {}

    def add(cell, month, key, n=1):
        if cells is None or cell in cells:
            bucket = figures.setdefault((cell, month), {})
            bucket[key] = bucket.get(key, 0) + n

    units = Organisation.objects.filter(kind=OrgKind.CELL).values(
        "pk", "is_active", "founded_on", "dissolved_on"
    )
    for row in units:
        for m in months:
            if _active_in(row, m):
                add(row["pk"], m, "expected")

    def local_month(value):
        value = timezone.localtime(value).date() if isinstance(value, datetime) else value
        return month_start(value)

    in_range = Q(starts_at__gte=first, starts_at__lt=last)
    regular_seen = set()
    for cell, starts_at, kind, state, created_at, agenda, recorded in (
        Meeting.objects.filter(in_range)
        .exclude(state=Meeting.State.CANCELLED)
        .annotate(
            recorded=ExpressionWrapper(~Q(minutes="") | ~Q(content=""), output_field=BooleanField())
        )
        .order_by()
        .values_list(
            "audience_org_id", "starts_at", "kind", "state", "created_at", "agenda", "recorded"
        )
    ):
        month = local_month(starts_at)
        if state in HELD:
            add(cell, month, "meetings")
            if recorded:
                add(cell, month, "recorded")
        if kind != Meeting.Kind.REGULAR:
            continue
        if state in HELD and (cell, month, "held") not in regular_seen:
            regular_seen.add((cell, month, "held"))
            add(cell, month, "held")
        previous = month_start(date.fromordinal(month.toordinal() - 1))
        deadline = previous.replace(day=REGISTRATION_DAY)
        if (
            agenda
            and timezone.localtime(created_at).date() <= deadline
            and (cell, month, "on_time") not in regular_seen
        ):
            regular_seen.add((cell, month, "on_time"))
            add(cell, month, "on_time")

    excluded_groups = {MemberGroup.EXEMPT, *(g for g in exclude if g in MemberGroup.values)}
    attendance = (
        Attendance.objects.filter(
            meeting__starts_at__gte=first,
            meeting__starts_at__lt=last,
            meeting__state__in=HELD,
        )
        .exclude(member__group__in=excluded_groups)
        .exclude(member__status="exempt")
    )
    if "no_smartphone" in exclude:
        attendance = attendance.filter(member__has_smartphone=True)
    for row in (
        attendance.annotate(month=TruncMonth("meeting__starts_at"))
        .values("meeting__audience_org_id", "month")
        .annotate(rows=Count("pk"), attended=Count("pk", filter=Q(status__in=ATTENDED)))
        .order_by()
    ):
        cell, month = row["meeting__audience_org_id"], local_month(row["month"])
        add(cell, month, "attendance_rows", row["rows"])
        add(cell, month, "attended", row["attended"])

    for row in (
        MeetingMaterial.objects.filter(meeting__starts_at__gte=first, meeting__starts_at__lt=last)
        .exclude(meeting__state=Meeting.State.CANCELLED)
        .annotate(month=TruncMonth("meeting__starts_at"))
        .values("meeting__audience_org_id", "month", "material__issuer_org__kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        add(
            row["meeting__audience_org_id"],
            local_month(row["month"]),
            f"materials|level={level_of(row['material__issuer_org__kind'])}",
            row["n"],
        )

    out = []
    for (cell, month), values in figures.items():
        if values.get("expected"):
            values["missed_20th"] = values["expected"] - min(
                values["expected"], values.get("on_time", 0)
            )
        materials = sum(n for key, n in values.items() if key.startswith("materials|"))
        if materials:
            values["materials"] = materials
        for key, n in values.items():
            if not n:
                continue
            measure, _sep, dim = key.partition("|")
            dimension, _eq, choice = dim.partition("=")
            out.append(CellFigure(cell, month, measure, n, dimension, choice))
    return out


def rollup_provider():
    """The meetings' figures in the roll-up shape (``registry.StatisticsProvider``)."""
    from django.utils.translation import gettext_lazy

    from sotay_plugins.registry import Dimension, Measure, StatisticsProvider

    return StatisticsProvider(
        key="meetings",
        label=gettext_lazy("Sinh hoạt chi bộ"),
        section="meetings",
        order=30,
        rows=cell_rows,
        excludable=True,
        description=gettext_lazy(
            "Mỗi chi bộ đang hoạt động sinh hoạt thường kỳ một lần mỗi tháng và đăng ký lịch, "
            "nội dung buổi sinh hoạt trước ngày 20 của tháng trước; tỷ lệ dự họp không tính "
            "đảng viên miễn sinh hoạt."
        ),
        dimensions=(
            Dimension(
                "level",
                gettext_lazy("Cấp ban hành tài liệu"),
                tuple((str(level), OrgKind(level).label) for level in LEVELS),
            ),
        ),
        measures=(
            Measure("expected", gettext_lazy("Lượt chi bộ phải sinh hoạt thường kỳ")),
            Measure("held", gettext_lazy("Lượt chi bộ đã sinh hoạt thường kỳ")),
            Measure(
                "held_rate",
                gettext_lazy("Tỷ lệ sinh hoạt thường kỳ"),
                "rate",
                numerator="held",
                denominator="expected",
                unit="%",
            ),
            Measure("meetings", gettext_lazy("Tổng số buổi đã họp")),
            Measure("recorded", gettext_lazy("Buổi đã họp có ghi nội dung, biên bản")),
            Measure("attended", gettext_lazy("Lượt đảng viên dự họp")),
            Measure("attendance_rows", gettext_lazy("Lượt đảng viên phải dự họp")),
            Measure(
                "attendance_rate",
                gettext_lazy("Tỷ lệ dự họp"),
                "rate",
                numerator="attended",
                denominator="attendance_rows",
                unit="%",
            ),
            Measure("on_time", gettext_lazy("Lượt chi bộ đăng ký lịch trước ngày 20")),
            Measure("missed_20th", gettext_lazy("Lượt chi bộ chưa đăng ký lịch trước ngày 20")),
            Measure("materials", gettext_lazy("Lượt tài liệu được sử dụng"), dimensions=("level",)),
        ),
    )
