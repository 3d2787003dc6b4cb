"""Helpers shared by the members tests (plain functions; fixtures live in conftest.py)."""

from datetime import date
from io import BytesIO

from openpyxl import Workbook

from sotay_plugins.members import importing as importer
from sotay_plugins.members.cccd import make_cccd
from sotay_plugins.members.models import Member

_serial = iter(range(500_000, 999_999))
HEADERS = [col.header for col in importer.all_columns()]


KEYS = [col.key for col in importer.all_columns()]


def person(**overrides):
    """One valid row, as {column key: cell value}."""
    birth = overrides.pop("birth", date(1970, 5, 2))
    gender = overrides.pop("sex", "male")
    values = {
        "full_name": "Trần Văn Bình",
        "birth_date": birth.strftime("%d/%m/%Y"),
        "gender": "Nam" if gender == "male" else "Nữ",
        "cccd": make_cccd("034", birth, gender, next(_serial)),
        "cell": None,
        "membership": "Chính thức",
        "joined_on": "01/01/2000",
        "official_on": "01/01/2001",
        "positions": "Đảng viên",
        "group": "Hưu trí",
        "home_town": "Xã Vũ Thư, tỉnh Thái Bình",
        "permanent_address": "Thôn Đông, xã Vũ Thư",
        "phone": "0912345678",
        "has_smartphone": "Có",
    }
    values.update(overrides)
    return values


def xlsx(rows, headers=HEADERS, keys=KEYS, name="danh-sach.xlsx", blank_rows=()):
    """An in-memory .xlsx with ``rows`` (dicts by column key, or raw lists) under ``headers``."""
    wb = Workbook()
    ws = wb.active
    ws.title = importer.LIST_SHEET
    ws.append(headers)
    for index, row in enumerate(rows):
        if index in blank_rows:
            ws.append([])
        ws.append(row if isinstance(row, list) else [row.get(key) for key in keys])
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = name
    out.size = len(out.getvalue())
    return out


def rows_for(tree, n=3, cell="c11", **overrides):
    return [
        person(cell=tree[cell].code, full_name=f"Nguyễn Thị {i}", **overrides) for i in range(n)
    ]


def edit_data(member, **changes):
    """The admin edit form's POST data for ``member`` as stored, with ``changes`` (None: left
    out)."""
    member = Member.objects.get(pk=member.pk)
    data = {
        "full_name": member.full_name,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat(),
        "cccd": member.cccd,
        "home_town": member.home_town,
        "permanent_address": member.permanent_address,
        "phone": member.phone,
        "party_card_no": member.party_card_no,
        "membership": member.membership,
        "positions": sorted(member.positions),
        "group": member.group,
        "has_smartphone": "on",
        "joined_on": member.joined_on.isoformat() if member.joined_on else "",
        "official_on": member.official_on.isoformat() if member.official_on else "",
        "status": member.status,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
