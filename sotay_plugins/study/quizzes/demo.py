"""Demo data of the quizzes, for ``seed_demo`` (``DemoSeeder`` "study.quizzes", after the
resolutions' seeder).

- a bank of 31 questions on Resolution 52-NQ/TW for party members (``demo_questions``) and one
  of 14 of them for union and association members, kept by the province;
- one quiz per audience (10 questions, 15 minutes, 2 attempts, pass mark 70 %), open since ten
  days and for three weeks more; the members' quiz leaves out those exempt from activities or
  working far away, and members without a smartphone;
- attempts by members (every scale): about 55 % (tiny, small) or 15 % (province: ~16,000
  members, ~160,000 answers) of the members the quiz takes, a second attempt for some who
  failed; answers drawn from an ability per member and a difficulty per question, with one
  question whose distractor strong members fall for (so the item statistics flag something).
  Passes are recorded (``QuizPass``) and, up to ``SIGNAL_LIMIT`` of them, announced with
  ``points_earned`` as a real submission does.

Rows go in with ``bulk_create``. The resolution is the one numbered 52-NQ/TW (the resolutions'
demo makes it); without it, the first resolution; without any, nothing is seeded.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.signals import points_earned

from ..resolutions.models import Audience, ResolutionPage
from . import services
from .demo_questions import FOR_UNIONS, QUESTIONS
from .models import (
    Answer,
    AttemptQuestion,
    Category,
    Question,
    QuestionBank,
    Quiz,
    QuizAttempt,
    QuizPass,
)

SHARES = {"tiny": 0.55, "small": 0.55, "province": 0.15}
SIGNAL_LIMIT = 3000
TRICKY = 6  # the question whose second distractor tempts the strong members


def _rng(seed):
    return random.Random(f"study.quizzes:{seed}")  # noqa: S311 - demo data, not security


def _bank(page, province, audience, title, entries):
    bank, created = QuestionBank.objects.get_or_create(
        resolution=page, audience=audience, org=province, defaults={"title": title}
    )
    if not created:
        return bank
    categories = {}
    for name, kind, text, answers, explanation in entries:
        if name not in categories:
            categories[name] = Category.objects.create(
                bank=bank, name=name, position=len(categories)
            )
        services.create_question(bank, categories[name], kind, text, answers, explanation)
    return bank


def _quiz(bank, province, title, now, **fields):
    quiz, _created = Quiz.objects.get_or_create(
        bank=bank,
        issuer_org=province,
        title=title,
        defaults={
            "audience_org": province,
            "intro": "Mỗi lượt 10 câu hỏi rút ngẫu nhiên; làm trong 15 phút; được làm 2 lần.",
            "question_count": 10,
            "time_limit_minutes": 15,
            "max_attempts": 2,
            "pass_mark": 70,
            "opens_at": now - timedelta(days=10),
            "closes_at": now + timedelta(days=21),
            "published": True,
            **fields,
        },
    )
    return quiz


def seed_demo(*, scale="tiny", seed=1, stdout=None):
    rng = _rng(seed)
    province = Organisation.objects.filter(kind=OrgKind.PROVINCE, is_active=True).first()
    page = (
        ResolutionPage.objects.filter(number="52-NQ/TW").order_by("pk").first()
        or ResolutionPage.objects.order_by("pk").first()
    )
    if province is None or page is None:
        if stdout is not None:
            stdout.write("Bài kiểm tra: chưa có nghị quyết nào, bỏ qua.")
        return
    now = timezone.now()
    with transaction.atomic():
        members_bank = _bank(
            page, province, Audience.DANG_VIEN, f"Nghị quyết {page.number} — đảng viên", QUESTIONS
        )
        unions_bank = _bank(
            page,
            province,
            Audience.DOAN_VIEN_HOI_VIEN,
            f"Nghị quyết {page.number} — đoàn viên, hội viên",
            [QUESTIONS[i] for i in FOR_UNIONS],
        )
        members_quiz = _quiz(
            members_bank,
            province,
            f"Kiểm tra nhận thức Nghị quyết {page.number} (đảng viên)",
            now,
            excluded_groups=frozenset({"exempt", "far_away"}),
            exclude_without_smartphone=True,
        )
        _quiz(
            unions_bank,
            province,
            f"Tìm hiểu Nghị quyết {page.number} (đoàn viên, hội viên)",
            now,
            exclude_without_smartphone=False,
        )
        if QuizAttempt.objects.filter(quiz=members_quiz).exists():
            return  # seeded already
        made, passed = _attempts(rng, members_quiz, scale, now)
    announced = 0
    for member_id, at in passed[:SIGNAL_LIMIT]:
        points_earned.send(
            sender=QuizAttempt,
            rule=services.POINTS_RULE,
            member_id=member_id,
            source=f"study.quiz:{members_quiz.pk}",
            at=at,
        )
        announced += 1
    if stdout is not None:
        stdout.write(
            f"Bài kiểm tra: 2 ngân hàng ({members_bank.questions.count()} và "
            f"{unions_bank.questions.count()} câu hỏi), 2 bài kiểm tra, {made} lượt làm bài, "
            f"{len(passed)} đảng viên đạt ({announced} lượt báo điểm)."
        )


def _attempts(rng, quiz, scale, now):
    """Attempts of a share of the members the quiz takes; returns (attempts, [(member, at)])."""
    questions = list(
        Question.objects.filter(bank=quiz.bank).order_by("pk").values_list("pk", flat=True)
    )
    answers = {}
    for qid, aid, ok in (
        Answer.objects.filter(question_id__in=questions)
        .order_by("sort_order", "pk")
        .values_list("question_id", "pk", "is_correct")
    ):
        answers.setdefault(qid, []).append((aid, ok))
    difficulty = {qid: rng.uniform(-0.15, 0.2) for qid in questions}
    tricky = questions[TRICKY] if len(questions) > TRICKY else None
    excluded = quiz._meta.get_field("excluded_groups").to_python(quiz.excluded_groups)
    candidates = (
        Member.objects.filter(status="active", cell__kind=OrgKind.CELL)
        .exclude(group__in=list(excluded))
        .filter(has_smartphone=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = [m for m in candidates if rng.random() < SHARES.get(scale, 0.5)]
    attempts, plans = [], []
    for member_id in chosen:
        ability = rng.uniform(0.35, 0.97)
        tries = 1 if rng.random() < 0.7 else 2
        for number in range(1, tries + 1):
            started = now - timedelta(days=rng.uniform(0.2, 9.5))
            drawn = rng.sample(questions, min(quiz.question_count, len(questions)))
            items = []
            for position, qid in enumerate(drawn, start=1):
                order = [aid for aid, _ok in answers[qid]]
                rng.shuffle(order)
                right = [aid for aid, ok in answers[qid] if ok]
                wrong = [aid for aid, ok in answers[qid] if not ok]
                if qid == tricky and ability > 0.7 and rng.random() < 0.8:
                    chosen_ids, correct = [wrong[-1]], False
                elif rng.random() < ability + (0.05 * (number - 1)) - difficulty[qid]:
                    chosen_ids, correct = right, True
                else:
                    chosen_ids, correct = [rng.choice(wrong)], False
                items.append((qid, position, order, chosen_ids, correct))
            score = sum(1 for item in items if item[4])
            percent = services._percent(score, len(items))
            attempt = QuizAttempt(
                quiz=quiz,
                member_id=member_id,
                number=number,
                started_at=started,
                deadline=started + timedelta(minutes=quiz.time_limit_minutes),
                submitted_at=started
                + timedelta(minutes=rng.uniform(3, quiz.time_limit_minutes - 1)),
                total=len(items),
                score=score,
                percent=percent,
                passed=percent >= Decimal(quiz.pass_mark),
            )
            attempts.append(attempt)
            plans.append(items)
            if attempt.passed:
                break
    QuizAttempt.objects.bulk_create(attempts, batch_size=2000)
    AttemptQuestion.objects.bulk_create(
        (
            AttemptQuestion(
                attempt=attempt,
                question_id=qid,
                position=position,
                answer_order=order,
                selected=chosen_ids,
                answered_at=attempt.started_at + timedelta(seconds=30 * position),
                correct=correct,
            )
            for attempt, items in zip(attempts, plans, strict=True)
            for qid, position, order, chosen_ids, correct in items
        ),
        batch_size=5000,
    )
    passes = {}
    for attempt in attempts:
        if attempt.passed and attempt.member_id not in passes:
            passes[attempt.member_id] = attempt
    QuizPass.objects.bulk_create(
        (
            QuizPass(
                member_id=a.member_id,
                resolution_id=quiz.bank.resolution_id,
                audience=quiz.bank.audience,
                quiz=quiz,
                attempt=a,
                passed_at=a.submitted_at,
            )
            for a in passes.values()
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(attempts), [(m, a.submitted_at) for m, a in passes.items()]
