"""Validation: every parsed row against the rules, the batch's unit and what is stored.

- Every row's cell must be a cell (kind ``cell``), active, under the batch's unit.
- CCCD and record-number uniqueness is checked in bulk (one query per chunk of :data:`CHUNK`
  rows) and against the rest of the file.
- The rest is the model's own validation (``clean_fields`` + ``Member.clean``), run per row
  without the per-instance uniqueness queries.
- **No transfers by import.** A CCCD that already belongs to a member of another cell is an
  error for that row (inside the batch's unit: "use the transfer procedure"; outside it: "this
  person belongs to a unit you do not manage" without saying which).
- **Blank optional cells keep what is stored.** An import never erases data.

The outcome of each valid row is a :class:`Plan`: create, update (with the changed fields) or
unchanged. :func:`check` is the dry run; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation

from ..cccd import validate_cccd
from ..models import Member
from .access import authorise, fresh
from .columns import WRITABLE, all_columns
from .parsing import Row, col_error, parse_rows, row_error
from .reading import read_sheet

User = get_user_model()

CHUNK = 1000


@dataclass
class Report:
    """What an import would do or did: counts, and every error by row (``applied``: written)."""

    total_rows: int = 0
    errors: list = field(default_factory=list)  # [{"row": n, "errors": [...]}], by row
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False
    notes: list = field(default_factory=list)  # rights not created (services.withheld_notice)

    @property
    def error_rows(self):
        return len(self.errors)

    @property
    def ok(self):
        return not self.errors

    def as_dict(self):
        return {
            "total_rows": self.total_rows,
            "error_rows": self.error_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "applied": self.applied,
            "notes": self.notes,
        }


CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class Plan:
    """What to do with one valid row: CREATE, UPDATE (``changed`` fields) or UNCHANGED."""

    row: Row
    action: str = ""
    member: Member | None = None
    changed: tuple = ()


class Context:
    """What every row is checked against: the batch's unit, its subtree (one query) and the user."""

    def __init__(self, org, user=None):
        self.org = org
        self.user = user
        subtree = list(Organisation.objects.filter(scope.within(org)))
        self.subtree = {o.pk for o in subtree}
        self.by_id = {o.pk: o for o in subtree}
        self.by_code = {o.code: o for o in subtree}
        for ancestor in org.get_ancestors():
            self.by_id.setdefault(ancestor.pk, ancestor)
        self._prefixes = {}

    def record_prefix(self, cell):
        """The same prefix as ``services.record_prefix``, from the loaded tree (no query)."""
        if cell.pk not in self._prefixes:
            district = base = None
            node = cell
            while node is not None:
                if node.kind == OrgKind.DISTRICT and district is None:
                    district = node
                if node.kind == OrgKind.BASE and base is None:
                    base = node
                node = self.by_id.get(node.parent_id)
            self._prefixes[cell.pk] = (
                f"{district.local_code if district else '00'}.{(base or cell).local_code}."
            )
        return self._prefixes[cell.pk]


def _check_cccd(row):
    if "cccd" not in row.values:
        return
    birth, gender = row.values.get("birth_date"), row.values.get("gender")
    try:
        row.values["cccd"] = validate_cccd(row.values["cccd"], birth, gender)
    except ValidationError as exc:
        for message in exc.messages:
            col_error(row, _("Số CCCD"), message)
        row.values.pop("cccd")


def _check_cell(row, ctx):
    code = row.values.get("cell")
    if code is None:
        return
    org = ctx.by_code.get(code)
    if org is None:
        row.values["cell_missing"] = code
        return  # told apart (unknown code / outside the unit) with one query for all rows
    if org.kind != OrgKind.CELL:
        col_error(
            row,
            _("Mã chi bộ"),
            _(
                "%(code)s là %(org)s (%(kind)s), không phải chi bộ; đảng viên phải sinh hoạt tại "
                "một chi bộ."
            )
            % {"code": code, "org": org.name, "kind": org.get_kind_display()},
        )
    elif not org.is_active:
        col_error(row, _("Mã chi bộ"), _("Chi bộ %(org)s không còn hoạt động.") % {"org": org.name})
    else:
        row.values["cell"] = org


def _check_missing_cells(rows, ctx):
    missing = {row.values["cell_missing"] for row in rows if "cell_missing" in row.values}
    elsewhere = (
        set(Organisation.objects.filter(code__in=missing).values_list("code", flat=True))
        if missing
        else set()
    )
    for row in rows:
        code = row.values.pop("cell_missing", None)
        if code is None:
            continue
        row.values.pop("cell", None)
        if code in elsewhere:
            col_error(
                row,
                _("Mã chi bộ"),
                _(
                    "Chi bộ mã %(code)s không thuộc %(org)s; chỉ được nhập vào các chi bộ trực "
                    "thuộc đơn vị đã chọn."
                )
                % {"code": code, "org": ctx.org.name},
            )
        else:
            col_error(
                row, _("Mã chi bộ"), _("Không có chi bộ nào mang mã %(code)s.") % {"code": code}
            )


def _check_duplicates(rows, key, label, message):
    seen = {}
    for row in rows:
        value = row.values.get(key)
        if value:
            seen.setdefault(value, []).append(row)
    for value, group in seen.items():
        if len(group) > 1:
            numbers = ", ".join(str(r.number) for r in group)
            for row in group:
                col_error(row, label, message % {"value": value, "rows": numbers})


def _field_label(name):
    return {col.key: col.label for col in all_columns()}.get(
        name
    )  # only on errors: no need to cache


def _validate_member(row, member, exclude):
    try:
        member.clean_fields(exclude=exclude)
        member.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            label = _field_label(name)
            for message in messages:
                if label:
                    col_error(row, label, message)
                else:
                    row_error(row, message)


def plan_chunk(rows, ctx):
    """Decide create / update / unchanged for each valid row of a chunk (3 queries at most)."""
    valid = [row for row in rows if not row.errors]
    cccds = [row.values["cccd"] for row in valid]
    existing = {m.cccd: m for m in Member.objects.filter(cccd__in=cccds)} if cccds else {}
    new_cccds = [c for c in cccds if c not in existing]
    taken_usernames = (
        set(User.objects.filter(username__in=new_cccds).values_list("username", flat=True))
        if new_cccds
        else set()
    )
    record_nos = {
        row.values["party_record_no"]: row.values["cccd"]
        for row in valid
        if row.values.get("party_record_no")
    }
    record_owner = (
        dict(
            Member.objects.filter(party_record_no__in=list(record_nos)).values_list(
                "party_record_no", "cccd"
            )
        )
        if record_nos
        else {}
    )

    plans = []
    for row in valid:
        values = row.values
        cell = values["cell"]
        number = values.get("party_record_no")
        if number and record_owner.get(number, values["cccd"]) != values["cccd"]:
            col_error(
                row,
                _("Số lý lịch"),
                _("Số lý lịch %(no)s đã thuộc về một đảng viên khác.") % {"no": number},
            )
        current = existing.get(values["cccd"])
        if current is None:
            if values["cccd"] in taken_usernames:
                col_error(
                    row,
                    _("Số CCCD"),
                    _(
                        "Số CCCD này đã là tên đăng nhập của một tài khoản khác (không phải đảng "
                        "viên)."
                    ),
                )
            member = Member(
                cccd=values["cccd"],
                cell=cell,
                **{k: v for k, v in values.items() if k in WRITABLE and v is not None},
            )
            _validate_member(
                row, member, exclude=["user", "cell"] + ([] if number else ["party_record_no"])
            )
            plans.append(Plan(row, CREATE, member))
            continue
        if current.cell_id not in ctx.subtree:
            col_error(
                row,
                _("Số CCCD"),
                _(
                    "Số CCCD này đã thuộc về một đảng viên đang sinh hoạt ngoài %(org)s; "
                    "không thể cập nhật hay chuyển sinh hoạt bằng tệp nhập."
                )
                % {"org": ctx.org.name},
            )
            continue
        if current.cell_id != cell.pk:
            col_error(
                row,
                _("Mã chi bộ"),
                _(
                    "Đảng viên này đang sinh hoạt tại %(org)s; đổi chi bộ phải làm thủ tục chuyển "
                    "sinh hoạt."
                )
                % {"org": ctx.by_id[current.cell_id].name},
            )
            continue
        changed = tuple(
            k for k in WRITABLE if values.get(k) is not None and getattr(current, k) != values[k]
        )
        if not changed:
            plans.append(Plan(row, UNCHANGED, current))
            continue
        member = current
        member.cell = cell  # the loaded unit: Member.clean() reads it without a query
        for name in changed:
            setattr(member, name, values[name])
        _validate_member(row, member, exclude=["user", "cell"])
        plans.append(Plan(row, UPDATE, member, changed))
    return [plan for plan in plans if not plan.row.errors]


def chunks(items, size=None):
    """``items`` in slices of ``size`` (default :data:`CHUNK`, read at call time)."""
    size = size or CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


def validate(source, ctx, progress=None):
    """Read and check everything; returns (rows, report). Writes nothing."""
    sheet = read_sheet(source)
    rows = parse_rows(sheet)
    for row in rows:
        _check_cccd(row)
        _check_cell(row, ctx)
    _check_duplicates(
        rows, "cccd", _("Số CCCD"), _("Số CCCD %(value)s bị lặp ở các dòng %(rows)s.")
    )
    _check_duplicates(
        rows,
        "party_record_no",
        _("Số lý lịch"),
        _("Số lý lịch %(value)s bị lặp ở các dòng %(rows)s."),
    )
    _check_missing_cells(rows, ctx)
    report = Report(total_rows=len(rows))
    total = len(rows)
    done = 0
    for chunk in chunks(rows):
        for plan in plan_chunk(chunk, ctx):
            if plan.action == CREATE:
                report.created += 1
            elif plan.action == UPDATE:
                report.updated += 1
            else:
                report.unchanged += 1
        done += len(chunk)
        if progress:
            progress(done, total)
    report.errors = [{"row": row.number, "errors": row.errors} for row in rows if row.errors]
    return rows, report


def check(source, org, user=None, progress=None):
    """The dry run: the report of what importing ``source`` into ``org`` would do."""
    org = fresh(org)
    authorise(user, org)
    _rows, report = validate(source, Context(org, user), progress)
    return report
