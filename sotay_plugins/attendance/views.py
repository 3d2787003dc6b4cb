"""The secretary's scan page of a roll (member shell). Works as plain forms without JavaScript;
with it, ``attendance/checkin.js`` scans with the camera, posts to the roll's API, keeps a live
list and an offline queue. Thin: everything is :mod:`.service`. Mounted by a module's ``urls.py``
through :func:`.rolls.scan_urls`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import service
from .models import MANUAL_STATUSES, AttendanceStatus


def _event(roll, request, pk):
    try:
        return service.event_for(roll, request.user, pk)
    except service.CheckInError as exc:
        if exc.status == 404:
            raise Http404 from None
        raise PermissionDenied(exc.messages[0]) from None


def _credential(text):
    """A chip ID card's QR text has fields separated by "|"; anything else is a member's token."""
    text = (text or "").strip()
    return {"cccd_qr": text} if "|" in text else {"token": text}


@login_required
def scan_page(request, pk, roll_key):
    roll = service.roll_for(roll_key)
    event = _event(roll, request, pk)
    status = 200
    if request.method == "POST":
        try:
            result = service.check_in(
                roll, event, by_user=request.user, **_credential(request.POST.get("code"))
            )
        except service.CheckInError as exc:
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
            return redirect(roll.page_url, pk=event.pk)
    records = service.attendance_list(roll, event, user=request.user)
    api = f"api:{roll.api_name}"
    return render(
        request,
        "attendance/scan.html",
        {
            "event": event,
            "unit": getattr(event, roll.org_field),
            "starts_at": getattr(event, roll.starts_field),
            "texts": roll.texts,
            "checkin_url": reverse(f"{api}-checkin", args=[event.pk]),
            "offline_url": reverse(f"{api}-checkin-offline", args=[event.pk]),
            "attendance_url": reverse(f"{api}-attendance", args=[event.pk]),
            "mark_url": reverse(roll.mark_url, args=[event.pk]),
            "queue_key": f"sotay-checkin-queue-{roll.offline_queue}{event.pk}",
            "records": records,
            "summary": service.summary(records),
            "manual_statuses": [(s, AttendanceStatus(s).label) for s in MANUAL_STATUSES],
            "locked": service.is_locked(roll, event),
        },
        status=status,
    )


@login_required
@require_POST
def mark_member(request, pk, roll_key):
    roll = service.roll_for(roll_key)
    event = _event(roll, request, pk)
    try:
        record, changed = service.mark(
            roll,
            event,
            member_id=request.POST.get("member"),
            status=request.POST.get("status"),
            reason=request.POST.get("reason", ""),
            by_user=request.user,
        )
    except service.CheckInError as exc:
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
    return redirect(roll.page_url, pk=event.pk)
