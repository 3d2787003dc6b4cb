"""The member's meeting pages: my cell's upcoming and past meetings, a meeting's page (with the
comments on the draft resolution), and an iCal feed. Plain HTML forms: no JavaScript needed.

Every page reads meetings through ``services`` (the scope engine): a meeting of another cell
answers 404.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sotay_plugins.orgtree import scope

from .. import services
from ..models import CHECK_IN, CONVENE, Attendance, Meeting

PAST_PER_PAGE = 10
MATERIALS_TEMPLATES = ["meetings/member/_materials.html", "meetings/member/_materials_empty.html"]


def _listing(queryset):
    return queryset.select_related("chair")


@login_required
@require_GET
def meeting_list(request):
    mine = services.with_my_attendance(services.my_cell_meetings(request.user), request.user)
    upcoming = list(_listing(mine.filter(services.upcoming_q())).order_by("starts_at", "pk")[:20])
    past = Paginator(
        _listing(mine.exclude(services.upcoming_q())).order_by("-starts_at", "-pk"), PAST_PER_PAGE
    )
    page = past.get_page(request.GET.get("trang"))
    return render(
        request,
        "meetings/member/list.html",
        {
            "member": services.current_member(request.user),
            "upcoming": upcoming,
            "past": page,
            "attendance_choices": Attendance.Status.choices,
            # The secretary's own pages (views/secretary.py) start here.
            "is_secretary": services.secretary_cells(request.user).exists(),
        },
    )


def _visible_meeting(request, pk):
    queryset = services.with_my_attendance(services.visible_meetings(request.user), request.user)
    return get_object_or_404(queryset.select_related("chair", "recorder", "audience_org"), pk=pk)


@login_required
@require_GET
def meeting_detail(request, pk):
    meeting = _visible_meeting(request, pk)
    comments = (
        list(services.comments_of(meeting))
        if services.can_see_comments(request.user, meeting)
        else None
    )
    return render(
        request, "meetings/member/detail.html", _detail_context(request, meeting, comments)
    )


def _detail_context(request, meeting, comments, form_text="", form_errors=()):
    member = services.current_member(request.user)
    may_comment = (
        member is not None and member.cell_id == meeting.audience_org_id and not meeting.is_locked
    )
    return {
        "meeting": meeting,
        "comments": comments,
        "may_comment": may_comment,
        "comment_text": form_text,
        "comment_errors": list(form_errors),
        "comment_max": services.COMMENT_MAX_LENGTH,
        "materials_template": select_template(MATERIALS_TEMPLATES),
        "held": meeting.is_held,
        "attendance_choices": Attendance.Status.choices,
        "may_check_in": not meeting.is_locked and scope.can(request.user, CHECK_IN, meeting),
        "may_manage": scope.can(request.user, CONVENE, meeting),
    }


@login_required
@require_POST
def add_comment(request, pk):
    meeting = _visible_meeting(request, pk)
    try:
        services.add_comment(meeting, request.user, request.POST.get("text", ""))
    except PermissionDenied:
        raise Http404 from None  # a staff viewer of another unit: nothing to comment on here
    except ValidationError as exc:
        errors = (
            exc.message_dict.get("text", exc.messages)
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        comments = (
            list(services.comments_of(meeting))
            if services.can_see_comments(request.user, meeting)
            else None
        )
        context = _detail_context(request, meeting, comments, request.POST.get("text", ""), errors)
        return render(request, "meetings/member/detail.html", context, status=400)
    messages.success(request, _("Đã gửi góp ý của đồng chí."))
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#gop-y")


@never_cache
@login_required
@require_GET
def calendar_feed(request):
    """The member's meetings as iCalendar (UTC times, no VTIMEZONE), from six months back."""
    since = timezone.now() - timedelta(days=183)
    meetings = (
        services.my_cell_meetings(request.user)
        .filter(starts_at__gte=since)
        .select_related("audience_org")
        .order_by("starts_at")[:300]
    )
    body = ical_calendar(
        meetings,
        host=request.get_host(),
        url_for=lambda m: request.build_absolute_uri(reverse("meetings:detail", args=[m.pk])),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sinh-hoat.ics"'
    return response


# --- iCalendar (RFC 5545) --------------------------------------------------------------------


def _ical_escape(text):
    return (
        str(text or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def _ical_fold(line):
    """Lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8 character."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current)
            current = b""
        current += encoded
    out.append(current)
    return "\r\n ".join(part.decode() for part in out)


def ical_calendar(meetings, *, host, url_for):
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//So tay dang vien//Sinh hoat chi bo//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ical_escape(_('Sinh hoạt chi bộ'))}",
    ]
    for meeting in meetings:
        ends_at = meeting.ends_at or meeting.starts_at + timedelta(hours=2)
        description = "\n\n".join(part for part in (meeting.agenda, meeting.online_link) if part)
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host.split(':')[0]}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(meeting.starts_at)}",
            f"DTEND:{_utc(ends_at)}",
            f"SUMMARY:{_ical_escape(meeting.title)}",
            f"LOCATION:{_ical_escape(meeting.place or meeting.online_link)}",
            f"DESCRIPTION:{_ical_escape(description)}",
            f"URL:{url_for(meeting)}",
            f"STATUS:{'CANCELLED' if meeting.state == Meeting.State.CANCELLED else 'CONFIRMED'}",
            f"LAST-MODIFIED:{_utc(meeting.updated_at)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_ical_fold(line) for line in lines) + "\r\n"


def _utc(value):
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
