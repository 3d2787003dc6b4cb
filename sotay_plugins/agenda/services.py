"""What the agenda plugin does; views, API and admin only call these.

- The calendar: ``events(user, start, end)`` gathers every registered ``CalendarSource`` (the
  modules' meetings, sessions, deadlines; this plugin's tasks and own entries), each a bounded
  number of queries, sorted by time. ``month_grid`` lays a month out in weeks.
- Own entries: ``save_entry`` / ``delete_entry`` for the member's private entries; an entry
  that ends before it starts is refused in Vietnamese, nothing written.
- The iCal feed: ``feed_token`` (made on first use), ``reset_feed``, ``member_for_token``
  (constant-time check; anything wrong answers None, i.e. 404).
- Tasks: ``assign`` (the assigner's unit and every assignee inside their subtree, through the
  scope engine), ``report_progress`` (only an assignee: the member, or a holder of
  ``agenda.report_task`` at the assigned unit; the file through ``sotay_plugins.files``),
  ``visible_tasks`` / ``my_assignments`` / ``late``, and ``remind_due`` (the periodic reminder
  before the deadline, through ``signals.notice_requested`` with a dedupe key).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import uuid
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sotay_plugins import files, signals
from sotay_plugins.members.models import Member
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation, RoleAssignment
from sotay_plugins.registry import CalendarEvent, registry

from .models import (
    ASSIGN_TASK,
    REPORT_TASK,
    TASK_ASSIGNED_KIND,
    TASK_DUE_KIND,
    VIEW_TASK,
    Assignment,
    Entry,
    FeedToken,
    Progress,
    Task,
)

#: What a progress report may carry, and how large.
PROGRESS_KINDS = ("pdf", "docx", "xlsx", "jpeg", "png")
DEFAULT_MAX_PROGRESS_FILE = 10 * 1024 * 1024
#: The feed covers this many days back and ahead.
FEED_DAYS_BACK = 60
FEED_DAYS_AHEAD = 400
#: The widest window one request may ask for (the API's ``start``/``end``).
MAX_RANGE_DAYS = 400


def _setting(name, default):
    return getattr(settings, name, default)


def max_progress_file():
    return _setting("SOTAY_AGENDA_MAX_FILE", DEFAULT_MAX_PROGRESS_FILE)


def remind_hours():
    return _setting("SOTAY_AGENDA_REMIND_HOURS", 24)


def current_member(user):
    from sotay_plugins.members.services import current_member as member_of

    return member_of(user)


def local_bounds(start, end):
    return (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end, time.min)),
    )


# --- the calendar ------------------------------------------------------------------------------


def _sort_key(event):
    moment = event.starts_at
    if not isinstance(moment, datetime):
        moment = timezone.make_aware(datetime.combine(moment, time.min))
    return (moment, event.title)


def events(user, start, end):
    """Every calendar event of the member behind ``user`` whose day is in ``[start, end)``."""
    found = []
    for source in registry.ordered_calendar_sources():
        found.extend(source.events(user, start, end))
    return sorted(found, key=_sort_key)


def event_day(event):
    moment = event.starts_at
    return timezone.localtime(moment).date() if isinstance(moment, datetime) else moment


def month_bounds(year, month):
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following


def month_grid(year, month, days_with_events, today):
    """Weeks (Monday first) of day cells: ``{"day", "in_month", "count", "today"}``."""
    first, following = month_bounds(year, month)
    start = first - timedelta(days=first.weekday())
    weeks, day = [], start
    while day < following or day.weekday() != 0:
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append(
            {
                "day": day,
                "in_month": day.month == month,
                "count": days_with_events.get(day, 0),
                "today": day == today,
            }
        )
        day += timedelta(days=1)
    return weeks


def parse_month(raw, today):
    """``YYYY-MM`` → (year, month); anything else → this month."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        if 1900 <= year <= 2200 and 1 <= month <= 12:
            return year, month
    except (TypeError, ValueError):
        pass
    return today.year, today.month


# --- own entries -------------------------------------------------------------------------------


#: The years an entry may fall in.
ENTRY_YEARS = (2000, 2100)


def _clean_entry(title, starts_at, ends_at, place, note):
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Xin nhập tiêu đề.")
    elif len(title) > 200:
        errors["title"] = _("Tiêu đề quá dài: tối đa 200 ký tự.")
    if starts_at is None:
        errors["starts_at"] = _("Xin nhập thời gian bắt đầu.")
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        # a calendar of party life: a year typed as 0021 or 2849 is a slip, refused as such
        if moment is not None and not (ENTRY_YEARS[0] <= moment.year <= ENTRY_YEARS[1]):
            errors[field] = _("Năm phải trong khoảng %(first)d–%(last)d.") % {
                "first": ENTRY_YEARS[0],
                "last": ENTRY_YEARS[1],
            }
    dated = "starts_at" not in errors and "ends_at" not in errors
    if dated and starts_at is not None and ends_at is not None and ends_at < starts_at:
        errors["ends_at"] = _(
            "Giờ kết thúc (%(end)s) trước giờ bắt đầu (%(start)s): xin sửa lại."
        ) % {
            "end": timezone.localtime(ends_at).strftime("%H:%M %d/%m/%Y"),
            "start": timezone.localtime(starts_at).strftime("%H:%M %d/%m/%Y"),
        }
    if len(place or "") > 200:
        errors["place"] = _("Địa điểm quá dài: tối đa 200 ký tự.")
    if len(note or "") > 2000:
        errors["note"] = _("Ghi chú quá dài: tối đa 2000 ký tự.")
    if errors:
        raise ValidationError(errors)
    return title


def save_entry(member, *, title, starts_at, ends_at=None, place="", note="", entry=None):
    """Create (``entry`` None) or change one of the member's own entries."""
    if member is None:
        raise PermissionDenied(_("Tài khoản này không gắn với hồ sơ đảng viên nào."))
    if entry is not None and entry.member_id != member.pk:
        raise PermissionDenied
    title = _clean_entry(title, starts_at, ends_at, place, note)
    entry = entry or Entry(member=member)
    entry.title, entry.starts_at, entry.ends_at = title, starts_at, ends_at
    entry.place, entry.note = (place or "").strip(), (note or "").strip()
    entry.save()
    return entry


def own_entries(user):
    """The user's own entries (through their account: no member lookup)."""
    return Entry.objects.filter(member__user_id=user.pk)


def delete_entry(member, entry):
    if member is None or entry.member_id != member.pk:
        raise PermissionDenied
    entry.delete()


def entry_events(user, start, end):
    """The calendar source of own entries (one query)."""
    low, high = local_bounds(start, end)
    rows = own_entries(user).filter(starts_at__gte=low, starts_at__lt=high).order_by("starts_at")
    return [
        CalendarEvent(
            uid=f"agenda.entry:{e.pk}",
            kind="agenda.entries",
            title=e.title,
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            url=reverse("agenda:entry_edit", args=[e.pk]),
            place=e.place,
            description=e.note,
        )
        for e in rows
    ]


# --- the iCal feed -----------------------------------------------------------------------------


def _verifier(selector, salt):
    key = f"sotay.agenda.feed:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{selector}:{salt}".encode(), hashlib.sha256).hexdigest()[:40]


def _new_secret():
    return secrets.token_hex(8), secrets.token_hex(16)


def feed_token(member):
    """The member's feed token (``<selector>-<verifier>``), made on first use."""
    row = FeedToken.objects.filter(member=member).first()
    if row is None:
        selector, salt = _new_secret()
        row, _created = FeedToken.objects.get_or_create(
            member=member, defaults={"selector": selector, "salt": salt}
        )
    return f"{row.selector}-{_verifier(row.selector, row.salt)}"


def reset_feed(member):
    """A new secret address; the old one answers 404 from now on. Returns the new token."""
    selector, salt = _new_secret()
    FeedToken.objects.update_or_create(
        member=member,
        defaults={"selector": selector, "salt": salt, "created_at": timezone.now()},
    )
    return f"{selector}-{_verifier(selector, salt)}"


def feed_path(token):
    return reverse("agenda:feed", args=[token])


def member_for_token(token):
    """The active member whose feed ``token`` opens, or None (malformed, unknown, reset, wrong
    verifier: all alike). The verifier is compared in constant time."""
    selector, dash, verifier = (token or "").partition("-")
    if not dash or len(selector) != 16 or len(verifier) != 40 or not selector.isalnum():
        return None
    row = (
        FeedToken.objects.select_related("member__user", "member__cell")
        .filter(selector=selector)
        .first()
    )
    expected = _verifier(selector, row.salt if row else "x")
    if not hmac.compare_digest(expected.encode(), verifier.encode()) or row is None:
        return None
    member = row.member
    if (
        member.user is None
        or not member.user.is_active
        or member.status not in ("active", "exempt")
    ):
        return None
    FeedToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    member.user._sotay_member = member
    return member


def feed_events(member, today=None):
    today = today or timezone.localdate()
    return events(
        member.user, today - timedelta(days=FEED_DAYS_BACK), today + timedelta(days=FEED_DAYS_AHEAD)
    )


# --- tasks -------------------------------------------------------------------------------------


def assigning_orgs(user):
    return scope.managed_orgs(user, ASSIGN_TASK).filter(is_active=True)


def reporting_unit_ids(user):
    """The units where the user holds ``agenda.report_task`` by a role held *at* that unit (its
    committee, its secretary): they report for tasks assigned to that unit. A right held higher
    up does not make someone the assignee of every unit below."""
    return sorted({g.org_id for g in scope.grants(user) if g.allows(REPORT_TASK)})


def my_assignments_q(user):
    q = Q(member__user_id=user.pk)
    units = reporting_unit_ids(user)
    if units:
        q |= Q(member__isnull=True, org_id__in=units)
    return q


def my_assignments(user):
    """The assignments the user reports on (their own, their unit's)."""
    if not getattr(user, "is_authenticated", False):
        return Assignment.objects.none()
    return Assignment.objects.filter(my_assignments_q(user))


def visible_tasks(user):
    """Tasks the user may open: those issued in their subtree (``agenda.view_task``) and those
    assigned to them or to a unit they report for."""
    mine = my_assignments(user).values("task_id")
    return Task.objects.filter(
        Q(pk__in=scope.visible_to(user, Task.objects.all()).values("pk")) | Q(pk__in=mine)
    )


def manages(user, task):
    """May the user follow the task's assignees (who is late)?"""
    return scope.can(user, VIEW_TASK, task.issuer_org)


def may_report(user, assignment):
    if assignment.member_id is not None:
        return assignment.member.user_id == user.pk
    return assignment.org_id in reporting_unit_ids(user)


def is_late(assignment, task=None, now=None):
    task = task or assignment.task
    now = now or timezone.now()
    if assignment.done_at is not None:
        return assignment.done_at > task.due_at
    return task.due_at < now


def late_q(now=None):
    """Assignments not done by their deadline (still open past it, or finished after it)."""
    now = now or timezone.now()
    return Q(done_at__isnull=True, task__due_at__lt=now) | Q(done_at__gt=F("task__due_at"))


def _refuse(message, field="__all__", code="invalid"):
    raise ValidationError({field: [ValidationError(message, code=code)]})


def assign(user, *, issuer_org, title, due_at, description="", members=(), units=()):
    """Assign a task from ``issuer_org`` (where the user holds ``agenda.assign_task``) to
    ``members`` and ``units``, every one inside that unit's subtree. Refused in Vietnamese,
    nothing written: a unit or member outside the subtree, none at all, a deadline passed."""
    if issuer_org is None or not scope.can(user, ASSIGN_TASK, issuer_org):
        _refuse(_("Bạn không được giao nhiệm vụ thay đơn vị này."), "issuer_org", "scope")
    title = (title or "").strip()
    if not title:
        _refuse(_("Xin nhập tên nhiệm vụ."), "title", "required")
    if len(title) > 200:
        _refuse(_("Tên nhiệm vụ quá dài: tối đa 200 ký tự."), "title", "max_length")
    if len(description or "") > 4000:
        _refuse(_("Nội dung quá dài: tối đa 4000 ký tự."), "description", "max_length")
    if due_at is None:
        _refuse(_("Xin nhập hạn hoàn thành."), "due_at", "required")
    if due_at <= timezone.now():
        _refuse(_("Hạn hoàn thành đã qua: xin chọn một thời điểm sắp tới."), "due_at", "past")
    # the unit's place in the tree as it is now (an instance loaded earlier may be stale)
    issuer_org = Organisation.objects.get(pk=issuer_org.pk)
    member_ids = sorted({int(getattr(m, "pk", m)) for m in members})
    unit_ids = sorted({int(getattr(u, "pk", u)) for u in units})
    if not member_ids and not unit_ids:
        _refuse(_("Xin chọn ít nhất một đảng viên hoặc một đơn vị được giao."), "members")
    inside_members = list(
        Member.objects.filter(pk__in=member_ids, status="active")
        .filter(scope.within(issuer_org, "cell"))
        .values_list("pk", "cell_id")
    )
    if len(inside_members) != len(member_ids):
        _refuse(
            _(
                "Có đảng viên không thuộc %(unit)s hoặc không còn sinh hoạt: chỉ giao nhiệm vụ "
                "trong phạm vi đơn vị mình."
            )
            % {"unit": issuer_org.name},
            "members",
            "scope",
        )
    inside_units = list(
        Organisation.objects.filter(pk__in=unit_ids, is_active=True)
        .filter(scope.within(issuer_org))
        .values_list("pk", flat=True)
    )
    if len(inside_units) != len(unit_ids):
        _refuse(
            _("Có đơn vị không trực thuộc %(unit)s: chỉ giao nhiệm vụ trong phạm vi đơn vị mình.")
            % {"unit": issuer_org.name},
            "units",
            "scope",
        )
    with transaction.atomic():
        task = Task.objects.create(
            issuer_org=issuer_org,
            title=title,
            description=(description or "").strip(),
            due_at=due_at,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        Assignment.objects.bulk_create(
            [Assignment(task=task, member_id=pk, org_id=cell) for pk, cell in inside_members]
            + [Assignment(task=task, org_id=pk) for pk in inside_units]
        )
        transaction.on_commit(lambda: _notify_assigned(task))
    return task


def unit_reporters(org_ids, today=None):
    """``{org_id: [member ids]}``: members whose account holds ``agenda.report_task`` by a role
    held at that very unit today."""
    today = today or timezone.localdate()
    codes = [code for code, caps in registry.role_grants.items() if REPORT_TASK in caps]
    if not org_ids or not codes:
        return {}
    rows = (
        RoleAssignment.objects.filter(
            org_id__in=org_ids, role__code__in=codes, valid_from__lte=today
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values_list("org_id", "user_id")
    )
    by_user = {}
    for org_id, user_id in rows:
        by_user.setdefault(user_id, set()).add(org_id)
    found = {}
    for member_id, user_id in Member.objects.filter(
        user_id__in=list(by_user), status="active"
    ).values_list("pk", "user_id"):
        for org_id in by_user[user_id]:
            found.setdefault(org_id, []).append(member_id)
    return found


def _recipients(assignments):
    units = unit_reporters([a.org_id for a in assignments if a.member_id is None])
    out = {}
    for a in assignments:
        out[a.pk] = [a.member_id] if a.member_id else units.get(a.org_id, [])
    return out


def _when(moment):
    return timezone.localtime(moment).strftime("%H:%M ngày %d/%m/%Y")


def _notify_assigned(task):
    assignments = list(task.assignments.all())
    ids = sorted({m for ids in _recipients(assignments).values() for m in ids})
    if not ids:
        return
    signals.notice_requested.send(
        sender=Task,
        kind=TASK_ASSIGNED_KIND,
        member_ids=ids,
        title=_("Nhiệm vụ mới: %(title)s") % {"title": task.title},
        body=_("Hạn hoàn thành %(when)s.") % {"when": _when(task.due_at)},
        url=reverse("agenda:task", args=[task.pk]),
        dedupe_key=f"{TASK_ASSIGNED_KIND}:{task.pk}",
        send_at=None,
    )


def remind_due(now=None):
    """Remind the assignees of every open assignment whose deadline comes within
    ``SOTAY_AGENDA_REMIND_HOURS`` (once per deadline: ``reminded_for``; the notice's dedupe key
    names the assignment and the deadline, so a run repeated or retried is one notice). Returns
    the number of assignments reminded."""
    now = now or timezone.now()
    due = list(
        Assignment.objects.filter(
            done_at__isnull=True,
            task__due_at__gt=now,
            task__due_at__lte=now + timedelta(hours=remind_hours()),
        )
        .exclude(reminded_for=F("task__due_at"))
        .select_related("task")
        .order_by("pk")[:5000]
    )
    if not due:
        return 0
    recipients = _recipients(due)
    for assignment in due:
        task = assignment.task
        ids = recipients.get(assignment.pk) or []
        if ids:
            signals.notice_requested.send(
                sender=Task,
                kind=TASK_DUE_KIND,
                member_ids=ids,
                title=_("Sắp đến hạn: %(title)s") % {"title": task.title},
                body=_("Hạn hoàn thành %(when)s. Tiến độ đã báo: %(percent)d%%.")
                % {"when": _when(task.due_at), "percent": assignment.percent},
                url=reverse("agenda:task", args=[task.pk]),
                dedupe_key=(
                    f"{TASK_DUE_KIND}:{assignment.pk}:{task.due_at.strftime('%Y%m%dT%H%M')}"
                ),
                send_at=None,
            )
        Assignment.objects.filter(pk=assignment.pk).update(reminded_for=task.due_at)
    return len(due)


def tick(now=None):
    """What ``agenda_tick`` does (every few minutes): the reminders before deadlines."""
    return {"reminded": remind_due(now)}


def _clean_percent(raw):
    try:
        percent = int(str(raw).strip())
    except (TypeError, ValueError):
        _refuse(_("Tiến độ là một số nguyên từ 0 đến 100."), "percent", "invalid")
    if not 0 <= percent <= 100:
        _refuse(_("Tiến độ là một số nguyên từ 0 đến 100."), "percent", "invalid")
    return percent


def check_progress_file(upload):
    """The content type of an acceptable progress file; refused (Vietnamese) otherwise."""
    try:
        return files.check_file(upload, kinds=PROGRESS_KINDS, max_size=max_progress_file())
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None


def report_progress(user, assignment, *, percent, note="", upload=None, now=None):
    """The assignee reports progress. Someone else: PermissionDenied. Bad percent, note or file:
    ValidationError, nothing written (a file stored before a refused row is deleted)."""
    if not may_report(user, assignment):
        raise PermissionDenied(_("Chỉ người (đơn vị) được giao mới báo cáo tiến độ."))
    percent = _clean_percent(percent)
    note = (note or "").strip()
    if len(note) > 2000:
        _refuse(_("Ghi chú quá dài: tối đa 2000 ký tự."), "note", "max_length")
    content_type = check_progress_file(upload) if upload is not None else ""
    now = now or timezone.now()
    report = Progress(
        assignment=assignment, by_user=user, percent=percent, note=note, created_at=now
    )
    if upload is not None:
        extension = files.extension_of(upload.name)
        original = os.path.basename(upload.name or "")[:200]
        upload.name = f"{uuid.uuid4().hex}{extension}"
        report.file = upload
        report.file_name = original
        report.content_type = content_type
    with files.removed_if_refused(report, "file"), transaction.atomic():
        report.save()
        done_at = (assignment.done_at or now) if percent == 100 else None
        Assignment.objects.filter(pk=assignment.pk).update(
            percent=percent, last_report_at=now, done_at=done_at
        )
    assignment.percent, assignment.last_report_at, assignment.done_at = percent, now, done_at
    return report


def task_events(user, start, end):
    """The calendar source of tasks: the deadlines of the user's assignments (one query)."""
    low, high = local_bounds(start, end)
    rows = (
        my_assignments(user)
        .filter(task__due_at__gte=low, task__due_at__lt=high)
        .select_related("task")
        .only("pk", "percent", "done_at", "task__id", "task__title", "task__due_at")
        .order_by("task__due_at", "pk")
    )
    seen, out = set(), []
    for a in rows:
        if a.task_id in seen:
            continue
        seen.add(a.task_id)
        out.append(
            CalendarEvent(
                uid=f"agenda.task:{a.task_id}",
                kind="agenda.tasks",
                title=_("Hạn nhiệm vụ: %(title)s (%(percent)d%%)")
                % {"title": a.task.title, "percent": a.percent},
                starts_at=a.task.due_at,
                url=reverse("agenda:task", args=[a.task_id]),
            )
        )
    return out


def with_counts(tasks, now=None):
    """Tasks annotated with ``n_assigned``, ``n_done`` and ``n_late`` (one query for a list)."""
    from django.db.models import Count

    now = now or timezone.now()
    return tasks.annotate(
        n_assigned=Count("assignments", distinct=True),
        n_done=Count("assignments", filter=Q(assignments__done_at__isnull=False), distinct=True),
        n_late=Count(
            "assignments",
            filter=Q(assignments__done_at__isnull=True, due_at__lt=now)
            | Q(assignments__done_at__gt=F("due_at")),
            distinct=True,
        ),
    )


def task_rows(task, now=None):
    """The assignees of a task for its assigner: name, percent, late (one query)."""
    now = now or timezone.now()
    rows = task.assignments.select_related("member", "org").order_by("pk")
    return [
        {
            "assignment": a,
            "who": a.member.full_name if a.member_id else a.org.name,
            "late": is_late(a, task, now),
        }
        for a in rows
    ]
