"""Study reports: per unit and rolled up the tree (scoped), for one resolution.

- :func:`completion_report`: for the chosen unit and each unit directly under it, the members
  who should study the resolution (active, under the resolution's audience and the unit, its
  position/group filters, not exempt), how many started, read to the end, completed, did not
  start, and the completion rate. Two queries whatever the size: the members grouped by cell
  with their study row (one LEFT JOIN), and the units of the subtree; the rolling up is done
  in Python on the nested-set bounds.
- :func:`not_started`: the members of a unit who have not opened the resolution (names and
  cells, for the secretaries to remind).
- Statistics providers (``registry.StatisticsProvider``) for the reports module.
- :func:`export_xlsx`: the completion report as an Excel workbook (openpyxl, write-only).

Scope: every function takes the user; a unit outside their ``study.view_study`` ranges is
refused (the views answer 404).
"""

from __future__ import annotations

import io
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sotay_plugins.members.models import Member
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup
from sotay_plugins.orgtree.models import Organisation

from .models import VIEW_STUDY, ResolutionPage


@dataclass
class UnitRow:
    org: Organisation
    depth: int = 0
    members: int = 0
    started: int = 0
    read: int = 0
    completed: int = 0
    children: list = field(default_factory=list)

    @property
    def not_started(self):
        return self.members - self.started

    @property
    def rate(self):
        return round(100 * self.completed / self.members, 1) if self.members else 0.0

    @property
    def read_rate(self):
        return round(100 * self.read / self.members, 1) if self.members else 0.0

    def add(self, members, started, read, completed):
        self.members += members
        self.started += started
        self.read += read
        self.completed += completed


def may_report(user):
    return scope.can(user, VIEW_STUDY)


def report_units(user):
    """Units the user may report on (their ``study.view_study`` subtrees)."""
    return scope.managed_orgs(user, VIEW_STUDY).filter(is_active=True)


def reportable_resolutions(user):
    """Live resolutions whose audience meets the user's view subtrees."""
    qs = ResolutionPage.objects.live()
    if scope.is_superadmin(user):
        return qs
    q = Q(pk__in=[])
    for rng in scope.managed_ranges(user, VIEW_STUDY):
        q |= scope.containing(rng, "audience_org") | scope.within(rng, "audience_org")
    return qs.filter(q)


def _fresh(org):
    """The unit as the database has it now (its tree bounds may have moved since loading)."""
    return Organisation.objects.get(pk=org.pk)


def _members(resolution, root):
    qs = Member.objects.filter(scope.within(root, "cell"), status="active").exclude(
        group=MemberGroup.EXEMPT
    )
    qs = qs.filter(scope.within(_fresh(resolution.audience_org), "cell"))
    if resolution.audience_groups:
        qs = qs.filter(group__in=list(resolution.audience_groups))
    if resolution.audience_positions:
        qs = qs.filter(positions__has_any=resolution.audience_positions)
    return qs


def per_cell(resolution, root):
    """{cell id: (members, started, read, completed)} under ``root`` (one query)."""
    rows = (
        _members(resolution, root)
        .annotate(
            st=FilteredRelation(
                "resolution_studies", condition=Q(resolution_studies__resolution=resolution)
            )
        )
        .values("cell_id")
        .annotate(
            n=Count("pk"),
            started=Count("st__id"),
            read=Count("st__read_at"),
            done=Count("st__completed_at"),
        )
        .order_by()
    )
    return {r["cell_id"]: (r["n"], r["started"], r["read"], r["done"]) for r in rows}


def completion_report(user, resolution, root):
    """``(total, rows)``: the root's figures and one row per unit directly under it."""
    if not scope.can(user, VIEW_STUDY, root):
        raise PermissionError
    root = _fresh(root)
    units = list(
        Organisation.objects.filter(scope.within(root))
        .only("id", "name", "kind", "tree_id", "lft", "rght", "parent_id", "level")
        .order_by("lft")
    )
    total = UnitRow(root)
    children = [UnitRow(u, depth=1) for u in units if u.parent_id == root.pk]
    by_lft = {u.pk: u.lft for u in units}
    counts = per_cell(resolution, root)
    for cell_id, figures in counts.items():
        total.add(*figures)
        lft = by_lft.get(cell_id)
        if lft is None:
            continue
        for row in children:
            if row.org.lft <= lft <= row.org.rght:
                row.add(*figures)
                break
    return total, children


def not_started(user, resolution, unit, limit=500):
    """Members under ``unit`` who should study ``resolution`` and have not opened it."""
    if not scope.can(user, VIEW_STUDY, unit):
        raise PermissionError
    unit = _fresh(unit)
    return (
        _members(resolution, unit)
        .exclude(resolution_studies__resolution=resolution)
        .select_related("cell")
        .only("id", "full_name", "cell__name")
        .order_by("cell__lft", "full_name")[:limit]
    )


# --- statistics providers ---------------------------------------------------------------------


def _current_resolutions():
    """Live resolutions published in the last year, with their audience unit's tree bounds."""
    since = timezone.now() - timedelta(days=365)
    return list(
        ResolutionPage.objects.live()
        .filter(published_at__gte=since)
        .values_list("pk", "audience_org__tree_id", "audience_org__lft", "audience_org__rght")
    )


class _Cells:
    """Every cell's place in the tree and its members' study of the current resolutions, read
    once: a unit's figures are then sums over the cells inside its bounds (nested sets), so a
    province of 5,000 units costs three queries, not three per unit (the reports' nightly
    pass called these for every unit: 4 minutes at province scale)."""

    def __init__(self, resolutions):
        from .models import ResolutionStudy

        ids = [pk for pk, *_bounds in resolutions]
        # every unit (members belong to cells, but the sums need no such assumption)
        units = Organisation.objects.order_by("tree_id", "lft")
        self.cells = list(units.values_list("pk", "tree_id", "lft"))
        members = (
            Member.objects.filter(status="active")
            .exclude(group=MemberGroup.EXEMPT)
            .values("cell_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        self.members = {row["cell_id"]: row["n"] for row in members}
        self.completed = defaultdict(lambda: defaultdict(int))  # cell → resolution → members
        started = defaultdict(set)  # member → resolutions opened
        cell_of = {}
        rows = (
            ResolutionStudy.objects.filter(resolution_id__in=ids, member__status="active")
            .exclude(member__group=MemberGroup.EXEMPT)
            .values_list("member_id", "member__cell_id", "resolution_id", "completed_at")
        )
        for member_id, cell_id, resolution_id, completed_at in rows.iterator(chunk_size=5000):
            started[member_id].add(resolution_id)
            cell_of[member_id] = cell_id
            if completed_at is not None:
                self.completed[cell_id][resolution_id] += 1
        # cell → {the set of resolutions a member opened: how many members}
        self.started = defaultdict(Counter)
        for member_id, opened in started.items():
            self.started[cell_of[member_id]][frozenset(opened)] += 1

    def inside(self, org):
        """The ids of the cells under ``org`` (itself if a cell)."""
        lo = bisect_left(self.cells, (org.tree_id, org.lft), key=lambda c: (c[1], c[2]))
        hi = bisect_right(self.cells, (org.tree_id, org.rght), key=lambda c: (c[1], c[2]))
        return [pk for pk, _tree, _lft in self.cells[lo:hi]]


def _containing(resolutions, org):
    """The current resolutions whose audience contains ``org``."""
    return [
        pk
        for pk, tree_id, lft, rght in resolutions
        if tree_id == org.tree_id and lft <= org.lft and org.rght <= rght
    ]


def stat_completion_rate(orgs):
    """% of (member, current resolution) pairs completed, per unit."""
    resolutions = _current_resolutions()
    units = Organisation.objects.filter(pk__in=[o.pk for o in orgs])
    if not resolutions:
        return {org.pk: 0.0 for org in units}
    cells = _Cells(resolutions)
    out = {}
    for org in units:
        wanted = _containing(resolutions, org)
        inside = cells.inside(org)
        n = sum(cells.members.get(cell, 0) for cell in inside)
        if not n or not wanted:
            out[org.pk] = 0.0
            continue
        done = sum(cells.completed[cell][pk] for cell in inside for pk in wanted)
        out[org.pk] = round(100 * done / (n * len(wanted)), 1)
    return out


def stat_not_started(orgs):
    """Members who have opened none of the current resolutions, per unit."""
    resolutions = _current_resolutions()
    units = Organisation.objects.filter(pk__in=[o.pk for o in orgs])
    if not resolutions:
        return {org.pk: 0 for org in units}
    cells = _Cells(resolutions)
    out = {}
    for org in units:
        wanted = set(_containing(resolutions, org))
        if not wanted:
            out[org.pk] = 0
            continue
        inside = cells.inside(org)
        n = sum(cells.members.get(cell, 0) for cell in inside)
        opened = sum(
            count
            for cell in inside
            for resolutions_opened, count in cells.started[cell].items()
            if resolutions_opened & wanted
        )
        out[org.pk] = n - opened
    return out


# --- Excel ------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_xlsx(resolution, total, rows, missing=()):
    """The completion report (and the units without an implementation plan) as .xlsx bytes."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Kết quả học tập"))
    sheet.append([_("Nghị quyết"), f"{resolution.number} · {resolution.title}"])
    sheet.append([_("Đơn vị"), total.org.name])
    sheet.append([])
    sheet.append(
        [
            _("Đơn vị"),
            _("Số đảng viên phải học"),
            _("Đã bắt đầu"),
            _("Đã đọc hết"),
            _("Đã hoàn thành"),
            _("Chưa bắt đầu"),
            _("Tỷ lệ hoàn thành (%)"),
        ]
    )
    for row in [*rows, total]:
        sheet.append(
            [
                _clean(row.org.name) if row is not total else _("Cộng"),
                row.members,
                row.started,
                row.read,
                row.completed,
                row.not_started,
                row.rate,
            ]
        )
    if missing:
        other = book.create_sheet(_("Chưa có kế hoạch thực hiện"))
        other.append([_("Kế hoạch học tập"), _("Đơn vị"), _("Trực thuộc"), _("Số ngày chậm")])
        for plan, unit, late in missing:
            other.append(
                [
                    _clean(plan.title),
                    _clean(unit.name),
                    _clean(unit.parent.name) if unit.parent_id else "",
                    late,
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _clean(text):
    """A cell that a spreadsheet will not read as a formula."""
    text = str(text or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
