"""The reports' service API: what the dashboard, the API and the exports read (issue 16).

Stable entry points (the exports render the same data):

``dashboard(user, org=None, *, start=None, end=None, granularity="month") -> Dashboard``
    The figures of the unit ``org`` (an Organisation, an id, or None: the top of the user's
    scope) for the months from ``start`` to ``end`` (dates; default: this year up to this month),
    by ``granularity`` ("month", "quarter", "year"). Raises ``NotInScope`` (404: the unit does
    not exist or lies outside the units where the user holds ``reports.view_reports``),
    ``PermissionDenied`` (the user may report on nothing) or ``ValidationError`` (a period that
    ends before it starts, longer than five years, an unknown granularity: Vietnamese messages
    keyed by field). Reads stored roll-ups only, never raw rows: a constant handful of queries.

    ``Dashboard``: ``unit`` (a ``Unit``: id, name, code, kind, depth), ``trail`` (the units
    from the top of the user's scope down to it), ``children`` (the units directly under it in
    the period: ``Unit`` s, with ``has_children``), ``span`` (``periods.Span``: ``periods``,
    the columns, each with ``key``, ``label``, ``start``, ``end``), ``sections`` (``Section``:
    ``key``, ``label``, ``description``, ``excluded`` (labels of the member groups left out of
    it), ``figures``), ``computed_at`` and ``as_dict()`` (JSON-ready, what the API returns).

    ``Figure``: ``provider``, ``measure``, ``label``, ``unit`` ("%" or ""), ``rollup``,
    ``value`` (the whole span, None when it cannot be said), ``series`` (one value per period),
    ``by_child`` ({child id: value over the span}), ``breakdown`` (``[(dimension label,
    [(choice label, value), ...]), ...]``) and ``headline`` (shown as a chart).

``readers(user, org, *, start=None, end=None, which="never", columns=(), page=1, per_page=50)``
    The members under ``org`` who never (``which="never"``) or rarely (``"rarely"``: fewer than
    ``SOTAY_REPORTS_RARELY_PER_MONTH`` documents a month on average) opened a document in the
    span, from the stored roll-ups: a ``ReaderPage`` (``rows`` of dicts: member, full_name,
    cell, cell_name, opened, and the personal ``columns`` asked — "birth_date", "phone" — which
    need ``members.view_personal`` at the unit: ``PersonalDataRefused`` otherwise), ``count``,
    ``page``, ``pages``.

``documents(user, org, *, start=None, end=None, order="-published", page=1, per_page=25)``
    The documents deployed to ``org`` in the span (published in it to an audience that holds the
    unit or lies under it), each with the members under the unit who should read it, those who
    opened it and the rate: an ``ItemPage`` (``rows`` of ``registry.ItemFigure``, ``count``,
    ``page``, ``pages``, ``order``, ``unit``, ``span``, ``excluded``). ``order`` is one of
    ``registry.ITEM_ORDERS``, "-" before it for the largest (latest) first. Read from what the
    reading provider stored (``StatisticsProvider.items``): a bounded handful of queries.
    Raises ``NotInScope``, ``PermissionDenied`` or ``ValidationError`` (a bad period, order or
    page: Vietnamese messages keyed by field).

``report_roots(user)``: the top units of the user's report scope.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.registry import ITEM_ORDERS, registry

from . import periods
from .engine import excluded_groups, last_refresh
from .models import Granularity, Rollup

VIEW_REPORTS = "reports.view_reports"
VIEW_PERSONAL = "members.view_personal"
PERSONAL_COLUMNS = ("birth_date", "phone")
SECTIONS = (
    ("members", gettext_lazy("Đảng viên")),
    ("reading", gettext_lazy("Triển khai, đọc văn bản")),
    ("meetings", gettext_lazy("Sinh hoạt chi bộ")),
    ("study", gettext_lazy("Học tập, thi trắc nghiệm, tích điểm")),
    ("feedback", gettext_lazy("Góp ý, phản ánh")),
    ("other", gettext_lazy("Số liệu khác")),
)
#: Measures drawn as charts (the others are in the tables only).
HEADLINES = {
    "members": ("total", "joined"),
    "reading": ("reader_rate", "opened"),
    "meetings": ("held_rate", "attendance_rate", "missed_20th"),
}


class NotInScope(Exception):
    """The unit does not exist or lies outside the user's report scope (answered 404)."""

    def __init__(self, message=None):
        super().__init__(message or _("Đơn vị này nằm ngoài phạm vi báo cáo của bạn."))
        self.message = str(self.args[0])


class PersonalDataRefused(PermissionDenied):
    """Personal columns (birth date, phone) asked without ``members.view_personal``."""


@dataclass
class Unit:
    id: int
    name: str
    code: str = ""
    kind: str = ""
    depth: int = 0
    has_children: bool = False

    @property
    def kind_label(self):
        try:
            return OrgKind(self.kind).label
        except ValueError:
            return ""

    def as_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "code": self.code,
            "kind": self.kind,
            "depth": self.depth,
        }


@dataclass
class Figure:
    provider: str
    measure: str
    label: str
    unit: str = ""
    rollup: str = "sum"
    value: float | int | None = None
    series: list = field(default_factory=list)
    by_child: dict = field(default_factory=dict)
    breakdown: list = field(default_factory=list)
    headline: bool = False

    @property
    def key(self):
        return f"{self.provider}.{self.measure}"

    def as_dict(self, children=()):
        return {
            "key": self.key,
            "label": str(self.label),
            "unit": self.unit,
            "rollup": self.rollup,
            "value": self.value,
            "series": self.series,
            "by_child": [
                {"org": child.id, "value": self.by_child.get(child.id)} for child in children
            ],
            "breakdown": [
                {
                    "dimension": str(label),
                    "values": [{"label": str(c), "value": v} for c, v in choices],
                }
                for label, choices in self.breakdown
            ],
        }


@dataclass
class Section:
    key: str
    label: str
    description: str = ""
    excluded: list = field(default_factory=list)
    figures: list = field(default_factory=list)

    def as_dict(self, children=()):
        return {
            "key": self.key,
            "label": str(self.label),
            "description": str(self.description),
            "excluded_groups": [str(g) for g in self.excluded],
            "figures": [f.as_dict(children) for f in self.figures],
        }


@dataclass
class Dashboard:
    unit: Unit
    trail: list
    children: list
    span: periods.Span
    sections: list
    computed_at: object = None

    @property
    def empty(self):
        return not any(section.figures for section in self.sections)

    def figure(self, key):
        for section in self.sections:
            for figure in section.figures:
                if figure.key == key:
                    return figure
        return None

    def as_dict(self):
        return {
            "org": self.unit.as_dict(),
            "trail": [u.as_dict() for u in self.trail],
            "children": [u.as_dict() for u in self.children],
            "granularity": self.span.granularity,
            "from": self.span.start.strftime("%Y-%m"),
            "to": periods.add_months(self.span.end, -1).strftime("%Y-%m"),
            "periods": [
                {
                    "key": p.key,
                    "label": p.label,
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat(),
                }
                for p in self.span.periods
            ],
            "sections": [s.as_dict(self.children) for s in self.sections],
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
        }


# --- scope ---------------------------------------------------------------------------------


def may_report(user):
    return scope.can(user, VIEW_REPORTS)


def report_roots(user):
    """The top units of the user's report scope (tree order)."""
    if scope.is_superadmin(user):
        return Organisation.objects.filter(parent__isnull=True).order_by("tree_id", "lft")
    ranges = scope.managed_ranges(user, VIEW_REPORTS)
    if not ranges:
        return Organisation.objects.none()
    q = Q(pk__in=[])
    for tree_id, lft, _rght in ranges:
        q |= Q(tree_id=tree_id, lft=lft)
    return Organisation.objects.filter(q).order_by("tree_id", "lft")


def resolve_unit(user, org=None):
    """The Organisation the report is about, checked against the user's scope."""
    if not may_report(user):
        raise PermissionDenied(_("Bạn không có quyền xem báo cáo, thống kê."))
    if org is None:
        unit = report_roots(user).first()
        if unit is None:
            raise PermissionDenied(_("Bạn không có quyền xem báo cáo, thống kê."))
        return unit
    generation = scope.tree_generation()
    try:
        # read here, not trusted from the caller: its tree fields may be stale
        org = Organisation.objects.get(pk=int(getattr(org, "pk", org)))
    except (Organisation.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotInScope() from None
    org._tree_generation = generation
    if not scope.can(user, VIEW_REPORTS, org):
        raise NotInScope()
    return org


def _trail(user, unit):
    """The unit's ancestors within the user's report scope, and the unit (one query)."""
    ancestors = Organisation.objects.filter(scope.containing(unit)).order_by("lft")
    if not scope.is_superadmin(user):
        ranges = scope.managed_ranges(user, VIEW_REPORTS)
        ancestors = [
            a
            for a in ancestors
            if any(t == a.tree_id and lo <= a.lft and a.rght <= hi for t, lo, hi in ranges)
        ]
    return [Unit(a.pk, a.name, a.code, a.kind, a.level) for a in ancestors]


# --- rolling up what is stored ---------------------------------------------------------------


def _excluded_labels(provider):
    labels = dict(MemberGroup.choices)
    labels["no_smartphone"] = _("Không có điện thoại thông minh")
    return [labels.get(code, code) for code in sorted(excluded_groups(provider))]


class _Rules(dict):
    """{stored key → its measure's roll-up rule} of one provider, filled as keys are met: a key
    is a measure's (``members``) or a measure's broken down (``members|sex=female``)."""

    def __init__(self, provider):
        super().__init__()
        self.by_measure = {m.key: m.rollup for m in provider.measures}

    def __missing__(self, key):
        rule = self[key] = self.by_measure.get(key.partition("|")[0], "sum")
        return rule


def _combine(provider, months_rows, months, distinct_row, rules=None):
    """The values of one unit over ``months`` ({month: values}) for one provider: flows summed,
    stocks at the last month with figures, maxima kept, ``distinct`` measures from the stored
    row of the whole period (``distinct_row``: None when there is none). ``rules``: the
    provider's ``_Rules``, shared by the calls of one dashboard."""
    if not provider.rolls_up:
        for month in reversed(months):
            if month in months_rows:
                return dict(months_rows[month])
        return {}
    if rules is None:
        rules = _Rules(provider)
    single = len(months) == 1
    out = {}
    last_stock = None
    for month in months:
        values = months_rows.get(month)
        if values is None:
            continue
        last_stock = values
        for key, value in values.items():
            rule = rules[key]
            if rule == "sum":
                out[key] = out.get(key, 0) + value
            elif rule == "max":
                known = out.get(key)
                out[key] = value if known is None or value > known else known
            elif rule == "distinct" and single:
                out[key] = value
    if last_stock:
        for key, value in last_stock.items():
            if rules[key] == "stock":
                out[key] = value
    if not single:
        for key, value in (distinct_row or {}).items():
            if rules[key] == "distinct":
                out[key] = value
    return out


def _value(provider, measure, values, has_distinct=True):
    if measure.rollup == "rate":
        return measure.ratio(values.get(measure.numerator), values.get(measure.denominator))
    if measure.rollup == "distinct" and not has_distinct:
        return None
    return values.get(measure.key, 0)


def dashboard(user, org=None, *, start=None, end=None, granularity="month"):
    """See the module's docstring."""
    span = periods.span(start, end, granularity)
    unit = resolve_unit(user, org)
    trail = _trail(user, unit)
    unit_id = unit.pk
    rows = _stored(unit_id, span)
    # stored[provider][unit] = {"M": {month: values}, "Q": {...}, "Y": {...}}
    stored = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    children = {}
    for provider, gran, period, org_id, parent_id, name, code, kind, depth, values in rows:
        stored[provider][org_id][gran][period] = values
        if org_id != unit_id and parent_id == unit_id:
            children.setdefault(org_id, Unit(org_id, name, code, kind, depth))
    kids = sorted(children.values(), key=lambda u: u.name)
    for kid in kids:
        kid.has_children = kid.kind != OrgKind.CELL
    whole = span.whole
    sections = {}
    for provider in registry.ordered_statistics():
        by_unit = stored.get(provider.key)
        if not by_unit:
            continue
        section_key = section_of(provider)
        section = sections.setdefault(
            section_key,
            Section(section_key, str(dict(SECTIONS).get(section_key, provider.label))),
        )
        if provider.description and not section.description:
            section.description = str(provider.description)
        for label in _excluded_labels(provider):
            if label not in section.excluded:
                section.excluded.append(label)
        figures = _figures(provider, by_unit, unit_id, kids, span, whole)
        section.figures.extend(figures)
    ordered = [sections[key] for key, _label in SECTIONS if key in sections]
    ordered += [s for key, s in sections.items() if key not in dict(SECTIONS)]
    return Dashboard(
        unit=Unit(unit.pk, unit.name, unit.code, unit.kind, unit.level, unit.kind != "cell"),
        trail=trail,
        children=kids,
        span=span,
        sections=ordered,
        computed_at=last_refresh(),
    )


_STORED = (
    "provider",
    "granularity",
    "period",
    "org_id",
    "parent_id",
    "name",
    "code",
    "kind",
    "depth",
    "values",
)


def _breakdown_keys():
    """Every stored key of a measure broken down by a dimension (``members|sex=female``)."""
    return [
        f"{measure.key}|{dim_key}={code}"
        for provider in registry.ordered_statistics()
        if provider.rolls_up
        for measure in provider.measures
        for dim_key in measure.dimensions
        for code, _label in provider.dimension(dim_key).choices
    ]


def _stored_by_orm(unit_id, span):
    return list(
        Rollup.objects.filter(Q(org_id=unit_id) | Q(parent_id=unit_id))
        .filter(period__gte=span.start, period__lt=span.end)
        .order_by()
        .values_list(*_STORED)
    )


def _stored(unit_id, span):
    """The stored rows of the unit and of the units directly under it in the span, as tuples of
    ``_STORED``. A district's year is ~4,000 rows: on PostgreSQL the units under it come without
    their breakdowns (only the unit's own are shown), and the values are decoded as one JSON
    document, which together halve what reading them costs."""
    if connection.vendor != "postgresql":
        return _stored_by_orm(unit_id, span)
    table = connection.ops.quote_name(Rollup._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _STORED[:-1])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, (CASE WHEN org_id = %s THEN values ELSE values - %s::text[] END)"  # noqa: S608 (names from _meta)
            f"::text FROM {table} "
            "WHERE (org_id = %s OR parent_id = %s) AND period >= %s AND period < %s",
            [unit_id, _breakdown_keys(), unit_id, unit_id, span.start, span.end],
        )
        rows = cursor.fetchall()
    values = json.loads("[" + ",".join(row[-1] for row in rows) + "]")
    return [(*row[:-1], decoded) for row, decoded in zip(rows, values, strict=True)]


def section_of(provider):
    """The dashboard section of a provider: its own, else its key's prefix ("study.quiz_rate" →
    "study") when that is a section, else "other"."""
    if provider.section:
        return provider.section
    prefix = provider.key.partition(".")[0]
    return prefix if prefix in dict(SECTIONS) else "other"


def _distinct_row(stored_unit, period):
    if period is None:
        return None
    code = {"quarter": Granularity.QUARTER, "year": Granularity.YEAR}.get(period.granularity)
    if code is None:
        return None
    return stored_unit.get(code, {}).get(period.start)


def _figures(provider, by_unit, root_id, kids, span, whole):
    root = by_unit.get(root_id, {})
    months_all = span.months
    rules = _Rules(provider)
    per_period = [
        _combine(provider, root.get("M", {}), p.months, _distinct_row(root, p), rules)
        for p in span.periods
    ]
    total = _combine(provider, root.get("M", {}), months_all, _distinct_row(root, whole), rules)
    has_distinct = whole is not None
    child_totals = {
        kid.id: _combine(
            provider,
            by_unit.get(kid.id, {}).get("M", {}),
            months_all,
            _distinct_row(by_unit.get(kid.id, {}), whole),
            rules,
        )
        for kid in kids
    }
    if not provider.rolls_up:
        return [
            Figure(
                provider.key,
                "value",
                str(provider.label),
                value=total.get("value"),
                series=[values.get("value") for values in per_period],
                by_child={k: v.get("value") for k, v in child_totals.items()},
                rollup="snapshot",
            )
        ]
    headlines = HEADLINES.get(provider.section, ())
    out = []
    for measure in provider.measures:
        figure = Figure(
            provider.key,
            measure.key,
            str(measure.label),
            unit=measure.unit,
            rollup=measure.rollup,
            value=_value(provider, measure, total, has_distinct),
            series=[_value(provider, measure, values) for values in per_period],
            by_child={
                k: _value(provider, measure, v, has_distinct) for k, v in child_totals.items()
            },
            headline=measure.key in headlines,
        )
        for dim_key in measure.dimensions:
            dimension = provider.dimension(dim_key)
            figure.breakdown.append(
                (
                    str(dimension.label),
                    [
                        (str(label), total.get(f"{measure.key}|{dim_key}={code}", 0))
                        for code, label in dimension.choices
                    ],
                )
            )
        out.append(figure)
    return out


# --- the list of members who never or rarely read --------------------------------------------


@dataclass
class ReaderPage:
    rows: list
    count: int
    page: int
    pages: int
    columns: tuple
    threshold: int


def personal_columns(user, unit, columns):
    """The personal columns asked, refused unless the user holds ``members.view_personal`` at
    the unit."""
    columns = tuple(c for c in columns if c)
    unknown = [c for c in columns if c not in PERSONAL_COLUMNS]
    if unknown:
        raise ValidationError(
            {
                "columns": _("Cột không hợp lệ: %(c)s. Chỉ có: birth_date, phone.")
                % {"c": ", ".join(unknown)}
            }
        )
    if columns and not scope.can(user, VIEW_PERSONAL, unit):
        raise PersonalDataRefused(
            _(
                "Bạn không có quyền xem thông tin cá nhân (ngày sinh, số điện thoại) của đảng "
                "viên: danh sách chỉ gồm họ tên và chi bộ."
            )
        )
    return columns


def readers(user, org, *, start=None, end=None, which="never", columns=(), page=1, per_page=50):
    """See the module's docstring."""
    if which not in ("never", "rarely"):
        raise ValidationError({"which": _("Chọn “never” (chưa từng mở) hoặc “rarely” (ít mở).")})
    span = periods.span(start, end, "month")
    unit = resolve_unit(user, org)
    columns = personal_columns(user, unit, columns)
    try:
        page = max(1, int(page))
    except (TypeError, ValueError):
        raise ValidationError({"page": _("Số trang phải là số nguyên.")}) from None
    months = len(span.months)
    per_month = int(getattr(settings, "SOTAY_REPORTS_RARELY_PER_MONTH", 1))
    threshold = 1 if which == "never" else max(1, per_month * months)
    roots = set(
        Rollup.objects.filter(
            provider="reading",
            granularity=Granularity.MONTH,
            org_id=unit.pk,
            period__gte=span.start,
            period__lt=span.end,
        ).values_list("path", flat=True)
    )
    opened = defaultdict(int)
    cell_of = {}
    if roots:
        q = Q(pk__in=[])
        for path in roots:
            q |= Q(path__startswith=path)
        for cell, counts in (
            Rollup.objects.filter(
                q,
                provider="reading",
                granularity=Granularity.MONTH,
                kind=OrgKind.CELL,
                period__gte=span.start,
                period__lt=span.end,
            )
            .order_by()
            .values_list("org_id", "members")
        ):
            for member, n in ((counts or {}).get("opened") or {}).items():
                opened[int(member)] += n
                cell_of[int(member)] = cell
    found = sorted(m for m, n in opened.items() if n < threshold)
    count = len(found)
    pages = max(1, math.ceil(count / per_page))
    if page > pages:
        raise ValidationError({"page": _("Trang không tồn tại.")})
    chosen = found[(page - 1) * per_page : page * per_page]
    provider = registry.statistics.get("members")
    people = provider.people(chosen) if provider and provider.people and chosen else {}
    out = []
    for member in chosen:
        person = people.get(member)
        if person is None:
            continue
        row = {
            "member": member,
            "full_name": person["full_name"],
            "cell": person["cell_id"],
            "cell_name": person["cell__name"],
            "opened": opened[member],
        }
        for column in columns:
            value = person.get(column)
            row[column] = value.isoformat() if hasattr(value, "isoformat") else value
        out.append(row)
    out.sort(key=lambda r: (r["cell_name"], r["full_name"]))
    return ReaderPage(out, count, page, pages, columns, threshold)


# --- the documents deployed to a unit, and their reading ------------------------------------

ITEMS_PER_PAGE = 25
ORDER_LABELS = {
    "published": gettext_lazy("Ngày đăng"),
    "title": gettext_lazy("Tên văn bản"),
    "expected": gettext_lazy("Số đảng viên phải đọc"),
    "opened": gettext_lazy("Số đảng viên đã mở"),
    "rate": gettext_lazy("Tỷ lệ đã mở"),
}


@dataclass
class ItemPage:
    unit: Unit
    span: periods.Span
    rows: list
    count: int
    page: int
    pages: int
    order: str
    excluded: list = field(default_factory=list)

    def as_dict(self):
        return {
            "org": self.unit.as_dict(),
            "from": self.span.start.strftime("%Y-%m"),
            "to": periods.add_months(self.span.end, -1).strftime("%Y-%m"),
            "order": self.order,
            "excluded_groups": [str(g) for g in self.excluded],
            "count": self.count,
            "page": self.page,
            "pages": self.pages,
        }


def item_provider(section="reading"):
    """The provider of a section's per-item figures (the reading of each document), or None."""
    return next(
        (p for p in registry.ordered_statistics() if p.items and section_of(p) == section), None
    )


def _page_number(page):
    try:
        page = int(page)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({"page": _("Số trang phải là số nguyên.")}) from None
    if page < 1:
        raise ValidationError({"page": _("Số trang phải từ 1 trở lên.")})
    return page


def documents(user, org, *, start=None, end=None, order="-published", page=1, per_page=None):
    """See the module's docstring."""
    span = periods.span(start, end, "month")
    order = (order or "-published").strip()
    if order.lstrip("-") not in ITEM_ORDERS or order.count("-") > 1:
        raise ValidationError(
            {
                "order": _(
                    "Cách sắp xếp không hợp lệ: %(o)s. Chọn một trong: %(all)s (thêm “-” "
                    "phía trước để xếp giảm dần)."
                )
                % {"o": order[:40], "all": ", ".join(ITEM_ORDERS)}
            }
        )
    page = _page_number(page)
    unit = resolve_unit(user, org)
    provider = item_provider()
    per_page = per_page or ITEMS_PER_PAGE
    count, rows = (
        provider.items(
            unit,
            span.start,
            span.end,
            order=order,
            offset=(page - 1) * per_page,
            limit=per_page,
            exclude=excluded_groups(provider),
        )
        if provider
        else (0, [])
    )
    pages = max(1, math.ceil(count / per_page))
    if page > pages:
        raise ValidationError(
            {
                "page": _("Trang %(p)s không tồn tại: danh sách có %(n)s trang.")
                % {"p": page, "n": pages}
            }
        )
    return ItemPage(
        unit=Unit(unit.pk, unit.name, unit.code, unit.kind, unit.level, unit.kind != "cell"),
        span=span,
        rows=rows,
        count=count,
        page=page,
        pages=pages,
        order=order,
        excluded=_excluded_labels(provider) if provider else [],
    )
