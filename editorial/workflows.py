"""The editorial board's workflow step (``models.EditorialBoardTask``): who may act, and who
hears of a rejection.

- Whose board: ``level = "issuer"`` → the board (``APPROVE``) of the page's issuing unit (held
  there or above it: ``services.may_approve``); ``level = "parent"`` → the board of the unit
  directly above the issuer (a province's second step). A section page is judged by its unit.
  A plugin's page type registered as ``ScopedPageType`` (``registry.add_scoped_page``) is
  judged by its unit (``org_field``) and the type's approve capability instead of ``APPROVE``.
  Superusers may always act.
- Anyone else gets no actions: Wagtail's workflow action view refuses them (``get_actions`` is
  empty → PermissionDenied), and ``on_action`` refuses them again if called directly.
- The dashboard's "awaiting your review" lists only the task states the user may act on.
- A rejection notifies every earlier actor of this workflow run — the submitter and whoever
  approved an earlier step — through ``sotay_plugins.signals.notice_requested`` (members only:
  a staff-only account has no Member row) after the commit, and by Wagtail's e-mail: Wagtail
  mails the submitter itself; ``EarlierApproversRejectionNotifier`` mails the earlier approvers.
  On submission, ``BoardSubmissionNotifier`` mails the board that may act (Wagtail's own
  submission mail only knows group approval tasks).

The default workflow ("Duyệt tin bài, văn bản (Ban Biên tập)": one issuer-level step, on the
home page so every section's pages go through it) is created by migration 0005.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.mail import (
    BaseGroupApprovalTaskStateEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
)
from wagtail.models import Page, TaskState

from sotay_plugins import signals
from sotay_plugins.orgtree import scope
from sotay_plugins.registry import registry

from .models import APPROVE, DocumentPage, EditorialBoardTask, NewsPage, SectionPage

#: The notice kind of a rejection (registered by ``apps``).
REJECTED_KIND = "editorial.rejected"
REJECTED_LABEL = gettext_lazy("Tin bài, văn bản bị trả lại để sửa")
WORKFLOW_NAME = "Duyệt tin bài, văn bản (Ban Biên tập)"


def page_org(obj):
    """The unit a page belongs to: a news article's or document's issuer, a section's unit,
    a registered page type's ``org_field``."""
    page = getattr(obj, "specific", obj)
    if isinstance(page, (NewsPage, DocumentPage)):
        return page.issuer_org if page.issuer_org_id else None
    if isinstance(page, SectionPage):
        return page.organisation
    kind = registry.scoped_page_type(page)
    if kind is not None:
        return kind.org_of(page)
    return None


def approve_capability(obj):
    """The capability whose holders at the page's unit approve it."""
    kind = registry.scoped_page_type(getattr(obj, "specific", obj))
    return APPROVE if kind is None else kind.approve_capability


def approval_org(task, obj):
    """The unit whose board acts on ``obj`` at this step (None: superusers only)."""
    org = page_org(obj)
    if org is None or task.level != EditorialBoardTask.Level.PARENT:
        return org
    return org.parent if org.parent_id else org  # the province's own pages: its own board


def may_act(task, obj, user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if scope.is_superadmin(user):
        return True
    org = approval_org(task, obj)
    return org is not None and scope.can(user, approve_capability(obj), org)


def actions(task, obj, user):
    if not may_act(task, obj, user):
        return []
    return [
        ("reject", _("Yêu cầu sửa"), True),
        ("approve", _("Duyệt"), False),
        ("approve", _("Duyệt kèm ý kiến"), True),
    ]


def on_action(task, task_state, user, action_name, **kwargs):
    """Refuse a step by someone without the right, whatever path called it."""
    obj = task_state.workflow_state.content_object
    if action_name not in {name for name, _label, _modal in actions(task, obj, user)}:
        raise PermissionDenied(_("Bạn không có quyền duyệt tin bài, văn bản này."))
    with transaction.atomic():
        if action_name == "approve":
            task_state.approve(user=user, **kwargs)
        elif action_name == "reject":
            task_state.reject(user=user, **kwargs)


def _object_ids(pages):
    return pages.annotate(object_key=Cast("pk", output_field=CharField())).values("object_key")


def task_states_for(task, user):
    """This task's in-progress states on pages whose board the user sits on."""
    states = task.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
    if scope.is_superadmin(user):
        return states
    parent = task.level == EditorialBoardTask.Level.PARENT
    q, found = Q(pk__in=[]), False
    if scope.can(user, APPROVE):
        found = True
        orgs = scope.managed_orgs(user, APPROVE).values("pk")
        issuer, unit = _unit_q("issuer_org", orgs, parent), _unit_q("organisation", orgs, parent)
        q |= (
            Q(pk__in=NewsPage.objects.filter(issuer).values("pk"))
            | Q(pk__in=DocumentPage.objects.filter(issuer).values("pk"))
            | Q(pk__in=SectionPage.objects.filter(unit).values("pk"))
        )
    for kind in registry.scoped_pages.values():
        if scope.can(user, kind.approve_capability):
            found = True
            orgs = scope.managed_orgs(user, kind.approve_capability).values("pk")
            pages = kind.model.objects.filter(_unit_q(kind.org_field, orgs, parent))
            q |= Q(pk__in=pages.values("pk"))
    if not found:
        return TaskState.objects.none()
    return states.filter(workflow_state__object_id__in=_object_ids(Page.objects.filter(q)))


def _unit_q(field, orgs, parent):
    """Pages whose unit (``field``) is one of ``orgs``; at the parent level, whose unit's
    parent is (a root unit's own pages: its own board)."""
    if not parent:
        return Q(**{f"{field}__in": orgs})
    return Q(**{f"{field}__parent__in": orgs}) | Q(
        **{f"{field}__parent__isnull": True, f"{field}__in": orgs}
    )


# --- rejection: every earlier actor hears of it -------------------------------------------


def earlier_actors(workflow_state, *, exclude=None):
    """The users who acted before the rejection in this run: the submitter and the approvers
    of its earlier steps (the rejecting user left out)."""
    ids = set(
        workflow_state.task_states.filter(
            status=TaskState.STATUS_APPROVED, finished_by__isnull=False
        ).values_list("finished_by_id", flat=True)
    )
    if workflow_state.requested_by_id:
        ids.add(workflow_state.requested_by_id)
    if exclude is not None:
        ids.discard(exclude.pk)
    return get_user_model().objects.filter(pk__in=ids, is_active=True)


def notify_rejection(workflow_state, user=None):
    """Ask the notices plugin to tell the earlier actors who are members (after the commit)."""
    from sotay_plugins.members.models import Member

    page = workflow_state.content_object
    page = getattr(page, "specific", page)
    actors = earlier_actors(workflow_state, exclude=user)
    member_ids = list(Member.objects.filter(user__in=actors).values_list("pk", flat=True))
    if not member_ids:
        return []
    task_state = workflow_state.current_task_state
    comment = task_state.comment if task_state else ""
    title = _("Bị trả lại để sửa: %(title)s") % {"title": page.get_admin_display_title()}
    body = _("Ban Biên tập yêu cầu sửa trước khi đăng.")
    if comment:
        body = _("%(body)s Ý kiến: %(comment)s") % {"body": body, "comment": comment}
    key = f"{REJECTED_KIND}:{task_state.pk if task_state else workflow_state.pk}"
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])

    def send():
        signals.notice_requested.send(
            sender=EditorialBoardTask,
            kind=REJECTED_KIND,
            member_ids=member_ids,
            title=title,
            body=body,
            url=url,
            dedupe_key=key,
            send_at=None,
        )

    transaction.on_commit(send)
    return member_ids


def on_workflow_rejected(sender, instance, user=None, **kwargs):
    notify_rejection(instance, user)


class EarlierApproversRejectionNotifier(WorkflowStateRejectionEmailNotifier):
    """Wagtail's rejection mail (same templates) to the earlier approvers; Wagtail's own
    notifier already mails the submitter."""

    def get_recipient_users(self, workflow_state, **kwargs):
        actors = earlier_actors(workflow_state, exclude=kwargs.get("user"))
        if workflow_state.requested_by_id:
            actors = actors.exclude(pk=workflow_state.requested_by_id)
        return set(actors)


class BoardSubmissionNotifier(BaseGroupApprovalTaskStateEmailNotifier):
    """Wagtail's "submitted for moderation" mail (same templates) to the board that may act."""

    notification = "submitted"

    def can_handle(self, instance, **kwargs):
        return isinstance(instance, TaskState) and isinstance(
            instance.task.specific, EditorialBoardTask
        )

    def get_recipient_users(self, task_state, **kwargs):
        from .permissions import ScopedPagePermissionPolicy

        task = task_state.task.specific
        org = approval_org(task, task_state.workflow_state.content_object)
        recipients = set(get_user_model().objects.filter(is_active=True, is_superuser=True))
        if org is not None:
            page = task_state.workflow_state.content_object
            kind = registry.scoped_page_type(getattr(page, "specific", page))
            recipients |= set(ScopedPagePermissionPolicy(Page)._holders({"publish"}, org, kind))
        triggering = kwargs.get("user")
        return {user for user in recipients if triggering is None or user.pk != triggering.pk}


earlier_approvers_notifier = EarlierApproversRejectionNotifier()
board_submission_notifier = BoardSubmissionNotifier()
