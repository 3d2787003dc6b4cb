"""The member's study pages: "Học tập" (what to study, with progress), the resolution reader and
its "read to the end" record, the audio file. Plain HTML that works without JavaScript; the
reader's script only posts the end marker and the end of the audio for the member.

Every page reads through the scope engine: a resolution outside the member's audience answers
404, and so does its audio file.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotay_plugins import speech
from sotay_plugins.files import serve_private_media
from sotay_plugins.orgtree import scope

from ..plans.models import SessionAttendance, StudyPlan, StudySession
from . import services
from .models import Audience, ReadingVia

HOME_LIMIT = 30
SESSIONS_LIMIT = 5


def _member(request):
    return services.current_member(request.user)


@login_required
@require_GET
def home(request):
    """Học tập: the resolutions the member studies (newest first) with their progress, the
    nearest deadline of a plan for each, and the member's next study sessions."""
    member = _member(request)
    resolutions = list(
        services.visible_resolutions(request.user)
        .only("id", "title", "number", "issued_on", "summary", "published_at", "audio", "audio_url")
        .order_by("-published_at", "-pk")[:HOME_LIMIT]
    )
    ids = [r.pk for r in resolutions]
    statuses = services.statuses(member, ids) if member is not None and ids else {}
    deadlines = {}
    if ids:
        plans = scope.visible_to(request.user, StudyPlan.objects.filter(resolution_id__in=ids))
        for resolution_id, deadline in plans.order_by("deadline").values_list(
            "resolution_id", "deadline"
        ):
            deadlines.setdefault(resolution_id, deadline)
    items = [
        {
            "resolution": r,
            "status": statuses.get(r.pk, services.NOT_STARTED),
            "deadline": deadlines.get(r.pk),
        }
        for r in resolutions
    ]
    done = sum(1 for item in items if item["status"].completed)
    sessions = []
    if member is not None:
        sessions = list(
            SessionAttendance.objects.filter(
                member=member,
                session__starts_at__gte=timezone.now() - timedelta(hours=12),
            )
            .exclude(session__state=StudySession.State.CANCELLED)
            .select_related("session")
            .order_by("session__starts_at")[:SESSIONS_LIMIT]
        )
    return render(
        request,
        "study/member/home.html",
        {
            "member": member,
            "items": items,
            "done": done,
            "today": timezone.localdate(),
            "sessions": sessions,
        },
    )


def _visible(request, pk):
    queryset = services.visible_resolutions(request.user).select_related(
        "issuer_org", "audience_org"
    )
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_GET
def reader(request, pk):
    """The resolution reader: facts, the outline of the chosen audience, the full text, audio,
    video, infographics, and the end marker with its "Tôi đã đọc hết" button."""
    resolution = _visible(request, pk)
    outlines = list(resolution.outlines.all())
    audience = request.GET.get("doi-tuong") or Audience.DANG_VIEN
    if audience not in Audience.values:
        audience = Audience.DANG_VIEN
    outline = next((o for o in outlines if o.audience == audience), None)
    member = _member(request)
    status = services.NOT_STARTED
    if member is not None:
        row = services.start(member, resolution)
        status = services.status_of(row)
    infographics = list(resolution.infographics.select_related("image"))
    # Without a recorded reading, the audio version made on the server (``speech``), if made.
    spoken = None
    if not resolution.audio and not resolution.audio_url:
        spoken = speech.audio_of(resolution)
    document = None
    if resolution.document_id:
        document = (
            resolution.document.specific
            if resolution.document and resolution.document.live
            else None
        )
    return render(
        request,
        "study/member/reader.html",
        {
            "page": resolution,
            "outlines": outlines,
            "outline": outline,
            "audience": audience,
            "audiences": Audience.choices,
            "status": status,
            "member": member,
            "infographics": infographics,
            "document": document,
            "audio_src": (
                reverse("study:resolution_audio", args=[resolution.pk])
                if resolution.audio or spoken is not None
                else resolution.audio_url
            ),
            "spoken_audio": spoken,
        },
    )


@login_required
@require_POST
def mark_read(request, pk):
    """The end of the text was reached (script: the end marker scrolled into view, or the audio
    ended; no script: the "Tôi đã đọc hết" button). Idempotent."""
    resolution = _visible(request, pk)
    member = _member(request)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if member is None:
        if wants_json:
            return JsonResponse(
                {"detail": _("Chỉ đảng viên mới ghi nhận việc học được.")}, status=403
            )
        raise Http404
    via = request.POST.get("via", ReadingVia.BUTTON)
    if via not in ReadingVia.values:
        via = ReadingVia.BUTTON
    status, first = services.mark_read(member, resolution, via)
    if wants_json:
        return JsonResponse({"first_time": first, **_status_json(status)})
    from django.contrib import messages

    if first:
        messages.success(request, _("Đã ghi nhận đồng chí đọc hết nghị quyết."))
    return redirect(reverse("study:resolution", args=[resolution.pk]) + "#ket-thuc")


def _status_json(status):
    data = status.as_dict()
    for key in ("read_at", "quiz_passed_at", "completed_at"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


@login_required
@require_GET
def audio(request, pk):
    """The resolution's audio file, after the scope check (private storage, never a public URL):
    the recorded reading uploaded with it, else the audio version made on the server."""
    resolution = _visible(request, pk)
    if not resolution.audio:
        spoken = speech.audio_of(resolution)
        if spoken is None:
            raise Http404
        return serve_private_media(request, spoken.file, content_type=spoken.content_type)
    name = resolution.audio.name.lower()
    content_type = (
        "audio/mpeg"
        if name.endswith(".mp3")
        else "audio/mp4"
        if name.endswith(".m4a")
        else "audio/ogg"
    )
    return serve_private_media(request, resolution.audio, content_type=content_type)
