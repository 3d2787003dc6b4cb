"""Parsing the cells of each data row into values: dates (dd/mm/yyyy, or Excel dates), Nam/Nữ,
codes or labels of the coded columns, phone numbers, the CCCD (an Excel number lost its leading
0). A cell that cannot be read gives an error on its row, in Vietnamese, naming row and column;
every error of a row is collected. No database access: checks against the stored data are
``validation``'s.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sotay_plugins.orgtree.choices import MemberGroup, Position

from ..cccd import normalise as normalise_cccd
from ..models import Gender, MembershipKind
from .columns import norm
from .reading import blank

DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
PHONE_RE = re.compile(r"^\+?\d{9,15}$")
YES = {"co", "x", "yes", "y", "1", "true", "dung"}
NO = {"khong", "no", "n", "0", "false", "sai"}


def _text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        value = value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def _digits_text(value):
    """A number-like text cell (record numbers, card numbers); Excel numbers lose their '.0'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _today():
    """Today's date, read once a minute (40,000 dates in a big file)."""
    minute = int(time.monotonic() // 60)
    if _TODAY[0] != minute:
        _TODAY[:] = [minute, timezone.localdate()]
    return _TODAY[1]


_TODAY = [None, None]


def parse_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        raise ValidationError(_("Ngày phải viết dạng ngày/tháng/năm, ví dụ 02/05/1970."))
    text = str(value).strip()
    m = DATE_RE.match(text)
    if m:
        d, mo, y = (int(x) for x in m.groups())
    else:
        m = ISO_RE.match(text)
        if not m:
            raise ValidationError(
                _("“%(value)s” không phải ngày dạng ngày/tháng/năm (ví dụ 02/05/1970).")
                % {"value": text}
            )
        y, mo, d = (int(x) for x in m.groups())
    try:
        parsed = date(y, mo, d)
    except ValueError:
        raise ValidationError(_("Ngày “%(value)s” không có thật.") % {"value": text}) from None
    if parsed.year < 1900:
        raise ValidationError(
            _("Năm %(year)d không hợp lệ (phải từ 1900).") % {"year": parsed.year}
        )
    if parsed > _today():
        raise ValidationError(
            _("Ngày %(value)s ở tương lai.") % {"value": parsed.strftime("%d/%m/%Y")}
        )
    return parsed


@lru_cache(maxsize=64)
def _choice_map(choices, language):
    """{normalised code or label: code} of a TextChoices class, per language (labels are
    translated)."""
    table = {}
    for code, label in choices.choices:
        table.setdefault(norm(code), code)
        table.setdefault(norm(label), code)
    return table


def _choice(value, choices, message):
    code = _choice_map(choices, get_language()).get(norm(value))
    if code is None:
        raise ValidationError(message % {"value": _text(value)})
    return code


def parse_gender(value):
    key = norm(value)
    if key in ("nam", "male", "m"):
        return Gender.MALE.value
    if key in ("nu", "female", "f"):
        return Gender.FEMALE.value
    raise ValidationError(
        _("Giới tính phải là Nam hoặc Nữ (đang ghi “%(value)s”).") % {"value": _text(value)}
    )


def parse_membership(value):
    return _choice(
        value,
        MembershipKind,
        _("Loại đảng viên phải là Chính thức hoặc Dự bị (đang ghi “%(value)s”)."),
    )


def parse_group(value):
    return _choice(
        value,
        MemberGroup,
        _("Nhóm đảng viên “%(value)s” không có trong danh sách (xem trang Hướng dẫn)."),
    )


def parse_positions(value):
    codes, bad = set(), []
    for part in re.split(r"[,;\n]+", str(value)):
        if not part.strip():
            continue
        try:
            codes.add(_choice(part, Position, "%(value)s"))
        except ValidationError:
            bad.append(part.strip())
    if bad:
        raise ValidationError(
            _("Chức vụ không có trong danh sách: %(values)s (xem trang Hướng dẫn).")
            % {"values": ", ".join(f"“{b}”" for b in bad)}
        )
    return frozenset(codes)


def parse_yes_no(value):
    if isinstance(value, bool):
        return value
    key = norm(value)
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValidationError(
        _("Phải ghi Có hoặc Không (đang ghi “%(value)s”).") % {"value": _text(value)}
    )


def parse_phone(value):
    if isinstance(value, (int, float)):
        digits = str(int(value))
        if len(digits) == 9:  # Excel dropped the leading 0 of a mobile number
            digits = "0" + digits
    else:
        digits = re.sub(r"[\s.\-()]", "", str(value))
    if not PHONE_RE.match(digits):
        raise ValidationError(
            _("Số điện thoại “%(value)s” không hợp lệ (9–15 chữ số).") % {"value": _text(value)}
        )
    return digits


def parse_cccd_cell(value):
    """The CCCD as text; an Excel number lost the leading 0 (every province code starts with 0)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value < 10**12:
        return f"{value:012d}"
    return normalise_cccd(value)


PARSERS = {
    "full_name": _text,
    "birth_date": parse_date,
    "gender": parse_gender,
    "cccd": parse_cccd_cell,
    "cell": _text,
    "party_record_no": _digits_text,
    "party_card_no": _digits_text,
    "membership": parse_membership,
    "joined_on": parse_date,
    "official_on": parse_date,
    "positions": parse_positions,
    "group": parse_group,
    "home_town": _text,
    "permanent_address": _text,
    "phone": parse_phone,
    "has_smartphone": parse_yes_no,
}


@dataclass
class Row:
    """One data row: its number in the sheet, its values by column key, its errors."""

    number: int
    values: dict
    errors: list = field(default_factory=list)


def col_error(row, label, message):
    row.errors.append(
        _("Dòng %(row)d, cột %(column)s: %(message)s")
        % {"row": row.number, "column": label, "message": message}
    )


def row_error(row, message):
    row.errors.append(_("Dòng %(row)d: %(message)s") % {"row": row.number, "message": message})


def parse_rows(sheet):
    """A Row for every data row of ``sheet``: its parsed values and the errors of the cells that
    could not be read (a required cell left empty included)."""
    rows = []
    for number, raw in sheet.rows:
        row = Row(number, {})
        for col, value in zip(sheet.columns, raw, strict=False):
            if col is None:
                continue
            if blank(value):
                if col.required:
                    col_error(row, col.label, _("Chưa nhập."))
                continue
            try:
                row.values[col.key] = PARSERS[col.key](value)
            except ValidationError as exc:
                for message in exc.messages:
                    col_error(row, col.label, message)
        rows.append(row)
    return rows
