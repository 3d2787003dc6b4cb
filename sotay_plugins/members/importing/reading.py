"""Reading the uploaded file: size limit first, then "is this really an .xlsx", then the header
row, then the data rows (fully empty rows skipped). Raises ImportFileError for a file that
cannot be used as a whole; nothing here looks at a cell's meaning (that is ``parsing``).
"""

from __future__ import annotations

import logging
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .columns import LIST_SHEET, all_columns, header_index, norm
from .errors import ImportFileError

logger = logging.getLogger(__name__)

MAX_ROWS = 50_000
MAX_COLUMNS = 60


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
                "Tệp quá lớn (%(size)s MB); giới hạn là %(limit)s MB. Xin chia danh sách thành "
                "nhiều tệp."
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


def open_workbook(fileobj):
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


def blank(value):
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
        wb = open_workbook(fileobj)
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
    known = header_index(all_columns())
    header, header_row, first = None, 0, None
    for number, values in enumerate(rows, start=1):
        if all(blank(v) for v in values):
            continue
        first = first or (number, values)
        if sum(1 for v in values if not blank(v) and norm(v) in known) >= 3:
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
    matched = _match_header(header)
    width = len(matched)
    data = []
    for number, values in enumerate(rows, start=header_row + 1):
        values = tuple(values[:width]) + (None,) * (width - len(values))
        if all(blank(v) for v in values):
            continue
        data.append((number, values))
        if len(data) > MAX_ROWS:
            raise ImportFileError(
                _("Tệp có hơn %(n)s dòng dữ liệu; xin chia thành nhiều tệp.")
                % {"n": f"{MAX_ROWS:,}".replace(",", ".")}
            )
    if not data:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề)."))
    return Sheet(matched, data)


def _match_header(header):
    cols = all_columns()
    index = header_index(cols)
    matched, unknown, duplicated = [], [], []
    seen = set()
    last = max((i for i, v in enumerate(header) if not blank(v)), default=-1)
    for value in header[: last + 1]:
        if blank(value):
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
    missing = [col.label for col in cols if col.required and col.key not in seen]
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
