"""Saving a quiz answer in front of Django's middleware (issue 13: 20,000 members answering within
ten minutes, ~330 saves a second on two cores).

``PUT /api/v1/quizzes/<quiz>/attempts/<attempt>/answers/`` with ``Authorization: Token <key>``
and ``{"question": id, "selected": [answer ids]}``: through the middleware, DRF and the view, a
save costs ~4.5 ms of CPU for one UPDATE that takes ~0.1 ms. Here
(:mod:`sotay_plugins.front`) the same UPDATE the view makes (``services.save_one_fast``) names the
caller by their API token instead of their user id: the token's whole validity rule
(``authentication.token_sql``), the caller's own attempt, open and in time, the question drawn for
it, the answers among the question's and one answer for a one-answer question are its WHERE.

One row back: 200 with what the view answers (``{"saved": 1, "seconds_left": n}``). Nothing back,
and every request of another shape (several answers, a session login, a query string, an
offline replay with ``Idempotency-Key`` or ``Sotay-Queued``, another Accept), goes to the DRF
view and the service unchanged, which find the exact reason and answer it in Vietnamese
(400/401/403/404/409). So this path
only ever says yes where the view would, and never says no by itself. No cache is involved.
PostgreSQL only; ``SOTAY_QUIZ_FAST_PATH = False`` turns it off.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from sotay_plugins import front

from .. import services

#: A save's body is ~40 bytes; anything much larger is not one (the view judges it).
MAX_BODY = 4096
#: What DRF's view answers in ``Allow`` for the answers route (its actions: put, patch).
ALLOW = "PUT, PATCH, OPTIONS"


def enabled(db):
    return db.vendor == "postgresql" and getattr(settings, "SOTAY_QUIZ_FAST_PATH", True)


def _choice(data):
    """The one answer of a plain save (``question`` and ``selected``, nothing else), or None."""
    if set(data) - {"question", "selected"}:
        return None
    try:
        choices = services.parse_answers(data)
    except services.QuizError:
        return None  # the view says what is wrong, in Vietnamese
    return choices[0] if len(choices) == 1 else None


def answer(request, pk, attempt_id):
    """Save on the fast path; the response, or None when the DRF view must answer."""
    db = connections[DEFAULT_DB_ALIAS]
    if request.method != "PUT" or not enabled(db) or not str(pk).isdigit():
        return None
    if request.META.get("HTTP_SOTAY_QUEUED"):  # replayed by the offline queue: the view's rule
        return None
    parsed = front.token_json(request, MAX_BODY)
    if parsed is None:
        return None
    key, data = parsed
    choice = _choice(data)
    if choice is None:
        return None
    left = services.save_one_fast(None, int(pk), int(attempt_id), choice, key=key)
    if left is None:
        return None
    return front.json_answer({"saved": 1, "seconds_left": left}, 200, ALLOW)
