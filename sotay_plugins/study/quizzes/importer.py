"""The spreadsheet import of questions into a bank (the admin's "Nhập câu hỏi từ Excel").

One sheet (the first), a header row, one question per row. Columns (header names, any order,
case and diacritics as written here):

    Nhóm | Loại | Câu hỏi | Phương án A | Phương án B | Phương án C | Phương án D | Đáp án
    | Giải thích

- "Nhóm": the category (made if the bank has none of that name);
- "Loại": "một" (one correct answer), "nhiều" (several) or "đúng/sai" (true/false; its answers
  are "Đúng" and "Sai" unless A and B say otherwise); empty: "một";
- "Phương án A…D": the answers (C and D may be empty; "Phương án E", "F" are read if present);
- "Đáp án": the letters of the correct answers ("B", or "A, C" for several);
- "Giải thích": shown to members after they submit (optional column).

All or nothing: a sheet missing a required column, or any row that does not make a valid
question, imports nothing; the message names the columns or the rows and why.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sotay_plugins.text import fold

from . import services
from .models import Category, QuestionKind

REQUIRED = ("Nhóm", "Loại", "Câu hỏi", "Phương án A", "Phương án B", "Đáp án")
OPTIONAL = ("Phương án C", "Phương án D", "Phương án E", "Phương án F", "Giải thích")
LETTERS = "ABCDEF"
KINDS = {
    "": QuestionKind.SINGLE,
    "mot": QuestionKind.SINGLE,
    "mot dap an": QuestionKind.SINGLE,
    "nhieu": QuestionKind.MULTIPLE,
    "nhieu dap an": QuestionKind.MULTIPLE,
    "dung/sai": QuestionKind.TRUE_FALSE,
    "dung sai": QuestionKind.TRUE_FALSE,
    "dung - sai": QuestionKind.TRUE_FALSE,
}
MAX_ROWS = 2000


def _key(text):
    return " ".join(fold(str(text or "")).split())


def read_rows(file):
    """The sheet's rows as dicts keyed by the column names above. Raises ValidationError (in
    Vietnamese) for a file that is not a spreadsheet or misses required columns."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ValidationError(
            _("Không đọc được tệp: cần một tệp Excel (.xlsx) theo mẫu."), code="bad_file"
        ) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    wanted = {_key(name): name for name in (*REQUIRED, *OPTIONAL)}
    columns = {}
    for index, cell in enumerate(header):
        name = wanted.get(_key(cell))
        if name and name not in columns:
            columns[name] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ValidationError(
            _("Tệp thiếu cột: %(cols)s. Không câu hỏi nào được nhập; xin dùng đúng mẫu.")
            % {"cols": ", ".join(missing)},
            code="missing_columns",
        )
    out = []
    for number, row in enumerate(rows, start=2):
        values = {name: row[i] if i < len(row) else None for name, i in columns.items()}
        if all(v in (None, "") for v in values.values()):
            continue
        out.append((number, values))
        if len(out) > MAX_ROWS:
            raise ValidationError(
                _("Tệp có quá %(n)s câu hỏi; xin chia thành nhiều tệp.") % {"n": MAX_ROWS},
                code="too_many",
            )
    workbook.close()
    return out


def _text(value):
    return "" if value is None else str(value).strip()


def parse_row(values):
    """``(category name, kind, text, [(answer, correct)], explanation)`` of one row."""
    kind = KINDS.get(_key(values.get("Loại")))
    if kind is None:
        raise ValidationError(_("cột Loại phải là “một”, “nhiều” hoặc “đúng/sai”"))
    answers = []
    for letter in LETTERS:
        text = _text(values.get(f"Phương án {letter}"))
        if text:
            answers.append((letter, text))
    if kind == QuestionKind.TRUE_FALSE and not answers:
        answers = [("A", "Đúng"), ("B", "Sai")]
    marked = {c for c in _text(values.get("Đáp án")).upper() if c in LETTERS}
    unknown = marked - {letter for letter, _t in answers}
    if unknown:
        raise ValidationError(
            _("đáp án %(letters)s không có phương án tương ứng")
            % {"letters": ", ".join(sorted(unknown))}
        )
    category = _text(values.get("Nhóm"))
    if not category:
        raise ValidationError(_("thiếu tên nhóm câu hỏi"))
    pairs = [(text, letter in marked) for letter, text in answers]
    services.validate_question(kind, _text(values.get("Câu hỏi")), pairs)
    return (
        category[:160],
        kind,
        _text(values.get("Câu hỏi")),
        pairs,
        _text(values.get("Giải thích")),
    )


def import_questions(bank, file):
    """Add the sheet's questions to ``bank``; returns how many. Nothing is written unless every
    row is valid."""
    rows = read_rows(file)
    if not rows:
        raise ValidationError(_("Tệp không có câu hỏi nào (ngoài dòng tiêu đề)."), code="empty")
    parsed, errors = [], []
    for number, values in rows:
        try:
            parsed.append(parse_row(values))
        except ValidationError as exc:
            errors.append(_("dòng %(n)s: %(why)s") % {"n": number, "why": "; ".join(exc.messages)})
    if errors:
        shown = errors[:10]
        more = len(errors) - len(shown)
        message = _("Không câu hỏi nào được nhập. Lỗi ở %(rows)s") % {"rows": " · ".join(shown)}
        if more:
            message += " " + _("(và %(n)s dòng khác)") % {"n": more}
        raise ValidationError(message, code="bad_rows")
    with transaction.atomic():
        categories = {c.name: c for c in Category.objects.filter(bank=bank)}
        for name, kind, text, pairs, explanation in parsed:
            if name not in categories:
                categories[name] = Category.objects.create(
                    bank=bank, name=name, position=len(categories)
                )
            services.create_question(bank, categories[name], kind, text, pairs, explanation)
    return len(parsed)


def template_workbook():
    """The import template (.xlsx bytes): the header and two example rows."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Câu hỏi"
    sheet.append(
        [
            *REQUIRED[:3],
            "Phương án A",
            "Phương án B",
            "Phương án C",
            "Phương án D",
            "Đáp án",
            "Giải thích",
        ]
    )
    sheet.append(
        [
            "Quan điểm chỉ đạo",
            "một",
            "Nghị quyết 57-NQ/TW xác định đột phá nào là đột phá quan trọng hàng đầu?",
            "Phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
            "Phát triển du lịch",
            "Phát triển nông nghiệp truyền thống",
            "Mở rộng đô thị",
            "A",
            "Nghị quyết khẳng định đây là đột phá quan trọng hàng đầu.",
        ]
    )
    sheet.append(
        [
            "Quan điểm chỉ đạo",
            "đúng/sai",
            "Chuyển đổi số là nhiệm vụ của riêng ngành công nghệ thông tin.",
            "Đúng",
            "Sai",
            "",
            "",
            "B",
            "",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
