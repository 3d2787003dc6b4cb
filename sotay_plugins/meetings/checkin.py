"""Check-in: the shared attendance service (meetings now, study sessions of the study plugin later).

No HTTP here: functions take the event (a meeting), the scanned credential and the acting user,
and return a result object or raise :class:`CheckInError` (a ValidationError with a Vietnamese
message and a ``status`` the API turns into an HTTP code).

Exactly once: every expected participant has one attendance row (unique (event, member)),
created when the event is convened. Checking in is ONE conditional UPDATE of that row
(``status IN (expected, absent, excused)`` → present/late) with ``RETURNING``; 0 rows updated
means the member was already checked in (the row is read and returned as ``already``) or is not
expected (refused). Retries, double scans, concurrent scanners and re-sent offline batches all
land on that one statement, so nothing is duplicated and nothing accepted is lost.

Cost of one check-in here: the event with its cell (1 query, :func:`meeting_for`) and, for a
member's card or app token, one UPDATE that also checks the card (its ``qr_version``, the member
still active: the members plugin's ``claims``), prepared once per database session
(:mod:`.checkin_prepared`). A chip-card QR, or a token that fails there, goes through the
resolver (1 query) for the member or the exact refusal. The caller's rights come from the scope
engine's cache. The API's hot path, :mod:`.checkin_fast`, folds the rest (API token, rights,
meeting state) into that one statement as well.

Reuse: :class:`Roll` names the attendance model, the foreign key to the event and the capability;
``MEETING_ROLL`` is the meetings one. A study session's roll passes its own model with the same
fields (member, status, method, checked_in_at, recorded_by, reason, updated_at).
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
from sotay_plugins.registry import registry

from .checkin_prepared import Statement
from .models import CHECK_IN, VIEW_MEETING, Attendance, Meeting

S = Attendance.Status
M = Attendance.Method

#: Statuses a scan may turn into present/late. "excused" is included: a member excused in
#: advance who comes after all is present.
SCANNABLE = (S.EXPECTED, S.ABSENT, S.EXCUSED)
CHECKED_IN = (S.PRESENT, S.LATE)
MANUAL_STATUSES = (S.PRESENT, S.LATE, S.EXCUSED, S.ABSENT)
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
    """A refused check-in. ``status`` is the HTTP code the API answers with; ``field`` the input at fault."""

    def __init__(self, message, *, code, status=400, field=None):
        super().__init__(message, code=code)
        self.status = status
        self.field = field


@dataclass(frozen=True)
class Roll:
    """Where check-ins of one kind of event land."""

    model: type
    event_field: str  # the foreign key from the attendance row to the event
    capability: str  # held at the event's unit to check people in
    view_capability: str  # held at the event's unit to read the attendance list

    @property
    def event_column(self):
        return self.model._meta.get_field(self.event_field).column


MEETING_ROLL = Roll(Attendance, "meeting", CHECK_IN, VIEW_MEETING)


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

    @property
    def status_label(self):
        return str(S(self.status).label)

    def as_dict(self, status_label=None):
        """The API's attendance record; ``status_label`` if the caller already has it translated."""
        return {
            "id": self.id,
            "meeting": self.event_id,
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

#: What check-in reads of a meeting (not its agenda, minutes or resolution texts).
MEETING_FIELDS = (
    "id",
    "title",
    "kind",
    "place",
    "state",
    "starts_at",
    "ends_at",
    "issuer_org_id",
    "audience_org__id",
    "audience_org__name",
    "audience_org__kind",
    "audience_org__tree_id",
    "audience_org__lft",
    "audience_org__rght",
    "audience_org__level",
    "audience_org__parent_id",
    "audience_org__is_active",
)


def meeting_for(user, pk, *, capabilities=(CHECK_IN,)):
    """The meeting ``pk`` if ``user`` may act on it with one of ``capabilities``.

    Out of the user's sight: 404 (nothing is revealed); visible (a member of the cell) but
    without the right: 403. One query on the fast path (the meeting with its cell).
    """
    try:  # get(), not first(): no ORDER BY to compile (≈0.1 ms of CPU on the hot path)
        meeting = Meeting.objects.select_related("audience_org").only(*MEETING_FIELDS).get(pk=pk)
    except Meeting.DoesNotExist:
        meeting = None
    if meeting is not None and any(
        scope.can(user, capability, meeting) for capability in capabilities
    ):
        return meeting
    if meeting is not None and scope.visible_to(user, Meeting.objects.filter(pk=pk)).exists():
        raise CheckInError(
            _("Chỉ bí thư, phó bí thư chi bộ được điểm danh buổi sinh hoạt này."),
            code="forbidden",
            status=403,
        )
    raise CheckInError(_("Không tìm thấy buổi sinh hoạt."), code="not_found", status=404)


def _check_open(meeting):
    if meeting.state == Meeting.State.CANCELLED:
        raise CheckInError(
            _("Buổi sinh hoạt đã bị hủy, không thể điểm danh."), code="cancelled", status=409
        )
    if meeting.state == Meeting.State.CLOSED:
        raise CheckInError(
            _("Buổi sinh hoạt đã duyệt biên bản và khóa, không thể điểm danh thêm."),
            code="closed",
            status=409,
        )


def _authorise(meeting, user, roll):
    if not scope.can(user, roll.capability, meeting):
        raise CheckInError(
            _("Đồng chí không có quyền điểm danh buổi sinh hoạt này."), code="forbidden", status=403
        )


# --- the credential -----------------------------------------------------------------------


def resolve_credential(*, token=None, cccd_qr=None):
    """``(member_id, method)`` of a scanned QR, through the members plugin's resolver."""
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
        return resolver(token=token or None, cccd_qr=cccd_qr or None)
    except ValidationError as exc:
        raise CheckInError(
            exc.messages[0], code=getattr(exc, "code", None) or "invalid", field=field
        ) from None


def _claims(token, cccd_qr):
    """``(member_id, method, conditions)`` of a member's token whose remaining checks (card not
    revoked, member active) can join the UPDATE, when the members plugin offers them
    (``registry.credential_resolver.claims``); None for anything else, which the caller resolves
    in full with :func:`resolve_credential` (for the check-in or for the exact refusal)."""
    claims = getattr(registry.credential_resolver, "claims", None)
    if claims is None or cccd_qr or not isinstance(token, str) or not token.strip():
        return None
    try:
        return claims(token.strip())
    except ValidationError:
        return None


# --- the one statement ------------------------------------------------------------------


def _status_at(meeting, at):
    return S.LATE if at > meeting.starts_at + timedelta(minutes=grace_minutes()) else S.PRESENT


_updates = {}


def member_conditions_sql(shape, alias="m"):
    """SQL of a credential's conditions on the member row ``alias`` (``field`` = or ``field__in``,
    see the members plugin's ``claims``); their values are the parameters ``c0``, ``c1``…"""
    member_model = Attendance._meta.get_field("member").related_model
    q = connection.ops.quote_name
    parts, n = [], 0
    for key, size in shape:
        name, _sep, lookup = key.partition("__")
        column = q(member_model._meta.get_field(name).column)
        if lookup == "in":
            parts.append(
                f"{alias}.{column} IN ({', '.join(f'%(c{i})s' for i in range(n, n + size)) or 'NULL'})"
            )
            n += size
        elif not lookup:
            parts.append(f"{alias}.{column} = %(c{n})s")
            n += 1
        else:
            raise ValueError(
                f"credential condition {key!r}: only exact and __in lookups are supported"
            )
    return " AND ".join(parts) or "1 = 1"


def condition_shape(conditions):
    return tuple(
        (key, len(value) if key.endswith("__in") else 0) for key, value in conditions.items()
    )


def condition_values(conditions):
    values = []
    for key, value in conditions.items():
        values.extend(value if key.endswith("__in") else [value])
    return {f"c{i}": value for i, value in enumerate(values)}


def _update_statement(roll, shape):
    """The conditional UPDATE of ``roll``, with the credential's conditions of ``shape`` (or none)."""
    key = (roll.model._meta.label, roll.event_field, shape)
    if key not in _updates:
        q = connection.ops.quote_name
        member_model = roll.model._meta.get_field("member").related_model
        member_table = q(member_model._meta.db_table)
        name_col, member_pk = (
            q(member_model._meta.get_field("full_name").column),
            q(member_model._meta.pk.column),
        )
        scannable = ", ".join(f"%(s{i})s" for i in range(len(SCANNABLE)))
        table = q(roll.model._meta.db_table)
        credential = (
            (
                f" AND EXISTS (SELECT 1 FROM {member_table} m WHERE m.{member_pk} = {table}.{q('member_id')} "  # noqa: S608
                f"AND {member_conditions_sql(shape)})"
            )
            if shape is not None
            else ""
        )
        _updates[key] = Statement(
            "service_update",
            (
                f"UPDATE {table} SET {q('status')} = %(status)s, {q('method')} = %(method)s, "  # noqa: S608
                f"{q('checked_in_at')} = %(at)s, {q('recorded_by_id')} = %(user)s, {q('reason')} = '', "
                f"{q('updated_at')} = %(now)s "
                f"WHERE {q(roll.event_column)} = %(event)s AND {q('member_id')} = %(member)s "
                f"AND {q('status')} IN ({scannable}){credential} "
                f"RETURNING {q('id')}, (SELECT m.{name_col} FROM {member_table} m WHERE m.{member_pk} = {table}.{q('member_id')})"
            ),
        )
    return _updates[key]


def _conditional_update(roll, event_id, member_id, *, status, method, at, user_id, conditions=None):
    """UPDATE … WHERE status is scannable RETURNING id, the member's name: ``(id, name)``, or None if
    nothing changed (already checked in, or not expected; with a credential's ``conditions``:
    or the credential no longer names a current member)."""
    statement = _update_statement(roll, None if conditions is None else condition_shape(conditions))
    values = {
        "status": status,
        "method": method,
        "at": _db_time(at),
        "user": user_id,
        "now": _db_time(timezone.now()),
        "event": event_id,
        "member": member_id,
        **{f"s{i}": s for i, s in enumerate(SCANNABLE)},
        **(condition_values(conditions) if conditions else {}),
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


def _apply(roll, meeting, member_id, *, method, at, user, conditions=None):
    """Check the member in; with a credential's ``conditions`` (see :func:`_claims`), only if they
    hold, and None otherwise (the caller then resolves the credential in full)."""
    status = _status_at(meeting, at)
    updated = _conditional_update(
        roll,
        meeting.pk,
        member_id,
        status=status,
        method=method,
        at=at,
        user_id=user.pk,
        conditions=conditions,
    )
    if updated is not None:
        return CheckInResult(
            Record(updated[0], meeting.pk, member_id, status, method, at, "", updated[1] or ""),
            created=True,
        )
    if conditions is not None:
        return None
    row = _read_row(roll, meeting.pk, member_id)
    if row is None:
        from sotay_plugins.members.models import Member  # the name only, for the message

        name = Member.objects.filter(pk=member_id).values_list("full_name", flat=True).first() or ""
        raise CheckInError(
            _("Đồng chí %(name)s không có trong danh sách sinh hoạt của chi bộ này.")
            % {"name": name}
            if name
            else _("Đảng viên này không có trong danh sách sinh hoạt của chi bộ này."),
            code="not_expected",
            field="token",
        )
    return CheckInResult(
        Record(
            row["id"],
            meeting.pk,
            member_id,
            row["status"],
            row["method"],
            row["checked_in_at"],
            row["reason"],
            row["member__full_name"],
        ),
        created=False,
    )


# --- the calls ----------------------------------------------------------------------------


def check_in(
    meeting, *, token=None, cccd_qr=None, by_user, at=None, method_override=None, roll=MEETING_ROLL
):
    """Check in the member a scanned QR names. Idempotent: a repeat returns the record as ``already``."""
    _authorise(meeting, by_user, roll)
    _check_open(meeting)
    at = at or timezone.now()
    claimed = _claims(token, cccd_qr)
    if claimed is not None:  # a member's token: one statement checks the card and checks in
        member_id, method, conditions = claimed
        result = _apply(
            roll,
            meeting,
            member_id,
            method=method_override or method,
            at=at,
            user=by_user,
            conditions=conditions,
        )
        if result is not None:
            return result
    member_id, method = resolve_credential(token=token, cccd_qr=cccd_qr)
    try:
        return _apply(
            roll, meeting, member_id, method=method_override or method, at=at, user=by_user
        )
    except CheckInError as exc:
        exc.field = "cccd_qr" if not token else exc.field
        raise


def mark(meeting, *, member_id, status, reason="", by_user, roll=MEETING_ROLL):
    """The secretary marks a member by hand: present, late, excused (with a reason) or absent.

    Returns ``(record, changed)``; marking the same way again changes nothing.
    """
    _authorise(meeting, by_user, roll)
    _check_open(meeting)
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
    qs = roll.model.objects.filter(**{f"{roll.event_field}_id": meeting.pk, "member_id": member_id})
    row = qs.values(
        "id", "status", "method", "checked_in_at", "reason", "member__full_name"
    ).first()
    if row is None:
        raise CheckInError(
            _("Đảng viên này không có trong danh sách sinh hoạt của chi bộ này."),
            code="not_expected",
            field="member",
        )
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
    return Record(
        row["id"],
        meeting.pk,
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


def sync_offline(meeting, items, *, by_user, roll=MEETING_ROLL):
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
    _authorise(meeting, by_user, roll)
    _check_open(meeting)
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
        return _sync_items(meeting, items, by_user=by_user, roll=roll)


def _sync_items(meeting, items, *, by_user, roll):
    outcomes = []
    now = timezone.now()
    for index, item in enumerate(items):
        client_id = str(item.get("client_id") or "")[:64] if isinstance(item, dict) else ""
        try:
            if not isinstance(item, dict):
                raise CheckInError(_("Mỗi lượt điểm danh phải là một đối tượng."), code="item")
            at = _client_time(item.get("at"), meeting, now)
            claimed = _claims(item.get("token"), item.get("cccd_qr"))
            result = (
                None
                if claimed is None
                else _apply(
                    roll,
                    meeting,
                    claimed[0],
                    method=M.OFFLINE,
                    at=at,
                    user=by_user,
                    conditions=claimed[2],
                )
            )
            if result is None:
                member_id, _method = resolve_credential(
                    token=item.get("token"), cccd_qr=item.get("cccd_qr")
                )
                result = _apply(roll, meeting, member_id, method=M.OFFLINE, at=at, user=by_user)
            outcomes.append(OfflineOutcome(index, client_id, result))
        except CheckInError as exc:
            outcomes.append(OfflineOutcome(index, client_id, None, exc.messages[0], exc.code or ""))
    return outcomes


def _client_time(value, meeting, now):
    at = parse_datetime(value) if isinstance(value, str) else None
    if at is None:
        raise CheckInError(
            _(
                "Thiếu giờ điểm danh hoặc sai dạng (cần dạng ISO 8601, ví dụ 2026-11-03T07:35:00+07:00)."
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
    if at < meeting.starts_at - EARLIEST_BEFORE_START:
        raise CheckInError(
            _("Giờ điểm danh quá sớm so với giờ bắt đầu buổi sinh hoạt."), code="at", field="at"
        )
    return at


def attendance_list(meeting, *, user, roll=MEETING_ROLL):
    """Every expected participant's row, by name (one query). For those who check people in or
    watch the unit's meetings (staff rights; a member of the cell is refused)."""
    if not (
        scope.can(user, roll.capability, meeting) or scope.can(user, roll.view_capability, meeting)
    ):
        raise CheckInError(
            _("Đồng chí không có quyền xem danh sách điểm danh này."), code="forbidden", status=403
        )
    rows = (
        roll.model.objects.filter(**{f"{roll.event_field}_id": meeting.pk})
        .order_by("member__full_name", "member_id")
        .values_list(
            "id", "member_id", "status", "method", "checked_in_at", "reason", "member__full_name"
        )
    )
    return [
        Record(pk, meeting.pk, member_id, status, method, at, reason, name)
        for pk, member_id, status, method, at, reason, name in rows
    ]


def summary(records):
    """Counts per status of an attendance list."""
    counts = {status: 0 for status in S.values}
    for record in records:
        counts[record.status] = counts.get(record.status, 0) + 1
    counts["total"] = len(records)
    return counts
