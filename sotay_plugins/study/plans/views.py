"""The member's study sessions: the sessions they are invited to (and, for whoever may take the
roll, the sessions of their units) with the link to the scan page. Plain HTML."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from sotay_plugins.orgtree import scope

from ..resolutions.services import current_member
from . import services
from .models import CHECK_IN_STUDY, SessionAttendance, StudySession

PER_PAGE = 20


def _with_my_status(queryset, member):
    if member is None:
        return queryset
    mine = SessionAttendance.objects.filter(session=OuterRef("pk"), member=member).values("status")[
        :1
    ]
    return queryset.annotate(my_status=Subquery(mine))


@login_required
@require_GET
def session_list(request):
    member = current_member(request.user)
    sessions = _with_my_status(
        services.visible_sessions(request.user).select_related("plan", "audience_org"), member
    ).order_by("-starts_at", "-pk")
    page = Paginator(sessions, PER_PAGE).get_page(request.GET.get("trang"))
    may_check_in = scope.can(request.user, CHECK_IN_STUDY)
    rows = [
        {
            "session": s,
            "scan": may_check_in
            and s.state != StudySession.State.CANCELLED
            and scope.can(request.user, CHECK_IN_STUDY, s.audience_org),
        }
        for s in page.object_list
    ]
    return render(
        request,
        "study/member/sessions.html",
        {
            "page": page,
            "rows": rows,
            "member": member,
            "status_labels": dict(SessionAttendance.Status.choices),
        },
    )


@login_required
@require_GET
def session_detail(request, pk):
    member = current_member(request.user)
    session = get_object_or_404(
        _with_my_status(
            services.visible_sessions(request.user).select_related(
                "plan", "plan__resolution", "audience_org", "issuer_org"
            ),
            member,
        ),
        pk=pk,
    )
    may_check_in = session.state != StudySession.State.CANCELLED and scope.can(
        request.user, CHECK_IN_STUDY, session.audience_org
    )
    return render(
        request,
        "study/member/session.html",
        {
            "session": session,
            "may_check_in": may_check_in,
            "status_labels": dict(SessionAttendance.Status.choices),
            "member": member,
        },
    )
