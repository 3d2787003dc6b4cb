"""Answers given in front of Django's middleware stack, for the few views that declare one.

At the check-in peak (issue 4: 1,000 scans a second on two cores), Django's request cycle costs
more than the scan itself: the ``request_started``/``request_finished`` signals, a ``SELECT 1``
health check of the database connection on every request (``CONN_HEALTH_CHECKS``), nine
middleware and DRF's dispatch, around ~0.1 ms of work in one UPDATE. A view function may carry
``fast_answer(request, **kwargs)``, which returns a response or None; :class:`Front` wraps the WSGI
application (``config/wsgi.py``) and, for a POST or PUT to such a view, asks it first (the views
that do: the check-in scan, ``attendance/fast.py``; saving a quiz answer,
``study/quizzes/api/fast.py``):

- the request is the one Django would build (``WSGIRequest``), routed by Django's own resolver,
  in the language the person chose (as ``ChosenLanguageMiddleware``);
- whatever the middleware would refuse or redirect goes to Django unchanged: a host not in
  ALLOWED_HOSTS, plain HTTP while SECURE_SSL_REDIRECT, a disallowed user agent, … (their own
  ``process_request`` is asked); the front only runs behind a middleware list it knows: each
  one is either marked (our own classes carry :data:`MARKER`, saying what the front does about
  them) or listed in :data:`KNOWN_MIDDLEWARE` (Django's and third-party classes, which we cannot
  mark); with any other one in settings, everything goes to Django;
- the answer gets the headers the middleware would add (theirs ``process_response``: HSTS,
  nosniff, Referrer-Policy, COOP, X-Frame-Options, Content-Length; ``Vary: Cookie`` and
  ``Content-Language``; Content-Security-Policy, ``Cache-Control: no-store`` and
  Permissions-Policy, from the middleware marked :data:`RESPONSE`); a test compares the whole
  answer with Django's, header by header;
- the database connection is used only when it is already open, in autocommit, outside any
  transaction, without errors and not due to close (``CONN_MAX_AGE``); the health check is the
  statement itself: if it fails, the connection is closed and Django answers the request (a new
  connection, its own check). A fast answer is an idempotent statement, so trying twice is safe;
- the body (at most 64 KiB, of a known length) is read once and given to Django again as it was;
- None, or anything unexpected, and Django answers; the view is told (``REQUEST_KEY`` in
  ``request.META``) so it does not try the same fast answer a second time.

No signal is sent for a fast answer: nothing of the request cycle they serve applies (no query log
outside DEBUG, no cache to close, the connection's age checked here).
``SOTAY_FRONT = False`` turns the front off.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import time

from django.conf import settings
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, get_urlconf, resolve, set_script_prefix
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

#: Set in ``request.META`` (the WSGI environ) when the front asked the view's fast answer.
REQUEST_KEY = "sotay.front_tried"

#: The class attribute by which a middleware of ours tells the front what to do about it, for a
#: request to a fast view (a string saying why): :data:`NOTHING` (it acts on nothing such a request
#: touches), :data:`LANGUAGE` (the front applies the chosen language itself, as it does) or
#: :data:`RESPONSE` (it only adds headers: the front calls its ``process_response(request,
#: response)`` on the answer, at its place in the list).
MARKER = "sotay_front"
NOTHING = "nothing"
LANGUAGE = "language"
RESPONSE = "response"

#: Django's and third-party middleware (unmarkable), by dotted path: ask (request), apply
#: (response), or nothing to do (a token-authenticated, CSRF-exempt POST that reads no session,
#: no message and no admin page).
KNOWN_MIDDLEWARE = {
    "django.middleware.security.SecurityMiddleware": "ask and apply",
    "django.contrib.sessions.middleware.SessionMiddleware": "nothing: no session read",
    "django.middleware.common.CommonMiddleware": "ask and apply",
    "django.middleware.csrf.CsrfViewMiddleware": "nothing: fast views are CSRF-exempt",
    "django.contrib.auth.middleware.AuthenticationMiddleware": (
        "nothing: the fast answer authenticates"
    ),
    "django_otp.middleware.OTPMiddleware": "nothing: the fast answer authenticates by token",
    "django.contrib.messages.middleware.MessageMiddleware": "nothing: no message",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "apply",
    "axes.middleware.AxesMiddleware": "nothing: acts on login lockouts only",
}
#: A scan is a POST, a quiz answer a PUT (both token-authenticated and CSRF-exempt).
FAST_METHODS = frozenset({"POST", "PUT"})
#: Larger bodies go to Django (which streams them) without the front reading them.
MAX_BODY = 64 * 1024


def _no_response(request):  # get_response of the middleware instances asked below
    raise AssertionError("the front never calls the view through a middleware")


class Front:
    """WSGI application: fast answers first, Django's ``application`` for everything else."""

    def __init__(self, application):
        self.application = application
        self.security = SecurityMiddleware(_no_response)
        self.common = CommonMiddleware(_no_response)
        self.xframe = XFrameOptionsMiddleware(_no_response)
        self.languages = {code for code, _name in settings.LANGUAGES}

    @staticmethod
    def enabled():
        return getattr(settings, "SOTAY_FRONT", True) and _known(tuple(settings.MIDDLEWARE))

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in FAST_METHODS and self.enabled():
            answer = self.answer(environ)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body]
        return self.application(environ, start_response)

    def answer(self, environ):
        """``(status, headers, body)`` of the fast answer to this request; None: Django answers."""
        set_script_prefix(get_script_name(environ))
        # On a copy: WSGIRequest writes the decoded path back into its environ (META), and
        # Django's own WSGIRequest could not read a non-Latin-1 path from it again (a 500 for
        # any POST to an address with, say, "Ā" in it).
        request = WSGIRequest({**environ})
        func, args, kwargs = _route(get_urlconf(), request.path_info)
        fast_answer = getattr(func, "fast_answer", None)
        db = connections[DEFAULT_DB_ALIAS]
        if fast_answer is None or not _ready(db) or not _small_body(environ):
            return None
        # Read the body here and put it back: Django reads wsgi.input again if it answers.
        environ["wsgi.input"] = io.BytesIO(request.body)
        try:
            if self.security.process_request(request) or self.common.process_request(request):
                return None  # a redirect (HTTPS, slash, www): Django's
        except (DisallowedHost, PermissionDenied):
            return None  # Django answers 400/403 and logs it as usual
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        environ[REQUEST_KEY] = True
        db.health_check_done = (
            True  # the statement is the check: an error hands the request to Django
        )
        try:
            response = fast_answer(request, *args, **kwargs)
        except DatabaseError:
            log.warning(
                "fast answer of %s failed; Django answers", request.path_info, exc_info=True
            )
            db.close()
            return None
        if response is None:
            return None
        body = response.content
        return (
            f"{response.status_code} {response.reason_phrase}",
            self.headers(request, response, language),
            body,
        )

    @functools.lru_cache(maxsize=8)  # noqa: B019 (one Front per process, a few lists of settings)
    def response_steps(self, middleware):
        """What each middleware does to an answer, inside out: a ``process_response`` to call, or
        :data:`LANGUAGE`; the others add nothing to a fast answer."""
        steps = []
        for dotted in reversed(middleware):
            known = {
                "django.middleware.security.SecurityMiddleware": self.security,
                "django.middleware.common.CommonMiddleware": self.common,
                "django.middleware.clickjacking.XFrameOptionsMiddleware": self.xframe,
            }
            if dotted in known:
                steps.append(known[dotted].process_response)
            elif dotted not in KNOWN_MIDDLEWARE:
                cls = import_string(dotted)
                marker = getattr(cls, MARKER, None)
                if marker == LANGUAGE:
                    steps.append(LANGUAGE)
                elif marker == RESPONSE:
                    steps.append(cls(_no_response).process_response)
        return steps

    def headers(self, request, response, language):
        """The answer's headers once the middleware have added theirs.

        What they add depends on the settings, the response's own headers and status, the
        language and the scheme, never on the body but for its length: worked out once per such
        combination by the middleware themselves, on an empty copy of the response."""
        key = (
            response.status_code,
            tuple(response.items()),
            language,
            request.is_secure(),
            # The admin has its own Content-Security-Policy (sotay_plugins.middleware).
            request.path_info.startswith(tuple(getattr(settings, "SOTAY_ADMIN_CSP_PREFIXES", ()))),
            bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME)),  # Cache-Control: credentials
            bool(request.META.get("HTTP_AUTHORIZATION")),
        )
        template = _header_templates.get(key)
        if template is None:
            copy = HttpResponse(status=response.status_code)
            for name, value in response.items():
                copy[name] = value
            # In the order of the middleware list, from the inside out (as are the headers they
            # add).
            for step in self.response_steps(tuple(settings.MIDDLEWARE)):
                if step == LANGUAGE:
                    patch_vary_headers(copy, ["Cookie"])
                    copy.headers.setdefault("Content-Language", language)
                else:
                    copy = step(request, copy)
            template = [
                (name, None if name == "Content-Length" else value) for name, value in copy.items()
            ]
            if len(_header_templates) < 64:
                _header_templates[key] = template
        if response.cookies:
            raise ValueError("a fast answer sets no cookie")
        return [
            (name, value) if value is not None else (name, str(len(response.content)))
            for name, value in template
        ]


#: Routes of recent POST paths (resolving is a pure function of the URLconf and the path): on the
#: peak day every meeting's check-in URL is asked ~20 times by each worker; 5,000 meetings fit.
@functools.lru_cache(maxsize=16384)
def _route(urlconf, path):
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None, (), {}
    return match.func, match.args, match.kwargs


_header_templates = {}


def forget(**kwargs):
    """Settings changed (tests): routes and middleware headers are worked out again. Connected
    to ``setting_changed`` by ``CoreConfig.ready``."""
    _route.cache_clear()
    _known.cache_clear()
    _header_templates.clear()


@functools.lru_cache(maxsize=8)
def _known(middleware):
    """Whether the front knows what to do about every middleware of this list (a marker on the
    class, or a dotted path of :data:`KNOWN_MIDDLEWARE`); an unknown one sends all to Django."""
    for dotted in middleware:
        if dotted in KNOWN_MIDDLEWARE:
            continue
        try:
            cls = import_string(dotted)
        except ImportError:
            return False
        if getattr(cls, MARKER, None) not in (NOTHING, LANGUAGE, RESPONSE):
            return False
    return True


def _small_body(environ):
    """A body of known length, small enough to hold twice (fast answers take a few hundred
    bytes)."""
    try:
        return 0 <= int(environ.get("CONTENT_LENGTH") or 0) <= MAX_BODY
    except ValueError:
        return False


def _ready(db):
    """An open connection Django would keep for this request as it is (no health check aside)."""
    return (
        db.connection is not None
        and (db.close_at is None or time.monotonic() < db.close_at)
        and not db.errors_occurred
        and not db.in_atomic_block
        and db.get_autocommit()
    )


def tried(request):
    """Whether the front already asked this request's fast answer (the view need not again)."""
    return request.META.get(REQUEST_KEY, False)


# --- what fast answers share ---------------------------------------------------------------


def applies_to(view_class):
    """Whether ``view_class`` (the DRF view behind a fast answer) is configured as a fast answer
    assumes: token (and session) authentication, IsAuthenticated only, no throttles, JSON parsed
    and rendered first. Otherwise the fast answer is left out and the view answers every request
    itself."""
    from rest_framework.authentication import SessionAuthentication, TokenAuthentication
    from rest_framework.parsers import JSONParser
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.renderers import JSONRenderer

    auth = list(view_class.authentication_classes)
    tokens = [a for a in auth if issubclass(a, TokenAuthentication)]
    return (
        len(tokens) == 1
        and tokens[0].keyword == "Token"
        and tokens[0]().get_model()._meta.label == "authtoken.Token"
        and all(issubclass(a, TokenAuthentication | SessionAuthentication) for a in auth)
        and list(view_class.permission_classes) == [IsAuthenticated]
        and not view_class.throttle_classes
        and view_class.renderer_classes
        and view_class.renderer_classes[0] is JSONRenderer
        and any(issubclass(p, JSONParser) for p in view_class.parser_classes)
    )


def _reject_constant(name):
    raise ValueError(name)  # NaN, Infinity: DRF's strict JSON parser refuses them too


def _accepts_json(request):
    """No Accept, or one DRF would answer with plain JSON (no browsable HTML, no indent)."""
    accept = request.META.get("HTTP_ACCEPT", "")
    if not accept:
        return True
    return (
        ";" not in accept
        and "text/" not in accept
        and ("application/json" in accept or "*/*" in accept)
    )


def token_json(request, max_body):
    """``(API key, JSON object)`` of a plain request with ``Authorization: Token <key>`` and a
    JSON object of at most ``max_body`` bytes as its body (UTF-8, no query string, an Accept DRF
    answers with plain JSON, no Idempotency-Key: a replayed offline request is the view's), or
    None for any other request (the view answers it)."""
    meta = request.META
    auth = meta.get("HTTP_AUTHORIZATION", "").split()
    if len(auth) != 2 or auth[0].lower() != "token" or not auth[1].isascii() or len(auth[1]) > 40:
        return None
    if (
        meta.get("QUERY_STRING")
        or meta.get("HTTP_IDEMPOTENCY_KEY")
        or request.content_type != "application/json"
        or not _accepts_json(request)
    ):
        return None
    charset = request.content_params.get("charset")
    if (charset and charset.lower() not in ("utf-8", "utf8")) or len(request.content_params) > (
        1 if charset else 0
    ):
        return None
    try:
        if int(meta.get("CONTENT_LENGTH") or 0) > max_body:
            return None
        data = json.loads(request.body.decode("utf-8"), parse_constant=_reject_constant)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return auth[1], data


def json_answer(data, status, allow):
    """The answer DRF's JSONRenderer gives for ``data`` (compact UTF-8 JSON, ``Allow``,
    ``Vary: Accept``)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    response = HttpResponse(body.encode(), status=status, content_type="application/json")
    response.headers["Vary"] = "Accept"
    response.headers["Allow"] = allow
    return response
