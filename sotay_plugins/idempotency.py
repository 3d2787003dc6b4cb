"""Exactly once for requests a client may send twice (issue 18: what a phone did offline).

A client that may repeat a request (a queue flushed when the network returns, a retry after a
lost answer) generates one key per action and sends it in the ``Idempotency-Key`` header. An API
action wrapped with :func:`idempotent`:

- without the header, runs as before;
- with a new key, runs, and in the same transaction records the key with its answer (a 2xx
  only: a refused or failed request keeps nothing, so the client may try again);
- with a key already recorded for the same request, runs nothing and answers the recorded
  status and body again, with ``Idempotent-Replayed: true``;
- with a key recorded for another request (another path or body), answers 422;
- with a malformed key, answers 400. Both in Vietnamese, changing nothing;
- with a key whose first request is still running, answers 409 with ``Retry-After``: the only
  409 a queue should try again (another 409 — a quiz answer after the deadline — is a refusal).

The phone's offline queue (``site/static/sw.js``) also sends ``Sotay-Queued: 1``
(:data:`QUEUED_HEADER`, read by :func:`is_queued`): the request was made with no network and is
only now replayed, so an action that must not be done offline (a quiz that needs the network)
can refuse it.

Two copies racing: the key's row is inserted first, inside the action's transaction, so on
PostgreSQL the second insert waits for the first transaction and then finds the key (and
replays); on SQLite writers are serialised anyway. Keys are per account and kept
``KEEP_DAYS`` (``prune``, called by the outbox sweep).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status as http
from rest_framework.response import Response

HEADER = "Idempotency-Key"
QUEUED_HEADER = "Sotay-Queued"
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
KEEP_DAYS = 7
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def schema_parameter():
    """The header, for ``extend_schema(parameters=[...])`` of a wrapped action."""
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        HEADER,
        str,
        OpenApiParameter.HEADER,
        required=False,
        description=(
            "Mã do máy khách sinh một lần cho mỗi thao tác (8–64 ký tự A-Z, a-z, 0-9, - hoặc _): "
            "gửi lại cùng mã thì không thực hiện lần nữa mà trả lại kết quả lần đầu."
        ),
    )


def is_queued(request):
    """Whether the request comes from the phone's offline queue (``Sotay-Queued: 1``)."""
    return request.headers.get(QUEUED_HEADER) == "1"


def schema_responses():
    """The answers a wrapped action adds, for its ``extend_schema(responses={...})``."""
    from drf_spectacular.utils import OpenApiResponse

    return {
        409: OpenApiResponse(description="The first request with this key is still running."),
        422: OpenApiResponse(description="This key was used for another request."),
    }


def fingerprint(request):
    """What the request is: its method, path and body (a digest)."""
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.path.encode())
    digest.update(b"\0")
    try:
        data = request.data
        body = json.dumps(data, sort_keys=True, default=str) if data is not None else ""
    except Exception:  # noqa: BLE001 - an unreadable body is the view's to refuse
        body = ""
    digest.update(body.encode())
    return digest.hexdigest()


def _error(detail, status):
    return Response({"detail": detail, "fields": {HEADER: [detail]}}, status=status)


def idempotent(action):
    """Wrap a DRF view method (``def create(self, request, ...)``) as described above."""

    @functools.wraps(action)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or request.method in SAFE_METHODS:
            return action(view, request, *args, **kwargs)
        if not KEY_RE.match(key):
            return _error(
                _("Mã chống gửi trùng không hợp lệ (8–64 chữ, số, dấu - hoặc _)."),
                http.HTTP_400_BAD_REQUEST,
            )
        if not getattr(request.user, "is_authenticated", False):
            return action(view, request, *args, **kwargs)  # refused by the view's permissions
        return _run_once(action, view, request, key, args, kwargs)

    return wrapper


def _run_once(action, view, request, key, args, kwargs):
    from .models import IdempotencyKey

    mark = fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user_id=request.user.pk, key=key, fingerprint=mark
                )
        except IntegrityError:
            return _replay(IdempotencyKey, request, key, mark)
        response = action(view, request, *args, **kwargs)
        if 200 <= response.status_code < 300:
            record.status = response.status_code
            record.body = _as_json(getattr(response, "data", None))
            record.save(update_fields=["status", "body"])
        else:
            transaction.set_rollback(True)  # nothing kept: the key may be used again
    return response


def _as_json(data):
    """The answer's data as its JSON gives it (dates, decimals as the API renders them), so the
    key's row can hold it and a replay answers the same body."""
    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(data, cls=JSONEncoder)) if data is not None else None


def _replay(model, request, key, mark):
    record = model.objects.filter(user_id=request.user.pk, key=key).first()
    if record is None or record.status is None:  # the first copy is still running (SQLite)
        response = _error(
            _("Yêu cầu này đang được xử lý; xin thử lại sau giây lát."), http.HTTP_409_CONFLICT
        )
        response["Retry-After"] = "1"
        return response
    if record.fingerprint != mark:
        return _error(
            _("Mã chống gửi trùng này đã dùng cho một yêu cầu khác."),
            http.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(record.body, status=record.status)
    response["Idempotent-Replayed"] = "true"
    return response


def prune(now=None):
    """Delete keys older than ``KEEP_DAYS`` (a queue is flushed within days, not weeks)."""
    from .models import IdempotencyKey

    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    return IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0]
