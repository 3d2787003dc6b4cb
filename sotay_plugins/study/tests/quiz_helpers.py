"""Helpers of the quizzes' tests (plain functions; each test module makes its own fixtures)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone
from wagtail.models import Page

from sotay_plugins.study.quizzes import services
from sotay_plugins.study.quizzes.models import Category, QuestionBank, Quiz
from sotay_plugins.study.resolutions.models import ResolutionPage, StudyIndexPage
from tests.factories import MemberFactory, UserFactory, grant


def resolution(org, audience=None, title="Nghị quyết số 57-NQ/TW", number="57-NQ/TW"):
    """A live resolution page issued by ``org`` for ``audience`` (default: ``org``)."""
    index = StudyIndexPage.objects.first()
    if index is None:
        root = Page.get_first_root_node()
        index = root.add_child(instance=StudyIndexPage(title="Học tập nghị quyết", slug="hoc-tap"))
    page = ResolutionPage(
        title=title,
        slug=f"nq-{ResolutionPage.objects.count() + 1}-{random.randint(0, 10**6)}",  # noqa: S311
        number=number,
        issued_on=date(2024, 12, 22),
        summary="Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo",
        issuer_org=org,
        audience_org=audience or org,
        live=True,
    )
    index.add_child(instance=page)
    return page


def bank_with_questions(page, org, n=12, audience="dang_vien", categories=("Chung", "Mục tiêu")):
    """A bank of ``n`` questions over ``categories``: question i has answers "đúng i" (the
    correct one) and three wrong ones; every fourth is a multiple-answer question with two
    correct answers, every fifth a true/false one."""
    bank = QuestionBank.objects.create(
        resolution=page, audience=audience, org=org, title="Ngân hàng"
    )
    cats = [
        Category.objects.create(bank=bank, name=name, position=i)
        for i, name in enumerate(categories)
    ]
    for i in range(n):
        category = cats[i % len(cats)]
        if i % 5 == 4:
            services.create_question(
                bank,
                category,
                "true_false",
                f"Câu đúng/sai {i}",
                [("Đúng", True), ("Sai", False)],
                explanation=f"Giải thích {i}",
            )
        elif i % 4 == 3:
            services.create_question(
                bank,
                category,
                "multiple",
                f"Câu nhiều đáp án {i}",
                [
                    (f"đúng {i}", True),
                    (f"cũng đúng {i}", True),
                    (f"sai {i}", False),
                    (f"sai nữa {i}", False),
                ],
                explanation=f"Giải thích {i}",
            )
        else:
            services.create_question(
                bank,
                category,
                "single",
                f"Câu hỏi {i}",
                [
                    (f"đúng {i}", True),
                    (f"sai a {i}", False),
                    (f"sai b {i}", False),
                    (f"sai c {i}", False),
                ],
                explanation=f"Giải thích {i}",
            )
    return bank


def quiz(bank, issuer, audience=None, **fields):
    now = timezone.now()
    defaults = {
        "title": "Kiểm tra Nghị quyết 57",
        "question_count": 5,
        "time_limit_minutes": 15,
        "max_attempts": 2,
        "pass_mark": 60,
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=7),
        "published": True,
        "exclude_without_smartphone": True,
    }
    defaults.update(fields)
    return Quiz.objects.create(
        bank=bank, issuer_org=issuer, audience_org=audience or issuer, **defaults
    )


def correct_ids(question_id):
    from sotay_plugins.study.quizzes.models import Answer

    return sorted(
        Answer.objects.filter(question_id=question_id, is_correct=True).values_list("pk", flat=True)
    )


def answer_all(attempt, member, right=True):
    """Save an answer to every question of the attempt: the correct one(s), or a wrong one."""
    from sotay_plugins.study.quizzes.models import Answer

    choices = []
    for item in attempt.items.all():
        good = correct_ids(item.question_id)
        if right:
            choices.append(services.Choice(item.question_id, tuple(good)))
        else:
            wrong = Answer.objects.filter(question_id=item.question_id, is_correct=False).first()
            choices.append(services.Choice(item.question_id, (wrong.pk,)))
    services.save_answers(attempt.pk, member.pk, choices)


def world(tree):
    """A province resolution for everyone, with a bank and a published quiz for district 1 only
    (d1's units), members in and out of it, and staff."""
    page = resolution(tree["province"])
    bank = bank_with_questions(page, tree["province"])
    q = quiz(bank, tree["province"], tree["d1"])
    editor = UserFactory()
    grant(editor, "document_uploader", tree["d1"])
    other_editor = UserFactory()
    grant(other_editor, "document_uploader", tree["d2"])
    return {
        "page": page,
        "bank": bank,
        "quiz": q,
        "a": MemberFactory(cell=tree["c11"], full_name="Đảng viên A"),
        "b": MemberFactory(cell=tree["c12"], full_name="Đảng viên B"),
        "far": MemberFactory(cell=tree["c21"], full_name="Đảng viên xa"),
        "hamlet": MemberFactory(cell=tree["c11"], group="hamlet"),
        "no_phone": MemberFactory(cell=tree["c11"], has_smartphone=False),
        "editor": editor,
        "other_editor": other_editor,
    }
