"""The check-in scan answered in front of Django's middleware (sotay_plugins.front, config/wsgi.py).

These requests go through the WSGI application as gunicorn calls it (not Django's test client,
which starts at the handler), on a real connection outside any test transaction: the front only
uses a connection in autocommit.
"""

import json
import re
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from sotay_plugins import front
from sotay_plugins.attendance import service
from sotay_plugins.meetings.models import Attendance
from sotay_plugins.members import credentials
from tests.factories import MemberFactory

from .helpers import statuses, url


def roll():
    """The meetings' roll (registered by the meetings plugin)."""
    return service.roll_for("meetings")


S = Attendance.Status
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the fast path runs on PostgreSQL only (DATABASE_URL=postgres://...)",
)


@pytest.fixture
def app(settings, cell):
    """The production arrangement: HTTPS required, behind nginx (X-Forwarded-Proto). The cell
    (conftest's) gets API tokens for its secretary and another cell's."""
    cell["key"] = Token.objects.create(user=cell["secretary"]).key
    cell["other_key"] = Token.objects.create(user=cell["other_secretary"]).key
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_CONTENT_TYPE_NOSNIFF = True
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"
    connection.ensure_connection()  # as after a worker's first request
    return front.Front(WSGIHandler())


class Answer:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split()[0])
        self.status, self.headers, self.content = status, headers, body

    def json(self):
        return json.loads(self.content)

    def header(self, name):
        return dict(self.headers).get(name)


def call(app, path, body=None, *, key=None, method="post", secure=True, **extra):
    if key:
        extra["HTTP_AUTHORIZATION"] = f"Token {key}"
    if secure:
        extra["HTTP_X_FORWARDED_PROTO"] = "https"
    factory = RequestFactory()
    if method == "post":
        request = factory.post(path, json.dumps(body), content_type="application/json", **extra)
    else:
        request = factory.generic(method.upper(), path, **extra)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=headers)

    chunks = app(request.environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return Answer(answer["status"], answer["headers"], content)


def scan(app, cell, member, **extra):
    return call(
        app,
        url(cell["meeting"]),
        {"token": credentials.card_token(member)},
        key=cell["key"],
        **extra,
    )


@contextmanager
def front_only():
    """Fail if Django's handler (middleware, views) is reached."""
    with mock.patch.object(
        BaseHandler, "get_response", side_effect=AssertionError("reached Django")
    ):
        yield


def fast_statements(ctx):
    return [
        q["sql"].split("(")[0]
        for q in ctx.captured_queries
        if q["sql"].startswith("EXECUTE sotay_checkin_fast_")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_scan_is_one_statement_in_front_of_django(app, cell):
    members = cell["members"]
    # The session's first scan and first repeat prepare the statements.
    assert [scan(app, cell, members[3]).status_code for _ in range(2)] == [201, 200]
    with front_only(), CaptureQueriesContext(connection) as ctx:
        first = scan(app, cell, members[0])
        again = scan(app, cell, members[0])
    assert (first.status_code, again.status_code) == (201, 200), first.content
    # No health check (SELECT 1), no session, no grants read: the UPDATE; the repeat adds its read.
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["EXECUTE", "EXECUTE", "EXECUTE"]
    assert first.json()["member"] == members[0].pk and first.json()["status_label"] == "Có mặt"
    assert again.json()["id"] == first.json()["id"] and again.json()["already"] is True
    assert statuses(cell["meeting"])[members[0].pk] == S.PRESENT


@pytest.mark.django_db(transaction=True)
def test_same_answer_as_django_header_by_header(app, cell, settings):
    member = cell["members"][0]
    assert scan(app, cell, member).status_code == 201
    with front_only():
        fast = scan(app, cell, member)
    settings.SOTAY_FRONT = False
    with mock.patch.object(front.Front, "answer", side_effect=AssertionError("front asked")):
        django = scan(app, cell, member)
    assert (fast.status, fast.content) == (django.status, django.content)
    assert fast.headers == django.headers  # names, values and order
    names = {name for name, _value in fast.headers}
    assert {
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Vary",
        "Content-Language",
        "Content-Length",
        "Allow",
        "Content-Security-Policy",
        "Permissions-Policy",
        "Cache-Control",
    } <= names
    assert dict(fast.headers)["Cache-Control"] == "no-store"  # the answer names a member
    # The language a person chose (the switch's cookie) is the answer's, as on Django's path.
    settings.SOTAY_FRONT = True
    with front_only():
        english = scan(app, cell, member, HTTP_COOKIE=f"{settings.LANGUAGE_COOKIE_NAME}=en")
    assert (
        english.json()["status_label"] == "Present" and english.header("Content-Language") == "en"
    )


@pytest.mark.django_db(transaction=True)
def test_what_the_middleware_refuses_django_answers(app, cell, settings):
    member = cell["members"][0]
    plain_http = scan(app, cell, member, secure=False)
    assert plain_http.status_code == 301 and plain_http.header("Location").startswith("https://")
    wrong_host = scan(app, cell, member, HTTP_HOST="evil.example")
    assert wrong_host.status_code == 400
    settings.DISALLOWED_USER_AGENTS = [re.compile(r"^BadBot")]
    assert scan(app, cell, member, HTTP_USER_AGENT="BadBot/1.0").status_code == 403
    settings.DISALLOWED_USER_AGENTS = []
    assert set(statuses(cell["meeting"]).values()) == {S.EXPECTED}
    no_slash = call(
        app,
        url(cell["meeting"]).rstrip("/"),
        {"token": credentials.card_token(member)},
        key=cell["key"],
    )
    assert no_slash.status_code == 301  # CommonMiddleware's APPEND_SLASH, on Django's 404
    assert call(app, url(cell["meeting"]), key=cell["key"], method="get").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_refusals_reach_the_service_once(app, cell):
    """No row: Django's view answers with the exact reason, without running the statements again."""
    stranger = MemberFactory(cell=cell["tree"]["c12"])
    with CaptureQueriesContext(connection) as ctx:
        refused = scan(app, cell, stranger)
    assert refused.status_code == 400 and "không có trong danh sách" in refused.json()["detail"]
    assert len(fast_statements(ctx)) == 2  # the front's UPDATE and read, not again in the view
    other = call(
        app,
        url(cell["meeting"]),
        {"token": credentials.card_token(cell["members"][0])},
        key=cell["other_key"],
    )
    assert other.status_code == 404
    forged = call(
        app,
        url(cell["meeting"]),
        {"token": credentials.card_token(cell["members"][0]) + "x"},
        key=cell["key"],
    )
    assert forged.status_code == 400
    assert call(app, url(cell["meeting"]), {"token": "x"}, key="not-a-key").status_code == 401
    assert set(statuses(cell["meeting"]).values()) == {S.EXPECTED}


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_hands_the_scan_to_django(app, cell):
    """The statement is the health check: a connection killed between requests fails it, the front
    closes it and Django answers on a new one (its own check); the scan counts once."""
    member = cell["members"][0]
    assert scan(app, cell, cell["members"][1]).status_code == 201
    pid = connection.connection.info.backend_pid
    killer = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()
    with mock.patch.object(service, "check_in", wraps=service.check_in) as calls:
        answer = scan(app, cell, member)
    assert answer.status_code == 201 and calls.call_count == 1
    assert connection.connection.info.backend_pid != pid
    assert statuses(cell["meeting"])[member.pk] == S.PRESENT
    with front_only():
        assert (
            scan(app, cell, member).status_code == 200
        )  # the new connection serves the front again


class MarkedMiddleware:
    sotay_front = front.NOTHING

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


@pytest.mark.django_db(transaction=True)
def test_front_off_with_unknown_middleware_or_settings(app, cell, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.dummyplugin.middleware.Unknown"]
    assert not front.Front.enabled()
    # Known by their marker, not by their module's name: a marked class of any module is known,
    # an unmarked one (or one with an unknown marker) is not.
    marked = "sotay_plugins.attendance.tests.test_front.MarkedMiddleware"
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:-1], marked]
    assert front.Front.enabled()
    MarkedMiddleware.sotay_front = "something else"
    try:
        front._known.cache_clear()
        assert not front.Front.enabled()
    finally:
        MarkedMiddleware.sotay_front = front.NOTHING
    settings.MIDDLEWARE = settings.MIDDLEWARE[:-1]
    assert front.Front.enabled()
    assert not any(
        "editorial" in path or "sotay_plugins" in path for path in front.KNOWN_MIDDLEWARE
    )
    settings.SOTAY_FRONT = False
    assert not front.Front.enabled()
    settings.SOTAY_FRONT = True
    settings.SOTAY_CHECKIN_FAST_PATH = False  # the fast answer itself declines: Django, the service
    with mock.patch.object(service, "check_in", wraps=service.check_in) as calls:
        assert scan(app, cell, cell["members"][0]).status_code == 201
    assert calls.call_count == 1


@pytest.mark.django_db(transaction=True)
def test_only_an_open_connection_in_autocommit_is_used(cell):
    from django.db import transaction

    connection.close()
    assert not front._ready(connection)  # a worker's first request: Django connects (and checks)
    connection.ensure_connection()
    assert front._ready(connection)
    with transaction.atomic():
        assert not front._ready(connection)
    connection.close_at = 0  # CONN_MAX_AGE passed: Django closes it and opens another
    assert not front._ready(connection)


def test_the_deployed_application_is_the_front():
    from config import wsgi

    assert isinstance(wsgi.application, front.Front)
    from django.urls import resolve

    from sotay_plugins.attendance.api import CheckInView

    view = resolve("/api/v1/meetings/1/checkin/").func
    assert issubclass(view.cls, CheckInView) and callable(view.fast_answer)
