"""What each export writes. Called by ``services.run_export`` with the cells it took at its
start (the snapshot), a path to write to and a progress callback; returns the number of rows.

- the member list: Excel written by xlsxwriter in ``constant_memory`` mode (each row goes to
  disk as it is written), members read through the scope engine in chunks of cells with
  ``values_list`` (no model instances): memory stays flat whatever the province's size;
- the unit summary: one row per unit directly under the chosen one (Excel with a chart, or an A4
  PDF with a chart and its table);
- the monthly pack: one A4 PDF per cell (members, meetings, reading, study, feedback), in a zip
  when the unit has more than one cell.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from sotay_plugins.members.models import Gender, Member, MembershipKind, MemberStatus
from sotay_plugins.orgtree.choices import MemberGroup, Position
from sotay_plugins.orgtree.models import Organisation

from . import figures, pdf, periods
from .models import Export


class Unbuildable(Exception):
    """The export cannot be made as asked (a Vietnamese reason for its owner)."""


def chunk_size():
    """Cells read per query (``SOTAY_EXPORT_CELLS_PER_QUERY``)."""
    return int(getattr(settings, "SOTAY_EXPORT_CELLS_PER_QUERY", 200))


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def build(export, org, cells, path, progress):
    if export.kind == Export.Kind.MEMBERS:
        return member_list(export, org, cells, path, progress)
    if export.kind == Export.Kind.SUMMARY:
        return summary(export, org, cells, path, progress)
    return monthly_pack(export, org, cells, path, progress)


def heading_lines(export, org):
    from .services import filter_lines

    lines = [
        _("Đơn vị: %(name)s (mã %(code)s)") % {"name": org.name, "code": org.code},
        _("Kỳ báo cáo: %(period)s")
        % {"period": periods.label(export.period_start, export.period_end)},
    ]
    for line in filter_lines(export.kind, export.filters, export.personal):
        lines.append(_("Bộ lọc: %(filter)s") % {"filter": line})
    lines.append(pdf.made_line(export.requested_by))
    return lines


def members_of(user, cell_ids):
    """The members of ``cell_ids``: cells that the scope engine gave ``user`` when the export
    started (``services.cells_of``: ``managed_orgs`` under the unit). They are read by cell id,
    not by the tree as it is now: an export whose unit moves while it runs finishes with the
    scope as it was checked at its start (the download checks the rights again)."""
    del user  # the scope was applied to the cells once, at the start (the snapshot)
    return Member.objects.filter(cell_id__in=cell_ids)


# --- the member list (Excel) ------------------------------------------------------------------

#: (label, values_list field or None for a computed one, personal?, width)
MEMBER_COLUMNS = (
    (_l("STT"), None, False, 7),
    (_l("Họ và tên"), "full_name", False, 26),
    (_l("Số lý lịch"), "party_record_no", False, 16),
    (_l("Giới tính"), "gender", False, 9),
    (_l("Ngày sinh"), "birth_date", True, 11),
    (_l("Số CCCD"), "cccd", True, 14),
    (_l("Quê quán"), "home_town", True, 24),
    (_l("Nơi thường trú"), "permanent_address", True, 30),
    (_l("Số điện thoại"), "phone", True, 13),
    (_l("Số thẻ đảng"), "party_card_no", False, 12),
    (_l("Loại đảng viên"), "membership", False, 13),
    (_l("Chi bộ"), None, False, 28),
    (_l("Mã chi bộ"), "cell_id", False, 14),
    (_l("Chức vụ"), "positions", False, 22),
    (_l("Nhóm đảng viên"), "group", False, 22),
    (_l("Ngày vào Đảng"), "joined_on", False, 12),
    (_l("Ngày chính thức"), "official_on", False, 12),
    (_l("Tình trạng"), "status", False, 15),
    (_l("Điện thoại thông minh"), "has_smartphone", False, 10),
    (_l("Cập nhật lúc"), "updated_at", False, 16),
)


def member_columns(personal):
    return [c for c in MEMBER_COLUMNS if personal or not c[2]]


def member_list(export, org, cells, path, progress):
    import xlsxwriter

    columns = member_columns(export.personal)
    fields = [c[1] for c in columns if c[1]]
    labels = {
        "gender": dict(Gender.choices),
        "membership": dict(MembershipKind.choices),
        "group": dict(MemberGroup.choices),
        "status": dict(MemberStatus.choices),
    }
    labels = {k: {code: str(text) for code, text in v.items()} for k, v in labels.items()}
    position_labels = {code: str(text) for code, text in Position.choices}
    positions_text = {}
    cell_info = {pk: (code, name) for pk, code, name in cells}
    filters = {k: v for k, v in export.filters.items() if k in ("status", "group", "membership")}

    book = xlsxwriter.Workbook(
        path, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    book.set_properties({"title": str(Export.Kind.MEMBERS.label), "company": org.name})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    moment = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet = book.add_worksheet(_("Danh sách đảng viên")[:31])
    sheet.write(0, 0, str(Export.Kind.MEMBERS.label).upper(), title)
    lines = heading_lines(export, org)
    for i, line in enumerate(lines, start=1):
        sheet.write(i, 0, line, bold if i == 1 else None)
    header_row = len(lines) + 2
    for col, (label, _field, _personal, width) in enumerate(columns):
        sheet.set_column(col, col, width)
        sheet.write(header_row, col, str(label), head)
    sheet.freeze_panes(header_row + 1, 2)

    row = header_row + 1
    number = 0
    tz = timezone.get_current_timezone()
    ordered = [c for c in columns]
    done_cells = 0
    for group in chunks(cells, chunk_size()):
        ids = [pk for pk, _code, _name in group]
        by_cell = defaultdict(list)
        for values in (
            members_of(export.requested_by, ids)
            .filter(**filters)
            .order_by()
            .values_list(*fields)
            .iterator(chunk_size=2000)
        ):
            record = dict(zip(fields, values, strict=True))
            by_cell[record["cell_id"]].append(record)
        for pk in ids:
            for record in sorted(
                by_cell.get(pk, ()), key=lambda r: (r["full_name"], r["party_record_no"])
            ):
                number += 1
                for col, (_label, field, _personal, _width) in enumerate(ordered):
                    if field is None:
                        value = number if field is None and col == 0 else cell_info[pk][1]
                    elif field == "cell_id":
                        value = cell_info[pk][0]
                    elif field == "positions":
                        key = record[field]
                        value = positions_text.get(key)
                        if value is None:
                            value = positions_text[key] = ", ".join(
                                position_labels[c] for c, _t in Position.choices if c in key
                            )
                    elif field in labels:
                        value = labels[field].get(record[field], record[field])
                    elif field == "has_smartphone":
                        value = _("Có") if record[field] else _("Không")
                    else:
                        value = record[field]
                    if value is None or value == "":
                        continue
                    if field == "updated_at":
                        sheet.write_datetime(
                            row, col, timezone.localtime(value, tz).replace(tzinfo=None), moment
                        )
                    elif isinstance(value, date):
                        sheet.write_datetime(row, col, value, day)
                    elif isinstance(value, int):
                        sheet.write_number(row, col, value)
                    else:
                        sheet.write_string(row, col, value)
                row += 1
        done_cells += len(group)
        progress(done_cells, len(cells))
    sheet.write(row + 1, 0, _("Tổng số: %(n)s đảng viên") % {"n": pdf.number(number)}, bold)
    book.close()
    return number


# --- counts of members per unit ---------------------------------------------------------------


def member_counts(user, cell_ids, start, end):
    """Per cell: active members, official, probationary, women, joined in the period (one
    grouped query per chunk of cells)."""
    counts = defaultdict(lambda: defaultdict(int))
    for group in chunks(cell_ids, chunk_size() * 5):
        rows = (
            members_of(user, group)
            .filter(status=MemberStatus.ACTIVE)
            .order_by()
            .values_list("cell_id", "membership", "gender")
            .annotate(n=Count("pk"))
        )
        for cell_id, membership, gender, n in rows:
            counts[cell_id]["active"] += n
            counts[cell_id][membership] += n
            if gender == Gender.FEMALE:
                counts[cell_id]["female"] += n
        joined = (
            members_of(user, group)
            .filter(joined_on__gte=start, joined_on__lte=end)
            .order_by()
            .values_list("cell_id")
            .annotate(n=Count("pk"))
        )
        for cell_id, n in joined:
            counts[cell_id]["joined"] += n
    return counts


MEMBER_FIGURES = (
    ("active", _l("Đảng viên đang sinh hoạt")),
    ("official", _l("Đảng viên chính thức")),
    ("probationary", _l("Đảng viên dự bị")),
    ("female", _l("Đảng viên nữ")),
    ("joined", _l("Kết nạp trong kỳ")),
)


# --- the unit summary (Excel or PDF) ----------------------------------------------------------


def summary_units(org, cells):
    """The units the summary has a row for (those directly under ``org``, or ``org`` itself when
    it has none), and which of them each snapshot cell falls in."""
    units = list(
        Organisation.objects.filter(parent=org, is_active=True)
        .order_by("lft")
        .only("pk", "name", "code", "tree_id", "lft", "rght")
    ) or [org]
    cell_lft = dict(
        Organisation.objects.filter(pk__in=[pk for pk, _c, _n in cells]).values_list("pk", "lft")
    )
    unit_of = {}
    for pk, lft in cell_lft.items():
        for unit in units:
            if unit.lft <= lft <= unit.rght:
                unit_of[pk] = unit.pk
                break
    return units, unit_of


def summary_table(export, org, cells, progress):
    """(header, rows, chart values): the member figures per unit then every provider's."""
    units, unit_of = summary_units(org, cells)
    steps = 1 + figures.count(PACK_SECTIONS)
    done = 0
    per_cell = member_counts(
        export.requested_by, list(unit_of), export.period_start, export.period_end
    )
    per_unit = defaultdict(lambda: defaultdict(int))
    for cell_id, counts in per_cell.items():
        for key, n in counts.items():
            per_unit[unit_of[cell_id]][key] += n
    done += 1
    progress(done, steps)
    columns = [
        (str(label), {u.pk: per_unit[u.pk][key] for u in units}) for key, label in MEMBER_FIGURES
    ]
    notes = []

    def tick():
        nonlocal done
        done += 1
        progress(done, steps)

    found = figures.sections(
        units, export.period_start, export.period_end, names=PACK_SECTIONS, on_provider=tick
    )
    for _section, rows in found:
        for label, values in rows:
            if values is None:
                notes.append(label)
            else:
                columns.append((label, values))
    header = [_("Đơn vị"), *[label for label, _v in columns]]
    rows = [[unit.name, *[values.get(unit.pk) for _l, values in columns]] for unit in units]
    return header, rows, [per_unit[u.pk]["active"] for u in units], notes


def summary(export, org, cells, path, progress):
    header, rows, active, notes = summary_table(export, org, cells, progress)
    title = str(Export.Kind.SUMMARY.label).upper()
    note = (
        _("Chưa có số liệu theo kỳ đã chọn (mô-đun chỉ cung cấp số liệu tháng hiện tại): %(list)s.")
        % {"list": "; ".join(notes)}
        if notes
        else ""
    )
    if export.format == Export.Format.XLSX:
        import xlsxwriter

        book = xlsxwriter.Workbook(path, {"constant_memory": True})
        bold = book.add_format({"bold": True})
        head = book.add_format(
            {"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True}
        )
        sheet = book.add_worksheet(_("Thống kê")[:31])
        sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
        lines = heading_lines(export, org)
        for i, line in enumerate(lines, start=1):
            sheet.write(i, 0, line, bold if i == 1 else None)
        top = len(lines) + 2
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, len(header) - 1, 14)
        sheet.set_row(top, 60)
        for col, label in enumerate(header):
            sheet.write(top, col, label, head)
        for r, values in enumerate(rows, start=top + 1):
            for col, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, (int, float)):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, str(value))
        last = top + len(rows)
        if note:
            sheet.write(last + 2, 0, note)
        chart = book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": header[1],
                "categories": [sheet.name, top + 1, 0, last, 0],
                "values": [sheet.name, top + 1, 1, last, 1],
            }
        )
        chart.set_title({"name": header[1]})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        sheet.insert_chart(last + 4, 0, chart, {"x_scale": 1.4, "y_scale": 1 + len(rows) / 15})
        book.close()
        return len(rows)

    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, Spacer

    doc = pdf.document(path, title=f"{title} · {org.name}")
    width = A4[0] - doc.leftMargin - doc.rightMargin
    flow = pdf.heading(title, heading_lines(export, org))
    flow.append(
        pdf.bar_chart(
            [r[0] for r in rows],
            active,
            width=width,
            caption=_("Đảng viên đang sinh hoạt theo đơn vị trực thuộc"),
        )
    )
    flow.append(Spacer(1, 8))
    # The figures, transposed (one table per group of units) so that every label fits on A4.
    for group in chunks(rows, 5):
        table_rows = [[header[0], *[r[0] for r in group]]]
        for i, label in enumerate(header[1:], start=1):
            table_rows.append([label, *[pdf.number(r[i]) for r in group]])
        first = width * 0.34
        rest = (width - first) / max(len(group), 1)
        flow.append(pdf.table(table_rows, [first] + [rest] * len(group)))
        flow.append(Spacer(1, 8))
    if note:
        flow.append(Paragraph(pdf.escape(note), pdf.styles()["small"]))
    footer = pdf.page_footer(
        f"{title} · {org.name} · {periods.label(export.period_start, export.period_end)}"
    )
    doc.build(flow, onFirstPage=footer, onLaterPages=footer)
    return len(rows)


# --- the monthly pack (a PDF per cell) --------------------------------------------------------

#: The sections of other modules' figures in the summary and the pack (members are counted here).
PACK_SECTIONS = ("meetings", "reading", "study", "feedback")

SECTION_TITLES = {
    "meetings": _l("Sinh hoạt chi bộ"),
    "reading": _l("Đọc tài liệu, văn bản"),
    "study": _l("Học tập nghị quyết, kiểm tra, điểm tích lũy"),
    "feedback": _l("Góp ý, phản ánh"),
}


def slug(text):
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60]


def monthly_pack(export, org, cells, path, progress):
    if not cells:
        raise Unbuildable(_("Đơn vị này không có chi bộ nào trong phạm vi của bạn."))
    start, end = export.period_start, export.period_end
    cell_ids = [pk for pk, _c, _n in cells]
    cell_orgs = list(Organisation.objects.filter(pk__in=cell_ids).select_related("parent"))
    cell_orgs.sort(key=lambda o: o.lft)
    total_steps = figures.count(PACK_SECTIONS) + len(cells) + 1
    step = 0

    def tick():
        nonlocal step
        step += 1
        progress(step, total_steps)

    sections = figures.sections(cell_orgs, start, end, names=PACK_SECTIONS, on_provider=tick)
    counts = member_counts(export.requested_by, cell_ids, start, end)
    rosters = defaultdict(list)
    for group in chunks(cell_ids, chunk_size() * 5):
        for cell_id, name, positions, membership in (
            members_of(export.requested_by, group)
            .filter(status=MemberStatus.ACTIVE)
            .order_by("full_name", "pk")
            .values_list("cell_id", "full_name", "positions", "membership")
            .iterator(chunk_size=2000)
        ):
            rosters[cell_id].append((name, positions, membership))
    tick()
    one = len(cell_orgs) == 1 and export.format == Export.Format.PDF
    archive = None if one else zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
    try:
        for cell in cell_orgs:
            data = cell_pdf(export, cell, counts[cell.pk], rosters[cell.pk], sections)
            if one:
                with open(path, "wb") as out:
                    out.write(data)
            else:
                archive.writestr(f"{cell.code}-{slug(cell.name)}.pdf", data)
            tick()
    finally:
        if archive is not None:
            archive.close()
    return len(cell_orgs)


def cell_pdf(export, cell, counts, roster, sections):
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, Spacer

    s = pdf.styles()
    month = periods.label(export.period_start, export.period_end)
    title = _("BÁO CÁO THÁNG · %(cell)s") % {"cell": cell.name.upper()}
    out = io.BytesIO()
    doc = pdf.document(
        out, title=f"{cell.name} · {month}", author=cell.parent.name if cell.parent else ""
    )
    width = A4[0] - doc.leftMargin - doc.rightMargin
    lines = [
        _("Chi bộ: %(name)s (mã %(code)s)") % {"name": cell.name, "code": cell.code},
        _("Trực thuộc: %(parent)s") % {"parent": cell.parent.name if cell.parent else "—"},
        _("Kỳ báo cáo: %(period)s") % {"period": month},
        pdf.made_line(export.requested_by),
    ]
    flow = pdf.heading(title, lines)

    flow.append(Paragraph(pdf.escape(_("1. Đảng viên")), s["h2"]))
    flow.append(
        pdf.table(
            [[_("Chỉ tiêu"), _("Số lượng")]]
            + [[str(label), pdf.number(counts.get(key, 0))] for key, label in MEMBER_FIGURES],
            [width * 0.7, width * 0.3],
        )
    )
    percent_labels, percent_values = [], []
    number_ = 2
    for section, rows in sections:
        flow.append(Paragraph(pdf.escape(f"{number_}. {SECTION_TITLES[section]}"), s["h2"]))
        number_ += 1
        if not rows:
            flow.append(
                Paragraph(pdf.escape(_("Chưa có mô-đun nào cung cấp số liệu này.")), s["small"])
            )
            continue
        table_rows = [[_("Chỉ tiêu"), _("Giá trị")]]
        for label, values in rows:
            if values is None:
                shown = _("chưa có số liệu theo tháng này")
            else:
                value = values.get(cell.pk)
                shown = pdf.number(value)
                if value is not None and "(%)" in label:
                    percent_labels.append(label.replace(" (%)", ""))
                    percent_values.append(value)
            table_rows.append([label, shown])
        flow.append(pdf.table(table_rows, [width * 0.7, width * 0.3]))
    if percent_values:
        flow.append(Spacer(1, 8))
        flow.append(
            pdf.bar_chart(
                percent_labels,
                percent_values,
                width=width,
                caption=_("Các tỷ lệ của chi bộ trong tháng (%, số liệu ở các bảng trên)"),
                value_max=100,
            )
        )
    flow.append(
        Paragraph(pdf.escape(f"{number_}. {_('Danh sách đảng viên đang sinh hoạt')}"), s["h2"])
    )
    position_labels = dict(Position.choices)
    membership_labels = dict(MembershipKind.choices)
    table_rows = [[_("STT"), _("Họ và tên"), _("Chức vụ"), _("Loại")]]
    for i, (name, positions, membership) in enumerate(roster, start=1):
        table_rows.append(
            [
                str(i),
                name,
                ", ".join(str(position_labels[c]) for c, _t in Position.choices if c in positions),
                str(membership_labels.get(membership, membership)),
            ]
        )
    if len(table_rows) == 1:
        table_rows.append(["", _("Không có đảng viên đang sinh hoạt."), "", ""])
    flow.append(pdf.table(table_rows, [width * 0.08, width * 0.42, width * 0.3, width * 0.2]))
    footer = pdf.page_footer(f"{cell.name} · {month}")
    doc.build(flow, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
