"""Cell meetings: convening, editing, cancelling, minutes and their approval (which locks the
meeting), members' comments on the draft resolution, reminders, and Hà Nội's rule that next
month's regular meeting is registered by the 20th.

Views, the admin and the API call these; none of them writes a Meeting directly. Every function
checks the caller's right through ``orgtree.scope`` and raises a Vietnamese ``ValidationError``
(bad input: nothing is written) or ``PermissionDenied`` (no right).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from sotay_plugins import signals
from sotay_plugins.attendance.models import CHECKED_IN
from sotay_plugins.members.models import Member, MemberStatus
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind
from sotay_plugins.orgtree.models import Organisation

from .models import CONVENE, VIEW_MEETING, Attendance, Meeting, MeetingComment

REMINDER_KIND = "meetings.reminder"
CANCELLED_KIND = "meetings.cancelled"
COMMENT_MAX_LENGTH = 2000
COMMENT_REPEAT_WINDOW = timedelta(minutes=10)
#: Hà Nội: next month's regular meeting (date and topics) is entered by this day of the month.
REGISTRATION_DAY = 20
#: Fields a secretary sets when convening or editing.
EDITABLE_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_link",
    "chair",
    "recorder",
    "agenda",
    "content",
    "draft_resolution",
)
TEXT_LIMITS = {
    "title": 255,
    "place": 255,
    "online_link": 200,
    "agenda": 20000,
    "content": 50000,
    "draft_resolution": 50000,
    "minutes": 100000,
    "resolution": 50000,
}


# --- who and what ---------------------------------------------------------------------------


def expected_members(cell):
    """The cell's members expected at its meetings: active, minus those exempt from activities."""
    return Member.objects.filter(
        cell_id=getattr(cell, "pk", cell), status=MemberStatus.ACTIVE
    ).exclude(group=MemberGroup.EXEMPT)


def expected_members_in(cells):
    """Expected members of several cells (a queryset or list of cells or ids)."""
    return Member.objects.filter(cell__in=cells, status=MemberStatus.ACTIVE).exclude(
        group=MemberGroup.EXEMPT
    )


def current_member(user):
    from sotay_plugins.members.services import current_member as member_of

    return member_of(user)


def convenable_cells(user):
    """Active cells where the user may convene meetings (the choice list of the admin form)."""
    return (
        scope.managed_orgs(user, CONVENE)
        .filter(kind=OrgKind.CELL, is_active=True)
        .order_by("tree_id", "lft")
    )


def can_convene(user, cell):
    return scope.can(user, CONVENE, cell)


def _require(user, capability, org):
    if not scope.can(user, capability, org):
        raise PermissionDenied(
            _("Bạn không có quyền triệu tập, sửa buổi sinh hoạt của chi bộ này.")
        )


def _month_bounds(year, month):
    """Aware datetimes (Asia/Ho_Chi_Minh) of the first instant of the month and of the next one."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date(year, month, 1), time.min, tzinfo=tz)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return start, datetime.combine(nxt, time.min, tzinfo=tz)


def parse_month(text):
    """``YYYY-MM`` → (year, month); a Vietnamese ValidationError otherwise."""
    try:
        year, month = (int(part) for part in str(text).split("-"))
        if not (1 <= month <= 12 and 2000 <= year <= 2100) or len(str(text)) != 7:
            raise ValueError
    except ValueError:
        raise ValidationError(
            {"month": [_("Tháng phải có dạng NNNN-TT, ví dụ 2026-03.")]}
        ) from None
    return year, month


def in_month(queryset, year, month, field="starts_at"):
    start, end = _month_bounds(year, month)
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})


# --- validation ------------------------------------------------------------------------------


def _clean_fields(cell, fields, *, creating, previous_start=None):
    """Check the secretary's input; returns the cleaned dict. Raises one ValidationError with
    every bad field (Vietnamese)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Trường này không sửa được.")] for name in sorted(unknown)})
    errors = {}
    data = dict(fields)
    for name, limit in TEXT_LIMITS.items():
        if name in data:
            value = data[name] if data[name] is not None else ""
            if not isinstance(value, str):
                errors[name] = [_("Giá trị không hợp lệ.")]
                continue
            value = value.strip()
            if len(value) > limit:
                errors[name] = [_("Quá dài: tối đa %(n)d ký tự.") % {"n": limit}]
            data[name] = value
    if "kind" in data and data["kind"] not in Meeting.Kind.values:
        errors["kind"] = [_("Loại sinh hoạt không hợp lệ.")]
    now = timezone.now()
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if creating and not starts_at:
        errors["starts_at"] = [_("Cần nhập ngày giờ bắt đầu.")]
    if creating and not (data.get("place") or data.get("online_link")) and "place" not in errors:
        errors["place"] = [_("Cần nhập địa điểm hoặc đường dẫn họp trực tuyến.")]
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and not isinstance(value, datetime):
            errors[name] = [_("Ngày giờ không hợp lệ (dd/mm/yyyy hh:mm).")]
        elif value is not None and timezone.is_naive(value):
            data[name] = timezone.make_aware(value)
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if (
        not creating
        and isinstance(starts_at, datetime)
        and previous_start is not None
        and abs((starts_at - previous_start).total_seconds()) < 60
    ):
        # The same minute sent back by a form (which drops seconds): not a new time.
        data["starts_at"] = starts_at = previous_start
    if (
        isinstance(starts_at, datetime)
        and starts_at < now
        and (creating or starts_at != previous_start)
    ):
        errors["starts_at"] = [
            _("Thời gian bắt đầu đã qua: không triệu tập sinh hoạt vào thời điểm trong quá khứ.")
        ]
    if isinstance(starts_at, datetime) and isinstance(ends_at, datetime) and ends_at <= starts_at:
        errors["ends_at"] = [_("Giờ kết thúc phải sau giờ bắt đầu.")]
    for name, label in (("chair", _("Người chủ trì")), ("recorder", _("Thư ký cuộc họp"))):
        value = data.get(name)
        if value in (None, ""):
            if name in data:
                data[name] = None
            continue
        member_id = getattr(value, "pk", value)
        try:
            member = Member.objects.only("pk", "cell_id", "status").get(pk=int(member_id))
        except (Member.DoesNotExist, TypeError, ValueError):
            errors[name] = [_("%(who)s không tồn tại.") % {"who": label}]
            continue
        if member.cell_id != cell.pk or member.status != MemberStatus.ACTIVE:
            errors[name] = [
                _("%(who)s phải là đảng viên đang sinh hoạt tại %(cell)s.")
                % {"who": label, "cell": cell.name}
            ]
            continue
        data[name] = member
    if errors:
        raise ValidationError(errors)
    return data


def _check_cell(cell):
    if not isinstance(cell, Organisation):
        try:
            cell = Organisation.objects.get(pk=int(getattr(cell, "pk", cell)))
        except (Organisation.DoesNotExist, TypeError, ValueError):
            raise ValidationError({"cell": [_("Không tìm thấy chi bộ.")]}) from None
    if cell.kind != OrgKind.CELL:
        raise ValidationError(
            {
                "cell": [
                    _("Chỉ chi bộ mới triệu tập sinh hoạt chi bộ; %(org)s không phải chi bộ.")
                    % {"org": cell.name}
                ]
            }
        )
    if not cell.is_active:
        raise ValidationError(
            {"cell": [_("Chi bộ %(org)s không còn hoạt động.") % {"org": cell.name}]}
        )
    return cell


def _default_title(kind, starts_at):
    local = timezone.localtime(starts_at)
    return _("%(kind)s tháng %(month)s") % {
        "kind": Meeting.Kind(kind).label,
        "month": f"{local:%m/%Y}",
    }


# --- convene, update, cancel -----------------------------------------------------------------


def convene(cell, by_user, **fields):
    """Convene a meeting of ``cell``: the meeting (issuer = audience = the cell) and one
    Attendance row per expected participant, in bulk. Reminders go out after commit."""
    cell = _check_cell(cell)
    _require(by_user, CONVENE, cell)
    data = _clean_fields(cell, fields, creating=True)
    data.setdefault("kind", Meeting.Kind.REGULAR)
    if not data.get("title"):
        data["title"] = _default_title(data["kind"], data["starts_at"])
    meeting = Meeting(
        issuer_org=cell,
        audience_org=cell,
        created_by=by_user if by_user.is_authenticated else None,
        state=Meeting.State.SCHEDULED,
        **data,
    )
    meeting.full_clean()
    with transaction.atomic():
        meeting.save()
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, member_id=pk)
                for pk in expected_members(cell).values_list("pk", flat=True)
            ],
            batch_size=500,
        )
        log(meeting, "wagtail.create", user=by_user)
        transaction.on_commit(lambda: send_reminders(meeting))
    return meeting


def _locked_meeting(meeting):
    """The meeting re-read under a row lock; refuses a locked (closed or cancelled) one."""
    fresh = Meeting.objects.select_for_update().select_related("audience_org").get(pk=meeting.pk)
    if fresh.state == Meeting.State.CLOSED:
        raise ValidationError(
            _("Biên bản đã được duyệt: buổi sinh hoạt đã khóa, không sửa được nữa.")
        )
    if fresh.state == Meeting.State.CANCELLED:
        raise ValidationError(_("Buổi sinh hoạt đã hủy, không sửa được nữa."))
    return fresh


def update(meeting, by_user, **fields):
    """Change a meeting's details (not once locked). A new time re-sends the reminders."""
    _require(by_user, CONVENE, meeting.audience_org)
    with transaction.atomic():
        fresh = _locked_meeting(meeting)
        data = _clean_fields(
            fresh.audience_org, fields, creating=False, previous_start=fresh.starts_at
        )
        if "starts_at" in data and data["starts_at"] is None:
            raise ValidationError({"starts_at": [_("Cần nhập ngày giờ bắt đầu.")]})
        old_start = fresh.starts_at
        changed = [name for name, value in data.items() if getattr(fresh, name) != value]
        if not changed:
            return fresh
        for name in changed:
            setattr(fresh, name, data[name])
        if not (fresh.place or fresh.online_link):
            raise ValidationError(
                {"place": [_("Cần nhập địa điểm hoặc đường dẫn họp trực tuyến.")]}
            )
        if not fresh.title:
            fresh.title = _default_title(fresh.kind, fresh.starts_at)
        fresh.full_clean()
        fresh.save()
        log(fresh, "wagtail.edit", user=by_user, data={"fields": changed})
        if fresh.starts_at != old_start and fresh.state == Meeting.State.SCHEDULED:
            transaction.on_commit(lambda: send_reminders(fresh))
    return fresh


def cancel(meeting, by_user, reason=""):
    """Cancel a meeting that has not been held. Members are told."""
    _require(by_user, CONVENE, meeting.audience_org)
    reason = (reason or "").strip()
    if len(reason) > 1000:
        raise ValidationError({"reason": [_("Quá dài: tối đa %(n)d ký tự.") % {"n": 1000}]})
    with transaction.atomic():
        fresh = _locked_meeting(meeting)
        if fresh.state != Meeting.State.SCHEDULED:
            raise ValidationError(_("Buổi sinh hoạt đã họp, không hủy được."))
        fresh.state = Meeting.State.CANCELLED
        fresh.save(update_fields=["state", "updated_at"])
        log(fresh, "wagtail.edit", user=by_user, data={"cancelled": True, "reason": reason})
        transaction.on_commit(
            lambda: _notify(
                fresh,
                CANCELLED_KIND,
                f"meetings.cancelled:{fresh.pk}",
                _("Hủy buổi sinh hoạt: %(title)s") % {"title": fresh.title},
                reason or _("Buổi sinh hoạt đã được hủy."),
            )
        )
    return fresh


# --- minutes ----------------------------------------------------------------------------------


def record_minutes(meeting, by_user, minutes, resolution=""):
    """Write the minutes and the cell's resolution once the meeting has taken place (state held)."""
    _require(by_user, CONVENE, meeting.audience_org)
    errors = {}
    minutes, resolution = (minutes or "").strip(), (resolution or "").strip()
    if not minutes:
        errors["minutes"] = [_("Cần nhập biên bản.")]
    for name, value in (("minutes", minutes), ("resolution", resolution)):
        if len(value) > TEXT_LIMITS[name]:
            errors[name] = [_("Quá dài: tối đa %(n)d ký tự.") % {"n": TEXT_LIMITS[name]}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fresh = _locked_meeting(meeting)
        if fresh.starts_at > timezone.now():
            raise ValidationError(_("Buổi sinh hoạt chưa diễn ra: chưa ghi được biên bản."))
        fresh.minutes, fresh.resolution, fresh.state = minutes, resolution, Meeting.State.HELD
        fresh.save(update_fields=["minutes", "resolution", "state", "updated_at"])
        log(fresh, "wagtail.edit", user=by_user, data={"fields": ["minutes", "resolution"]})
    return fresh


def approve_minutes(meeting, by_user):
    """Approve the minutes: the meeting is closed and locked; nothing is editable afterwards."""
    _require(by_user, CONVENE, meeting.audience_org)
    with transaction.atomic():
        fresh = _locked_meeting(meeting)
        if fresh.state != Meeting.State.HELD or not fresh.minutes:
            raise ValidationError(_("Chưa có biên bản để duyệt."))
        fresh.state = Meeting.State.CLOSED
        fresh.minutes_approved_at = timezone.now()
        fresh.minutes_approved_by = by_user
        fresh.save(
            update_fields=["state", "minutes_approved_at", "minutes_approved_by", "updated_at"]
        )
        log(fresh, "wagtail.publish", user=by_user)
    return fresh


# --- comments on the draft resolution -----------------------------------------------------


def can_see_comments(user, meeting):
    """Comments are for the cell: its members and whoever convenes its meetings."""
    member = current_member(user)
    if (
        member is not None
        and member.cell_id == meeting.audience_org_id
        and member.status in (MemberStatus.ACTIVE, MemberStatus.EXEMPT)
    ):
        return True
    return scope.can(user, CONVENE, meeting.audience_org)


def comments_of(meeting):
    return (
        MeetingComment.objects.filter(meeting=meeting)
        .select_related("member")
        .order_by("created_at", "pk")
    )


def _plain(text):
    """Plain text: control characters (except newlines and tabs) dropped, line ends unified."""
    text = str(text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32).strip()


def add_comment(meeting, user, text):
    """A member of the cell comments on the draft resolution (before the meeting is closed).

    Stored as plain text; every page escapes it on output."""
    member = current_member(user)
    if (
        member is None
        or member.cell_id != meeting.audience_org_id
        or member.status not in (MemberStatus.ACTIVE, MemberStatus.EXEMPT)
    ):
        raise PermissionDenied(_("Chỉ đảng viên của chi bộ mới góp ý được dự thảo nghị quyết."))
    text = _plain(text)
    if not text:
        raise ValidationError({"text": [_("Xin nhập nội dung góp ý.")]})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": [
                    _("Góp ý quá dài: tối đa %(n)d ký tự (hiện có %(m)d).")
                    % {"n": COMMENT_MAX_LENGTH, "m": len(text)}
                ]
            }
        )
    with transaction.atomic():
        fresh = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if fresh.is_locked:
            raise ValidationError(
                {"text": [_("Buổi sinh hoạt đã kết thúc hoặc đã hủy: không nhận góp ý nữa.")]}
            )
        # A retried or double-tapped send (slow village Wi-Fi) is the same comment, stored once:
        # the meeting row is locked, so two concurrent sends cannot both miss it.
        repeat = (
            MeetingComment.objects.filter(
                meeting=fresh,
                member=member,
                text=text,
                created_at__gte=timezone.now() - COMMENT_REPEAT_WINDOW,
            )
            .order_by("-pk")
            .first()
        )
        return repeat or MeetingComment.objects.create(meeting=fresh, member=member, text=text)


# --- reading ----------------------------------------------------------------------------------


def findable_meetings():
    """The meetings the one search indexes (a cancelled one leaves it): who finds them is the
    scope engine's rule, as for ``visible_meetings``."""
    return Meeting.objects.exclude(state=Meeting.State.CANCELLED)


def searchable_text(meeting):
    """What the search reads of a meeting: what its member page shows, no more (the minutes and
    the cell's resolution only once the meeting is held; never the comments or the roll)."""
    parts = [meeting.place, meeting.agenda, meeting.content, meeting.draft_resolution]
    if meeting.is_held:  # as the page: ``views.meetings`` shows them only then
        parts += [meeting.minutes, meeting.resolution]
    return "\n".join(part for part in parts if part)


def visible_meetings(user):
    """Meetings the user may see (members: their cell's; staff: under their view scope)."""
    return scope.visible_to(user, Meeting.objects.all())


def my_cell_meetings(user):
    """The meetings of the user's own cell (the member pages), or none for a staff-only account."""
    member = current_member(user)
    if member is None:
        return Meeting.objects.none()
    return visible_meetings(user).filter(audience_org_id=member.cell_id)


def with_my_attendance(queryset, user):
    """Annotate ``my_attendance`` (the caller's attendance status, or None) in the same query."""
    member = current_member(user)
    if member is None:
        return queryset.annotate(
            my_attendance=Subquery(Attendance.objects.none().values("status")[:1])
        )
    rows = Attendance.objects.filter(meeting=OuterRef("pk"), member_id=member.pk).values("status")[
        :1
    ]
    return queryset.annotate(my_attendance=Subquery(rows))


def _start_of_today(now=None):
    now = now or timezone.now()
    return datetime.combine(
        timezone.localdate(now), time.min, tzinfo=timezone.get_current_timezone()
    )


def upcoming_q(now=None):
    """Meetings not over yet: from the start of today (local) on."""
    return Q(starts_at__gte=_start_of_today(now))


def next_meeting(user):
    """The next scheduled meeting of the user's cell (the home card): one query."""
    return (
        my_cell_meetings(user)
        .filter(upcoming_q(), state=Meeting.State.SCHEDULED)
        .order_by("starts_at")
        .first()
    )


# --- Hà Nội's 20th-of-the-month rule ----------------------------------------------------------


def next_month(today):
    return (today.year + (today.month == 12), today.month % 12 + 1)


def registration_deadline(today):
    return today.replace(day=REGISTRATION_DAY)


def cells_without_next_month_regular(user, today):
    """Active cells under the user's view scope with no regular meeting (with its topics, the
    agenda) registered in the month after ``today``'s."""
    year, month = next_month(today)
    start, end = _month_bounds(year, month)
    registered = (
        Meeting.objects.filter(
            audience_org=OuterRef("pk"),
            kind=Meeting.Kind.REGULAR,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .exclude(state=Meeting.State.CANCELLED)
        .exclude(agenda="")
    )
    return (
        scope.managed_orgs(user, VIEW_MEETING)
        .filter(kind=OrgKind.CELL, is_active=True)
        .filter(~Exists(registered))
        .select_related("parent")
        .order_by("tree_id", "lft")
    )


def cells_missing_next_month(user, today):
    """Hà Nội: from the 20th, the cells under the user's scope that have not entered the date
    and topics of next month's regular meeting. Before the 20th nobody is late: none."""
    if today.day < REGISTRATION_DAY:
        return Organisation.objects.none()
    return cells_without_next_month_regular(user, today)


# --- reminders (through the notices extension point) ------------------------------------------


def _notify(meeting, kind, dedupe_key, title, body, send_at=None):
    member_ids = list(
        Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True)
    )
    if not member_ids:
        return
    signals.notice_requested.send(
        sender=Meeting,
        kind=kind,
        member_ids=member_ids,
        title=title,
        body=body,
        url=reverse("meetings:detail", args=[meeting.pk]),
        dedupe_key=dedupe_key,
        send_at=send_at,
    )


def send_reminders(meeting):
    """Tell the expected members now, and again the day before. The dedupe keys carry the start
    time, so re-sending for the same time is one notice, and a new time is a new one."""
    local = timezone.localtime(meeting.starts_at)
    stamp = local.strftime("%Y%m%dT%H%M")
    where = meeting.place or meeting.online_link
    body = _("%(when)s tại %(where)s.") % {
        "when": local.strftime("%H:%M ngày %d/%m/%Y"),
        "where": where,
    }
    _notify(
        meeting,
        REMINDER_KIND,
        f"meetings.reminder:{meeting.pk}:convened:{stamp}",
        _("Triệu tập sinh hoạt: %(title)s") % {"title": meeting.title},
        body,
    )
    day_before = meeting.starts_at - timedelta(days=1)
    if day_before > timezone.now():
        _notify(
            meeting,
            REMINDER_KIND,
            f"meetings.reminder:{meeting.pk}:day-before:{stamp}",
            _("Ngày mai sinh hoạt chi bộ: %(title)s") % {"title": meeting.title},
            body,
            send_at=day_before,
        )


# --- the cell secretary's pages in the member shell -------------------------------------------


def secretary_cells(user):
    """Active cells where the user holds ``meetings.convene`` at the cell itself: the cells whose
    monthly work the secretary does from the phone. A right held above (committee staff) reaches
    the same meetings, but their listing is the admin's. One query (the grants are cached)."""
    ids = {g.org_id for g in scope.grants(user) if g.allows(CONVENE)}
    if not ids:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        pk__in=sorted(ids), kind=OrgKind.CELL, is_active=True
    ).order_by("tree_id", "lft")


def cell_meetings_with_counts(cell, *, upcoming=20, past=12, now=None):
    """The secretary's list: the cell's next ``upcoming`` meetings (soonest first) and its last
    ``past`` ones (newest first), each with ``n_expected`` and ``n_checked_in``. Two light
    queries (the meetings' few columns; the counts grouped by meeting), whatever the cell."""
    fields = ("pk", "title", "kind", "state", "starts_at", "ends_at", "place", "audience_org_id")
    mine = Meeting.objects.filter(audience_org_id=getattr(cell, "pk", cell)).only(*fields)
    soon = upcoming_q(now)
    coming = list(mine.filter(soon).order_by("starts_at", "pk")[:upcoming])
    gone = list(mine.exclude(soon).order_by("-starts_at", "-pk")[:past])
    rows = coming + gone
    counts = {}
    for meeting_id, status, n in (
        Attendance.objects.filter(meeting_id__in=[m.pk for m in rows])
        .order_by()
        .values_list("meeting_id", "status")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(meeting_id, {})[status] = n
    for m in rows:
        mine_counts = counts.get(m.pk, {})
        m.n_expected = sum(mine_counts.values())
        m.n_checked_in = sum(mine_counts.get(s, 0) for s in CHECKED_IN)
    return coming, gone


def attendance_counts(meeting):
    """{status: n, "total": n, "checked_in": n} of one meeting: one query."""
    counts = dict(
        Attendance.objects.filter(meeting=meeting)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    counts["total"] = sum(counts.values())
    counts["checked_in"] = sum(counts.get(s, 0) for s in CHECKED_IN)
    return counts


def previous_meeting(cell, before=None):
    """The cell's latest meeting that was not cancelled (started before ``before`` if given)."""
    queryset = Meeting.objects.filter(audience_org_id=getattr(cell, "pk", cell)).exclude(
        state=Meeting.State.CANCELLED
    )
    if before is not None:
        queryset = queryset.filter(starts_at__lt=before)
    return queryset.order_by("-starts_at", "-pk").first()


def _add_month(day):
    """The same day a month later (the 31st becomes the month's last day)."""
    year, month = next_month(day)
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def copy_of(meeting, today=None):
    """What "copy last month's meeting" puts in the convening form: the same kind, place, online
    link, chair, recorder, agenda and duration, a month later (and after today). The title, the
    content and the draft resolution are the new month's own: left empty. Nothing is written."""
    today = today or timezone.localdate()
    local = timezone.localtime(meeting.starts_at)
    day = _add_month(local.date())
    while day <= today:
        day = _add_month(day)
    initial = {
        "kind": meeting.kind,
        "day": day,
        "start": local.time().replace(second=0, microsecond=0),
        "place": meeting.place,
        "online_link": meeting.online_link,
        "chair": meeting.chair_id,
        "recorder": meeting.recorder_id,
        "agenda": meeting.agenda,
    }
    if meeting.ends_at:
        initial["end"] = timezone.localtime(meeting.ends_at).time().replace(second=0, microsecond=0)
    return initial


def approve_minutes_checked(meeting, by_user, *, nobody_confirmed=False):
    """Approve the minutes from the secretary's page: when nobody was checked in (no one present
    or late), the secretary must say so explicitly (``nobody_confirmed``); otherwise refused
    with a Vietnamese error and nothing changes. Then :func:`approve_minutes`."""
    _require(by_user, CONVENE, meeting.audience_org)
    state = Meeting.objects.filter(pk=meeting.pk).values_list("state", flat=True).first()
    if (
        state == Meeting.State.HELD
        and not nobody_confirmed
        and not attendance_counts(meeting)["checked_in"]
    ):
        raise ValidationError(
            {
                "confirm": [
                    _(
                        "Chưa có đảng viên nào được điểm danh có mặt. Xin điểm danh trước, hoặc "
                        "đánh dấu xác nhận để vẫn duyệt biên bản."
                    )
                ]
            }
        )
    return approve_minutes(meeting, by_user)
