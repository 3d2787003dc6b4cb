"""Quiz results per unit, rolled up the tree (SPEC.md module 5: "quiz results").

For each quiz and each member who submitted at least one attempt, the member's best attempt
counts: a participant, passed or not, and the best score (%). Members the quiz leaves out (its
excluded groups; those without a smartphone, if so set) are not counted, as the seeds ask.
Figures are summed from each member's cell up through every ancestor (a walk over parent ids,
depth ≤ 5), so a unit's figure is its whole subtree's.

Scope: ``quiz_report`` reaches only units under those where the user holds
``study.view_quiz_results`` (or keeps the quizzes). The figures per cell and month for the
reports module are ``statistics``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Max, Value, When

from sotay_plugins.orgtree.models import Organisation

from .models import QuizAttempt


@dataclass
class Figures:
    participants: int = 0
    passed: int = 0
    score_sum: float = 0.0

    @property
    def pass_rate(self):
        return round(100 * self.passed / self.participants, 1) if self.participants else None

    @property
    def average_score(self):
        return round(self.score_sum / self.participants, 1) if self.participants else None


def best_attempts(quizzes):
    """``[(quiz_id, cell_id, best percent, passed)]`` per (quiz, member), excluded members left
    out. ``quizzes``: a queryset or list of Quiz."""
    quizzes = {q.pk: q for q in quizzes}
    if not quizzes:
        return []
    rows = (
        QuizAttempt.objects.filter(quiz_id__in=list(quizzes), submitted_at__isnull=False)
        .values(
            "quiz_id", "member_id", "member__cell_id", "member__group", "member__has_smartphone"
        )
        .annotate(
            best=Max("percent"),
            ok=Max(
                Case(When(passed=True, then=Value(1)), default=Value(0)),
                output_field=IntegerField(),
            ),
        )
        .order_by()
    )
    out = []
    for row in rows:
        quiz = quizzes[row["quiz_id"]]
        if row["member__group"] in _groups(quiz) or (
            quiz.exclude_without_smartphone and not row["member__has_smartphone"]
        ):
            continue
        out.append(
            (row["quiz_id"], row["member__cell_id"], float(row["best"] or 0), bool(row["ok"]))
        )
    return out


def _groups(quiz):
    return quiz._meta.get_field("excluded_groups").to_python(quiz.excluded_groups)


def _parents(cell_ids):
    """``{org id: parent id}`` for the cells and all their ancestors (one query per level)."""
    parents, todo = {}, set(cell_ids)
    while todo:
        rows = Organisation.objects.filter(pk__in=todo).values_list("pk", "parent_id")
        todo = set()
        for pk, parent in rows:
            parents[pk] = parent
            if parent is not None and parent not in parents:
                todo.add(parent)
    return parents


def rolled_up(rows, by_quiz=False):
    """Sum ``best_attempts`` rows from each cell up to the root: ``{(quiz_id|None, org_id):
    Figures}``."""
    parents = _parents({cell for _q, cell, _b, _p in rows})
    totals = defaultdict(Figures)
    for quiz_id, cell, best, ok in rows:
        key_quiz = quiz_id if by_quiz else None
        unit = cell
        while unit is not None:
            fig = totals[(key_quiz, unit)]
            fig.participants += 1
            fig.passed += ok
            fig.score_sum += best
            unit = parents.get(unit)
    return totals


def quiz_report(quiz, units):
    """One quiz's figures for ``units`` (Organisation objects the caller may see): ``[(unit,
    Figures)]`` in the order given."""
    totals = rolled_up(best_attempts([quiz]), by_quiz=True)
    return [(unit, totals.get((quiz.pk, unit.pk), Figures())) for unit in units]
