"""The quizzes' demo seeder: real questions, a quiz per audience, attempts whose statistics mean
something, passes recorded; a second run adds nothing."""

from __future__ import annotations

import io

import pytest

from sotay_plugins.registry import registry
from sotay_plugins.study.quizzes import stats
from sotay_plugins.study.quizzes.models import QuestionBank, Quiz, QuizAttempt, QuizPass
from tests.factories import MemberFactory

from .quiz_helpers import resolution

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_banks_quizzes_and_attempts(tree):
    page = resolution(tree["province"], number="52-NQ/TW")
    for i in range(40):
        MemberFactory(cell=tree[("c11", "c12", "c21", "c22")[i % 4]])
    seeder = registry.demo_seeders["study.quizzes"]
    out = io.StringIO()
    seeder.seed(scale="tiny", seed=3, stdout=out)
    banks = QuestionBank.objects.filter(resolution=page)
    assert {b.audience for b in banks} == {"dang_vien", "doan_vien_hoi_vien"}
    members_bank = banks.get(audience="dang_vien")
    assert members_bank.questions.count() >= 30
    assert all(q.answers.filter(is_correct=True).exists() for q in members_bank.questions.all())
    assert Quiz.objects.filter(bank__resolution=page, published=True).count() == 2
    quiz = Quiz.objects.get(bank=members_bank)
    attempts = QuizAttempt.objects.filter(quiz=quiz)
    assert attempts.count() >= 10
    assert QuizPass.objects.filter(quiz=quiz).count() == (
        attempts.filter(passed=True).values("member").distinct().count()
    )
    figures = stats.quiz_statistics(quiz, use_cache=False)
    assert figures.attempts > 0 and figures.items
    assert "Bài kiểm tra:" in out.getvalue()
    before = attempts.count()
    seeder.seed(scale="tiny", seed=3, stdout=io.StringIO())
    assert QuizAttempt.objects.filter(quiz=quiz).count() == before
