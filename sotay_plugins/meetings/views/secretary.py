"""The cell secretary's month from the phone (member shell): the cell's meetings, convening (and
copying last month's meeting), editing and cancelling, picking materials, marking attendance by
hand, the minutes and the cell's resolution, approving them, and who has not opened the
materials. Plain HTML forms and POST-redirect-GET: no JavaScript needed.

Thin: every write goes through ``services`` / ``materials`` / the attendance service, which
check the right again. A meeting the user may not convene answers 404 (nothing is revealed,
nothing changes). The check-in scanner is the attendance plugin's page (``meetings:checkin``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sotay_plugins.attendance import service as attendance
from sotay_plugins.attendance.models import MANUAL_STATUSES, AttendanceStatus
from sotay_plugins.orgtree import scope

from .. import materials as material_service
from .. import services
from ..forms import InternalMaterialForm, SecretaryMeetingForm, SecretaryMinutesForm
from ..models import CONVENE, Material, Meeting
from ..roll import ROLL_KEY

#: How many of the cell's past meetings the list shows (older ones: the admin's listing).
PAST_SHOWN = 12
#: How many pickable materials the materials page lists (newest month first).
PICKABLE_SHOWN = 60
#: The cell's tasks, once a tasks module exists: it overrides this template (which renders
#: nothing today) to show the meeting's tasks on the secretary's meeting page.
TASKS_TEMPLATES = ["meetings/secretary/_tasks.html"]


def _meeting(request, pk, *related):
    """The meeting ``pk`` if the user may convene its cell's meetings; 404 otherwise."""
    queryset = Meeting.objects.select_related("audience_org", *related)
    meeting = get_object_or_404(queryset, pk=pk)
    if not scope.can(request.user, CONVENE, meeting):
        raise Http404
    return meeting


def _hub(meeting, anchor=""):
    return redirect(reverse("meetings:sec_meeting", args=[meeting.pk]) + anchor)


def _errors(exc):
    return exc.messages if not hasattr(exc, "error_dict") else sum(exc.message_dict.values(), [])


def _chosen(cells, raw):
    """The cell named by ``?chi-bo=`` among the user's (the first one when none is named); a
    cell that is not the user's: 404."""
    if not raw:
        return cells[0]
    cell = next((c for c in cells if raw.isdigit() and c.pk == int(raw)), None)
    if cell is None:
        raise Http404
    return cell


# --- the cell's meetings -------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def meeting_list(request):
    cells = list(services.secretary_cells(request.user))
    if not cells:
        raise Http404
    cell = _chosen(cells, request.GET.get("chi-bo", ""))
    upcoming, past = services.cell_meetings_with_counts(cell, past=PAST_SHOWN)
    last = next((m for m in past if m.state != Meeting.State.CANCELLED), None)
    return render(
        request,
        "meetings/secretary/list.html",
        {
            "cells": cells,
            "cell": cell,
            "upcoming": upcoming,
            "past": past,
            "last": last,
            "now": timezone.now(),
        },
    )


# --- convene, edit, cancel -----------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def convene(request):
    cells = list(services.secretary_cells(request.user))
    if not cells:
        raise Http404
    cell = _chosen(cells, request.POST.get("chi-bo") or request.GET.get("chi-bo", ""))
    source = None
    source_pk = request.GET.get("tu", "")
    if source_pk.isdigit():
        source = (
            Meeting.objects.filter(pk=int(source_pk), audience_org=cell)
            .select_related("audience_org")
            .first()
        )
    if request.method == "POST":
        form = SecretaryMeetingForm(request.POST, cell=cell)
        if form.is_valid():
            try:
                meeting = services.convene(cell, request.user, **form.service_fields())
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(
                    request,
                    _("Đã triệu tập %(title)s: %(n)d đảng viên được mời.")
                    % {"title": meeting.title, "n": services.attendance_counts(meeting)["total"]},
                )
                return _hub(meeting)
        status = 400
    else:
        initial = {"kind": Meeting.Kind.REGULAR}
        if source is not None:
            initial = services.copy_of(source)
        form = SecretaryMeetingForm(initial=initial, cell=cell)
        status = 200
    last = None if source else services.previous_meeting(cell)
    return render(
        request,
        "meetings/secretary/form.html",
        {"form": form, "cell": cell, "cells": cells, "source": source, "last": last},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    meeting = _meeting(request, pk)
    if meeting.is_locked:
        messages.error(request, _("Buổi sinh hoạt đã khóa: không sửa được nữa."))
        return _hub(meeting)
    cell = meeting.audience_org
    initial = SecretaryMeetingForm.initial_for(meeting)
    if request.method == "POST":
        form = SecretaryMeetingForm(request.POST, initial=initial, cell=cell)
        if form.is_valid():
            try:
                services.update(meeting, request.user, **form.changed_service_fields())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return _hub(meeting)
        status = 400
    else:
        form = SecretaryMeetingForm(initial=initial, cell=cell)
        status = 200
    return render(
        request,
        "meetings/secretary/form.html",
        {"form": form, "cell": cell, "meeting": meeting},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, pk):
    meeting = _meeting(request, pk)
    errors, reason = [], ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            services.cancel(meeting, request.user, reason)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Đã hủy buổi sinh hoạt; đảng viên được báo tin."))
            return _hub(meeting)
    return render(
        request,
        "meetings/secretary/cancel.html",
        {"meeting": meeting, "errors": errors, "reason": reason},
        status=400 if errors else 200,
    )


# --- one meeting ---------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def meeting_page(request, pk):
    meeting = _meeting(request, pk, "chair", "recorder")
    counts = services.attendance_counts(meeting)
    return render(
        request,
        "meetings/secretary/meeting.html",
        {
            "meeting": meeting,
            "counts": counts,
            "n_materials": meeting.picked_materials.count(),
            "started": meeting.starts_at <= timezone.now(),
            "tasks_template": select_template(TASKS_TEMPLATES),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def materials(request, pk):
    meeting = _meeting(request, pk)
    user, errors = request.user, []
    form = InternalMaterialForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = InternalMaterialForm(request.POST, request.FILES)
                if form.is_valid():
                    material = material_service.add_internal(
                        meeting,
                        user=user,
                        title=form.cleaned_data["title"],
                        summary=form.cleaned_data["summary"],
                        upload=form.cleaned_data.get("file"),
                    )
                    messages.success(
                        request,
                        _("Đã thêm và chọn tài liệu %(title)s.") % {"title": material.title},
                    )
                    return redirect(reverse("meetings:sec_materials", args=[pk]) + "#da-chon")
            else:
                raw = request.POST.get("material", "")
                material = Material.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
                if material is None:
                    raise ValidationError(_("Không tìm thấy tài liệu."))
                if action == "unpick":
                    material_service.unpick(meeting, material, user=user)
                    done = _("Đã bỏ tài liệu %(title)s.")
                else:
                    material_service.pick(meeting, material, user=user)
                    done = _("Đã chọn tài liệu %(title)s.")
                messages.success(request, done % {"title": material.title})
                return redirect(reverse("meetings:sec_materials", args=[pk]) + "#da-chon")
        except ValidationError as exc:
            if action == "add" and hasattr(exc, "error_dict"):
                for name, msgs in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, msgs)
            else:
                errors = _errors(exc)
        except PermissionDenied:
            raise Http404 from None
    picked = list(material_service.meeting_materials(meeting, user))
    choices = list(
        material_service.pickable_for(meeting, user).exclude(pk__in=[m.pk for m in picked])[
            :PICKABLE_SHOWN
        ]
    )
    failed = request.method == "POST"
    return render(
        request,
        "meetings/secretary/materials.html",
        {
            "meeting": meeting,
            "picked": [(m, material_service.level_label(m.issuer_org.kind)) for m in picked],
            "choices": [(m, material_service.level_label(m.issuer_org.kind)) for m in choices],
            "errors": errors,
            "form": form,
            "may_add": material_service.is_valid_issuer(user, meeting.audience_org),
        },
        status=400 if failed else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mark(request, pk):
    """Manual marking: every expected member with a status and a reason. Each save comes back to
    the same member's row (``#member-<id>``, in the form's action and in the redirect)."""
    _meeting(request, pk)  # 404 unless the user convenes this cell's meetings
    roll = attendance.roll_for(ROLL_KEY)
    try:
        event = attendance.event_for(roll, request.user, pk)
    except attendance.CheckInError:
        raise Http404 from None
    row_errors, typed = {}, {}
    if request.method == "POST":
        member = request.POST.get("member", "")
        try:
            record, _changed = attendance.mark(
                roll,
                event,
                member_id=member,
                status=request.POST.get("status"),
                reason=request.POST.get("reason", ""),
                by_user=request.user,
            )
        except attendance.CheckInError as exc:
            key = int(member) if member.isdigit() else None
            row_errors[key] = exc.messages[0]
            typed[key] = (request.POST.get("status"), request.POST.get("reason", ""))
        else:
            url = reverse("meetings:sec_mark", args=[pk])
            return redirect(f"{url}?da-luu={record.member_id}#member-{record.member_id}")
    records = attendance.attendance_list(roll, event, user=request.user)
    saved = request.GET.get("da-luu", "")
    rows = [
        {
            "r": r,
            "error": row_errors.get(r.member_id),
            "status": typed.get(r.member_id, (r.status, r.reason))[0],
            "reason": typed.get(r.member_id, (r.status, r.reason))[1],
            "saved": saved == str(r.member_id),
        }
        for r in records
    ]
    return render(
        request,
        "meetings/secretary/mark.html",
        {
            "meeting": event,
            "rows": rows,
            "summary": attendance.summary(records),
            "general_error": row_errors.get(None),
            "manual_statuses": [(s, AttendanceStatus(s).label) for s in MANUAL_STATUSES],
            "locked": attendance.is_locked(roll, event),
        },
        status=400 if row_errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def minutes(request, pk):
    """The minutes and the cell's resolution (once the meeting has started), and approving them
    (which locks the meeting). Approving when nobody was checked in needs an explicit tick."""
    meeting = _meeting(request, pk)
    form = SecretaryMinutesForm(
        initial={"minutes": meeting.minutes, "resolution": meeting.resolution}
    )
    errors, confirm_error = [], []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.approve_minutes_checked(
                    meeting, request.user, nobody_confirmed=request.POST.get("confirm") == "1"
                )
                messages.success(request, _("Đã duyệt biên bản; buổi sinh hoạt đã khóa."))
                return redirect("meetings:sec_minutes", pk=pk)
            form = SecretaryMinutesForm(request.POST)
            if form.is_valid():
                services.record_minutes(
                    meeting,
                    request.user,
                    form.cleaned_data["minutes"],
                    form.cleaned_data.get("resolution") or "",
                )
                messages.success(request, _("Đã lưu biên bản và nghị quyết."))
                return redirect(reverse("meetings:sec_minutes", args=[pk]) + "#duyet")
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "confirm" in exc.message_dict:
                confirm_error = exc.message_dict["confirm"]
            elif hasattr(exc, "error_dict") and action != "approve":
                for name, msgs in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, msgs)
            else:
                errors = _errors(exc)
        meeting.refresh_from_db()
    counts = services.attendance_counts(meeting)
    return render(
        request,
        "meetings/secretary/minutes.html",
        {
            "meeting": meeting,
            "form": form,
            "errors": errors,
            "confirm_error": confirm_error,
            "counts": counts,
            "started": meeting.starts_at <= timezone.now(),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
@require_GET
def not_opened(request, pk):
    meeting = _meeting(request, pk)
    status = material_service.open_status(meeting, request.user)
    n_materials = max((row.expected for row in status), default=0)
    return render(
        request,
        "meetings/secretary/not_opened.html",
        {
            "meeting": meeting,
            "missing": [row for row in status if row.missing > 0],
            "done": sum(1 for row in status if row.missing <= 0 and row.expected),
            "n_materials": n_materials,
            "has_materials": meeting.picked_materials.exists() if not n_materials else True,
        },
    )
