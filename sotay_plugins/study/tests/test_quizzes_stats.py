"""Item statistics as Moodle computes them, and pass rates per unit rolled up the tree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sotay_plugins.study.quizzes import reports, services, stats
from sotay_plugins.study.quizzes.models import Answer
from tests.factories import MemberFactory

from .quiz_helpers import bank_with_questions, correct_ids, quiz, resolution

pytestmark = pytest.mark.django_db


def _take(q, member, right_for):
    """One attempt answering the questions in ``right_for`` (question ids) right, others wrong."""
    attempt, _ = services.start(q, member)
    choices = []
    for item in attempt.items.all():
        if item.question_id in right_for:
            choices.append(services.Choice(item.question_id, tuple(correct_ids(item.question_id))))
        else:
            wrong = Answer.objects.filter(question_id=item.question_id, is_correct=False).first()
            choices.append(services.Choice(item.question_id, (wrong.pk,)))
    services.save_answers(attempt.pk, member.pk, choices)
    return services.submit(attempt.pk, member.pk)[0]


@pytest.fixture
def setup(tree):
    page = resolution(tree["province"])
    bank = bank_with_questions(page, tree["province"], n=4, categories=("Chung",))
    q = quiz(
        bank,
        tree["province"],
        question_count=4,
        pass_mark=50,
        excluded_groups=frozenset({"hamlet"}),
    )
    ids = sorted(bank.questions.values_list("pk", flat=True))
    return {"quiz": q, "ids": ids, "tree": tree}


def test_facility_discrimination_frequencies_and_the_flag(setup):
    q, (q1, q2, q3, q4), tree = setup["quiz"], setup["ids"], setup["tree"]
    # Strong members (3-4 right) all miss q4; weak ones get q4 right: a key that may be wrong.
    plans = [
        {q1, q2, q3},
        {q1, q2, q3},
        {q1, q2, q3},
        {q1, q4},
        {q1, q4},
        {q1, q4},
        {q4},
        {q4},
        {q2},
    ]
    cells = [tree["c11"], tree["c12"], tree["c21"]]
    for i, plan in enumerate(plans):
        _take(q, MemberFactory(cell=cells[i % 3]), plan)
    # excluded group and a second attempt do not count
    hamlet = MemberFactory(cell=tree["c11"], group="hamlet")
    q.excluded_groups = frozenset()
    q.save()
    _take(q, hamlet, {q1, q2, q3, q4})
    q.excluded_groups = frozenset({"hamlet"})
    q.save()
    figures = stats.quiz_statistics(q, use_cache=False)
    assert figures.attempts == 9
    items = {i.question_id: i for i in figures.items}
    assert items[q1].facility == round(100 * 6 / 9, 1)
    assert items[q4].facility == round(100 * 5 / 9, 1)
    # q4: strongest third (3 attempts of 3 right) all missed it
    assert items[q4].strong_missed == 100.0 and "strong_miss" in items[q4].flags
    assert items[q4].discrimination < 0 and "negative_discrimination" in items[q4].flags
    assert items[q1].discrimination > 0 and not items[q1].flags
    # flagged questions come first
    flagged = [bool(i.flags) for i in figures.items]
    assert flagged == sorted(flagged, reverse=True)
    # frequencies: each answer counted by how many chose it
    right = items[q1].answers
    assert sum(a.count for a in right if a.is_correct) == 6
    assert sum(a.count for a in right) == 9


def test_pass_rates_and_scores_roll_up_the_tree(setup):
    q, ids, tree = setup["quiz"], setup["ids"], setup["tree"]
    a = MemberFactory(cell=tree["c11"])
    b = MemberFactory(cell=tree["c12"])
    c = MemberFactory(cell=tree["c21"])
    _take(q, a, set(ids))  # 100 %
    _take(q, b, set(ids[:1]))  # 25 %, failed
    _take(q, b, set(ids))  # then 100 %: the best counts
    _take(q, c, set())  # 0 %
    hamlet = MemberFactory(cell=tree["c21"], group="hamlet")
    with pytest.raises(services.QuizError):
        services.start(q, hamlet)
    units = [tree["province"], tree["d1"], tree["d2"], tree["c11"]]
    rows = dict(reports.quiz_report(q, units))
    assert rows[tree["province"]].participants == 3
    assert rows[tree["province"]].passed == 2
    assert rows[tree["d1"]].pass_rate == 100.0 and rows[tree["d1"]].average_score == 100.0
    assert rows[tree["d2"]].pass_rate == 0.0
    assert rows[tree["c11"]].participants == 1
    # the reports' roll-up of the month: attempts and members, the hamlet member never counted
    from sotay_plugins.registry import registry

    month = timezone.localdate().replace(day=1)
    provider = registry.statistics["study.quizzes"]
    found = {
        (f.cell_id, f.measure): f.value
        for f in provider.period_rows(month, (month + timedelta(days=32)).replace(day=1))
    }
    assert sum(n for (_c, m), n in found.items() if m == "participants") == 3
    assert sum(n for (_c, m), n in found.items() if m == "passers") == 2
