from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from sotay_plugins.members.cccd import PROVINCE_CODES, make_cccd, mask, validate_cccd


def test_valid_number_with_matching_birth_and_gender():
    assert (
        validate_cccd("034 070 001 234".replace(" ", ""), date(1970, 3, 4), "male")
        == "034070001234"
    )
    assert validate_cccd("034-170-001234", date(1970, 3, 4), "female") == "034170001234"
    assert validate_cccd("001205000001", date(2005, 1, 1), "male") == "001205000001"


@pytest.mark.parametrize(
    ("number", "birth", "gender", "fragment"),
    [
        ("", None, None, "Chưa nhập số CCCD"),
        ("03407000123", None, None, "đúng 12 chữ số (đang có 11"),
        ("0340700012345", None, None, "đúng 12 chữ số (đang có 13"),
        ("03407000123A", None, None, "đúng 12 chữ số"),
        ("003070001234", None, None, "(003) không phải mã tỉnh"),
        ("034170001234", date(1970, 1, 1), "male", "Chữ số thứ 4 của CCCD (1)"),
        ("034270001234", date(1970, 1, 1), "male", "phải là 0"),
        ("034071001234", date(1970, 1, 1), "male", "không khớp với năm sinh 1970"),
    ],
)
def test_invalid_numbers_get_a_vietnamese_reason(number, birth, gender, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_cccd(number, birth, gender)
    assert fragment in exc.value.messages[0]


@given(
    province=st.sampled_from(sorted(PROVINCE_CODES)),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    gender=st.sampled_from(["male", "female"]),
    serial=st.integers(0, 999_999),
)
def test_every_composed_number_validates(province, birth, gender, serial):
    number = make_cccd(province, birth, gender, serial)
    assert validate_cccd(number, birth, gender) == number
    other = "female" if gender == "male" else "male"
    with pytest.raises(ValidationError):
        validate_cccd(number, birth, other)


def test_mask_keeps_only_the_last_three_digits():
    assert mask("034070001234") == "*********234"
    assert mask("") == ""
