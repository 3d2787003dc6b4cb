"""The member's pages: send feedback, follow it and reply; ask the committee and read the
published answers. Plain HTML forms (multipart for files): no JavaScript needed.

A member opens only their own feedback (shown, or hidden through the escrow's keyed tag): any
other answers 404. Questions go through the scope engine (their own, and the published answers
of the committees above them).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sotay_plugins import files as shared_files
from sotay_plugins.orgtree import scope

from .. import attachments, services
from ..models import Feedback, Question

PER_PAGE = 10


def _member_or_404(request):
    member = services.current_member(request.user)
    if member is None:
        raise Http404
    return member


@login_required
@require_GET
def feedback_list(request):
    member = _member_or_404(request)
    page = Paginator(services.my_feedback(member), PER_PAGE).get_page(request.GET.get("trang"))
    return render(request, "feedback/member/list.html", {"page": page, "member": member})


def _send_context(member, **extra):
    receivers = list(services.receivers_for(member))
    topics = []
    if receivers:
        from ..models import Topic

        topics = list(
            Topic.objects.filter(is_active=True)
            .filter(scope.containing(member.cell, "org"))
            .order_by("order", "name")
        )
    return {
        "member": member,
        "receivers": receivers,
        "topics": topics,
        "small_cell": services.small_cell(member),
        "accepted": attachments.accepted_text(),
        "max_files": attachments.MAX_FILES,
        "max_text": services.MAX_TEXT,
        "values": {},
        "errors": {},
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def send(request):
    member = _member_or_404(request)
    if request.method == "GET":
        return render(request, "feedback/member/send.html", _send_context(member))
    values = {
        "receiver": request.POST.get("receiver", ""),
        "topic": request.POST.get("topic", ""),
        "text": request.POST.get("text", ""),
        "hide_identity": request.POST.get("hide_identity") == "1",
    }
    try:
        feedback = services.send(
            member,
            receiver=values["receiver"],
            text=values["text"],
            hide_identity=values["hide_identity"],
            topic=values["topic"] or None,
            files=request.FILES.getlist("files"),
        )
    except ValidationError as exc:
        return render(
            request,
            "feedback/member/send.html",
            _send_context(member, values=values, errors=exc.message_dict),
            status=400,
        )
    if feedback.status == Feedback.Status.REVIEW:
        messages.info(request, _("Góp ý đã được nhận và đang được xem xét trước khi chuyển xử lý."))
    else:
        messages.success(request, _("Đã gửi góp ý. Đồng chí theo dõi kết quả tại đây."))
    return redirect("feedback:detail", feedback.pk)


def _mine(request, pk):
    member = _member_or_404(request)
    return get_object_or_404(services.my_feedback(member), pk=pk), member


@login_required
@require_GET
def detail(request, pk):
    feedback, member = _mine(request, pk)
    return render(
        request,
        "feedback/member/detail.html",
        {
            "feedback": feedback,
            "thread": list(services.thread_for_author(feedback)),
            "files": list(feedback.attachments.all()),
            "max_text": services.MAX_TEXT,
            "errors": [],
        },
    )


@login_required
@require_POST
def reply(request, pk):
    feedback, member = _mine(request, pk)
    try:
        services.author_reply(member, feedback, request.POST.get("text", ""))
    except ValidationError as exc:
        return render(
            request,
            "feedback/member/detail.html",
            {
                "feedback": feedback,
                "thread": list(services.thread_for_author(feedback)),
                "files": list(feedback.attachments.all()),
                "max_text": services.MAX_TEXT,
                "errors": exc.messages,
                "text": request.POST.get("text", ""),
            },
            status=400,
        )
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Đã gửi trả lời."))
    return redirect("feedback:detail", feedback.pk)


@login_required
@require_GET
def attachment(request, pk, number):
    feedback, _member = _mine(request, pk)
    items = list(feedback.attachments.all())
    if not 1 <= number <= len(items):
        raise Http404
    item = items[number - 1]
    return shared_files.serve_private(item.file, content_type=item.content_type, filename=item.name)


# --- Q&A ----------------------------------------------------------------------------------


@login_required
@require_GET
def questions(request):
    member = _member_or_404(request)
    return _questions_page(request, member)


def _questions_page(request, member, values=None, errors=None, status=200):
    faq = Paginator(services.faq_for(request.user).select_related("issuer_org"), PER_PAGE)
    return render(
        request,
        "feedback/member/questions.html",
        {
            "member": member,
            "committee": services.base_committee(member),
            "mine": list(services.my_questions(member)[:20]),
            "faq": faq.get_page(request.GET.get("trang")),
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@login_required
@require_POST
def ask(request):
    member = _member_or_404(request)
    values = {"title": request.POST.get("title", ""), "text": request.POST.get("text", "")}
    try:
        question = services.ask(member, **values)
    except ValidationError as exc:
        return _questions_page(request, member, values, exc.message_dict, status=400)
    messages.success(request, _("Đã gửi câu hỏi đến %(org)s.") % {"org": question.issuer_org.name})
    return redirect("feedback:question", question.pk)


@login_required
@require_GET
def question(request, pk):
    item = get_object_or_404(
        scope.visible_to(request.user, Question.objects.select_related("issuer_org")), pk=pk
    )
    return render(request, "feedback/member/question.html", {"question": item})
