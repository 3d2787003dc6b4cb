import pytest
from hypothesis import given
from hypothesis import strategies as st

from sotay_plugins.text import fold, tokens


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đảng bộ tỉnh Thái Bình", "dang bo tinh thai binh"),
        ("NGHỊ QUYẾT số 57-NQ/TW", "nghi quyet so 57-nq/tw"),
        (
            "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            "hoc tap va lam theo tu tuong, dao duc, phong cach ho chi minh",
        ),
        ("  Chi   bộ\tthôn Đoài ", "chi bo thon doai"),
        ("Ủy ban Kiểm tra", "uy ban kiem tra"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_composed_and_decomposed_input_fold_alike():
    import unicodedata

    word = "Nghị quyết"
    assert (
        fold(unicodedata.normalize("NFC", word))
        == fold(unicodedata.normalize("NFD", word))
        == "nghi quyet"
    )


def test_tokens():
    assert tokens("Kế hoạch số 12-KH/ĐU, ngày 03/12") == [
        "ke",
        "hoach",
        "so",
        "12",
        "kh",
        "du",
        "ngay",
        "03",
        "12",
    ]


@given(st.text())
def test_folding_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once
