"""Vietnamese text folding, the one copy (search, the library, the importer use it):
"Đảng bộ Thái Bình" and "dang bo thai binh" match."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d + a mark: NFD leaves them, so map them first.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text):
    """Lower case, đ→d, diacritics removed, whitespace collapsed."""
    text = (text or "").translate(_LETTERS)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().casefold()


def simple(text):
    """``fold`` with punctuation and parenthesised asides dropped, for matching labels:
    ``"Ngày sinh (dd/mm/yyyy)"`` → ``"ngay sinh"`` (spreadsheet headers, choices)."""
    text = re.sub(r"\(.*?\)", " ", text or "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def tokens(text):
    """The folded words of ``text``, for indexing and for queries."""
    return [word for word in re.split(r"[^\w]+", fold(text)) if word]


def ascii_slug(text, max_length=255):
    """An ASCII slug of Vietnamese text: ``"Nghị quyết Đảng bộ"`` → ``"nghi-quyet-dang-bo"``
    (folded first, so đ becomes d; Django's own ASCII slugify drops it)."""
    from django.utils.text import slugify

    return slugify(fold(text), allow_unicode=False)[:max_length].strip("-")


def _fold_table():
    """(from, to): every precomposed Vietnamese letter (and A–Z) with its folded letter, for a
    SQL ``TRANSLATE`` that folds a column as :func:`fold` folds text."""
    letters = (
        "aàáạảãâầấậẩẫăằắặẳẵ"
        "eèéẹẻẽêềếệểễ"
        "iìíịỉĩ"
        "oòóọỏõôồốộổỗơờớợởỡ"
        "uùúụủũưừứựửữ"
        "yỳýỵỷỹ"
        "đdbcghklmnpqrstvxfjwz"
    )
    source = "".join(dict.fromkeys(letters + letters.upper()))
    return source, "".join(fold(ch) for ch in source)


FOLD_FROM, FOLD_TO = _fold_table()


def register_sqlite_fold(sender, connection, **kwargs):
    """``SOTAY_FOLD(text)`` on SQLite connections (the embedded default): :func:`fold` in SQL,
    which SQLite cannot spell itself (no TRANSLATE; a chain of REPLACE overflows its parser)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("SOTAY_FOLD", 1, fold, deterministic=True)
