"""Does the scheduler run? The heartbeat of ``scheduler`` and the outbox's backlog.

- ``status()``: ``{"status": "ok" | "stale" | "never", "last_run", "age_seconds", "last_result",
  "mode", "outbox": {"pending", "queued", "failed", "oldest_waiting_seconds"}}``. "ok" when a
  tick ran in the last ``STALE_AFTER`` seconds (three ticks).
- ``/api/v1/health/scheduler/`` (``SchedulerHealthView``): that JSON, for staff only (anyone
  else: 404); HTTP 503 unless "ok", so a monitor can poll it.
- ``/suc-khoe/`` (``public_health``): "ok" / "stale" / "never" as plain text, 200 or 503, with
  no figures: safe to expose to a load balancer or an uptime monitor.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from sotay_plugins.models import OutboxJob
from sotay_plugins.orgtree import scope

from . import scheduler

STALE_AFTER = 3 * scheduler.INTERVAL


def outbox_backlog(now=None):
    """Waiting and failed outbox jobs (one query on the (state, created_at) index)."""
    now = now or timezone.now()
    waiting = [OutboxJob.State.PENDING, OutboxJob.State.QUEUED]
    row = OutboxJob.objects.filter(state__in=[*waiting, OutboxJob.State.FAILED]).aggregate(
        pending=Count("pk", filter=Q(state=OutboxJob.State.PENDING)),
        queued=Count("pk", filter=Q(state=OutboxJob.State.QUEUED)),
        failed=Count("pk", filter=Q(state=OutboxJob.State.FAILED)),
        oldest=Min("created_at", filter=Q(state__in=waiting)),
    )
    oldest = row.pop("oldest")
    row["oldest_waiting_seconds"] = int((now - oldest).total_seconds()) if oldest else None
    return row


def scheduler_state(now=None):
    """("ok" | "stale" | "never", last run, its age in seconds, its summary)."""
    now = now or timezone.now()
    at, result = scheduler.last_beat()
    if at is None:
        return "never", None, None, {}
    age = int((now - at).total_seconds())
    return ("ok" if age <= STALE_AFTER else "stale"), at, age, result


def status(now=None):
    now = now or timezone.now()
    state, at, age, result = scheduler_state(now)
    return {
        "status": state,
        "last_run": at.isoformat() if at else None,
        "age_seconds": age,
        "stale_after_seconds": STALE_AFTER,
        "last_result": result,
        "mode": "in-process" if settings.SOTAY_JOBS_INLINE else "rq",
        "outbox": outbox_backlog(now),
    }


def is_staff(user):
    """Staff: a superuser, Django staff, or anyone the admin lets in (a staff role anywhere)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return scope.is_superadmin(user) or user.is_staff or user.has_perm("wagtailadmin.access_admin")


class SchedulerHealthView(APIView):
    """Whether the publishing scheduler ran recently, and the outbox's backlog (staff only)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT})
    def get(self, request):
        if not is_staff(request.user):
            raise Http404
        data = status()
        return Response(data, status=200 if data["status"] == "ok" else 503)


@never_cache
def public_health(request):
    """Plain text, no figures: "ok" (200) or "stale"/"never" (503)."""
    state = scheduler_state()[0]
    return HttpResponse(
        state, content_type="text/plain; charset=utf-8", status=200 if state == "ok" else 503
    )
