"""Handling, screening, the custodian's desk and the report, in the Wagtail admin.

- Inbox (``gop-y/``): feedback sent to the units the user handles, and only those
  (``services.handler_queryset``); filters by status and overdue. A feedback's page shows its
  thread and the actions (assign, progress, reply, forward, close, ask for a reveal). Hidden
  authors show as "Ẩn danh tính": no screen here can read the escrow.
- Screening (``gop-y/sang-loc/``): flagged feedback under the units where the user screens, with
  the matched terms; "Đã xem xét" passes it on to the handlers.
- Custodian (``gop-y/danh-tinh/``): requests to the units the user keeps identities for; approve
  or refuse once; the identity is shown on the request's page to the custodian (and the
  requester if granted), each showing logged.
- Report (``gop-y/bao-cao/``): per receiving unit in the user's scope.

A user who reaches none of these (no role) gets 403 on the page, an object outside them 404.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access

from sotay_plugins import files as shared_files

from .. import services
from ..models import Feedback, Receiver, RevealRequest

PER_PAGE = 30


@require_admin_access
def inbox(request):
    user = request.user
    qs = services.handler_queryset(user).select_related("author")
    status = request.GET.get("status", "")
    if status in Feedback.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("overdue") == "1":
        qs = services.overdue(qs)
    page = Paginator(qs.order_by("due_on", "-created_on", "id"), PER_PAGE).get_page(
        request.GET.get("p")
    )
    return render(
        request,
        "feedback/admin/inbox.html",
        {
            "page": page,
            "statuses": Feedback.Status.choices,
            "status": status,
            "overdue": request.GET.get("overdue") == "1",
            "today": timezone.localdate(),
            "handles": bool(services.handled_receiver_ids(user)),
        },
    )


def _handled(request, pk):
    return get_object_or_404(
        services.visible_to_staff(request.user).select_related("author"), pk=pk
    )


@require_admin_access
def detail(request, pk):
    feedback = _handled(request, pk)
    user = request.user
    handles = services.is_handler(user, feedback.receiver)
    receiver_ids = services.handled_receiver_ids(user)
    context = {
        "feedback": feedback,
        "entries": list(feedback.entries.select_related("by_user").order_by("seq")),
        "files": list(feedback.attachments.all()),
        "handles": handles,
        "reviewing": feedback.status == Feedback.Status.REVIEW
        and services.reviewable_queryset(user).filter(pk=feedback.pk).exists(),
        "colleagues": _colleagues(feedback) if handles else [],
        "targets": Receiver.objects.filter(is_active=True)
        .exclude(pk=feedback.receiver_id)
        .select_related("org")
        .order_by("org__tree_id", "org__lft", "name")
        if handles
        else [],
        "requests": list(feedback.reveal_requests.select_related("requested_by", "decision"))
        if handles and feedback.hide_identity
        else [],
        "receiver_ids": receiver_ids,
    }
    return render(request, "feedback/admin/detail.html", context)


def _colleagues(feedback):
    from sotay_plugins.orgtree.models import RoleAssignment

    from ..models import HANDLE

    roles = [code for code, grants in services._role_grants().items() if HANDLE in grants]
    ids = RoleAssignment.objects.filter(
        role__code__in=roles,
        org_id=feedback.receiver.org_id,
        advisory_body_id=feedback.receiver.body_id,
    ).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username"))


ACTIONS = ("assign", "progress", "reply", "forward", "close", "reveal", "clear")


@require_admin_access
@require_POST
def act(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    feedback = _handled(request, pk)
    user, post = request.user, request.POST
    try:
        with transaction.atomic():
            if action == "assign":
                assignee = None
                if post.get("assignee"):
                    assignee = get_user_model().objects.filter(pk=post["assignee"]).first()
                due = parse_date(post.get("due_on") or "") if post.get("due_on") else None
                if post.get("due_on") and due is None:
                    raise ValidationError(_("Ngày không đúng dạng."))
                services.assign(user, feedback, assignee=assignee, due_on=due)
                done = _("Đã phân công.")
            elif action == "progress":
                services.record_progress(user, feedback, post.get("text"))
                done = _("Đã ghi tiến độ.")
            elif action == "reply":
                services.reply(user, feedback, post.get("text"))
                done = _("Đã trả lời người gửi.")
            elif action == "forward":
                target = (
                    Receiver.objects.filter(pk=post.get("target") or 0).first()
                    if str(post.get("target") or "").isdigit()
                    else None
                )
                services.forward(user, feedback, target, post.get("text") or "")
                done = _("Đã chuyển góp ý sang %(unit)s.") % {"unit": target.name}
            elif action == "close":
                services.close(user, feedback, post.get("text"))
                done = _("Đã kết thúc góp ý.")
            elif action == "reveal":
                services.request_reveal(user, feedback, post.get("text"))
                done = _("Đã gửi đề nghị đến người giữ danh tính.")
            else:
                services.clear_review(user, feedback, post.get("text") or "")
                done = _("Đã xem xét, chuyển xử lý.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("feedback_admin:detail", feedback.pk)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, done)
    if action == "forward" or not services.visible_to_staff(user).filter(pk=feedback.pk).exists():
        return redirect("feedback_admin:inbox")
    return redirect("feedback_admin:detail", feedback.pk)


@require_admin_access
def review(request):
    qs = services.reviewable_queryset(request.user).order_by("created_on", "id")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("p"))
    return render(request, "feedback/admin/review.html", {"page": page})


@require_admin_access
def file(request, pk, number):
    feedback = _handled(request, pk)
    items = list(feedback.attachments.all())
    if not 1 <= number <= len(items):
        raise Http404
    item = items[number - 1]
    return shared_files.serve_private(item.file, content_type=item.content_type, filename=item.name)


# --- the custodian ------------------------------------------------------------------------


@require_admin_access
def custody(request):
    requests = services.custodian_requests(request.user).order_by("-at")
    mine = RevealRequest.objects.filter(requested_by=request.user).select_related(
        "feedback", "feedback__receiver", "decision"
    )
    return render(
        request,
        "feedback/admin/custody.html",
        {"requests": list(requests[:200]), "mine": list(mine.order_by("-at")[:50])},
    )


def _request_for(request, pk):
    item = get_object_or_404(
        RevealRequest.objects.select_related("feedback", "feedback__receiver", "requested_by"),
        pk=pk,
    )
    user = request.user
    if not (services.is_custodian(user, item.feedback.receiver) or item.requested_by_id == user.pk):
        raise Http404
    return item


@require_admin_access
def custody_request(request, pk):
    item = _request_for(request, pk)
    user = request.user
    identity = None
    if request.method == "POST":
        if not services.is_custodian(user, item.feedback.receiver):
            raise Http404
        try:
            services.decide(
                user,
                item,
                approve=request.POST.get("decision") == "approve",
                share_with_requester=request.POST.get("share") == "1",
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã ghi quyết định."))
        return redirect("feedback_admin:custody_request", item.pk)
    item = RevealRequest.objects.select_related(
        "feedback", "feedback__receiver", "requested_by"
    ).get(pk=item.pk)
    if services.may_see_identity(user, item) and request.GET.get("xem") == "1":
        identity = services.revealed_identity(user, item)
    return render(
        request,
        "feedback/admin/custody_request.html",
        {
            "item": item,
            "decision": getattr(item, "decision", None),
            "is_custodian": services.is_custodian(user, item.feedback.receiver),
            "may_see": services.may_see_identity(user, item),
            "identity": identity,
            "accesses": list(item.accesses.select_related("user").order_by("at")),
        },
    )


# --- the report ---------------------------------------------------------------------------


@require_admin_access
def report(request):
    receivers = services.reportable_receivers(request.user)
    if not receivers.exists() and not services.handled_receiver_ids(request.user):
        raise PermissionDenied
    page = Paginator(receivers, 50).get_page(request.GET.get("p"))
    return render(
        request,
        "feedback/admin/report.html",
        {"page": page, "rows": services.report_rows(list(page.object_list))},
    )


urlpatterns = [
    path("gop-y/", inbox, name="inbox"),
    path("gop-y/sang-loc/", review, name="review"),
    path("gop-y/danh-tinh/", custody, name="custody"),
    path("gop-y/danh-tinh/<int:pk>/", custody_request, name="custody_request"),
    path("gop-y/bao-cao/", report, name="report"),
    path("gop-y/<uuid:pk>/", detail, name="detail"),
    path("gop-y/<uuid:pk>/tep/<int:number>/", file, name="file"),
    path("gop-y/<uuid:pk>/<slug:action>/", act, name="act"),
]
