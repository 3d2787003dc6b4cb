"""The check-in hot path (issue 4: 1,000 check-ins/s on the 3rd of the month): one SQL statement.

A scan by a cell secretary is ``POST /api/v1/<roll's prefix>/<pk>/checkin/`` (meetings:
``/api/v1/meetings/<pk>/checkin/``) with ``Authorization: Token <key>`` and
``{"token": "<member QR token>"}``. Through DRF and the service (:func:`.service.check_in`) that
costs four queries, two cache reads and ~3.5 ms of CPU. Here the same checks are the WHERE clause
of the one conditional UPDATE the service makes anyway, built from the registered roll:

- the API token names an active account (DRF's ``TokenAuthentication``);
- that account may check people in at the event's unit: the scope engine's own SQL form of
  ``can(user, roll.capability, unit)`` (``orgtree.scope.holds_sql``, tested against ``can``), in the
  same statement, so it is never older than the database;
- the event is in no state that closes its roll (``roll.closed``);
- the QR token's signature (and an app token's 90 s lifetime) is verified in Python by the
  members plugin (``registry.credential_resolver.claims``); what its resolver would test with a
  query (card not revoked, member still active) joins the WHERE as the SQL the members plugin
  writes for it (``credential_resolver.member_sql``);
- the member is expected at this event and not yet checked in (the service's exactly-once
  condition: ``status IN (expected, absent, excused)``; the row is locked and the condition
  re-checked by PostgreSQL, so two scanners at once give one 201).

One row back: 201 with the record (present or late, from the event's start and the grace
minutes). Nothing back: the same conditions are read once more without the status one; a row then
is a repeat (200 ``already``, as the service answers). Anything else (no row: a wrong or revoked
card, a member of another cell, a closed event, a secretary of another cell, a disabled
account, …) and every request of another shape (session login, ``cccd_qr``, form data, another
Accept, a query string) goes to the DRF view and the service unchanged, which find the exact
reason and answer it (400/401/403/404/409, in Vietnamese). So this path only ever says yes where
the service would, and never says no by itself.

No cache is involved: nothing here can go stale when an event is closed, a card revoked, a role
withdrawn or a token deleted. PostgreSQL only (the SQLite default takes the service's path).
``SOTAY_CHECKIN_FAST_PATH = False`` turns it off.
"""

from __future__ import annotations

import functools
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone, translation

from sotay_plugins import authentication, front
from sotay_plugins.orgtree import scope
from sotay_plugins.prepared import Statement
from sotay_plugins.registry import registry

from . import service
from .models import AttendanceStatus

#: A check-in body is ~150 bytes; anything much larger is not one (the service judges it).
MAX_BODY = 4096


#: DRF's view behind the path is configured as it assumes (:func:`sotay_plugins.front.applies_to`).
applies_to = front.applies_to


def enabled(db):
    return db.vendor == "postgresql" and getattr(settings, "SOTAY_CHECKIN_FAST_PATH", True)


# --- the request ----------------------------------------------------------------------------


def _parse(request):
    """``(api key, member token)`` of a plain JSON scan, or None for any other request."""
    parsed = front.token_json(request, MAX_BODY)
    if parsed is None:
        return None
    key, data = parsed
    if data.get("cccd_qr") not in (None, ""):
        return None
    token = data.get("token")
    if not isinstance(token, str) or not token.strip():
        return None
    return key, token.strip()


# --- the statements -------------------------------------------------------------------------

_statements = {}


def _column(model, name):
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _pk(model):
    return connection.ops.quote_name(model._meta.pk.column)


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _literals(*values):
    """Constants of this code (statuses, states, a capability code) written into the statement."""
    for value in values:
        if not re.fullmatch(r'[\w.*\[\]"]+', value):
            raise ValueError(f"not a plain constant: {value!r}")
    return ", ".join(f"'{value}'" for value in values)


def _statements_for(roll, shape):
    """``(update, already)`` statements of ``roll`` for a credential's claims shape, built once
    per process.

    Parameters: ``now``, ``grace`` (an interval), ``method``, ``key`` (the API token), ``event``,
    ``member``, ``today`` and the credential's ``c0``, ``c1``…
    """
    cache_key = (roll.key, shape)
    if cache_key in _statements:
        return _statements[cache_key]
    from rest_framework.authtoken.models import Token

    user = get_user_model()
    model, event = roll.model, roll.event_model
    a = {
        name: _column(model, name)
        for name in (
            roll.event_field,
            "member",
            "status",
            "method",
            "checked_in_at",
            "recorded_by",
            "reason",
            "updated_at",
        )
    }
    ev = {name: _column(event, name) for name in (roll.state_field, roll.starts_field)}
    ev_org = _column(event, roll.org_field)
    member = registry.credential_resolver.member_sql("m", f"a.{a['member']}", shape)
    locked = (
        f"AND ev.{ev[roll.state_field]} NOT IN ({_literals(*roll.closed)}) " if roll.closed else ""
    )
    # What both statements require, besides the attendance row's status.
    where = (
        f"{authentication.token_sql('t', 'u')} "  # the API token's whole validity rule
        f"AND a.{a[roll.event_field]} = %(event)s AND a.{a['member']} = %(member)s "
        f"AND ev.{_pk(event)} = a.{a[roll.event_field]} {locked}"
        f"AND {member.where} "
        f"AND {scope.holds_sql(roll.capability, user_sql=f'u.{_pk(user)}', org_sql=f'ev.{ev_org}')}"
    )
    tables = f"{_table(Token)} t, {_table(user)} u, {_table(event)} ev, {member.table} m"
    late, present = (
        _literals(AttendanceStatus.LATE.value),
        _literals(AttendanceStatus.PRESENT.value),
    )
    update = (
        f"UPDATE {_table(model)} a SET "  # noqa: S608 (names from the models, values as parameters)
        f"{a['status']} = CASE "
        f"WHEN %(now)s::timestamptz > ev.{ev[roll.starts_field]} + %(grace)s::interval "
        f"THEN {late} ELSE {present} END, "
        f"{a['method']} = %(method)s, {a['checked_in_at']} = %(now)s::timestamptz, "
        f"{a['recorded_by']} = u.{_pk(user)}, {a['reason']} = '', "
        f"{a['updated_at']} = %(now)s::timestamptz "
        f"FROM {tables} WHERE a.{a['status']} IN ({_literals(*service.SCANNABLE)}) AND {where} "
        f"RETURNING a.{_pk(model)}, a.{a['status']}, {member.name}"
    )
    already = (
        f"SELECT a.{_pk(model)}, a.{a['status']}, a.{a['method']}, "  # noqa: S608
        f"a.{a['checked_in_at']}, a.{a['reason']}, {member.name} "
        f"FROM {_table(model)} a, {tables} "
        f"WHERE a.{a['status']} IN ({_literals(*service.CHECKED_IN)}) AND {where}"
    )
    _statements[cache_key] = (
        Statement("checkin_fast_update", update),
        Statement("checkin_fast_already", already),
    )
    return _statements[cache_key]


# --- the answer -----------------------------------------------------------------------------

_labels = {}


def _response(record, created):
    """The body and headers the DRF view gives."""
    data = record.as_dict(status_label=_label(record.status))
    data["already"] = not created
    return front.json_answer(data, 201 if created else 200, "POST, OPTIONS")


def _label(status):
    """The status's label in the active language (translated once per process and language)."""
    key = (translation.get_language(), status)
    if key not in _labels:
        _labels[key] = str(AttendanceStatus(status).label)
    return _labels[key]


def attempt(roll, request, pk):
    """Check in on ``roll``'s fast path; the response, or None when the DRF view must answer."""
    db = connections[DEFAULT_DB_ALIAS]
    if request.method != "POST" or not enabled(db):
        return None
    parsed = _parse(request)
    resolver = registry.credential_resolver
    if parsed is None or resolver is None:
        return None
    key, token = parsed
    try:
        claims = resolver.claims(token)
    except ValidationError:
        return None  # forged, expired, malformed: the service says which, in Vietnamese
    update, already = _statements_for(roll, claims.shape)
    now = timezone.now()
    values = {
        "now": now,
        "grace": timedelta(minutes=service.grace_minutes()),
        "method": claims.method,
        **authentication.token_sql_values(key, now),
        "event": pk,
        "member": claims.member_id,
        "today": timezone.localdate(now),
        **claims.params,
    }
    record = functools.partial(service.Record, event_key=roll.event_field)
    with db.cursor() as cursor:
        row = update.run(db, cursor, values)
        if row is not None:
            return _response(
                record(row[0], pk, claims.member_id, row[1], claims.method, now, "", row[2] or ""),
                True,
            )
        row = already.run(db, cursor, values)
    if row is None:
        return None
    record_id, status, method, checked_in_at, reason, name = row
    return _response(
        record(record_id, pk, claims.member_id, status, method, checked_in_at, reason, name or ""),
        False,
    )
