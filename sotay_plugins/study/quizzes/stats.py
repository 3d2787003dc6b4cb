"""Item statistics of a quiz, computed as Moodle's quiz statistics report does.

Moodle (docs "Quiz statistics calculations"): item analysis uses each member's *first* attempt
only (later attempts break its assumptions); with random questions, each question's statistics
are taken over the attempts in which it appeared. For a question i and those attempts:

- facility index F = 100 · mean(x_i) / max score: the % of members who got it right (0/1 items);
- discrimination index D = 100 · r(x_i, X − x_i): Pearson's correlation between the item score
  and the rest of the test (the attempt's score without this item);
- per-answer frequencies: how many chose each answer.

Members the quiz leaves out (its excluded groups; without a smartphone, if so set) are left out
here too. A question is flagged when most strong members miss it (the upper third by score of
the attempts it appeared in, at least 3 of them, more than half wrong: the key may be wrong or
the question ambiguous) and when its discrimination is negative (weaker members do better).

The figures are kept in the cache, keyed by the number of first attempts and the last
submission time: a new submission makes the next view recompute (one query and one pass).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Max, Q

from .models import Answer, AttemptQuestion, Question, QuizAttempt

STRONG_SHARE = 1 / 3
STRONG_MIN = 3
CACHE_SECONDS = 15 * 60


@dataclass
class AnswerStat:
    id: int
    text: str
    is_correct: bool
    count: int = 0
    percent: float = 0.0


@dataclass
class ItemStat:
    question_id: int
    text: str
    kind: str
    n: int = 0
    facility: float | None = None
    sd: float | None = None
    discrimination: float | None = None
    strong_n: int = 0
    strong_missed: float | None = None
    answers: list[AnswerStat] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class QuizStats:
    attempts: int
    mean_percent: float | None
    pass_rate: float | None
    items: list[ItemStat]


def counted_attempts(quiz):
    """First attempts, submitted, of members the quiz does not leave out."""
    groups = quiz._meta.get_field("excluded_groups").to_python(quiz.excluded_groups)
    qs = QuizAttempt.objects.filter(quiz=quiz, number=1, submitted_at__isnull=False)
    if groups:
        qs = qs.exclude(member__group__in=list(groups))
    if quiz.exclude_without_smartphone:
        qs = qs.filter(member__has_smartphone=True)
    return qs


def _pearson(xs, ys):
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def quiz_statistics(quiz, use_cache=True):
    attempts = counted_attempts(quiz)
    stamp = attempts.aggregate(
        n=Count("pk"), last=Max("submitted_at"), ok=Count("pk", filter=Q(passed=True))
    )
    key = f"sotay:quizstats:{quiz.pk}:{stamp['n']}:{stamp['last'] and stamp['last'].timestamp()}"
    if use_cache and (cached := cache.get(key)) is not None:
        return cached
    stats = _compute(quiz, attempts, stamp)
    cache.set(key, stats, CACHE_SECONDS)
    return stats


def _compute(quiz, attempts, stamp):
    rows = list(
        AttemptQuestion.objects.filter(attempt__in=attempts.values("pk")).values_list(
            "attempt_id", "question_id", "correct", "selected", "attempt__score", "attempt__percent"
        )
    )
    per_question = defaultdict(list)  # question → [(x, rest, total score, selected)]
    percents = {}
    for attempt_id, question_id, correct, selected, score, percent in rows:
        x = 1 if correct else 0
        per_question[question_id].append((x, (score or 0) - x, score or 0, selected or []))
        percents[attempt_id] = float(percent or 0)
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=list(per_question)).only("pk", "text", "kind")
    }
    answers = defaultdict(list)
    for a in Answer.objects.filter(question_id__in=list(per_question)).order_by("sort_order", "pk"):
        answers[a.question_id].append(a)
    items = []
    for question_id, data in per_question.items():
        question = questions[question_id]
        n = len(data)
        xs = [d[0] for d in data]
        mean = sum(xs) / n
        sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1)) if n > 1 else None
        r = _pearson(xs, [d[1] for d in data])
        ordered = sorted(data, key=lambda d: d[2], reverse=True)
        strong = ordered[: max(1, round(n * STRONG_SHARE))] if n >= STRONG_MIN else []
        missed = (sum(1 - d[0] for d in strong) / len(strong)) if strong else None
        counts = defaultdict(int)
        for d in data:
            for aid in d[3]:
                counts[aid] += 1
        item = ItemStat(
            question_id=question_id,
            text=question.text,
            kind=question.kind,
            n=n,
            facility=round(100 * mean, 1),
            sd=round(100 * sd, 1) if sd is not None else None,
            discrimination=round(100 * r, 1) if r is not None else None,
            strong_n=len(strong),
            strong_missed=round(100 * missed, 1) if missed is not None else None,
            answers=[
                AnswerStat(
                    a.pk, a.text, a.is_correct, counts[a.pk], round(100 * counts[a.pk] / n, 1)
                )
                for a in answers[question_id]
            ],
        )
        if missed is not None and len(strong) >= STRONG_MIN and missed > 0.5:
            item.flags.append("strong_miss")
        if r is not None and r < 0:
            item.flags.append("negative_discrimination")
        items.append(item)
    items.sort(key=lambda i: (not i.flags, i.facility if i.facility is not None else 0))
    n = stamp["n"]
    mean_percent = round(sum(percents.values()) / len(percents), 1) if percents else None
    return QuizStats(
        attempts=n,
        mean_percent=mean_percent,
        pass_rate=round(100 * stamp["ok"] / n, 1) if n else None,
        items=items,
    )
