"""The secretary's check-in page (member shell). Works as plain forms without JavaScript; with it,
site/static/js/checkin.js scans with the camera, posts to the API, keeps a live list and an
offline queue. Thin: everything is :mod:`.checkin`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import checkin
from .models import Attendance


def _meeting(request, pk):
    try:
        return checkin.meeting_for(request.user, pk)
    except checkin.CheckInError as exc:
        if exc.status == 404:
            raise Http404 from None
        raise PermissionDenied(exc.messages[0]) from None


def _credential(text):
    """A chip ID card's QR text has fields separated by "|"; anything else is a member's token."""
    text = (text or "").strip()
    return {"cccd_qr": text} if "|" in text else {"token": text}


@login_required
def checkin_page(request, pk):
    meeting = _meeting(request, pk)
    status = 200
    if request.method == "POST":
        try:
            result = checkin.check_in(
                meeting, by_user=request.user, **_credential(request.POST.get("code"))
            )
        except checkin.CheckInError as exc:
            messages.error(request, exc.messages[0])
            status = 400
        else:
            record = result.record
            if result.created:
                messages.success(
                    request,
                    _("Đã điểm danh: %(name)s — %(status)s.")
                    % {"name": record.member_name, "status": record.status_label},
                )
            else:
                messages.info(
                    request,
                    _("%(name)s đã điểm danh trước đó, lúc %(time)s.")
                    % {
                        "name": record.member_name,
                        "time": timezone.localtime(record.checked_in_at).strftime("%H:%M"),
                    },
                )
            return redirect("meetings:checkin", pk=meeting.pk)
    records = checkin.attendance_list(meeting, user=request.user)
    return render(
        request,
        "meetings/checkin/page.html",
        {
            "meeting": meeting,
            "records": records,
            "summary": checkin.summary(records),
            "manual_statuses": [(s, Attendance.Status(s).label) for s in checkin.MANUAL_STATUSES],
            "locked": meeting.is_locked,
        },
        status=status,
    )


@login_required
@require_POST
def mark_member(request, pk):
    meeting = _meeting(request, pk)
    try:
        record, changed = checkin.mark(
            meeting,
            member_id=request.POST.get("member"),
            status=request.POST.get("status"),
            reason=request.POST.get("reason", ""),
            by_user=request.user,
        )
    except checkin.CheckInError as exc:
        messages.error(request, exc.messages[0])
    else:
        if changed:
            messages.success(
                request,
                _("Đã ghi: %(name)s — %(status)s.")
                % {"name": record.member_name, "status": record.status_label},
            )
        else:
            messages.info(request, _("Không có gì thay đổi."))
    return redirect("meetings:checkin", pk=meeting.pk)
