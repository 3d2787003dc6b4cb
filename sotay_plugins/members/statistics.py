"""The members' figures for the reports module (``registry.StatisticsProvider``, issue 16).

Per cell and month, from the member records and their transfers:

- ``total`` (a head count at the end of the month, ``stock``): members on the rolls (active or
  exempt from activities), broken down by sex, official/probationary, member group, party
  position, age band, years of membership and smartphone;
- the changes over the month (``sum``): joined (admission date), transferred in and out (the
  transfer history; a transfer between two cells counts out of one and into the other, so a
  district's figure is gross), left the province (status "transferred"), deceased, removed.

The past is rebuilt from the records: a member counts in a month if admitted by its end, and in
the cell the transfer history places them at its end. A record carries no date of death or
removal: its last change (``updated_at``) stands for it, so the roll-ups of a month closed
before such a change are kept as they were stored (the reports plugin rebuilds closed months
only when asked).

``people(ids)`` says who the ids of a list are (name, cell, and the personal fields the caller
may be refused).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay_plugins.orgtree.choices import MemberGroup, Position

from .models import Gender, Member, MembershipKind, MemberStatus, MemberTransfer

ON_ROLLS = (MemberStatus.ACTIVE, MemberStatus.EXEMPT)
GONE = {
    MemberStatus.TRANSFERRED: "left",
    MemberStatus.DECEASED: "deceased",
    MemberStatus.REMOVED: "removed",
}

AGE_BANDS = (
    ("lt30", _("Dưới 30 tuổi"), 0, 30),
    ("30_39", _("Từ 30 đến 39 tuổi"), 30, 40),
    ("40_49", _("Từ 40 đến 49 tuổi"), 40, 50),
    ("50_59", _("Từ 50 đến 59 tuổi"), 50, 60),
    ("60_69", _("Từ 60 đến 69 tuổi"), 60, 70),
    ("ge70", _("Từ 70 tuổi trở lên"), 70, 1000),
)
YEAR_BANDS = (
    ("lt5", _("Dưới 5 năm"), 0, 5),
    ("5_9", _("Từ 5 đến 9 năm"), 5, 10),
    ("10_19", _("Từ 10 đến 19 năm"), 10, 20),
    ("20_29", _("Từ 20 đến 29 năm"), 20, 30),
    ("30_39", _("Từ 30 đến 39 năm"), 30, 40),
    ("ge40", _("Từ 40 năm trở lên"), 40, 1000),
    ("unknown", _("Chưa rõ ngày vào Đảng"), -1, -1),
)
DIMENSIONS = ("gender", "membership", "group", "position", "age", "years", "smartphone")
CHANGES = ("joined", "transferred_in", "transferred_out", "left", "deceased", "removed")


def _years(born, day):
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _band(bands, value):
    for code, _label, low, high in bands:
        if low <= value < high:
            return code
    return bands[-1][0]


def _month_end(month):
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1) - timedelta(days=1)


def _months(start, end):
    month = start
    while month < end:
        yield month
        month = _month_end(month) + timedelta(days=1)


def rows(start, end, *, cells=None, exclude=frozenset()):
    """:class:`registry.CellFigure` s of the members for the months from ``start`` to ``end``.

    Two queries (the members with the fields counted, the transfers), whatever the size; the
    binning is done in Python over one pass per month.
    """
    from sotay_plugins.registry import CellFigure

    members = list(
        Member.objects.order_by()
        .exclude(group__in=[g for g in exclude if g in MemberGroup.values])
        .values_list(
            "pk",
            "cell_id",
            "gender",
            "membership",
            "group",
            "positions",
            "has_smartphone",
            "birth_date",
            "joined_on",
            "official_on",
            "status",
            "updated_at",
            "created_at",
        )
    )
    if "no_smartphone" in exclude:
        members = [m for m in members if m[6]]
    history = defaultdict(list)
    moves = list(
        MemberTransfer.objects.order_by("on", "at").values_list(
            "member_id", "from_cell_id", "to_cell_id", "on", "kind"
        )
    )
    included = {m[0] for m in members}
    for member_id, from_cell, to_cell, on, _kind in moves:
        if member_id in included:
            history[member_id].append((on, from_cell, to_cell))
    tz = timezone.get_current_timezone()

    def cell_at(member_id, current, day):
        """The member's cell at the end of ``day``: the first transfer after it says where
        they were; none after it: where they are now."""
        for on, from_cell, _to in history.get(member_id, ()):
            if on > day:
                return from_cell
        return current

    out = []
    for month in _months(start, end):
        last = _month_end(month)
        figures = defaultdict(lambda: defaultdict(int))
        for (
            pk,
            cell_id,
            gender,
            membership,
            group,
            positions,
            phone,
            born,
            joined,
            official,
            status,
            updated,
            created,
        ) in members:
            admitted = joined or timezone.localtime(created, tz).date()
            if admitted > last:
                continue
            changed = timezone.localtime(updated, tz).date()
            gone_before = status not in ON_ROLLS and changed <= last
            cell = cell_at(pk, cell_id, last)
            f = figures[cell]
            if joined and month <= joined <= last:
                f["joined"] += 1
            if status in GONE and month <= changed <= last:
                f[GONE[status]] += 1
            if gone_before:
                continue
            f["total"] += 1
            f[f"total|gender={gender}"] += 1
            kind = (
                MembershipKind.PROBATIONARY
                if membership == MembershipKind.PROBATIONARY and not (official and official <= last)
                else MembershipKind.OFFICIAL
            )
            f[f"total|membership={kind}"] += 1
            f[f"total|group={group}"] += 1
            for position in positions or ():
                f[f"total|position={position}"] += 1
            f[f"total|age={_band(AGE_BANDS, _years(born, last))}"] += 1
            f[
                f"total|years={_band(YEAR_BANDS, _years(joined, last)) if joined else 'unknown'}"
            ] += 1
            f[f"total|smartphone={'yes' if phone else 'no'}"] += 1
        for steps in history.values():
            for on, from_cell, to_cell in steps:
                if month <= on <= last:
                    figures[from_cell]["transferred_out"] += 1
                    figures[to_cell]["transferred_in"] += 1
        for cell, values in figures.items():
            if cells is not None and cell not in cells:
                continue
            for key, value in values.items():
                if not value:
                    continue
                measure, _sep, dim = key.partition("|")
                dimension, _eq, choice = dim.partition("=")
                out.append(CellFigure(cell, month, measure, value, dimension, choice))
    return out


# --- for the other modules' providers (their figures leave out the same members) -------------


def left_out(exclude, prefix=""):
    """A ``Q`` of the members left out of a statistic by ``exclude`` (``MemberGroup`` codes and
    "no_smartphone"), through ``prefix`` ("member__" from a row that names a member): give it
    to ``.exclude()``."""
    from django.db.models import Q

    q = Q(**{f"{prefix}pk__in": []})
    groups = [g for g in exclude if g in MemberGroup.values]
    if groups:
        q |= Q(**{f"{prefix}group__in": groups})
    if "no_smartphone" in exclude:
        q |= Q(**{f"{prefix}has_smartphone": False})
    return q


def head_counts(exclude=frozenset(), *, statuses=ON_ROLLS):
    """{cell id: members} of the members with one of ``statuses`` today, those ``exclude``
    leaves out left out (one GROUP BY query)."""
    from django.db.models import Count

    rows = (
        Member.objects.filter(status__in=statuses)
        .exclude(left_out(exclude))
        .order_by()
        .values("cell_id")
        .annotate(n=Count("pk"))
    )
    return {row["cell_id"]: row["n"] for row in rows}


def people(ids):
    """{member id: name, cell, birth date, sex, phone} of the members named by ``ids`` (one
    query). The personal fields are for callers that checked the right to see them."""
    return {
        row["pk"]: row
        for row in Member.objects.filter(pk__in=list(ids))
        .order_by()
        .values("pk", "full_name", "cell_id", "cell__name", "birth_date", "gender", "phone")
    }


def provider():
    from sotay_plugins.registry import Dimension, Measure, StatisticsProvider

    dims = DIMENSIONS
    return StatisticsProvider(
        key="members",
        label=_("Đảng viên"),
        section="members",
        order=10,
        rows=rows,
        people=people,
        excludable=True,
        description=_(
            "Số đảng viên cuối kỳ (đang sinh hoạt và miễn sinh hoạt) theo từng tiêu chí, và biến "
            "động trong kỳ."
        ),
        dimensions=(
            Dimension("gender", _("Giới tính"), tuple(Gender.choices)),
            Dimension("membership", _("Loại đảng viên"), tuple(MembershipKind.choices)),
            Dimension("group", _("Nhóm đảng viên"), tuple(MemberGroup.choices)),
            Dimension("position", _("Chức vụ đảng"), tuple(Position.choices)),
            Dimension("age", _("Độ tuổi"), tuple((c, label) for c, label, *_r in AGE_BANDS)),
            Dimension("years", _("Tuổi Đảng"), tuple((c, label) for c, label, *_r in YEAR_BANDS)),
            Dimension(
                "smartphone",
                _("Điện thoại thông minh"),
                (("yes", _("Có")), ("no", _("Không có"))),
            ),
        ),
        measures=(
            Measure("total", _("Tổng số đảng viên"), "stock", dimensions=dims),
            Measure("joined", _("Kết nạp mới")),
            Measure("transferred_in", _("Chuyển đến")),
            Measure("transferred_out", _("Chuyển đi")),
            Measure("left", _("Chuyển sinh hoạt ra ngoài tỉnh")),
            Measure("deceased", _("Từ trần")),
            Measure("removed", _("Ra khỏi Đảng")),
        ),
    )
