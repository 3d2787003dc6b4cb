"""Attempts through the API: start, save, submit; the clock; exactly once; scope; bad input."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from sotay_plugins.signals import points_earned
from sotay_plugins.study.quizzes import services
from sotay_plugins.study.quizzes.models import AttemptQuestion, QuizAttempt, QuizPass

from .quiz_helpers import answer_all, correct_ids, quiz, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree):
    return world(tree)


def url(q, *parts):
    tail = "/".join(str(p) for p in parts)
    return f"/api/v1/quizzes/{q.pk}/" + (f"{tail}/" if tail else "")


def start(api, member, q):
    api.force_authenticate(member.user)
    return api.post(url(q, "attempts"), format="json")


def test_start_draws_and_shuffles_with_the_servers_deadline(api, w):
    response = start(api, w["a"], w["quiz"])
    assert response.status_code == 201, response.content
    data = response.json()
    assert len(data["questions"]) == 5
    attempt = QuizAttempt.objects.get(pk=data["id"])
    assert attempt.deadline == attempt.started_at + timedelta(minutes=15)
    # every question carries all its answers, and nothing else about them
    for q in data["questions"]:
        assert {a["id"] for a in q["answers"]} == set(
            AttemptQuestion.objects.get(attempt=attempt, question_id=q["question"]).answer_order
        )
        assert set(q) == {"question", "position", "kind", "text", "answers", "selected"}
    # starting again resumes the same attempt (another tab, another device)
    again = start(api, w["a"], w["quiz"])
    assert again.status_code == 200 and again.json()["id"] == data["id"]


def test_the_deadline_is_the_closing_time_when_it_comes_first(api, w):
    q = w["quiz"]
    q.closes_at = timezone.now() + timedelta(minutes=5)
    q.save()
    data = start(api, w["a"], q).json()
    assert QuizAttempt.objects.get(pk=data["id"]).deadline == q.closes_at
    assert data["seconds_left"] <= 300


def test_correct_answers_never_reach_the_browser_before_submission(api, client, w):
    data = start(api, w["a"], w["quiz"]).json()
    attempt = QuizAttempt.objects.get(pk=data["id"])
    bodies = [
        json.dumps(data),
        api.get(url(w["quiz"], "attempts", attempt.pk)).content.decode(),
        api.get(url(w["quiz"])).content.decode(),
    ]
    client.force_login(w["a"].user)
    page = client.get(f"/hoc-tap/kiem-tra/{w['quiz'].pk}/lan/{attempt.pk}/?trang=tat-ca")
    assert page.status_code == 200
    bodies.append(page.content.decode())
    for body in bodies:
        assert "is_correct" not in body and "correct_answers" not in body
        assert "Giải thích" not in body  # no explanation before submission
        assert '"correct"' not in body
    # the page lists the answers in this attempt's order, with nothing marking the right one
    html = bodies[-1]
    for item in attempt.items.all():
        ids = [html.index(f'name="q{item.question_id}" value="{aid}"') for aid in item.answer_order]
        assert ids == sorted(ids)


def test_saving_is_an_idempotent_upsert_and_resumes_elsewhere(api, w):
    data = start(api, w["a"], w["quiz"]).json()
    first = data["questions"][0]
    body = {"question": first["question"], "selected": [first["answers"][1]["id"]]}
    for _ in range(3):
        response = api.put(url(w["quiz"], "attempts", data["id"], "answers"), body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["saved"] == 1
    assert AttemptQuestion.objects.filter(attempt_id=data["id"]).count() == 5
    # another device (a new token session) sees the choice
    from rest_framework.test import APIClient

    other = APIClient()
    other.force_authenticate(w["a"].user)
    resumed = other.get(url(w["quiz"], "attempts", data["id"])).json()
    assert resumed["questions"][0]["selected"] == [first["answers"][1]["id"]]
    # PATCH with several at once; [] clears
    many = {
        "answers": [
            {"question": first["question"], "selected": []},
            {
                "question": data["questions"][1]["question"],
                "selected": [data["questions"][1]["answers"][0]["id"]],
            },
        ]
    }
    response = other.patch(url(w["quiz"], "attempts", data["id"], "answers"), many, format="json")
    assert response.status_code == 200 and response.json()["saved"] == 2
    rows = {
        r.question_id: r.selected for r in AttemptQuestion.objects.filter(attempt_id=data["id"])
    }
    assert rows[first["question"]] is None


def test_answers_to_questions_outside_the_attempt_are_refused_and_nothing_is_written(api, w):
    data = start(api, w["a"], w["quiz"]).json()
    inside = data["questions"][0]
    drawn = {q["question"] for q in data["questions"]}
    outside = next(q.pk for q in w["bank"].questions.all() if q.pk not in drawn)
    body = {
        "answers": [
            {"question": inside["question"], "selected": [inside["answers"][0]["id"]]},
            {"question": outside, "selected": correct_ids(outside)},
        ]
    }
    response = api.put(url(w["quiz"], "attempts", data["id"], "answers"), body, format="json")
    assert response.status_code == 400
    assert "không thuộc lượt làm bài" in response.json()["detail"]
    assert response.json()["fields"] == {"question": [response.json()["detail"]]}
    assert not AttemptQuestion.objects.filter(
        attempt_id=data["id"], selected__isnull=False
    ).exists()
    # an answer id of another question, two answers to a one-answer question, junk
    other_answer = correct_ids(outside)[0]
    single = next(q for q in data["questions"] if q["kind"] == "single")
    for bad in (
        {"question": inside["question"], "selected": [other_answer]},
        {"question": single["question"], "selected": [a["id"] for a in single["answers"][:2]]},
        {"question": "một", "selected": [1]},
        {"question": inside["question"], "selected": "1"},
        {"answers": []},
    ):
        response = api.put(url(w["quiz"], "attempts", data["id"], "answers"), bad, format="json")
        assert response.status_code == 400, bad
        assert response.json()["detail"]
    assert not AttemptQuestion.objects.filter(
        attempt_id=data["id"], selected__isnull=False
    ).exists()


def test_answers_after_the_time_limit_are_refused(api, w):
    data = start(api, w["a"], w["quiz"]).json()
    q = data["questions"][0]
    body = {"question": q["question"], "selected": [q["answers"][0]["id"]]}
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=10)):
        response = api.put(url(w["quiz"], "attempts", data["id"], "answers"), body, format="json")
        assert response.status_code == 409
        assert "hết giờ" in response.json()["detail"].lower()
        assert not AttemptQuestion.objects.filter(
            attempt_id=data["id"], selected__isnull=False
        ).exists()
        # seeing it again closes and grades it (what was saved in time counts)
        seen = api.get(url(w["quiz"], "attempts", data["id"])).json()
        assert seen["state"] == "submitted" and seen["timed_out"] and seen["score"] == 0


def test_answers_after_the_closing_date_are_refused(api, w):
    q = w["quiz"]
    q.closes_at = timezone.now() + timedelta(minutes=2)
    q.save()
    data = start(api, w["a"], q).json()
    first = data["questions"][0]
    with time_machine.travel(q.closes_at + timedelta(seconds=30)):
        response = api.put(
            url(q, "attempts", data["id"], "answers"),
            {"question": first["question"], "selected": [first["answers"][0]["id"]]},
            format="json",
        )
        assert response.status_code == 409
        again = api.post(url(q, "attempts"), format="json")
        assert again.status_code == 409 and "đã đóng" in again.json()["detail"]


def test_a_third_attempt_where_two_are_allowed_is_refused(api, w):
    for _ in range(2):
        data = start(api, w["a"], w["quiz"]).json()
        assert api.post(url(w["quiz"], "attempts", data["id"], "submit")).status_code == 200
    third = start(api, w["a"], w["quiz"])
    assert third.status_code == 409
    assert "đủ 2 lần" in third.json()["detail"]
    assert QuizAttempt.objects.filter(member=w["a"]).count() == 2


def test_a_quiz_of_another_units_plan_is_invisible(api, w):
    api.force_authenticate(w["far"].user)
    assert w["quiz"].pk not in [r["id"] for r in api.get("/api/v1/quizzes/").json()["results"]]
    assert api.get(url(w["quiz"])).status_code == 404
    assert api.post(url(w["quiz"], "attempts")).status_code == 404
    # someone else's attempt is out of reach too
    mine = start(api, w["a"], w["quiz"]).json()
    api.force_authenticate(w["b"].user)
    assert api.get(url(w["quiz"], "attempts", mine["id"])).status_code == 404
    first = mine["questions"][0]
    response = api.put(
        url(w["quiz"], "attempts", mine["id"], "answers"),
        {"question": first["question"], "selected": [first["answers"][0]["id"]]},
        format="json",
    )
    assert response.status_code == 404
    assert api.post(url(w["quiz"], "attempts", mine["id"], "submit")).status_code == 404
    assert QuizAttempt.objects.get(pk=mine["id"]).submitted_at is None


def test_an_excluded_group_and_a_member_without_smartphone_may_not_take_it(api, w):
    q = w["quiz"]
    q.excluded_groups = frozenset({"hamlet"})
    q.save()
    for member in (w["hamlet"], w["no_phone"]):
        response = start(api, member, q)
        assert response.status_code == 403
        assert "không thuộc đối tượng" in response.json()["detail"]
        listed = api.get("/api/v1/quizzes/").json()["results"]
        assert q.pk not in [r["id"] for r in listed]
    assert not QuizAttempt.objects.filter(quiz=q).exists()


def test_double_submission_records_once_and_passing_earns_points_after_commit(
    api, w, django_capture_on_commit_callbacks
):
    heard = []

    def listener(**kwargs):
        heard.append(kwargs)

    points_earned.connect(listener)
    try:
        data = start(api, w["a"], w["quiz"]).json()
        attempt = QuizAttempt.objects.get(pk=data["id"])
        answer_all(attempt, w["a"])
        with django_capture_on_commit_callbacks(execute=True):
            first = api.post(url(w["quiz"], "attempts", data["id"], "submit")).json()
            second = api.post(url(w["quiz"], "attempts", data["id"], "submit")).json()
    finally:
        points_earned.disconnect(listener)
    assert first == second
    assert first["score"] == 5 and first["passed"] is True and first["percent"] == 100.0
    assert all(
        q["correct"] and q["explanation"].startswith("Giải thích") for q in first["questions"]
    )
    assert len(heard) == 1
    assert heard[0]["rule"] == "study.quiz_passed"
    assert heard[0]["source"] == f"study.quiz:{w['quiz'].pk}"
    assert heard[0]["member_id"] == w["a"].pk
    assert QuizPass.objects.filter(member=w["a"]).count() == 1
    assert services.passed(w["a"].pk, w["page"].pk)
    assert not services.passed(w["b"].pk, w["page"].pk)
    # a submitted attempt takes no more answers
    q = data["questions"][0]
    late = api.put(
        url(w["quiz"], "attempts", data["id"], "answers"),
        {"question": q["question"], "selected": [q["answers"][0]["id"]]},
        format="json",
    )
    assert late.status_code == 409


def test_a_failed_attempt_records_no_pass(api, w):
    data = start(api, w["a"], w["quiz"]).json()
    answer_all(QuizAttempt.objects.get(pk=data["id"]), w["a"], right=False)
    result = api.post(url(w["quiz"], "attempts", data["id"], "submit")).json()
    assert result["score"] == 0 and result["passed"] is False
    assert not services.passed(w["a"].pk, w["page"].pk)


def test_the_list_is_paginated_scoped_and_costs_a_fixed_number_of_queries(
    api, w, tree, django_assert_max_num_queries
):
    for i in range(4):
        quiz(w["bank"], tree["province"], tree["b1"], title=f"Bài {i}")
    api.force_authenticate(w["a"].user)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/quizzes/")
    body = response.json()
    assert body["count"] == 5
    row = body["results"][0]
    assert row["issuer_org"] == tree["province"].pk and row["audience_org"] in (
        tree["d1"].pk,
        tree["b1"].pk,
    )
    assert row["may_start"] is True and row["state"] == "open"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_record_one_result(tree):
    """Eight threads submit the same attempt at once (and eight more save an answer meanwhile):
    one grading, one pass, one points signal; every save either lands before the grading read
    or is refused."""
    import threading

    from django.db import close_old_connections

    w = world(tree)
    attempt, _ = services.start(w["quiz"], w["a"])
    answer_all(attempt, w["a"])
    heard = []
    points_earned.connect(lambda **kw: heard.append(kw), weak=False, dispatch_uid="quiz-race")
    results, errors = [], []
    barrier = threading.Barrier(8)
    item = attempt.items.first()

    def go(i):
        try:
            barrier.wait()
            if i % 2:
                results.append(services.submit(attempt.pk, w["a"].pk))
            else:
                choice = services.Choice(item.question_id, tuple(correct_ids(item.question_id)))
                # as the API does: the one-statement save first, then the full one says why
                if i % 4 == 0 and services.save_one_fast(
                    w["a"].user_id, w["quiz"].pk, attempt.pk, choice
                ):
                    return
                try:
                    services.save_answers(attempt.pk, w["a"].pk, [choice])
                except services.QuizError as exc:
                    errors.append(exc.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    points_earned.disconnect(dispatch_uid="quiz-race")
    assert sum(won for _a, won in results) == 1
    assert {(a.score, a.passed, a.submitted_at) for a, _won in results} == {
        (5, True, QuizAttempt.objects.get(pk=attempt.pk).submitted_at)
    }
    assert set(errors) <= {"submitted"}
    assert QuizPass.objects.filter(member=w["a"]).count() == 1
    assert len(heard) == 1


def test_a_save_is_one_statement_on_postgresql(api, w, django_assert_max_num_queries):
    data = start(api, w["a"], w["quiz"]).json()
    first = data["questions"][1]
    # the first save of a database session prepares the statement (PREPARE, in a savepoint)
    warm = {"question": first["question"], "selected": [first["answers"][0]["id"]]}
    api.put(url(w["quiz"], "attempts", data["id"], "answers"), warm, format="json")
    q = data["questions"][0]
    body = {"question": q["question"], "selected": [q["answers"][0]["id"]]}
    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 8):
        response = api.put(url(w["quiz"], "attempts", data["id"], "answers"), body, format="json")
    assert response.status_code == 200 and response.json()["saved"] == 1
    assert AttemptQuestion.objects.get(
        attempt_id=data["id"], question_id=q["question"]
    ).selected == [q["answers"][0]["id"]]


def test_passing_the_quiz_after_reading_to_the_end_completes_the_study_once(
    api, w, django_capture_on_commit_callbacks
):
    from sotay_plugins.study.resolutions import services as study

    heard = []

    def listener(**kwargs):
        heard.append(kwargs["rule"])

    points_earned.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            study.mark_read(w["a"], w["page"])
        assert not study.study_status(w["a"], w["page"]).completed
        data = start(api, w["a"], w["quiz"]).json()
        answer_all(QuizAttempt.objects.get(pk=data["id"]), w["a"])
        with django_capture_on_commit_callbacks(execute=True):
            api.post(url(w["quiz"], "attempts", data["id"], "submit"))
            api.post(url(w["quiz"], "attempts", data["id"], "submit"))
    finally:
        points_earned.disconnect(listener)
    status = study.study_status(w["a"], w["page"])
    assert status.quiz_passed and status.completed
    assert sorted(heard) == ["study.completed", "study.quiz_passed", "study.read"]
    # a member who passed without reading has not completed the study
    assert not study.study_status(w["b"], w["page"]).completed


def test_a_resolution_filter_that_is_no_id_is_refused(api, w):
    api.force_authenticate(w["a"].user)
    for raw in ("216519034887181000503252322615296", "9" * 5000, "-1", "0", "x", "١٢"):
        response = api.get("/api/v1/quizzes/", {"resolution": raw})
        assert response.status_code == 400, raw
        assert "resolution" in response.json()["fields"]
