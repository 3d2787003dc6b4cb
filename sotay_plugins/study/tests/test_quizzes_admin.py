"""The quizzes' Wagtail admin: scoped listings and statistics, the question form's checks, the
spreadsheet import (all or nothing), HTML in question text."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from sotay_plugins.study.quizzes import importer, services
from sotay_plugins.study.quizzes.models import Question, QuestionBank

from .quiz_helpers import bank_with_questions, quiz, resolution, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree):
    data = world(tree)
    data["bank1"] = bank_with_questions(data["page"], tree["d1"], n=6)
    data["bank2"] = bank_with_questions(data["page"], tree["d2"], n=6)
    data["quiz1"] = quiz(data["bank1"], tree["d1"], title="Bài huyện 1")
    data["quiz2"] = quiz(data["bank2"], tree["d2"], title="Bài huyện 2")
    return data


def test_an_editor_sees_only_the_banks_and_quizzes_of_their_subtree(client, w):
    client.force_login(w["editor"])
    banks = client.get(reverse("quiz_banks:index"))
    assert banks.status_code == 200
    assert {b.pk for b in banks.context["object_list"]} == {w["bank1"].pk}
    quizzes = client.get(reverse("quiz_quizzes:index"))
    assert {q.pk for q in quizzes.context["object_list"]} == {w["quiz1"].pk}
    questions = client.get(reverse("quiz_questions:index"))
    assert {q.bank_id for q in questions.context["object_list"]} == {w["bank1"].pk}
    # another district's objects answer 404 (or the admin's refusal)
    for name, obj in (
        ("quiz_banks:edit", w["bank2"]),
        ("quiz_quizzes:edit", w["quiz2"]),
        ("quiz_quizzes:statistics", w["quiz2"]),
        ("quiz_banks:import", w["bank2"]),
        ("quiz_questions:edit", w["bank2"].questions.first()),
    ):
        assert client.get(reverse(name, args=[obj.pk])).status_code in (302, 403, 404), name
    assert client.get(reverse("quiz_quizzes:statistics", args=[w["quiz1"].pk])).status_code == 200


def test_a_member_without_rights_is_kept_out_of_the_admin(client, w):
    client.force_login(w["a"].user)
    response = client.get(reverse("quiz_quizzes:index"))
    assert response.status_code in (302, 403)


def _question_post(bank, category, text, correct=(), kind="single"):
    data = {
        "bank": bank.pk,
        "category": category.pk,
        "kind": kind,
        "text": text,
        "explanation": "",
        "is_active": "on",
        "answers-TOTAL_FORMS": "3",
        "answers-INITIAL_FORMS": "0",
        "answers-MIN_NUM_FORMS": "2",
        "answers-MAX_NUM_FORMS": "1000",
    }
    for i in range(3):
        data[f"answers-{i}-text"] = f"Phương án {i}"
        data[f"answers-{i}-ORDER"] = str(i + 1)
        data[f"answers-{i}-DELETE"] = ""
        if i in correct:
            data[f"answers-{i}-is_correct"] = "on"
    return data


def test_a_question_with_no_correct_answer_is_refused(client, w):
    client.force_login(w["editor"])
    before = Question.objects.count()
    category = w["bank1"].categories.first()
    response = client.post(
        reverse("quiz_questions:add"), _question_post(w["bank1"], category, "Câu không đáp án")
    )
    assert response.status_code == 200
    assert "chưa có đáp án đúng" in response.content.decode()
    assert Question.objects.count() == before
    # two correct answers for a one-answer question, likewise
    response = client.post(
        reverse("quiz_questions:add"),
        _question_post(w["bank1"], category, "Hai đáp án", correct=(0, 1)),
    )
    assert "chỉ được có đúng một phương án đúng" in response.content.decode()
    assert Question.objects.count() == before
    # and a good one goes in
    response = client.post(
        reverse("quiz_questions:add"), _question_post(w["bank1"], category, "Câu tốt", correct=(1,))
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(text="Câu tốt")
    assert [a.is_correct for a in question.answers.order_by("sort_order")] == [False, True, False]


def test_html_and_script_in_a_question_are_harmless(client, api, w):
    category = w["bank"].categories.first()
    nasty = (
        '<script>alert("x")</script><b onmouseover="x()">Nghị quyết</b> số 57 & mục tiêu'
        " <img src=x>"
    )
    question = services.create_question(
        w["bank"], category, "single", nasty, [("<i>đúng</i>", True), ("sai", False)]
    )
    question.refresh_from_db()
    assert "<" not in question.text and "Nghị quyết số 57 & mục tiêu" in question.text
    assert question.answers.get(is_correct=True).text == "đúng"
    # shown to a member (escaped) in an attempt that drew it
    q = w["quiz"]
    q.question_count = Question.objects.filter(bank=w["bank"]).count()
    q.save()
    attempt, _ = services.start(q, w["a"])
    client.force_login(w["a"].user)
    html = client.get(
        reverse("study:quiz_attempt", args=[q.pk, attempt.pk]) + "?trang=tat-ca"
    ).content.decode()
    assert "<script>alert" not in html and "onmouseover" not in html
    assert "Nghị quyết số 57 &amp; mục tiêu" in html
    with pytest.raises(Exception) as caught:
        services.create_question(
            w["bank"], category, "single", "<p></p>", [("a", True), ("b", False)]
        )
    assert "cần có nội dung" in str(caught.value)


def _sheet(header, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "cau-hoi.xlsx"
    return buffer


HEADER = [
    "Nhóm",
    "Loại",
    "Câu hỏi",
    "Phương án A",
    "Phương án B",
    "Phương án C",
    "Đáp án",
    "Giải thích",
]
ROWS = [
    [
        "Mục tiêu",
        "một",
        "Đến năm 2030, tỷ lệ doanh nghiệp đổi mới sáng tạo đạt bao nhiêu?",
        "30%",
        "40%",
        "50%",
        "B",
        "",
    ],
    [
        "Mục tiêu",
        "nhiều",
        "Những nội dung nào là đột phá?",
        "Khoa học",
        "Công nghệ",
        "Du lịch",
        "A, B",
        "Cả hai",
    ],
    [
        "Giải pháp",
        "đúng/sai",
        "Chuyển đổi số chỉ là việc của ngành thông tin.",
        "",
        "",
        "",
        "B",
        "",
    ],
]


def test_the_import_adds_every_row_of_a_good_sheet(client, w):
    client.force_login(w["editor"])
    bank = w["bank1"]
    before = bank.questions.count()
    response = client.post(
        reverse("quiz_banks:import", args=[bank.pk]), {"file": _sheet(HEADER, ROWS)}
    )
    assert response.status_code == 302
    assert bank.questions.count() == before + 3
    tf = bank.questions.get(text__startswith="Chuyển đổi số chỉ là")
    assert [(a.text, a.is_correct) for a in tf.answers.order_by("sort_order")] == [
        ("Đúng", False),
        ("Sai", True),
    ]
    assert set(bank.categories.values_list("name", flat=True)) >= {"Mục tiêu", "Giải pháp"}
    # the template downloads
    template = client.get(reverse("quiz_banks:import", args=[bank.pk]) + "?mau=1")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd")


def test_a_sheet_with_missing_columns_imports_nothing_and_names_them(client, w):
    client.force_login(w["editor"])
    bank = w["bank1"]
    before = bank.questions.count()
    header = ["Nhóm", "Câu hỏi", "Phương án A", "Phương án B"]
    response = client.post(
        reverse("quiz_banks:import", args=[bank.pk]),
        {"file": _sheet(header, [["Mục tiêu", "Câu?", "a", "b"]])},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tệp thiếu cột: Loại, Đáp án" in text
    assert bank.questions.count() == before


def test_one_bad_row_imports_nothing(w):
    bank = w["bank1"]
    before = bank.questions.count()
    rows = [*ROWS, ["Mục tiêu", "một", "Câu không có đáp án", "x", "y", "", "", ""]]
    with pytest.raises(Exception) as caught:
        importer.import_questions(bank, _sheet(HEADER, rows))
    assert "dòng 5" in str(caught.value) and "chưa có đáp án đúng" in str(caught.value)
    assert bank.questions.count() == before
    with pytest.raises(Exception) as caught:
        importer.import_questions(bank, io.BytesIO(b"not a spreadsheet"))
    assert "Không đọc được tệp" in str(caught.value)


def test_the_bank_form_offers_only_the_editors_units(client, w, tree):
    client.force_login(w["editor"])
    page = resolution(tree["province"], title="Nghị quyết khác", number="66-NQ/TW")
    response = client.post(
        reverse("quiz_banks:add"),
        {
            "title": "Ngân hàng lạ",
            "resolution": page.pk,
            "audience": "dang_vien",
            "org": tree["d2"].pk,
        },
    )
    assert response.status_code == 200
    assert not QuestionBank.objects.filter(title="Ngân hàng lạ").exists()
    response = client.post(
        reverse("quiz_banks:add"),
        {
            "title": "Ngân hàng huyện",
            "resolution": page.pk,
            "audience": "dang_vien",
            "org": tree["d1"].pk,
        },
    )
    assert response.status_code == 302


def test_the_bank_form_never_names_another_districts_resolution(client, w, tree):
    elsewhere = resolution(tree["d2"], title="Nghị quyết riêng của huyện 2", number="09-NQ/HU")
    client.force_login(w["editor"])
    page = client.get(reverse("quiz_banks:add"))
    assert page.status_code == 200
    assert "Nghị quyết riêng của huyện 2" not in page.content.decode()
    response = client.post(
        reverse("quiz_banks:add"),
        {
            "title": "Lấy trộm",
            "resolution": elsewhere.pk,
            "audience": "dang_vien",
            "org": tree["d1"].pk,
        },
    )
    assert response.status_code == 200
    assert not QuestionBank.objects.filter(title="Lấy trộm").exists()
