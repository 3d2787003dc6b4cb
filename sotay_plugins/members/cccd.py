"""The citizen identity number (CCCD, căn cước công dân): 12 digits.

Digits 1–3: the province of birth registration (Circular 07/2016/TT-BCA, still used after the
2025 merger for numbers already issued). Digit 4: century and gender (0/1: 1900s male/female,
2/3: 2000s, 4/5: 2100s, 6/7: 2200s, 8/9: 2300s). Digits 5–6: the last two digits of the birth
year. Digits 7–12: a random serial.
"""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PROVINCE_CODES = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "TP Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

CCCD_RE = re.compile(r"^[0-9]{12}$")
MALE, FEMALE = "male", "female"


def century_digit(birth_year, gender):
    century_index = (birth_year - 1900) // 100  # 0 for the 1900s, 1 for the 2000s...
    if not 0 <= century_index <= 4:
        raise ValueError("birth year out of range")
    return 2 * century_index + (1 if gender == FEMALE else 0)


def normalise(raw):
    """Strip the spaces, dots and dashes people type between digit groups; any Unicode digit
    (full-width ``０``, Arabic-Indic ``٠``, …) becomes its ASCII digit, so a look-alike spelling
    is the same number (one record, one account), never a second one."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    return re.sub(r"[\s.\-]", "", text)


def validate_cccd(value, birth_date: date | None = None, gender: str | None = None):
    """Raise ValidationError (Vietnamese, naming what is wrong) unless ``value`` is a valid CCCD.

    With ``birth_date`` and ``gender`` the century/gender digit and the birth-year digits are
    checked against them too. Returns the normalised number.
    """
    number = normalise(value)
    if not number:
        raise ValidationError(_("Chưa nhập số CCCD."), code="required")
    if not CCCD_RE.match(number):
        raise ValidationError(
            _("Số CCCD phải gồm đúng 12 chữ số (đang có %(n)d ký tự).") % {"n": len(number)},
            code="length",
        )
    if number[:3] not in PROVINCE_CODES:
        raise ValidationError(
            _("Ba chữ số đầu của CCCD (%(code)s) không phải mã tỉnh, thành phố hợp lệ.")
            % {"code": number[:3]},
            code="province",
        )
    if birth_date is not None and gender in (MALE, FEMALE):
        expected = century_digit(birth_date.year, gender)
        if int(number[3]) != expected:
            raise ValidationError(
                _(
                    "Chữ số thứ 4 của CCCD (%(got)s) không khớp với giới tính và thế kỷ sinh (phải "
                    "là %(expected)d)."
                )
                % {"got": number[3], "expected": expected},
                code="century_gender",
            )
        if number[4:6] != f"{birth_date.year % 100:02d}":
            raise ValidationError(
                _("Chữ số thứ 5–6 của CCCD (%(got)s) không khớp với năm sinh %(year)d.")
                % {"got": number[4:6], "year": birth_date.year},
                code="birth_year",
            )
    return number


def mask(number):
    """``034085001234`` → ``*********234``: what lists show to roles that do not need the number."""
    number = str(number or "")
    return "*" * max(len(number) - 3, 0) + number[-3:]


def make_cccd(province_code, birth_date, gender, serial):
    """Compose a valid CCCD (demo data and tests)."""
    return (
        f"{province_code}{century_digit(birth_date.year, gender)}"
        f"{birth_date.year % 100:02d}{serial:06d}"
    )


class UniqueByService:
    """Model-form mixin: the CCCD's uniqueness is left to ``services`` (which knows the actor's
    scope). The model form's own check would answer "already exists" for a record anywhere."""

    def validate_unique(self):
        exclude = self._get_validation_exclusions()
        exclude.add("cccd")
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)
