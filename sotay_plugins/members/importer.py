"""Bulk import of party members from the Excel template (SPEC.md module 1).

The flow, for the admin and for ``manage.py import_members`` alike:

1. **Template** — :func:`build_template` writes the workbook people fill in: a sheet
   "Danh sách đảng viên" with the Vietnamese headers of :data:`COLUMNS`, and a sheet
   "Hướng dẫn" with the rules, the valid values of every coded column and (when an
   organisation is given) the codes of the cells under it.
2. **Check (dry run)** — :func:`check` reads the file (size limit first, then "is this really
   an .xlsx", then the header row) and validates every row, collecting *all* the errors of a
   row as ``{"row": 5, "errors": ["Dòng 5, cột Số CCCD: ..."]}``. Fully empty rows are
   skipped. Nothing is written.
3. **Apply** — :func:`apply_batch` (the background job :func:`run_import`, or the shell
   command) checks the whole file again and, only if no row has an error, upserts by CCCD in
   chunks of :data:`CHUNK`: one query per chunk reads the existing members of the chunk,
   new members and their accounts are ``bulk_create``-d (inactive, unusable password: they
   activate with a code from their cell), changed ones are ``bulk_update``-d (only the changed
   fields). Re-importing the same file changes nothing (all rows "unchanged").

Decisions:

- **All or nothing.** If any row has an error nothing is imported; the report lists every
  error so the file can be fixed and uploaded again. Bad input changes nothing.
- **Blank optional cells keep what is stored.** An import never erases data: to clear a field,
  edit the member in the admin. New members get the model defaults.
- **No transfers by import.** A CCCD that already belongs to a member of another cell is an
  error for that row (inside the batch's unit: "use the transfer procedure"; outside it: "this
  person belongs to a unit you do not manage" without saying which).
- **Scope.** The batch's unit must be one where the user holds ``members.import_members``
  (``scope.can``), checked on upload and again when the job runs; every row's cell must be a
  cell (kind ``cell``), active, under the batch's unit.
- **Audit.** One Wagtail log entry per batch (action ``sotay_members.import``, on the
  ImportBatch, with the counts) — not one per member: a district's 10,000 rows would flood
  the history, and the ImportBatch row keeps the file, who imported it, when, and the counts.
- **Validation** is the model's own (``clean_fields`` + ``Member.clean``), run per row
  without the per-instance uniqueness queries; CCCD and record-number uniqueness is checked in
  bulk (one query per chunk) and against the rest of the file.
- **Cell secretaries.** Members whose positions include (deputy) cell secretary get the
  ``cell_secretary`` role at their cell, as ``services.sync_position_roles`` does, in bulk.
"""

from __future__ import annotations

import logging
import os
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from sotay_plugins import jobs, pagecache
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind, Position
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.text import simple as text_simple

from . import services
from .cccd import normalise as normalise_cccd
from .cccd import validate_cccd
from .models import Gender, ImportBatch, Member, MembershipKind
from .services import SECRETARY_POSITIONS

logger = logging.getLogger(__name__)
User = get_user_model()

CAPABILITY = "members.import_members"
CHUNK = 1000
#: bulk_update sends CASE WHEN id=… per field: its cost grows with the square of the batch.
BULK_UPDATE_BATCH = 100
MAX_ROWS = 50_000
MAX_COLUMNS = 60
MAX_STORED_ERROR_ROWS = 2000
LIST_SHEET = "Danh sách đảng viên"
HELP_SHEET = "Hướng dẫn"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JOB_FUNC = "sotay_plugins.members.importer.run_import"


class ImportFileError(Exception):
    """The file as a whole cannot be used (too big, not an .xlsx, wrong columns, no right)."""

    def __init__(self, messages):
        self.messages = [str(m) for m in ([messages] if isinstance(messages, str) else messages)]
        super().__init__("; ".join(self.messages))


# --- columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the name error messages use
    header: str  # the template's header (label + format hint)
    required: bool = False
    aliases: tuple = ()
    width: int = 18
    text: bool = False  # formatted as text in the template (keeps leading zeros)
    hint: str = ""


def _columns():
    return [
        Column(
            "full_name",
            _("Họ và tên"),
            _("Họ và tên"),
            True,
            ("ho ten", "ten"),
            28,
            hint=_("Bắt buộc."),
        ),
        Column(
            "birth_date",
            _("Ngày sinh"),
            _("Ngày sinh (dd/mm/yyyy)"),
            True,
            (),
            14,
            True,
            hint=_("Bắt buộc, dạng ngày/tháng/năm, ví dụ 02/05/1970."),
        ),
        Column(
            "gender",
            _("Giới tính"),
            _("Giới tính (Nam/Nữ)"),
            True,
            ("gioi",),
            12,
            hint=_("Bắt buộc: Nam hoặc Nữ."),
        ),
        Column(
            "cccd",
            _("Số CCCD"),
            _("Số CCCD"),
            True,
            ("cccd", "so can cuoc", "so can cuoc cong dan", "can cuoc cong dan"),
            16,
            True,
            hint=_(
                "Bắt buộc, 12 chữ số; là tên đăng nhập của đảng viên. Dùng để nhận ra đảng viên đã có."
            ),
        ),
        Column(
            "cell",
            _("Mã chi bộ"),
            _("Mã chi bộ"),
            True,
            ("ma chi bo noi sinh hoat",),
            16,
            True,
            hint=_("Bắt buộc: mã của chi bộ nơi đảng viên sinh hoạt (xem danh sách bên dưới)."),
        ),
        Column(
            "party_record_no",
            _("Số lý lịch"),
            _("Số lý lịch"),
            False,
            ("so ly lich dang vien",),
            16,
            True,
            hint=_("Để trống thì hệ thống tự cấp cho đảng viên mới."),
        ),
        Column(
            "party_card_no",
            _("Số thẻ đảng"),
            _("Số thẻ đảng"),
            False,
            ("so the dang vien",),
            14,
            True,
        ),
        Column(
            "membership",
            _("Loại đảng viên"),
            _("Loại đảng viên (Chính thức/Dự bị)"),
            False,
            (),
            16,
            hint=_("Chính thức hoặc Dự bị; để trống với đảng viên mới là Chính thức."),
        ),
        Column(
            "joined_on",
            _("Ngày vào Đảng"),
            _("Ngày vào Đảng (dd/mm/yyyy)"),
            False,
            ("ngay vao dang",),
            14,
            True,
        ),
        Column(
            "official_on",
            _("Ngày chính thức"),
            _("Ngày chính thức (dd/mm/yyyy)"),
            False,
            ("ngay chuyen chinh thuc",),
            14,
            True,
            hint=_("Bắt buộc với đảng viên chính thức đã có ngày vào Đảng."),
        ),
        Column(
            "positions",
            _("Chức vụ"),
            _("Chức vụ"),
            False,
            ("chuc vu dang",),
            24,
            hint=_(
                "Một hoặc nhiều chức vụ, cách nhau bằng dấu phẩy (xem giá trị hợp lệ bên dưới)."
            ),
        ),
        Column("group", _("Nhóm đảng viên"), _("Nhóm đảng viên"), False, ("nhom",), 24),
        Column("home_town", _("Quê quán"), _("Quê quán"), False, (), 28),
        Column(
            "permanent_address",
            _("Nơi thường trú"),
            _("Nơi thường trú"),
            False,
            ("dia chi thuong tru",),
            32,
        ),
        Column(
            "phone", _("Số điện thoại"), _("Số điện thoại"), False, ("dien thoai", "sdt"), 14, True
        ),
        Column(
            "has_smartphone",
            _("Có điện thoại thông minh"),
            _("Có điện thoại thông minh (Có/Không)"),
            False,
            ("dien thoai thong minh",),
            14,
            hint=_("Có hoặc Không; để trống với đảng viên mới là Có."),
        ),
    ]


_norm = lru_cache(maxsize=8192)(text_simple)


def norm(text):
    """Case-, diacritics- and punctuation-insensitive form: ``"Ngày sinh (dd/mm/yyyy)"`` → ``"ngay sinh"``."""
    return _norm(str(text if text is not None else ""))


def _header_index(columns):
    index = {}
    for col in columns:
        for name in (col.label, col.header, *col.aliases):
            index.setdefault(norm(name), col)
    return index


# --- the template --------------------------------------------------------------------------


def build_template(cells=None):
    """The workbook to fill in, as bytes. ``cells``: (code, name) pairs listed on the help sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = _columns()
    wb = Workbook()
    ws = wb.active
    ws.title = LIST_SHEET
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFE699")
    for i, col in enumerate(columns, start=1):
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
    letters = {col.key: get_column_letter(i) for i, col in enumerate(columns, start=1)}
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
            "Mỗi dòng của trang “%(sheet)s” là một đảng viên; không đổi tên, thứ tự các cột ở dòng tiêu đề."
        )
        % {"sheet": LIST_SHEET},
        _("Đảng viên được nhận ra theo số CCCD: số CCCD đã có thì cập nhật, chưa có thì thêm mới."),
        _(
            "Ô để trống ở các cột không bắt buộc thì giữ nguyên thông tin đang có (nhập không xóa dữ liệu)."
        ),
        _(
            "Nếu có dòng bị lỗi, không dòng nào được nhập: sửa các lỗi được báo rồi tải tệp lên lại."
        ),
        _(
            "Không chuyển sinh hoạt bằng tệp nhập: đảng viên đang ở chi bộ khác phải làm thủ tục chuyển sinh hoạt."
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
                for col in columns
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
    from django.db.models import Q

    ranges = scope.managed_ranges(user, CAPABILITY)
    if scope.is_superadmin(user):
        return list(
            Organisation.objects.filter(parent__isnull=True, is_active=True).order_by("code")[:20]
        )
    q = Q(pk__in=[])
    for tree_id, lft, rght in ranges[:20]:
        q |= Q(tree_id=tree_id, lft=lft, rght=rght)
    return list(Organisation.objects.filter(q).order_by("code"))


def template_cells(org, limit=10_000):
    """(code, name) of the active cells under ``org``, for the template's help sheet."""
    org = fresh(org)
    return list(
        Organisation.objects.filter(
            tree_id=org.tree_id,
            lft__gte=org.lft,
            rght__lte=org.rght,
            kind=OrgKind.CELL,
            is_active=True,
        )
        .order_by("code")
        .values_list("code", "name")[:limit]
    )


# --- reading the file ----------------------------------------------------------------------


def file_size(source):
    size = getattr(source, "size", None)
    if size is not None:
        return size
    if isinstance(source, (str, os.PathLike)):
        return os.path.getsize(source)
    pos = source.tell()
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(pos)
    return size


def check_size(source):
    limit = settings.SOTAY_IMPORT_MAX_BYTES
    size = file_size(source)
    if size > limit:
        raise ImportFileError(
            _(
                "Tệp quá lớn (%(size)s MB); giới hạn là %(limit)s MB. Xin chia danh sách thành nhiều tệp."
            )
            % {
                "size": f"{size / 1024 / 1024:.1f}".replace(".", ","),
                "limit": f"{limit / 1024 / 1024:g}".replace(".", ","),
            }
        )
    if size == 0:
        raise ImportFileError(_("Tệp rỗng."))


NOT_XLSX = gettext_noop(
    "Tệp không phải bảng tính Excel (.xlsx) hợp lệ. Xin dùng mẫu tải về và lưu dưới dạng .xlsx."
)


def _open_workbook(fileobj):
    from openpyxl import load_workbook

    fileobj.seek(0)
    if not zipfile.is_zipfile(fileobj):
        raise ImportFileError(_(NOT_XLSX))
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(_(NOT_XLSX)) from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_(NOT_XLSX))
    fileobj.seek(0)
    try:
        return load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken file
        logger.info("unreadable import file", exc_info=True)
        raise ImportFileError(_(NOT_XLSX)) from None


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Sheet:
    columns: list  # Column or None, per position in the header row
    rows: list  # (row number, tuple of values), empty rows left out


def read_sheet(source):
    """Parse the member sheet: raises ImportFileError for an unusable file or header."""
    check_size(source)
    opened = None
    if isinstance(source, (str, os.PathLike)):
        opened = fileobj = open(source, "rb")  # noqa: SIM115 - closed below
    else:
        fileobj = source
    try:
        wb = _open_workbook(fileobj)
        try:
            return _read_rows(wb)
        except ImportFileError:
            raise
        except Exception:
            logger.info("unreadable import sheet", exc_info=True)
            raise ImportFileError(_(NOT_XLSX)) from None
        finally:
            wb.close()
    finally:
        if opened is not None:
            opened.close()


def _read_rows(wb):
    sheets = wb.worksheets
    if not sheets:
        raise ImportFileError(_(NOT_XLSX))
    ws = next((s for s in sheets if norm(s.title) == norm(LIST_SHEET)), sheets[0])
    rows = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    # The header is the first row naming at least 3 known columns (a title may sit above it);
    # failing that, the first non-empty row, whose wrong names are then reported.
    known = _header_index(_columns())
    header, header_row, first = None, 0, None
    for number, values in enumerate(rows, start=1):
        if all(_blank(v) for v in values):
            continue
        first = first or (number, values)
        if sum(1 for v in values if not _blank(v) and norm(v) in known) >= 3:
            header, header_row = values, number
            break
        if number >= 10:
            break
    if header is None and first is not None:
        header_row, header = first
    if header is None:
        raise ImportFileError(
            _("Tệp không có dòng tiêu đề và không có dữ liệu. Xin dùng mẫu tải về.")
        )
    columns = _match_header(header)
    width = len(columns)
    data = []
    for number, values in enumerate(rows, start=header_row + 1):
        values = tuple(values[:width]) + (None,) * (width - len(values))
        if all(_blank(v) for v in values):
            continue
        data.append((number, values))
        if len(data) > MAX_ROWS:
            raise ImportFileError(
                _("Tệp có hơn %(n)s dòng dữ liệu; xin chia thành nhiều tệp.")
                % {"n": f"{MAX_ROWS:,}".replace(",", ".")}
            )
    if not data:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề)."))
    return Sheet(columns, data)


def _match_header(header):
    columns = _columns()
    index = _header_index(columns)
    matched, unknown, duplicated = [], [], []
    seen = set()
    last = max((i for i, v in enumerate(header) if not _blank(v)), default=-1)
    for value in header[: last + 1]:
        if _blank(value):
            matched.append(None)
            continue
        col = index.get(norm(value))
        if col is None:
            unknown.append(str(value).strip())
            matched.append(None)
        elif col.key in seen:
            duplicated.append(str(value).strip())
            matched.append(None)
        else:
            seen.add(col.key)
            matched.append(col)
    missing = [col.label for col in columns if col.required and col.key not in seen]
    problems = []
    if missing:
        problems.append(_("Thiếu cột bắt buộc: %(cols)s.") % {"cols": ", ".join(missing)})
    if unknown:
        problems.append(
            _("Có cột không nhận ra: %(cols)s.") % {"cols": ", ".join(f"“{c}”" for c in unknown)}
        )
    if duplicated:
        problems.append(
            _("Có cột bị lặp: %(cols)s.") % {"cols": ", ".join(f"“{c}”" for c in duplicated)}
        )
    if problems:
        problems.append(_("Xin dùng đúng dòng tiêu đề của mẫu tải về."))
        raise ImportFileError(problems)
    return matched


# --- values --------------------------------------------------------------------------------

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
    """{normalised code or label: code} of a TextChoices class, per language (labels are translated)."""
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

#: Model fields the import may write (besides ``cell``, ``cccd`` and the account).
WRITABLE = (
    "full_name",
    "birth_date",
    "gender",
    "party_record_no",
    "party_card_no",
    "membership",
    "joined_on",
    "official_on",
    "positions",
    "group",
    "home_town",
    "permanent_address",
    "phone",
    "has_smartphone",
)


# --- the report ----------------------------------------------------------------------------


@dataclass
class Report:
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


@dataclass
class Row:
    number: int
    values: dict
    errors: list = field(default_factory=list)


CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class Plan:
    row: Row
    action: str = ""
    member: Member | None = None
    changed: tuple = ()


# --- context: the batch's unit and its cells -----------------------------------------------


class Context:
    """What every row is checked against: the batch's unit, its subtree (one query) and the user."""

    def __init__(self, org, user=None):
        self.org = org
        self.user = user
        subtree = list(
            Organisation.objects.filter(tree_id=org.tree_id, lft__gte=org.lft, rght__lte=org.rght)
        )
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


def fresh(org):
    """The unit as stored now: nested-set bounds held in memory go stale when the tree changes."""
    return Organisation.objects.get(pk=org.pk)


def authorise(user, org):
    """The batch's unit must be one where ``user`` may import (None: the shell, unrestricted)."""
    if user is not None and not scope.can(user, CAPABILITY, org):
        raise ImportFileError(
            _(
                "Bạn không có quyền nhập đảng viên vào %(org)s; chỉ được nhập vào các đơn vị thuộc phạm vi được giao."
            )
            % {"org": org.name}
        )


# --- checking ------------------------------------------------------------------------------


def _col_error(row, label, message):
    row.errors.append(
        _("Dòng %(row)d, cột %(column)s: %(message)s")
        % {"row": row.number, "column": label, "message": message}
    )


def _row_error(row, message):
    row.errors.append(_("Dòng %(row)d: %(message)s") % {"row": row.number, "message": message})


def _parse_rows(sheet, ctx):
    """Values of every row (no database access but the loaded tree)."""
    rows = []
    for number, raw in sheet.rows:
        row = Row(number, {})
        for col, value in zip(sheet.columns, raw, strict=False):
            if col is None:
                continue
            if _blank(value):
                if col.required:
                    _col_error(row, col.label, _("Chưa nhập."))
                continue
            try:
                row.values[col.key] = PARSERS[col.key](value)
            except ValidationError as exc:
                for message in exc.messages:
                    _col_error(row, col.label, message)
        _check_cccd(row)
        _check_cell(row, ctx)
        rows.append(row)
    _check_duplicates(
        rows, "cccd", _("Số CCCD"), _("Số CCCD %(value)s bị lặp ở các dòng %(rows)s.")
    )
    _check_duplicates(
        rows,
        "party_record_no",
        _("Số lý lịch"),
        _("Số lý lịch %(value)s bị lặp ở các dòng %(rows)s."),
    )
    return rows


def _check_cccd(row):
    if "cccd" not in row.values:
        return
    birth, gender = row.values.get("birth_date"), row.values.get("gender")
    try:
        row.values["cccd"] = validate_cccd(row.values["cccd"], birth, gender)
    except ValidationError as exc:
        for message in exc.messages:
            _col_error(row, _("Số CCCD"), message)
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
        _col_error(
            row,
            _("Mã chi bộ"),
            _(
                "%(code)s là %(org)s (%(kind)s), không phải chi bộ; đảng viên phải sinh hoạt tại một chi bộ."
            )
            % {"code": code, "org": org.name, "kind": org.get_kind_display()},
        )
    elif not org.is_active:
        _col_error(
            row, _("Mã chi bộ"), _("Chi bộ %(org)s không còn hoạt động.") % {"org": org.name}
        )
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
            _col_error(
                row,
                _("Mã chi bộ"),
                _(
                    "Chi bộ mã %(code)s không thuộc %(org)s; chỉ được nhập vào các chi bộ trực thuộc đơn vị đã chọn."
                )
                % {"code": code, "org": ctx.org.name},
            )
        else:
            _col_error(
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
                _col_error(row, label, message % {"value": value, "rows": numbers})


def _field_label(name):
    return {col.key: col.label for col in _columns()}.get(name)  # only on errors: no need to cache


def _validate_member(row, member, exclude):
    try:
        member.clean_fields(exclude=exclude)
        member.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            label = _field_label(name)
            for message in messages:
                if label:
                    _col_error(row, label, message)
                else:
                    _row_error(row, message)


def _plan_chunk(rows, ctx):
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
            _col_error(
                row,
                _("Số lý lịch"),
                _("Số lý lịch %(no)s đã thuộc về một đảng viên khác.") % {"no": number},
            )
        current = existing.get(values["cccd"])
        if current is None:
            if values["cccd"] in taken_usernames:
                _col_error(
                    row,
                    _("Số CCCD"),
                    _(
                        "Số CCCD này đã là tên đăng nhập của một tài khoản khác (không phải đảng viên)."
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
        if current.cell_id not in ctx.by_id or not _under(ctx, current.cell_id):
            _col_error(
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
            _col_error(
                row,
                _("Mã chi bộ"),
                _(
                    "Đảng viên này đang sinh hoạt tại %(org)s; đổi chi bộ phải làm thủ tục chuyển sinh hoạt."
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


def _under(ctx, org_id):
    org = ctx.by_id[org_id]
    return org.tree_id == ctx.org.tree_id and ctx.org.lft <= org.lft and org.rght <= ctx.org.rght


def _chunks(items, size=CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _validate(source, ctx, progress=None):
    """Read and check everything; returns (rows, report). Writes nothing."""
    sheet = read_sheet(source)
    rows = _parse_rows(sheet, ctx)
    _check_missing_cells(rows, ctx)
    report = Report(total_rows=len(rows))
    total = len(rows)
    done = 0
    for chunk in _chunks(rows):
        for plan in _plan_chunk(chunk, ctx):
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
    _rows, report = _validate(source, Context(org, user), progress)
    return report


# --- applying ------------------------------------------------------------------------------


class _RecordNumbers:
    """Issues party-record numbers for new members: the next serial after the highest stored
    one with the same prefix (one query per prefix length), skipping numbers the file uses."""

    def __init__(self, prefixes, file_numbers):
        self.next = {}
        for length, group in groupby(sorted(prefixes, key=len), key=len):
            group = list(group)
            rows = (
                Member.objects.annotate(p=Left("party_record_no", length))
                .filter(p__in=group)
                .values("p")
                .annotate(m=Max("party_record_no"))
                .values_list("p", "m")
            )
            for prefix, highest in rows:
                self.next[prefix] = _serial(highest) + 1
        for number in file_numbers:
            for prefix in prefixes:
                if number.startswith(prefix):
                    self.next[prefix] = max(self.next.get(prefix, 1), _serial(number) + 1)

    def take(self, prefix):
        serial = self.next.get(prefix, 1)
        self.next[prefix] = serial + 1
        return f"{prefix}{serial:06d}"


def _serial(number):
    tail = number.rsplit(".", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _assign_record_numbers(plans, ctx, numbers):
    pending = [p for p in plans if p.action == CREATE and not p.member.party_record_no]
    while pending:
        for plan in pending:
            plan.member.party_record_no = numbers.take(ctx.record_prefix(plan.member.cell))
        taken = set(
            Member.objects.filter(
                party_record_no__in=[p.member.party_record_no for p in pending]
            ).values_list("party_record_no", flat=True)
        )
        pending = [p for p in pending if p.member.party_record_no in taken]


def _write_chunk(rows, ctx, numbers, report):
    with transaction.atomic():
        plans = _plan_chunk(rows, ctx)
        failed = [row for row in rows if row.errors]
        if failed:  # the database changed since the check (someone else's edit)
            raise _Changed(failed)
        creates = [p for p in plans if p.action == CREATE]
        updates = [p for p in plans if p.action == UPDATE]
        _assign_record_numbers(creates, ctx, numbers)
        if creates:
            users = User.objects.bulk_create(
                [
                    User(username=p.member.cccd, is_active=False, password=make_password(None))
                    for p in creates
                ]
            )
            for user, plan in zip(users, creates, strict=True):
                plan.member.user = user
            Member.objects.bulk_create([p.member for p in creates])
        now = timezone.now()
        for changed, group in groupby(
            sorted(updates, key=lambda p: p.changed), key=lambda p: p.changed
        ):
            members = [p.member for p in group]
            for member in members:
                member.updated_at = now
            _bulk_update(members, [*changed, "updated_at"])
            pagecache.touch_users(
                *(member.user_id for member in members)
            )  # bulk writes send no signal
        withheld = services.sync_secretary_roles(
            [p.member for p in creates if SECRETARY_POSITIONS & set(p.member.positions or ())]
            + [p.member for p in updates if "positions" in p.changed],
            ctx.user,
        )
    if withheld:
        report.notes.append(services.withheld_notice(withheld))
    report.created += len(creates)
    report.updated += len(updates)
    report.unchanged += len(plans) - len(creates) - len(updates)


def _bulk_update(members, names):
    """Write ``names`` of ``members``. On PostgreSQL one ``UPDATE … FROM (VALUES …)`` per 1,000
    rows (Django's bulk_update builds a CASE per field whose cost grows with the square of the
    batch: 10,000 changed rows took 11 s that way); elsewhere Django's bulk_update."""
    if connection.vendor != "postgresql":
        Member.objects.bulk_update(members, names, batch_size=BULK_UPDATE_BATCH)
        return
    qn = connection.ops.quote_name
    fields = [Member._meta.pk] + [Member._meta.get_field(name) for name in names]
    row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    columns = ", ".join(qn(f.column) for f in fields)
    assignments = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in fields[1:])
    table, pk = qn(Member._meta.db_table), qn(Member._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(members), 1000):
            batch = members[start : start + 1000]
            params = [
                f.get_db_prep_save(getattr(m, f.attname), connection) for m in batch for f in fields
            ]
            cursor.execute(
                f"UPDATE {table} AS m SET {assignments} FROM (VALUES {', '.join([row] * len(batch))}) "  # noqa: S608 - identifiers from the model, values bound
                f"AS v({columns}) WHERE m.{pk} = v.{pk}",
                params,
            )


class _Changed(Exception):
    def __init__(self, rows):
        self.rows = rows


def run(source, org, *, user=None, dry_run=False, batch=None, make_batch=None, progress=None):
    """Check ``source`` and, unless ``dry_run`` or a row has an error, import it.

    ``batch``: the ImportBatch being applied (its counts are written); ``make_batch``: a
    callable that creates it once the file is known to be good (the shell). ``progress(done,
    total)`` is called after every chunk: the check counts the first half, the writes the second.
    Raises ImportFileError when the file or the unit cannot be used.
    """
    org = fresh(org)
    authorise(user, org)
    ctx = Context(org, user)

    def checking(done, total):
        if progress:
            progress(done, total if dry_run else 2 * total)

    rows, report = _validate(source, ctx, checking)
    if dry_run or not report.ok:
        return report
    if batch is None and make_batch is not None:
        batch = make_batch(report)
    total = len(rows)
    numbers = _RecordNumbers(
        {ctx.record_prefix(row.values["cell"]) for row in rows},
        [row.values["party_record_no"] for row in rows if row.values.get("party_record_no")],
    )
    applied = Report(total_rows=report.total_rows)
    done = 0
    for chunk in _chunks(rows):
        try:
            _write_chunk(chunk, ctx, numbers, applied)
        except _Changed as exc:
            applied.errors = [{"row": row.number, "errors": row.errors} for row in exc.rows]
            applied.errors.append(
                {
                    "row": 0,
                    "errors": [
                        _(
                            "Dữ liệu đã thay đổi trong lúc nhập; đã nhập %(n)d dòng trước đó. Xin kiểm tra và nhập lại tệp."
                        )
                        % {"n": done}
                    ],
                }
            )
            break
        done += len(chunk)
        if progress:
            progress(total + done, 2 * total)
    applied.applied = True
    if batch is not None:
        _finish_batch(batch, applied, user)
    return applied


def _finish_batch(batch, report, user):
    batch.total_rows = report.total_rows
    batch.error_rows = report.error_rows
    batch.errors = report.errors[:MAX_STORED_ERROR_ROWS]
    batch.created, batch.updated, batch.unchanged = report.created, report.updated, report.unchanged
    batch.state = ImportBatch.State.FAILED if report.errors else ImportBatch.State.DONE
    batch.notes = report.notes
    batch.save(
        update_fields=[
            "total_rows",
            "error_rows",
            "errors",
            "created",
            "updated",
            "unchanged",
            "state",
            "notes",
        ]
    )
    discard_file(batch)
    log(
        batch,
        "sotay_members.import",
        user=user,
        data={
            "org": batch.org_id,
            "file": batch.original_name,
            "rows": report.total_rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "error_rows": report.error_rows,
        },
    )


# --- batches (the admin) -------------------------------------------------------------------


def start_batch(*, user, org, uploaded_file):
    """Upload + dry run: check the file and keep it with its report. Raises ImportFileError
    (nothing kept) when the file cannot be used; row errors are kept in the batch's report."""
    org = fresh(org)
    authorise(user, org)
    report = check(uploaded_file, org, user)
    name = os.path.basename(getattr(uploaded_file, "name", "") or "danh-sach.xlsx")[:255]
    batch = ImportBatch(
        org=org,
        original_name=name,
        created_by=user,
        state=ImportBatch.State.CHECKED,
        total_rows=report.total_rows,
        error_rows=report.error_rows,
        errors=report.errors[:MAX_STORED_ERROR_ROWS],
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
    )
    uploaded_file.seek(0)
    batch.file.save("nhap-dang-vien.xlsx", File(uploaded_file), save=False)
    batch.save()
    return batch


def confirm_batch(batch, user):
    """Start the import job of a checked batch without errors; a second click does nothing."""
    authorise(user, fresh(batch.org))
    if batch.error_rows or not batch.total_rows:
        raise ValidationError(_("Tệp còn lỗi hoặc không có dòng nào; không thể nhập."))
    with transaction.atomic():
        started = ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.CHECKED).update(
            state=ImportBatch.State.RUNNING
        )
        if not started:
            return None
        job = jobs.enqueue(
            JOB_FUNC, user=user, dedupe_key=f"members.import:{batch.pk}", batch_id=batch.pk
        )
        ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    batch.refresh_from_db()
    return job


def run_import(job, batch_id):
    """The background job: apply a checked batch. Idempotent (a done batch is left alone, and a
    re-run after a crash upserts the same rows again)."""
    batch = ImportBatch.objects.select_related("org", "created_by").get(pk=batch_id)
    if batch.state == ImportBatch.State.DONE:
        return {"batch": batch.pk, "state": batch.state}
    user = batch.created_by
    if user is None:  # the importer's account is gone: no one whose scope could be checked
        _fail(batch, [_("Tài khoản đã tải tệp lên không còn; không thể nhập.")])
        return {"batch": batch.pk, "state": ImportBatch.State.FAILED}

    def progress(done, total):
        jobs.job_progress(job, done, total)

    try:
        with batch.file.open("rb") as handle:
            report = run(handle, batch.org, user=user, batch=batch, progress=progress)
    except ImportFileError as exc:
        _fail(batch, exc.messages)
        return {"batch": batch.pk, "state": ImportBatch.State.FAILED}
    except Exception:
        _fail(
            batch,
            [
                _(
                    "Lỗi hệ thống khi nhập; hệ thống sẽ thử lại. Nhập lại cùng tệp không tạo bản ghi trùng."
                )
            ],
        )
        raise
    if not report.applied:  # a row error turned up at apply time: nothing was written
        report.created = report.updated = report.unchanged = 0
        _finish_batch(batch, report, user)
    return {"batch": batch.pk, **report.as_dict()}


def discard_file(batch):
    """The spreadsheet holds CCCDs: once its batch is finished, only the report is kept."""
    if batch.file:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")


def purge_stale_files(older_than):
    """Drop the files of batches checked but never imported (``manage.py purge_imports``)."""
    stale = (
        ImportBatch.objects.filter(created_at__lt=older_than)
        .exclude(state=ImportBatch.State.RUNNING)
        .exclude(file="")
    )
    count = 0
    for batch in stale:
        discard_file(batch)
        count += 1
    return count


def _fail(batch, messages):
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.FAILED,
        errors=[{"row": 0, "errors": [str(m) for m in messages]}],
        error_rows=batch.error_rows or 0,
    )
