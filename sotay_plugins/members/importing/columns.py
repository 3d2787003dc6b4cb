"""The template's columns: their keys, Vietnamese headers, the names a header may also have,
and which model fields the import may write.

Headers are matched case-, diacritics- and punctuation-insensitively (:func:`norm`), so
"NGÀY SINH" or "Ngay sinh (dd/mm/yyyy)" both name the birth-date column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from sotay_plugins.text import simple as text_simple

LIST_SHEET = "Danh sách đảng viên"
HELP_SHEET = "Hướng dẫn"


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


def all_columns():
    """The template's columns, in order (labels in the active language)."""
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
                "Bắt buộc, 12 chữ số; là tên đăng nhập của đảng viên. Dùng để nhận ra đảng viên đã "
                "có."
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
    """Case-, diacritics- and punctuation-insensitive form: ``"Ngày sinh (dd/mm/yyyy)"`` →
    ``"ngay sinh"``."""
    return _norm(str(text if text is not None else ""))


def header_index(columns):
    """{normalised header, label or alias: Column}."""
    index = {}
    for col in columns:
        for name in (col.label, col.header, *col.aliases):
            index.setdefault(norm(name), col)
    return index


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
