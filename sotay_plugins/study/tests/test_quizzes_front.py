"""Saving a quiz answer in front of Django's middleware (sotay_plugins.front, api/fast.py).

Through the WSGI application as gunicorn calls it (not the test client, which starts at the
handler), on a real connection outside any test transaction: the front only uses a connection in
autocommit. PostgreSQL only, as the path itself.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from sotay_plugins import front
from sotay_plugins.study.quizzes import services
from sotay_plugins.study.quizzes.models import AttemptQuestion, Question, QuizAttempt

from .quiz_helpers import correct_ids, world

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the fast path runs on PostgreSQL only (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def w(tree, settings):
    """The quizzes' world, an open attempt of member A with an API token, the production
    arrangement (HTTPS behind nginx) and the front."""
    data = world(tree)
    data["attempt"], _created = services.start(data["quiz"], data["a"])
    data["key"] = Token.objects.create(user=data["a"].user).key
    data["b_key"] = Token.objects.create(user=data["b"].user).key
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_CONTENT_TYPE_NOSNIFF = True
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"
    connection.ensure_connection()  # as after a worker's first request
    data["app"] = front.Front(WSGIHandler())
    return data


class Answer:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split()[0])
        self.status, self.headers, self.content = status, headers, body

    def json(self):
        return json.loads(self.content)


def put(w, body, *, key=None, attempt=None, method="PUT", raw=None, **extra):
    attempt = attempt or w["attempt"]
    path = f"/api/v1/quizzes/{attempt.quiz_id}/attempts/{attempt.pk}/answers/"
    extra.setdefault("HTTP_AUTHORIZATION", f"Token {key or w['key']}")
    extra.setdefault("HTTP_X_FORWARDED_PROTO", "https")
    data = raw if raw is not None else json.dumps(body)
    request = RequestFactory().generic(
        method, path, data, content_type=extra.pop("content_type", "application/json"), **extra
    )
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=headers)

    chunks = w["app"](request.environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return Answer(answer["status"], answer["headers"], content)


@contextmanager
def front_only():
    """Fail if Django's handler (middleware, views) is reached."""
    with mock.patch.object(
        BaseHandler, "get_response", side_effect=AssertionError("reached Django")
    ):
        yield


def items(w):
    return list(
        AttemptQuestion.objects.filter(attempt=w["attempt"])
        .order_by("position")
        .select_related("question")
    )


def one_answer(w, index=0, right=True):
    item = items(w)[index]
    ids = correct_ids(item.question_id)
    if not right:
        ids = [a for a in item.answer_order if a not in ids][:1]
    return item, {"question": item.question_id, "selected": ids[:1]}


def fast_statements(ctx):
    return [
        q["sql"].split("(")[0]
        for q in ctx.captured_queries
        if q["sql"].startswith("EXECUTE sotay_quiz_save_token_")
    ]


def selected(item):
    return AttemptQuestion.objects.get(pk=item.pk).selected


def test_a_save_is_one_statement_in_front_of_django(w):
    item, body = one_answer(w)
    assert put(w, body).status_code == 200  # prepares the statement in this session
    item2, body2 = one_answer(w, 1)
    with front_only(), CaptureQueriesContext(connection) as ctx:
        answer = put(w, body2)
    assert answer.status_code == 200, answer.content
    assert answer.json()["saved"] == 1 and 0 < answer.json()["seconds_left"] <= 15 * 60
    # one statement run; preparing it (a new database session: PREPARE in a savepoint) aside
    assert len(fast_statements(ctx)) == 1
    assert all(
        q["sql"].startswith(("EXECUTE sotay_quiz_save_token_", "SAVEPOINT", "RELEASE", "PREPARE"))
        for q in ctx.captured_queries
    ), [q["sql"][:60] for q in ctx.captured_queries]
    assert selected(item) == body["selected"] and selected(item2) == body2["selected"]


def test_same_answer_as_django_header_by_header(w, settings):
    _item, body = one_answer(w)
    with front_only():
        fast = put(w, body)
    settings.SOTAY_FRONT = False
    with mock.patch.object(front.Front, "answer", side_effect=AssertionError("front asked")):
        django = put(w, body)
    # seconds_left may tick between the two: compare the rest exactly
    assert fast.status == django.status
    assert set(fast.json()) == set(django.json()) == {"saved", "seconds_left"}
    assert abs(fast.json()["seconds_left"] - django.json()["seconds_left"]) <= 1
    strip = {"Content-Length"}
    assert [(n, v) for n, v in fast.headers if n not in strip] == [
        (n, v) for n, v in django.headers if n not in strip
    ]
    assert [n for n, _v in fast.headers] == [n for n, _v in django.headers]
    assert dict(fast.headers)["Cache-Control"] == "no-store"
    assert dict(fast.headers)["Allow"] == "PUT, PATCH, OPTIONS"


def test_refusals_are_djangos_in_vietnamese_with_nothing_written(w):
    """No row: the view answers with the exact reason (the front never says no by itself)."""
    item, body = one_answer(w)
    other = Question.objects.exclude(
        pk__in=[i.question_id for i in items(w)]
    ).first()  # a question of the bank not drawn for this attempt
    not_drawn = put(w, {"question": other.pk, "selected": []})
    assert not_drawn.status_code == 400 and "không thuộc lượt làm bài" in not_drawn.content.decode()
    wrong_answer = put(w, {"question": item.question_id, "selected": [10**9]})
    assert wrong_answer.status_code == 400
    assert "không thuộc câu hỏi" in wrong_answer.content.decode()
    # another member's token on A's attempt: not found (their own attempt is not this one)
    assert put(w, body, key=w["b_key"]).status_code == 404
    assert put(w, body, key="x" * 40).status_code == 401
    # an expired token (older than the tokens' lifetime) is refused like DRF refuses it
    Token.objects.filter(key=w["key"]).update(created=timezone.now() - timedelta(days=3650))
    assert put(w, body).status_code == 401
    assert selected(item) is None


def test_late_or_submitted_attempts_are_refused_by_the_view(w):
    item, body = one_answer(w)
    QuizAttempt.objects.filter(pk=w["attempt"].pk).update(
        deadline=timezone.now() - timedelta(minutes=1)
    )
    late = put(w, body)
    assert late.status_code == 409 and "hết giờ" in late.json()["detail"]
    QuizAttempt.objects.filter(pk=w["attempt"].pk).update(
        deadline=timezone.now() + timedelta(minutes=5), submitted_at=timezone.now()
    )
    done = put(w, body)
    assert done.status_code == 409 and "đã nộp" in done.json()["detail"]
    assert selected(item) is None


def test_other_shapes_go_to_the_view(w, settings):
    item, body = one_answer(w)
    item2, body2 = one_answer(w, 1)
    calls = []
    real = services.save_one_fast

    def spy(*args, **kwargs):
        calls.append(kwargs.get("key"))
        return real(*args, **kwargs)

    with mock.patch.object(services, "save_one_fast", spy):
        # several answers at once, an offline replay (Idempotency-Key), a query string
        assert put(w, {"answers": [body, body2]}).status_code == 200
        assert put(w, body, HTTP_IDEMPOTENCY_KEY="bench-key-0001").status_code in (200, 201)
        replayed = put(w, body2, HTTP_SOTAY_QUEUED="1")  # the offline queue's: the view's rule
        assert replayed.status_code in (200, 403)
        assert put(w, body, QUERY_STRING="x=1").status_code == 200
        # PATCH is the view's too
        assert put(w, body2, method="PATCH").status_code == 200
    assert all(key is None for key in calls)  # never the token statement: the view's own path
    assert selected(item) == body["selected"] and selected(item2) == body2["selected"]
    # a body with HTML/JS or junk: the view's 400, nothing written
    junk = put(w, None, raw='{"question": "<script>alert(1)</script>"}')
    assert junk.status_code == 400
    settings.SOTAY_QUIZ_FAST_PATH = False
    with CaptureQueriesContext(connection) as ctx:
        assert put(w, body).status_code == 200
    assert not fast_statements(ctx)


def test_answers_route_declares_the_fast_answer():
    from django.urls import resolve

    match = resolve("/api/v1/quizzes/1/attempts/2/answers/")
    assert match.func.fast_answer.__module__ == "sotay_plugins.study.quizzes.api.fast"
    assert getattr(resolve("/api/v1/quizzes/1/attempts/").func, "fast_answer", None) is None
