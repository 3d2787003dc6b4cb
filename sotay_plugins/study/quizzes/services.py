"""The quiz's business rules: who may take a quiz, starting an attempt (drawing and shuffling),
saving answers as the member goes, submitting exactly once, grading, and ``passed``.

Exactly once, concretely:

- starting: ``(quiz, member, number)`` is unique and at most one attempt per member and quiz is
  open (a partial unique index): two tabs starting at once get the same attempt;
- saving: one row per drawn question (``AttemptQuestion``), written by an UPDATE of that row
  while the attempt row is locked (``SELECT … FOR NO KEY UPDATE``) and still open: a save is an
  idempotent upsert of the member's choice, a question outside the attempt has no row, and a
  save never lands after the grading read the answers;
- submitting: ``UPDATE attempt SET submitted_at = now WHERE id = … AND submitted_at IS NULL``;
  only the request whose UPDATE changed the row grades it, every other one (the second tab, a
  retry) waits for that transaction and answers with its result.

The server keeps the clock: ``deadline = min(start + time limit, closing time)`` is fixed at the
start; answers later than ``deadline + GRACE`` are refused (the grace absorbs the network delay
of a save sent in the last second).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sotay_plugins.orgtree import scope
from sotay_plugins.signals import points_earned

from ..resolutions.services import mark_quiz_passed
from .models import (
    Answer,
    AttemptQuestion,
    Question,
    QuestionKind,
    Quiz,
    QuizAttempt,
    QuizPass,
)

#: The points rule a passed quiz earns (registered by the points part of the plugin).
POINTS_RULE = "study.quiz_passed"


def grace():
    return timedelta(seconds=getattr(settings, "SOTAY_QUIZ_GRACE_SECONDS", 3))


class QuizError(ValidationError):
    """A refusal with its Vietnamese message, a ``code`` and the HTTP status the API answers."""

    def __init__(self, message, code, status=400, field=None):
        super().__init__({field: [message]} if field else message, code=code)
        self.status = status
        self.code = code
        self.field = field
        self.text = str(message)


# --- who sees and may take a quiz ----------------------------------------------------------------


def member_of(user):
    from sotay_plugins.members.services import current_member

    return current_member(user)


def visible_quizzes(user):
    """Published quizzes the user sees: members, those whose audience holds their cell (and whose
    position/group filters match); staff, those issued under a unit they manage quizzes of."""
    return scope.visible_to(user, Quiz.objects.filter(published=True))


def open_q(now=None):
    from django.db.models import Q

    now = now or timezone.now()
    return Q(opens_at__lte=now, closes_at__gt=now)


def excluded_q(member):
    """Quizzes that leave ``member`` out (their group, or no smartphone)."""
    from django.db.models import Q

    q = Q(excluded_groups__has_any={member.group})
    if not member.has_smartphone:
        q |= Q(exclude_without_smartphone=True)
    return q


def quizzes_for_member(user, member):
    """What a member may take: visible, published, not excluding them."""
    qs = visible_quizzes(user)
    if member is not None:
        qs = qs.exclude(excluded_q(member))
    return qs


def state_of(quiz, now=None):
    now = now or timezone.now()
    if now < quiz.opens_at:
        return "upcoming"
    if now >= quiz.closes_at:
        return "closed"
    return "open"


def check_may_take(quiz, member, now):
    if member is None:
        raise QuizError(
            _("Chỉ đảng viên có hồ sơ trên hệ thống mới làm bài kiểm tra."), "not_member", 403
        )
    if quiz.excludes(member):
        raise QuizError(
            _(
                "Nhóm đảng viên của đồng chí không thuộc đối tượng làm bài kiểm tra này; "
                "kết quả của nhóm cũng không tính vào thống kê."
            ),
            "excluded",
            403,
        )
    if now < quiz.opens_at:
        raise QuizError(
            _("Bài kiểm tra chưa mở; mở lúc %(at)s.")
            % {"at": timezone.localtime(quiz.opens_at).strftime("%H:%M %d/%m/%Y")},
            "not_open",
            409,
        )
    if now >= quiz.closes_at:
        raise QuizError(_("Bài kiểm tra đã đóng, không nhận bài làm mới."), "closed", 409)


# --- starting ----------------------------------------------------------------------------------


def _rng():
    return secrets.SystemRandom()


def draw(quiz, rng):
    """``[(question_id, [answer ids shuffled])]``: ``question_count`` questions of the quiz's
    categories (active ones), in random order, each with its answers shuffled."""
    pool = Question.objects.filter(bank_id=quiz.bank_id, is_active=True)
    category_ids = list(quiz.categories.values_list("pk", flat=True))
    if category_ids:
        pool = pool.filter(category_id__in=category_ids)
    ids = sorted(pool.values_list("pk", flat=True))
    if not ids:
        raise QuizError(_("Bài kiểm tra chưa có câu hỏi nào."), "no_questions", 409)
    chosen = rng.sample(ids, min(quiz.question_count, len(ids)))
    answers = {}
    for question_id, answer_id in (
        Answer.objects.filter(question_id__in=chosen)
        .order_by("sort_order", "pk")
        .values_list("question_id", "pk")
    ):
        answers.setdefault(question_id, []).append(answer_id)
    drawn = []
    for question_id in chosen:
        order = answers.get(question_id, [])
        rng.shuffle(order)
        drawn.append((question_id, order))
    return drawn


def start(quiz, member, now=None, rng=None):
    """The member's attempt in progress (resumed: another device, a reload), or a new one.

    Returns ``(attempt, created)``. Refused (QuizError): excluded group, not open yet or closed,
    all attempts used.
    """
    now = now or timezone.now()
    check_may_take(quiz, member, now)
    current = (
        QuizAttempt.objects.filter(quiz=quiz, member=member, submitted_at__isnull=True)
        .order_by("-number")
        .first()
    )
    if current is not None:
        if now <= current.deadline + grace():
            return current, False
        submit(current.pk, member.pk, now=now, timed_out=True)
    used = QuizAttempt.objects.filter(quiz=quiz, member=member).count()
    if used >= quiz.max_attempts:
        raise QuizError(
            ngettext(
                "Đồng chí đã làm đủ %(n)s lần cho phép của bài kiểm tra này.",
                "Đồng chí đã làm đủ %(n)s lần cho phép của bài kiểm tra này.",
                quiz.max_attempts,
            )
            % {"n": quiz.max_attempts},
            "attempts_used",
            409,
        )
    drawn = draw(quiz, rng or _rng())
    deadline = min(now + timedelta(minutes=quiz.time_limit_minutes), quiz.closes_at)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                quiz=quiz,
                member=member,
                number=used + 1,
                started_at=now,
                deadline=deadline,
                total=len(drawn),
            )
            AttemptQuestion.objects.bulk_create(
                AttemptQuestion(attempt=attempt, question_id=qid, position=i, answer_order=order)
                for i, (qid, order) in enumerate(drawn, start=1)
            )
    except IntegrityError:
        # Another tab started it at the same moment: that attempt is this one.
        attempt = QuizAttempt.objects.filter(
            quiz=quiz, member=member, submitted_at__isnull=True
        ).first()
        if attempt is None:
            raise QuizError(
                _("Lượt làm bài vừa được tạo ở nơi khác; xin tải lại trang."), "conflict", 409
            ) from None
        return attempt, False
    return attempt, True


# --- saving answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    question: int
    selected: tuple[int, ...]


def parse_answers(raw):
    """``raw``: ``{"question": id, "selected": [ids]}`` or ``{"answers": [such objects]}`` (the
    API's body) → ``[Choice]``. Malformed input raises QuizError naming the field."""
    if isinstance(raw, dict) and "answers" in raw:
        items = raw["answers"]
        if not isinstance(items, list) or not items:
            raise QuizError(
                _("“answers” phải là danh sách các câu trả lời."), "invalid", field="answers"
            )
    else:
        items = [raw]
    choices = {}
    for item in items:
        if not isinstance(item, dict):
            raise QuizError(_("Mỗi câu trả lời là một đối tượng JSON."), "invalid", field="answers")
        question, selected = item.get("question"), item.get("selected")
        if not isinstance(question, int) or isinstance(question, bool):
            raise QuizError(_("Cần mã câu hỏi (số nguyên)."), "invalid", field="question")
        if selected is None:
            selected = []
        if not isinstance(selected, list) or not all(
            isinstance(a, int) and not isinstance(a, bool) for a in selected
        ):
            raise QuizError(
                _("“selected” là danh sách mã phương án (số nguyên)."), "invalid", field="selected"
            )
        choices[question] = Choice(question, tuple(dict.fromkeys(selected)))
    return list(choices.values())


def _too_late(attempt, now):
    return now > attempt.deadline + grace()


def _refuse_closed(attempt, now):
    if attempt.submitted_at is not None:
        raise QuizError(_("Bài đã nộp; không sửa được câu trả lời nữa."), "submitted", 409)
    if _too_late(attempt, now):
        raise QuizError(
            _("Đã hết giờ làm bài; câu trả lời gửi sau giờ nộp không được ghi nhận."), "late", 409
        )


def _refuse_queued(quiz_id):
    """An answer or a submit made with no network and replayed by the phone's queue: only for
    a quiz that allows it (``Quiz.allow_offline``)."""
    if not Quiz.objects.filter(pk=quiz_id, allow_offline=True).exists():
        raise QuizError(
            _(
                "Bài kiểm tra này cần có mạng khi làm bài: câu trả lời chọn lúc mất mạng không "
                "được ghi nhận. Xin chọn lại khi có mạng."
            ),
            "needs_network",
            403,
        )


def save_answers(attempt_id, member_id, choices, now=None, quiz_id=None, queued=False):
    """Write the member's choices into their open attempt; returns ``(how many were written,
    seconds left)``.

    All or nothing: a choice for a question outside the attempt, or naming an answer that is not
    one of the question's, refuses the whole request with nothing written. ``queued``: the
    choices were made offline and come from the phone's queue, refused unless the quiz allows
    answering offline; the clock is the server's as for any save (arriving after the deadline
    and its grace, they are refused).
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = QuizAttempt.objects.select_for_update(no_key=True).filter(
            pk=attempt_id, member_id=member_id
        )
        if quiz_id is not None:
            attempt = attempt.filter(quiz_id=quiz_id)
        attempt = attempt.only("pk", "quiz_id", "deadline", "submitted_at").first()
        if attempt is None:
            raise QuizError(_("Không tìm thấy lượt làm bài."), "not_found", 404)
        if queued:
            _refuse_queued(attempt.quiz_id)
        _refuse_closed(attempt, now)
        wanted = [c.question for c in choices]
        rows = {
            qid: (order, kind)
            for qid, order, kind in AttemptQuestion.objects.filter(
                attempt_id=attempt_id, question_id__in=wanted
            ).values_list("question_id", "answer_order", "question__kind")
        }
        missing = [qid for qid in wanted if qid not in rows]
        if missing:
            raise QuizError(
                _("Câu hỏi %(ids)s không thuộc lượt làm bài này; không câu trả lời nào được ghi.")
                % {"ids": ", ".join(str(i) for i in missing)},
                "not_in_attempt",
                field="question",
            )
        for choice in choices:
            order, kind = rows[choice.question]
            if not set(choice.selected) <= set(order):
                raise QuizError(
                    _("Phương án đã chọn không thuộc câu hỏi %(id)s.") % {"id": choice.question},
                    "bad_answer",
                    field="selected",
                )
            if kind != QuestionKind.MULTIPLE and len(choice.selected) > 1:
                raise QuizError(
                    _("Câu hỏi %(id)s chỉ chọn một phương án.") % {"id": choice.question},
                    "one_answer",
                    field="selected",
                )
        for choice in choices:
            AttemptQuestion.objects.filter(
                attempt_id=attempt_id, question_id=choice.question
            ).update(selected=list(choice.selected) or None, answered_at=now)
    return len(choices), max(0, int((attempt.deadline - now).total_seconds()))


_save_statements = {}


def _save_statement(by_token):
    """The one UPDATE of a save (built once per process): the caller named by their user id
    (``%(user)s``, the DRF view's path) or by their API token (``%(key)s`` and
    ``%(token_since)s``: the token's whole validity rule, ``authentication.token_sql``; the path
    answered in front of the middleware, ``api/fast.py``)."""
    if by_token in _save_statements:
        return _save_statements[by_token]
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from sotay_plugins import authentication
    from sotay_plugins.members.models import Member
    from sotay_plugins.prepared import Statement

    q = connection.ops.quote_name
    items, attempts = q(AttemptQuestion._meta.db_table), q(QuizAttempt._meta.db_table)
    questions, members = q(Question._meta.db_table), q(Member._meta.db_table)
    user = "%(user)s"
    if by_token:
        users = get_user_model()
        user = (
            f"(SELECT u.{q(users._meta.pk.column)} FROM {q(Token._meta.db_table)} AS t, "  # noqa: S608
            f"{q(users._meta.db_table)} AS u WHERE {authentication.token_sql('t', 'u')})"
        )
    sql = (
        f"UPDATE {items} AS aq SET selected = NULLIF(%(sel)s::jsonb, '[]'::jsonb), "  # noqa: S608
        f"answered_at = %(now)s FROM {questions} AS qn "
        f"WHERE aq.attempt_id = (SELECT a.id FROM {attempts} AS a "
        f"WHERE a.id = %(attempt)s AND a.quiz_id = %(quiz)s "
        f"AND a.member_id = (SELECT m.id FROM {members} AS m WHERE m.user_id = {user}) "
        f"AND a.submitted_at IS NULL AND a.deadline >= %(cutoff)s FOR NO KEY UPDATE) "
        f"AND aq.question_id = %(question)s AND qn.id = aq.question_id "
        f"AND aq.answer_order @> %(sel)s::jsonb "
        f"AND (qn.kind = %(multiple)s OR jsonb_array_length(%(sel)s::jsonb) <= 1) "
        f"RETURNING (SELECT a.deadline FROM {attempts} AS a WHERE a.id = aq.attempt_id)"
    )
    kind = "quiz_save_token" if by_token else "quiz_save"
    _save_statements[by_token] = Statement(kind, sql)
    return _save_statements[by_token]


def save_one_fast(user_id, quiz_id, attempt_id, choice, now=None, *, key=None):
    """The hot path of a save on PostgreSQL: one prepared UPDATE whose WHERE is the whole check
    (the caller's member — by ``user_id``, or by the API token ``key`` when given —, the attempt
    open and in time — its row locked as ``save_answers`` locks it —, the question drawn for it,
    the answers among the question's, one answer for a one-answer question). Returns the seconds
    left, or None when the row was not written: the caller then asks ``save_answers``, which says
    why (or writes it, if the attempt just became valid).
    """
    import json

    from django.db import connection

    from sotay_plugins import authentication

    if connection.vendor != "postgresql":
        return None
    now = now or timezone.now()
    values = {
        "sel": json.dumps(list(choice.selected)),
        "now": now,
        "attempt": attempt_id,
        "quiz": quiz_id,
        "cutoff": now - grace(),
        "question": choice.question,
        "multiple": QuestionKind.MULTIPLE.value,
    }
    if key is not None:
        values.update(authentication.token_sql_values(key, now))
    else:
        values["user"] = user_id
    statement = _save_statement(key is not None)
    with connection.cursor() as cursor:
        row = statement.run(connection, cursor, values)
    if row is None:
        return None
    return max(0, int((row[0] - now).total_seconds()))


# --- submitting ----------------------------------------------------------------------------------


def _percent(score, total):
    if not total:
        return Decimal("0.00")
    return (Decimal(100 * score) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def submit(attempt_id, member_id, now=None, timed_out=False, quiz_id=None, queued=False):
    """Close and grade the attempt once; every later call returns the same graded attempt.

    The first UPDATE both decides who grades (rowcount 1) and locks the row: a concurrent
    submit waits for this transaction, then finds the attempt submitted and reads its result.
    ``queued``: pressed with no network and replayed by the phone's queue (after the answers
    queued before it), refused unless the quiz allows answering offline.
    """
    now = now or timezone.now()
    mine = {"pk": attempt_id, "member_id": member_id}
    if quiz_id is not None:
        mine["quiz_id"] = quiz_id
    if queued:
        found = QuizAttempt.objects.filter(**mine).values_list("quiz_id", flat=True).first()
        if found is None:
            raise QuizError(_("Không tìm thấy lượt làm bài."), "not_found", 404)
        _refuse_queued(found)
    with transaction.atomic():
        won = QuizAttempt.objects.filter(submitted_at__isnull=True, **mine).update(
            submitted_at=now, timed_out=timed_out
        )
        attempt = QuizAttempt.objects.select_related("quiz", "quiz__bank").filter(**mine).first()
        if attempt is None:
            raise QuizError(_("Không tìm thấy lượt làm bài."), "not_found", 404)
        if not won:
            return attempt, False
        # A submit after the deadline is late: the answers saved in time are graded, and the
        # attempt counts as closed by the clock.
        if now > attempt.deadline + grace() and not timed_out:
            QuizAttempt.objects.filter(pk=attempt_id).update(timed_out=True)
            attempt.timed_out = True
        _grade(attempt)
    return attempt, True


def _grade_sql(attempt_id):
    """PostgreSQL: mark every row of the attempt right or wrong in one UPDATE (the chosen set
    equals the correct set: containment both ways, choices being distinct) and return the
    score, or None elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    q = connection.ops.quote_name
    items, answers = q(AttemptQuestion._meta.db_table), q(Answer._meta.db_table)
    sql = (
        f"UPDATE {items} AS aq SET correct = (SELECT c.ids IS NOT NULL "  # noqa: S608
        f"AND COALESCE(aq.selected, '[]'::jsonb) @> c.ids "
        f"AND c.ids @> COALESCE(aq.selected, '[]'::jsonb) "
        f"FROM (SELECT jsonb_agg(an.id) AS ids FROM {answers} AS an "
        f"WHERE an.question_id = aq.question_id AND an.is_correct) AS c) "
        f"WHERE aq.attempt_id = %(attempt)s RETURNING aq.correct"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"attempt": attempt_id})
        rows = cursor.fetchall()
    return sum(1 for (ok,) in rows if ok), len(rows)


def _grade(attempt):
    graded = _grade_sql(attempt.pk)
    if graded is not None:
        _finish(attempt, *graded)
        return
    items = list(
        AttemptQuestion.objects.filter(attempt_id=attempt.pk)
        .only("pk", "question_id", "selected")
        .order_by()
    )
    correct_sets = {}
    for question_id, answer_id in Answer.objects.filter(
        question_id__in=[i.question_id for i in items], is_correct=True
    ).values_list("question_id", "pk"):
        correct_sets.setdefault(question_id, set()).add(answer_id)
    score = 0
    for item in items:
        item.correct = bool(item.selected) and set(item.selected) == correct_sets.get(
            item.question_id, set()
        )
        score += item.correct
    AttemptQuestion.objects.bulk_update(items, ["correct"])
    _finish(attempt, score, len(items))


def _finish(attempt, score, total):
    attempt.score = score
    attempt.total = total
    attempt.percent = _percent(score, total)
    attempt.passed = attempt.percent >= attempt.quiz.pass_mark
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        score=attempt.score, total=attempt.total, percent=attempt.percent, passed=attempt.passed
    )
    if attempt.passed:
        _record_pass(attempt)


def _record_pass(attempt):
    quiz = attempt.quiz
    QuizPass.objects.bulk_create(
        [
            QuizPass(
                member_id=attempt.member_id,
                resolution_id=quiz.bank.resolution_id,
                audience=quiz.bank.audience,
                quiz=quiz,
                attempt=attempt,
                passed_at=attempt.submitted_at,
            )
        ],
        ignore_conflicts=True,
    )
    # The quiz half of the study's completion rule (the reading half is the resolutions' own):
    # completes the member's study of the resolution when they have read it to the end.
    mark_quiz_passed(attempt.member_id, quiz.bank.resolution_id, at=attempt.submitted_at)
    member_id, quiz_id, at = attempt.member_id, quiz.pk, attempt.submitted_at
    transaction.on_commit(
        lambda: points_earned.send(
            sender=QuizAttempt,
            rule=POINTS_RULE,
            member_id=member_id,
            source=f"study.quiz:{quiz_id}",
            at=at,
        )
    )


def close_expired(quiz=None, now=None):
    """Grade the attempts whose time ran out without a submission (the member closed the page):
    what they saved in time counts. Returns how many were closed."""
    now = now or timezone.now()
    stale = QuizAttempt.objects.filter(submitted_at__isnull=True, deadline__lt=now - grace())
    if quiz is not None:
        stale = stale.filter(quiz=quiz)
    closed = 0
    for attempt_id, member_id in stale.values_list("pk", "member_id"):
        closed += submit(attempt_id, member_id, now=now, timed_out=True)[1]
    return closed


# --- reading an attempt --------------------------------------------------------------------------


def attempt_of(member, quiz_id, attempt_id):
    """The member's own attempt of a quiz, or None (someone else's answers 404)."""
    if member is None:
        return None
    return (
        QuizAttempt.objects.select_related("quiz", "quiz__bank")
        .filter(pk=attempt_id, quiz_id=quiz_id, member_id=member.pk)
        .first()
    )


def refresh_if_expired(attempt, now=None):
    """An open attempt past its deadline is closed (graded) on sight."""
    now = now or timezone.now()
    if attempt.submitted_at is None and _too_late(attempt, now):
        attempt, _won = submit(attempt.pk, attempt.member_id, now=now, timed_out=True)
    return attempt


def attempt_questions(attempt, reveal=None):
    """The attempt's questions as shown to the member, in their order, with the answers in this
    attempt's shuffled order and what the member chose.

    Before submission nothing tells a correct answer apart (no flag, no explanation): that is the
    only shape the member's browser ever gets of an open attempt. After it (``reveal``), each
    question adds ``correct``, ``correct_answers`` and ``explanation``.
    """
    if reveal is None:
        reveal = attempt.submitted_at is not None
    items = list(
        AttemptQuestion.objects.filter(attempt_id=attempt.pk)
        .select_related("question")
        .order_by("position")
    )
    fields = ["pk", "question_id", "text"] + (["is_correct"] if reveal else [])
    answers = {
        a.pk: a
        for a in Answer.objects.filter(question_id__in=[i.question_id for i in items]).only(*fields)
    }
    out = []
    for item in items:
        question = item.question
        row = {
            "question": question.pk,
            "position": item.position,
            "kind": question.kind,
            "text": question.text,
            "answers": [
                {"id": aid, "text": answers[aid].text}
                for aid in item.answer_order
                if aid in answers
            ],
            "selected": list(item.selected or []),
        }
        if reveal:
            row["correct"] = bool(item.correct)
            row["correct_answers"] = [
                aid for aid in item.answer_order if aid in answers and answers[aid].is_correct
            ]
            row["explanation"] = question.explanation
        out.append(row)
    return out


def seconds_left(attempt, now=None):
    now = now or timezone.now()
    if attempt.submitted_at is not None:
        return 0
    return max(0, int((attempt.deadline - now).total_seconds()))


def attempts_summary(quiz, member):
    """The member's attempts of ``quiz``, newest first (for the quiz page)."""
    if member is None:
        return []
    return list(QuizAttempt.objects.filter(quiz=quiz, member=member).order_by("-number"))


# --- for the study completion rule ------------------------------------------------------------


def passed(member_id, resolution_id, audience=None) -> bool:
    """Whether the member passed a quiz of the resolution (for ``audience``, or any): the study
    completion rule's quiz half. One indexed query."""
    qs = QuizPass.objects.filter(member_id=member_id, resolution_id=resolution_id)
    if audience:
        qs = qs.filter(audience=audience)
    return qs.exists()


def passed_resolutions(member_id):
    """Ids of the resolutions the member passed a quiz of (for listing progress at once)."""
    return set(QuizPass.objects.filter(member_id=member_id).values_list("resolution_id", flat=True))


# --- validating questions (admin form, import, demo) ----------------------------------------------


def validate_question(kind, text, answers):
    """Refuse a question that cannot be graded: no text, fewer than two answers, no correct
    answer, several correct answers for a one-answer question, a true/false question without
    exactly two answers. ``answers``: ``[(text, is_correct)]``. Raises ValidationError."""
    from .models import plain_text

    errors = []
    if not plain_text(text):
        errors.append(_("Câu hỏi cần có nội dung (chữ, không phải mã HTML)."))
    answers = [(plain_text(t), bool(ok)) for t, ok in answers if plain_text(t)]
    n_correct = sum(ok for _t, ok in answers)
    if len(answers) < 2:
        errors.append(_("Câu hỏi cần ít nhất hai phương án trả lời."))
    if n_correct == 0:
        errors.append(_("Câu hỏi chưa có đáp án đúng: cần đánh dấu ít nhất một phương án đúng."))
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and n_correct > 1:
        errors.append(_("Câu hỏi một đáp án chỉ được có đúng một phương án đúng."))
    if kind == QuestionKind.TRUE_FALSE and len(answers) != 2:
        errors.append(_("Câu hỏi Đúng/Sai cần đúng hai phương án."))
    if errors:
        raise ValidationError(errors, code="bad_question")
    return answers


def create_question(bank, category, kind, text, answers, explanation=""):
    """A checked question with its answers (``[(text, is_correct)]``)."""
    answers = validate_question(kind, text, answers)
    question = Question.objects.create(
        bank=bank, category=category, kind=kind, text=text, explanation=explanation
    )
    Answer.objects.bulk_create(
        Answer(question=question, text=t, is_correct=ok, sort_order=i)
        for i, (t, ok) in enumerate(answers)
    )
    return question


def demo_rng(seed):
    return random.Random(seed)  # noqa: S311 - demo data, not security
