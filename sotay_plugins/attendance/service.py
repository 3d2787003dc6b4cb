"""Check-in: the one attendance service, for every roll (meetings now, study sessions later).

No HTTP here: functions take a roll (``registry.Roll``: the module's attendance model, its event,
capabilities, start and closing states), the event, the scanned credential and the acting user,
and return a result object or raise :class:`CheckInError` (a ValidationError with a Vietnamese
message and a ``status`` the API turns into an HTTP code).

Exactly once: every expected participant has one attendance row (unique (event, member)),
created when the event is convened. Checking in is ONE conditional UPDATE of that row
(``status IN (expected, absent, excused)`` → present/late) with ``RETURNING``; 0 rows updated
means the member was already checked in (the row is read and returned as ``already``) or is not
expected (refused). Retries, double scans, concurrent scanners and re-sent offline batches all
land on that one statement, so nothing is duplicated and nothing accepted is lost.

Cost of one check-in here: the event with its unit (1 query, :func:`event_for`) and, for a
member's card or app token, one UPDATE that also checks the card (its ``qr_version``, the member
still active: the members plugin's ``claims`` and ``member_sql``), prepared once per database
session (:mod:`sotay_plugins.prepared`).
A chip-card QR, or a token that fails there, goes through the
resolver (1 query) for the member or the exact refusal. The caller's rights come from the scope
engine's cache. The API's hot path, :mod:`.fast`, folds the rest (API token, rights, event
state) into that one statement as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from sotay_plugins.orgtree import scope
from sotay_plugins.prepared import Statement
from sotay_plugins.registry import Roll, registry

from .models import CHECKED_IN, MANUAL_STATUSES, SCANNABLE, AttendanceMethod, AttendanceStatus

S = AttendanceStatus
M = AttendanceMethod
__all__ = ["CHECKED_IN", "MANUAL_STATUSES", "SCANNABLE", "Roll"]
#: An offline batch holds at most this many check-ins.
OFFLINE_BATCH_MAX = 500
#: How far a device's clock may run ahead of ours, and how long before the start an offline
#: check-in may be dated.
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_BEFORE_START = timedelta(hours=12)


def grace_minutes():
    """Minutes after the start during which a check-in still counts as on time."""
    return int(getattr(settings, "SOTAY_CHECKIN_GRACE_MINUTES", 15))


class CheckInError(ValidationError):
    """A refused check-in. ``status`` is the HTTP code the API answers with; ``field`` the input at
    fault."""

    def __init__(self, message, *, code, status=400, field=None):
        super().__init__(message, code=code)
        self.status = status
        self.field = field


def roll_for(key):
    """The registered roll ``key`` (``registry.rolls``)."""
    return registry.rolls[key]


@dataclass(frozen=True)
class Record:
    """An attendance row as the service returns it (no model instance: the UPDATE returns it)."""

    id: int
    event_id: int
    member_id: int
    status: str
    method: str
    checked_in_at: datetime | None
    reason: str = ""
    member_name: str = ""
    event_key: str = "meeting"  # the record's name for its event (the roll's ``event_field``)

    @property
    def status_label(self):
        return str(S(self.status).label)

    def as_dict(self, status_label=None):
        """The API's attendance record; ``status_label`` if the caller already has it translated."""
        return {
            "id": self.id,
            self.event_key: self.event_id,
            "member": self.member_id,
            "member_name": self.member_name,
            "status": self.status,
            "status_label": self.status_label if status_label is None else status_label,
            "method": self.method,
            "checked_in_at": self.checked_in_at.isoformat() if self.checked_in_at else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class CheckInResult:
    record: Record
    created: (
        bool  # True: this call checked the member in (HTTP 201); False: already checked in (200)
    )

    @property
    def already(self):
        return not self.created


# --- access ---------------------------------------------------------------------------------


def event_for(roll, user, pk, *, capabilities=None):
    """The event ``pk`` of ``roll`` if ``user`` may act on it with one of ``capabilities``
    (default: the roll's check-in capability).

    Out of the user's sight: 404 (nothing is revealed); visible (a participant) but without the
    right: 403. One query on the fast path (the event with its unit).
    """
    capabilities = capabilities or (roll.capability,)
    event_model = roll.event_model
    events = event_model.objects.select_related(roll.org_field)
    if roll.event_fields:
        events = events.only(*roll.event_fields)
    try:  # get(), not first(): no ORDER BY to compile (≈0.1 ms of CPU on the hot path)
        event = events.get(pk=pk)
    except event_model.DoesNotExist:
        event = None
    if event is not None and any(scope.can(user, capability, event) for capability in capabilities):
        return event
    if event is not None and scope.visible_to(user, event_model.objects.filter(pk=pk)).exists():
        raise CheckInError(roll.texts.only_staff, code="forbidden", status=403)
    raise CheckInError(roll.texts.not_found, code="not_found", status=404)


def _check_open(roll, event):
    closed = roll.closed.get(getattr(event, roll.state_field))
    if closed is not None:
        code, message = closed
        raise CheckInError(message, code=code, status=409)


def is_locked(roll, event):
    """Whether the event's state closes its roll (no more check-ins or marks)."""
    return getattr(event, roll.state_field) in roll.closed


def _authorise(event, user, roll):
    if not scope.can(user, roll.capability, event):
        raise CheckInError(roll.texts.forbidden, code="forbidden", status=403)


# --- the credential -----------------------------------------------------------------------


def resolve_credential(*, token=None, cccd_qr=None, among=None):
    """``(member_id, method)`` of a scanned QR, through the members plugin's resolver; a chip
    card is looked up ``among`` the event's roll only (see ``CredentialResolver.resolve``)."""
    token = (token or "").strip() if isinstance(token, str) else token
    cccd_qr = (cccd_qr or "").strip() if isinstance(cccd_qr, str) else cccd_qr
    if token and cccd_qr:
        raise CheckInError(
            _("Chỉ gửi một mã: mã QR của đảng viên hoặc mã QR trên CCCD."),
            code="both",
            field="token",
        )
    if not token and not cccd_qr:
        raise CheckInError(
            _("Chưa có mã QR: xin quét thẻ, mã trên điện thoại hoặc CCCD của đảng viên."),
            code="required",
            field="token",
        )
    if not isinstance(token or cccd_qr, str):
        raise CheckInError(
            _("Mã QR phải là chuỗi ký tự."), code="invalid", field="token" if token else "cccd_qr"
        )
    field = "token" if token else "cccd_qr"
    resolver = registry.credential_resolver
    if resolver is None:
        raise CheckInError(
            _("Chưa bật phần hồ sơ đảng viên: không đọc được mã QR."),
            code="unavailable",
            status=503,
        )
    try:
        return resolver.resolve(token=token or None, cccd_qr=cccd_qr or None, among=among)
    except ValidationError as exc:
        raise CheckInError(
            exc.messages[0], code=getattr(exc, "code", None) or "invalid", field=field
        ) from None


def _claims(token, cccd_qr):
    """The ``registry.Claims`` of a member's token, whose remaining checks (card not revoked,
    member active) can join the UPDATE; None for anything else, which the caller resolves in full
    with :func:`resolve_credential` (for the check-in or for the exact refusal)."""
    resolver = registry.credential_resolver
    if resolver is None or cccd_qr or not isinstance(token, str) or not token.strip():
        return None
    try:
        return resolver.claims(token.strip())
    except ValidationError:
        return None


# --- the one statement ------------------------------------------------------------------


def _status_at(roll, event, at):
    starts = getattr(event, roll.starts_field)
    return S.LATE if at > starts + timedelta(minutes=grace_minutes()) else S.PRESENT


_updates = {}


def _update_statement(roll, shape):
    """The conditional UPDATE of ``roll``, with a credential's conditions of ``shape`` (or none)."""
    key = (roll.key, roll.model._meta.label, shape)
    if key not in _updates:
        q = connection.ops.quote_name
        table = q(roll.model._meta.db_table)
        member_id = f"{table}.{q('member_id')}"
        credential = registry.credential_resolver.member_sql("m", member_id, shape)
        named = registry.credential_resolver.member_sql("m", member_id)
        scannable = ", ".join(f"%(s{i})s" for i in range(len(SCANNABLE)))
        condition = (
            f" AND EXISTS (SELECT 1 FROM {credential.table} m WHERE {credential.where})"  # noqa: S608
            if shape is not None
            else ""
        )
        _updates[key] = Statement(
            "checkin_service_update",
            (
                f"UPDATE {table} SET {q('status')} = %(status)s, {q('method')} = %(method)s, "  # noqa: S608
                f"{q('checked_in_at')} = %(at)s, {q('recorded_by_id')} = %(user)s, "
                f"{q('reason')} = '', {q('updated_at')} = %(now)s "
                f"WHERE {q(roll.event_column)} = %(event)s AND {q('member_id')} = %(member)s "
                f"AND {q('status')} IN ({scannable}){condition} "
                f"RETURNING {q('id')}, "
                f"(SELECT {named.name} FROM {named.table} m WHERE {named.where})"
            ),
        )
    return _updates[key]


def _conditional_update(roll, event_id, member_id, *, status, method, at, user_id, conditions=None):
    """UPDATE … WHERE status is scannable RETURNING id, the member's name: ``(id, name)``, or None
    if nothing changed (already checked in, or not expected; with a credential's ``conditions``:
    or the credential no longer names a current member)."""
    statement = _update_statement(roll, None if conditions is None else conditions.shape)
    values = {
        "status": status,
        "method": method,
        "at": _db_time(at),
        "user": user_id,
        "now": _db_time(timezone.now()),
        "event": event_id,
        "member": member_id,
        **{f"s{i}": s for i, s in enumerate(SCANNABLE)},
        **(conditions.params if conditions is not None else {}),
    }
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        return statement.run(db, cursor, values)


def _db_time(value):
    return connection.ops.adapt_datetimefield_value(value)


def _read_row(roll, event_id, member_id):
    return (
        roll.model.objects.filter(**{f"{roll.event_field}_id": event_id, "member_id": member_id})
        .values("id", "status", "method", "checked_in_at", "reason", "member__full_name")
        .first()
    )


def _record(roll, *args):
    return Record(*args, event_key=roll.event_field)


def _apply(roll, event, member_id, *, method, at, user, conditions=None, cccd=False):
    """Check the member in; with a token's ``conditions`` (``registry.Claims``, see
    :func:`_claims`), only if they hold, and None otherwise (the caller then resolves the
    credential in full)."""
    status = _status_at(roll, event, at)
    updated = _conditional_update(
        roll,
        event.pk,
        member_id,
        status=status,
        method=method,
        at=at,
        user_id=user.pk,
        conditions=conditions,
    )
    if updated is not None:
        return CheckInResult(
            _record(
                roll, updated[0], event.pk, member_id, status, method, at, "", updated[1] or ""
            ),
            created=True,
        )
    if conditions is not None:
        return None
    row = _read_row(roll, event.pk, member_id)
    if row is None:
        from sotay_plugins.members.models import Member  # the name only, for the message

        name = Member.objects.filter(pk=member_id).values_list("full_name", flat=True).first() or ""
        raise CheckInError(
            roll.texts.not_expected_named % {"name": name} if name else roll.texts.not_expected,
            code="not_expected",
            field="token",
        )
    return CheckInResult(
        _record(
            roll,
            row["id"],
            event.pk,
            member_id,
            row["status"],
            row["method"],
            row["checked_in_at"],
            row["reason"],
            row["member__full_name"],
        ),
        created=False,
    )


def _on_roll(roll, event):
    """The members expected at ``event`` (a subquery): whom a chip card may name there."""
    return roll.model.objects.filter(**{f"{roll.event_field}_id": event.pk}).values("member_id")


def _claimed_or_resolved(roll, event, token, cccd_qr, *, method=None, at, user):
    """Check in whom a credential names: a token's claims inside the UPDATE first, else the
    resolver (the member, or the exact refusal)."""
    claimed = _claims(token, cccd_qr)
    if claimed is not None:  # a member's token: one statement checks the card and checks in
        result = _apply(
            roll,
            event,
            claimed.member_id,
            method=method or claimed.method,
            at=at,
            user=user,
            conditions=claimed,
        )
        if result is not None:
            return result
    member_id, resolved = resolve_credential(
        token=token, cccd_qr=cccd_qr, among=None if token else _on_roll(roll, event)
    )
    try:
        return _apply(roll, event, member_id, method=method or resolved, at=at, user=user)
    except CheckInError as exc:
        exc.field = "cccd_qr" if not token else exc.field
        raise


# --- the calls ----------------------------------------------------------------------------


def check_in(roll, event, *, token=None, cccd_qr=None, by_user, at=None, method_override=None):
    """Check in the member a scanned QR names. Idempotent: a repeat returns the record as
    ``already``."""
    _authorise(event, by_user, roll)
    _check_open(roll, event)
    return _claimed_or_resolved(
        roll, event, token, cccd_qr, method=method_override, at=at or timezone.now(), user=by_user
    )


def mark(roll, event, *, member_id, status, reason="", by_user):
    """The secretary marks a member by hand: present, late, excused (with a reason) or absent.

    Returns ``(record, changed)``; marking the same way again changes nothing.
    """
    _authorise(event, by_user, roll)
    _check_open(roll, event)
    reason = " ".join(str(reason or "").split())
    if status not in MANUAL_STATUSES:
        raise CheckInError(
            _("Tình trạng phải là: có mặt, đến muộn, vắng có lý do hoặc vắng không lý do."),
            code="status",
            field="status",
        )
    if status == S.EXCUSED and not reason:
        raise CheckInError(_("Vắng có lý do thì phải ghi lý do."), code="reason", field="reason")
    if len(reason) > 255:
        raise CheckInError(_("Lý do dài quá 255 ký tự."), code="reason", field="reason")
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        raise CheckInError(_("Chưa chọn đảng viên."), code="member", field="member") from None
    qs = roll.model.objects.filter(**{f"{roll.event_field}_id": event.pk, "member_id": member_id})
    row = qs.values(
        "id", "status", "method", "checked_in_at", "reason", "member__full_name"
    ).first()
    if row is None:
        raise CheckInError(roll.texts.not_expected, code="not_expected", field="member")
    present = status in CHECKED_IN
    checked_in_at = (row["checked_in_at"] or timezone.now()) if present else None
    method = (
        (row["method"] or M.MANUAL)
        if present and row["status"] in CHECKED_IN
        else (M.MANUAL if present else "")
    )
    new = {"status": status, "reason": reason, "checked_in_at": checked_in_at, "method": method}
    changed = any(row[key] != value for key, value in new.items())
    if changed:
        qs.update(**new, recorded_by=by_user, updated_at=timezone.now())
    return _record(
        roll,
        row["id"],
        event.pk,
        member_id,
        status,
        method,
        checked_in_at,
        reason,
        row["member__full_name"],
    ), changed


@dataclass(frozen=True)
class OfflineOutcome:
    index: int
    client_id: str
    result: CheckInResult | None
    error: str = ""
    code: str = ""

    def as_dict(self):
        data = {"index": self.index, "client_id": self.client_id}
        if self.result is not None:
            data.update(
                outcome="created" if self.result.created else "already",
                attendance=self.result.record.as_dict(),
            )
        else:
            data.update(outcome="error", detail=self.error, code=self.code)
        return data


def sync_offline(roll, event, items, *, by_user):
    """Apply check-ins taken offline on a device, each with its own device time, each exactly once.

    ``items``: ``[{"token"| "cccd_qr": ..., "at": ISO datetime, "client_id": optional}]``. Each
    item is the same conditional UPDATE as a live scan, dated at its device time (bounded: not in
    the future, not more than 12 h before the start); re-sending a batch changes nothing. Bad
    items are reported one by one and do not stop the others.

    The batch is one transaction: one commit (one WAL flush) for all its items, and the answer
    is given only once they are durable. A database failure applies none of them and the device
    sends the batch again. Two batches that lock the same members in opposite orders may meet in
    a deadlock; PostgreSQL then aborts one, which is likewise sent again.
    """
    _authorise(event, by_user, roll)
    _check_open(roll, event)
    if not isinstance(items, list) or not items:
        raise CheckInError(
            _("Danh sách điểm danh ngoại tuyến trống hoặc sai dạng."), code="items", field="items"
        )
    if len(items) > OFFLINE_BATCH_MAX:
        raise CheckInError(
            _("Mỗi lần đồng bộ tối đa %(n)d lượt điểm danh.") % {"n": OFFLINE_BATCH_MAX},
            code="items",
            field="items",
        )
    with transaction.atomic():
        return _sync_items(roll, event, items, by_user=by_user)


def _sync_items(roll, event, items, *, by_user):
    outcomes = []
    now = timezone.now()
    for index, item in enumerate(items):
        client_id = str(item.get("client_id") or "")[:64] if isinstance(item, dict) else ""
        try:
            if not isinstance(item, dict):
                raise CheckInError(_("Mỗi lượt điểm danh phải là một đối tượng."), code="item")
            at = _client_time(roll, item.get("at"), event, now)
            result = _claimed_or_resolved(
                roll,
                event,
                item.get("token"),
                item.get("cccd_qr"),
                method=M.OFFLINE,
                at=at,
                user=by_user,
            )
            outcomes.append(OfflineOutcome(index, client_id, result))
        except CheckInError as exc:
            outcomes.append(OfflineOutcome(index, client_id, None, exc.messages[0], exc.code or ""))
    return outcomes


def _client_time(roll, value, event, now):
    at = parse_datetime(value) if isinstance(value, str) else None
    if at is None:
        raise CheckInError(
            _(
                "Thiếu giờ điểm danh hoặc sai dạng (cần dạng ISO 8601, ví dụ "
                "2026-11-03T07:35:00+07:00)."
            ),
            code="at",
            field="at",
        )
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SKEW:
        raise CheckInError(
            _("Giờ điểm danh ở tương lai: xin kiểm tra đồng hồ của điện thoại."),
            code="at",
            field="at",
        )
    if at < getattr(event, roll.starts_field) - EARLIEST_BEFORE_START:
        raise CheckInError(roll.texts.too_early, code="at", field="at")
    return at


def attendance_list(roll, event, *, user):
    """Every expected participant's row, by name (one query). For those who check people in or
    watch the unit's events (staff rights; a participant is refused)."""
    if not (
        scope.can(user, roll.capability, event) or scope.can(user, roll.view_capability, event)
    ):
        raise CheckInError(
            _("Đồng chí không có quyền xem danh sách điểm danh này."), code="forbidden", status=403
        )
    rows = (
        roll.model.objects.filter(**{f"{roll.event_field}_id": event.pk})
        .order_by("member__full_name", "member_id")
        .values_list(
            "id", "member_id", "status", "method", "checked_in_at", "reason", "member__full_name"
        )
    )
    return [
        _record(roll, pk, event.pk, member_id, status, method, at, reason, name)
        for pk, member_id, status, method, at, reason, name in rows
    ]


def summary(records):
    """Counts per status of an attendance list."""
    counts = {status: 0 for status in S.values}
    for record in records:
        counts[record.status] = counts.get(record.status, 0) + 1
    counts["total"] = len(records)
    return counts
