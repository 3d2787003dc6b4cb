"""The workbook people fill in, and the units and cells its download links list.

:func:`build_template` writes a sheet "Danh sách đảng viên" with the Vietnamese headers of
:func:`columns.all_columns`, and a sheet "Hướng dẫn" with the rules, the valid values of every coded
column and (when an organisation is given) the codes of the cells under it.
"""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind, Position
from sotay_plugins.orgtree.models import Organisation

from ..models import Gender, MembershipKind
from .access import CAPABILITY, fresh
from .columns import HELP_SHEET, LIST_SHEET, all_columns

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_template(cells=None):
    """The workbook to fill in, as bytes. ``cells``: (code, name) pairs listed on the help sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    cols = all_columns()
    wb = Workbook()
    ws = wb.active
    ws.title = LIST_SHEET
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFE699")
    for i, col in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if col.required:
            cell.fill = fill
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = col.width
        if col.text:  # text format keeps the leading 0 of CCCD and phone numbers
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    letters = {col.key: get_column_letter(i) for i, col in enumerate(cols, start=1)}
    for key, values in (
        ("gender", [str(Gender.MALE.label), str(Gender.FEMALE.label)]),
        (
            "membership",
            [str(MembershipKind.OFFICIAL.label), str(MembershipKind.PROBATIONARY.label)],
        ),
        ("has_smartphone", [_("Có"), _("Không")]),
    ):
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        dv.error = _("Xin chọn một giá trị trong danh sách.")
        dv.add(f"{letters[key]}2:{letters[key]}20000")
        ws.add_data_validation(dv)

    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.column_dimensions["A"].width = 34
    help_ws.column_dimensions["B"].width = 90
    rules = [
        _(
            "Mỗi dòng của trang “%(sheet)s” là một đảng viên; không đổi tên, thứ tự các cột ở dòng "
            "tiêu đề."
        )
        % {"sheet": LIST_SHEET},
        _("Đảng viên được nhận ra theo số CCCD: số CCCD đã có thì cập nhật, chưa có thì thêm mới."),
        _(
            "Ô để trống ở các cột không bắt buộc thì giữ nguyên thông tin đang có (nhập không xóa "
            "dữ liệu)."
        ),
        _(
            "Nếu có dòng bị lỗi, không dòng nào được nhập: sửa các lỗi được báo rồi tải tệp lên "
            "lại."
        ),
        _(
            "Không chuyển sinh hoạt bằng tệp nhập: đảng viên đang ở chi bộ khác phải làm thủ tục "
            "chuyển sinh hoạt."
        ),
        _("Nhập lại cùng một tệp không làm thay đổi gì."),
    ]
    sections = [
        (_("HƯỚNG DẪN NHẬP DANH SÁCH ĐẢNG VIÊN"), "", [("", rule) for rule in rules]),
        (
            _("CÁC CỘT"),
            "",
            [
                (col.header, col.hint or (_("Bắt buộc.") if col.required else _("Không bắt buộc.")))
                for col in cols
            ],
        ),
        (
            _("CHỨC VỤ (cột Chức vụ)"),
            _("Ghi tên hoặc mã; nhiều chức vụ cách nhau bằng dấu phẩy."),
            [(str(label), code) for code, label in Position.choices],
        ),
        (
            _("NHÓM ĐẢNG VIÊN (cột Nhóm đảng viên)"),
            _("Ghi tên hoặc mã."),
            [(str(label), code) for code, label in MemberGroup.choices],
        ),
    ]
    if cells:
        sections.append((_("MÃ CHI BỘ (cột Mã chi bộ)"), _("Tên chi bộ"), list(cells)))
    for title, note, entries in sections:
        help_ws.append([title, note])
        help_ws.cell(row=help_ws.max_row, column=1).font = bold
        for a, b in entries:
            help_ws.append([a, b])
        help_ws.append([])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def template_units(user):
    """The units at the top of the user's import rights (one per grant), for template links."""
    if scope.is_superadmin(user):
        return list(
            Organisation.objects.filter(parent__isnull=True, is_active=True).order_by("code")[:20]
        )
    tops = set(scope.managed_ranges(user, CAPABILITY)[:20])
    ids = {
        g.org_id
        for g in scope.grants(user)
        if g.allows(CAPABILITY) and (g.tree_id, g.lft, g.rght) in tops
    }
    return list(Organisation.objects.filter(pk__in=ids).order_by("code"))


def template_cells(org, limit=10_000):
    """(code, name) of the active cells under ``org``, for the template's help sheet."""
    org = fresh(org)
    return list(
        Organisation.objects.filter(scope.within(org), kind=OrgKind.CELL, is_active=True)
        .order_by("code")
        .values_list("code", "name")[:limit]
    )
