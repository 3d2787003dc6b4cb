"""Study reports: per unit and rolled up the tree (scoped), for one resolution.

- :func:`completion_report`: for the chosen unit and each unit directly under it, the members
  who should study the resolution (active, under the resolution's audience and the unit, its
  position/group filters, not exempt), how many started, read to the end, completed, did not
  start, and the completion rate. Two queries whatever the size: the members grouped by cell
  with their study row (one LEFT JOIN), and the units of the subtree; the rolling up is done
  in Python on the nested-set bounds.
- :func:`not_started`: the members of a unit who have not opened the resolution (names and
  cells, for the secretaries to remind).
- The figures per cell and month for the reports module: ``statistics``.
- :func:`export_xlsx`: the completion report as an Excel workbook (openpyxl, write-only).

Scope: every function takes the user; a unit outside their ``study.view_study`` ranges is
refused (the views answer 404).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.db.models import Count, FilteredRelation, Q
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
