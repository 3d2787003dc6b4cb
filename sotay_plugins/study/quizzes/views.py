"""The member's quiz pages: the quizzes open to me, a quiz (rules, my attempts, start), an
attempt (questions page by page, or all at once), its result.

Without JavaScript every page works as plain forms: the attempt page posts the answers of its
page (and moves on) or submits. With JavaScript (``study/quiz.js``) each choice is saved as it
is made (``PUT …/answers/``) and a countdown shows the server's deadline; the forms stay the
fallback. With no network, a quiz that allows it (``allow_offline``) keeps answering: the
choices (and a submit) wait in the phone's offline queue and are sent in order when the network
returns; another quiz says that it needs the network and keeps nothing. The correct answers
are never in an open attempt's page; the result page shows them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services

PER_PAGE = 5
ALL = "tat-ca"


def _quiz(request, pk):
    member = services.member_of(request.user)
    quiz = get_object_or_404(
        services.visible_quizzes(request.user).select_related("bank", "bank__resolution"), pk=pk
    )
    return quiz, member


@login_required
@require_GET
def quiz_list(request):
    member = services.member_of(request.user)
    now = timezone.now()
    quizzes = list(
        services.quizzes_for_member(request.user, member)
        .select_related("bank", "bank__resolution")
        .order_by("closes_at", "pk")[:50]
    )
    mine = {}
    if member is not None and quizzes:
        for attempt in services.QuizAttempt.objects.filter(
            member=member, quiz_id__in=[q.pk for q in quizzes]
        ).order_by("number"):
            mine.setdefault(attempt.quiz_id, []).append(attempt)
    rows = [
        {
            "quiz": q,
            "state": services.state_of(q, now),
            "attempts": mine.get(q.pk, []),
            "passed": any(a.passed for a in mine.get(q.pk, [])),
        }
        for q in quizzes
    ]
    return render(request, "study/quizzes/list.html", {"rows": rows, "member": member})


@login_required
@require_GET
@never_cache
def quiz_detail(request, pk):
    quiz, member = _quiz(request, pk)
    now = timezone.now()
    attempts = services.attempts_summary(quiz, member)
    in_progress = next((a for a in attempts if a.submitted_at is None), None)
    if in_progress is not None:
        refreshed = services.refresh_if_expired(in_progress, now)
        if refreshed.submitted_at is not None:
            attempts = services.attempts_summary(quiz, member)
            in_progress = None
    refusal = None
    try:
        services.check_may_take(quiz, member, now)
        if in_progress is None and len(attempts) >= quiz.max_attempts:
            refusal = _("Đồng chí đã làm đủ %(n)s lần cho phép.") % {"n": quiz.max_attempts}
    except services.QuizError as exc:
        refusal = exc.text
    return render(
        request,
        "study/quizzes/detail.html",
        {
            "quiz": quiz,
            "state": services.state_of(quiz, now),
            "attempts": attempts,
            "in_progress": in_progress,
            "refusal": refusal,
        },
    )


@login_required
@require_POST
def quiz_start(request, pk):
    quiz, member = _quiz(request, pk)
    try:
        attempt, _created = services.start(quiz, member)
    except services.QuizError as exc:
        messages.error(request, exc.text)
        return redirect("study:quiz", pk=quiz.pk)
    return redirect("study:quiz_attempt", pk=quiz.pk, attempt=attempt.pk)


def _own_attempt(request, pk, attempt_id):
    member = services.member_of(request.user)
    attempt = services.attempt_of(member, pk, attempt_id)
    if attempt is None:
        raise Http404
    return attempt, member


def _choices_from_post(post, question_ids):
    """The answers of a posted page: ``q<question id>`` holds the chosen answer id(s)."""
    choices = []
    for qid in question_ids:
        raw = post.getlist(f"q{qid}")
        try:
            selected = [int(v) for v in raw]
        except ValueError:
            raise services.QuizError(
                _("Phương án đã chọn không hợp lệ."), "invalid", field="selected"
            ) from None
        if f"shown{qid}" in post or raw:
            choices.append(services.Choice(qid, tuple(dict.fromkeys(selected))))
    return choices


def _posted_question_ids(post):
    ids = []
    for key in post:
        name = key[5:] if key.startswith("shown") else key[1:] if key.startswith("q") else ""
        if name.isdigit() and int(name) not in ids:
            ids.append(int(name))
    return ids


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def attempt_page(request, pk, attempt):
    attempt, member = _own_attempt(request, pk, attempt)
    now = timezone.now()
    attempt = services.refresh_if_expired(attempt, now)
    if attempt.submitted_at is not None:
        return redirect("study:quiz_result", pk=attempt.quiz_id, attempt=attempt.pk)
    questions = services.attempt_questions(attempt, reveal=False)
    # A quiz that may be answered offline shows every question at once: with no network the
    # member can still reach them all (the other pages would need the server).
    default = ALL if attempt.quiz.allow_offline else "1"
    page_arg = request.GET.get("trang", default)
    show_all = page_arg == ALL
    pages = max(1, (len(questions) + PER_PAGE - 1) // PER_PAGE)
    page = 1 if show_all or not page_arg.isdigit() else min(max(1, int(page_arg)), pages)
    errors = []
    if request.method == "POST":
        try:
            choices = _choices_from_post(request.POST, _posted_question_ids(request.POST))
            if choices:
                services.save_answers(attempt.pk, member.pk, choices, now=now)
            if "nop-bai" in request.POST:
                services.submit(attempt.pk, member.pk, now=now)
                return redirect("study:quiz_result", pk=attempt.quiz_id, attempt=attempt.pk)
        except services.QuizError as exc:
            if exc.code in ("late", "submitted"):
                services.refresh_if_expired(attempt)
                messages.error(request, exc.text)
                return redirect("study:quiz_result", pk=attempt.quiz_id, attempt=attempt.pk)
            errors.append(exc.text)
        else:
            target = request.POST.get("den-trang", "")
            url = reverse("study:quiz_attempt", args=[attempt.quiz_id, attempt.pk])
            if target == ALL or target.isdigit():
                url += f"?trang={target}"
            messages.success(request, _("Đã lưu câu trả lời."))
            return redirect(url)
    shown = questions if show_all else questions[(page - 1) * PER_PAGE : page * PER_PAGE]
    answered = sum(1 for q in questions if q["selected"])
    answered_here = sum(1 for q in shown if q["selected"])
    return render(
        request,
        "study/quizzes/attempt.html",
        {
            "quiz": attempt.quiz,
            "attempt": attempt,
            "questions": shown,
            "total": len(questions),
            "answered": answered,
            "answered_elsewhere": answered - answered_here,
            "page": page,
            "pages": range(1, pages + 1),
            "n_pages": pages,
            "show_all": show_all,
            "all_arg": ALL,
            "seconds_left": services.seconds_left(attempt, now),
            "errors": errors,
            "save_url": reverse(
                "api:quiz-answers", kwargs={"pk": attempt.quiz_id, "attempt_id": attempt.pk}
            ),
            "submit_url": reverse(
                "api:quiz-submit", kwargs={"pk": attempt.quiz_id, "attempt_id": attempt.pk}
            ),
            "result_url": reverse("study:quiz_result", args=[attempt.quiz_id, attempt.pk]),
        },
    )


@login_required
@require_GET
@never_cache
def result_page(request, pk, attempt):
    attempt, _member = _own_attempt(request, pk, attempt)
    attempt = services.refresh_if_expired(attempt)
    if attempt.submitted_at is None:
        return redirect("study:quiz_attempt", pk=attempt.quiz_id, attempt=attempt.pk)
    questions = services.attempt_questions(attempt, reveal=True)
    for q in questions:
        q["answers"] = [
            {
                **a,
                "chosen": a["id"] in q["selected"],
                "is_correct": a["id"] in q["correct_answers"],
            }
            for a in q["answers"]
        ]
    return render(
        request,
        "study/quizzes/result.html",
        {"quiz": attempt.quiz, "attempt": attempt, "questions": questions},
    )
