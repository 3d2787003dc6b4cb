"""Tasks in the member shell: the tasks assigned to the member (or to the unit they report for)
with a progress form (percent, note, a file), and for the assigner the assignees with who is
late. A task the user may not open answers 404; a report by someone not assigned 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sotay_plugins import files as shared_files
from sotay_plugins.orgtree import scope

from .. import services
from ..forms import ProgressForm, ShellTaskForm
from ..models import ASSIGN_TASK, VIEW_TASK, Assignment, Progress, Task

LIMIT = 100


@login_required
@require_GET
@never_cache
def task_list(request):
    now = timezone.now()
    mine = list(
        services.my_assignments(request.user)
        .select_related("task", "org")
        .order_by("done_at", "task__due_at", "pk")[:LIMIT]
    )
    followed = []
    if scope.can(request.user, VIEW_TASK):
        followed = list(
            services.with_counts(scope.visible_to(request.user, Task.objects.all()))
            .select_related("issuer_org")
            .order_by("-due_at", "-pk")[:LIMIT]
        )
    return render(
        request,
        "agenda/tasks.html",
        {
            "mine": [{"a": a, "late": services.is_late(a, a.task, now)} for a in mine],
            "followed": followed,
            "now": now,
            "may_assign": scope.can(request.user, ASSIGN_TASK),
        },
    )


def _page(request, task, form=None, status=200):
    mine = list(
        services.my_assignments(request.user).filter(task=task).select_related("org", "member")
    )
    manages = services.manages(request.user, task)
    reports = (
        Progress.objects.filter(assignment__task=task)
        .select_related("assignment__member", "assignment__org")
        .order_by("-created_at", "-pk")
    )
    if not manages:
        reports = reports.filter(assignment__in=[a.pk for a in mine])
    return render(
        request,
        "agenda/task.html",
        {
            "task": task,
            "mine": mine,
            "form": form or ProgressForm(initial={"percent": mine[0].percent if mine else 0}),
            "rows": services.task_rows(task) if manages else None,
            "reports": list(reports[:50]),
            "late": any(services.is_late(a, task) for a in mine),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def task_detail(request, pk):
    task = get_object_or_404(
        services.visible_tasks(request.user).select_related("issuer_org"), pk=pk
    )
    if request.method == "GET":
        return _page(request, task)
    assignment = None
    wanted = request.POST.get("assignment", "")
    candidates = task.assignments.select_related("member", "org")
    if wanted.isdigit():
        assignment = candidates.filter(pk=int(wanted)).first()
    else:
        assignment = next((a for a in candidates if services.may_report(request.user, a)), None)
    if assignment is None or not services.may_report(request.user, assignment):
        raise PermissionDenied(_("Chỉ người (đơn vị) được giao mới báo cáo tiến độ."))
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, task, form, status=400)
    try:
        services.report_progress(
            request.user,
            assignment,
            percent=form.cleaned_data["percent"],
            note=form.cleaned_data["note"],
            upload=form.cleaned_data.get("file"),
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _page(request, task, form, status=400)
    messages.success(
        request, _("Đã ghi tiến độ %(percent)d%%.") % {"percent": form.cleaned_data["percent"]}
    )
    return redirect("agenda:task", pk=task.pk)


@login_required
@require_GET
def progress_file(request, pk):
    """A report's file: for its assignee and for those who follow the task."""
    report = get_object_or_404(
        Progress.objects.select_related("assignment__task__issuer_org", "assignment__member"),
        pk=pk,
    )
    assignment: Assignment = report.assignment
    if not (
        services.may_report(request.user, assignment)
        or services.manages(request.user, assignment.task)
    ):
        raise Http404
    return shared_files.serve_private(
        report.file, content_type=report.content_type, filename=report.file_name or None
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request):
    """A cell secretary (or a committee's staff) assigns a task from the phone."""
    if not scope.can(request.user, ASSIGN_TASK):
        raise Http404
    # an empty POST is still a submission: refused with the fields' errors, not shown blank
    form = ShellTaskForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.assign(request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Đã giao “%(title)s” cho %(n)d người, đơn vị.")
                % {"title": task.title, "n": task.assignments.count()},
            )
            return redirect("agenda:task", pk=task.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "agenda/task_form.html", {"form": form}, status=status)
