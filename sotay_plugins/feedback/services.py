"""The feedback plugin's business rules: sending, screening, handling, reveals, and Q&A.

Who may do what is asked of the scope engine (``orgtree.scope``): a handler is a user holding
``feedback.handle`` through a role assignment at the receiving unit itself (and for the same
advisory body), not at some unit above it; the custodian is the one ``Custodianship`` of the
unit. Nothing here writes the author of hidden feedback anywhere but the escrow: not in a log,
an entry, a job, a notice's text or link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from statistics import median

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sotay_plugins import jobs, signals
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind

from . import attachments, escrow, screening
from .models import (
    ANSWER,
    CUSTODIAN_ROLE,
    HANDLE,
    MANAGE,
    REVIEW,
    Custodianship,
    Entry,
    Feedback,
    Question,
    Receiver,
    RevealAccess,
    RevealDecision,
    RevealRequest,
    Topic,
)

log = logging.getLogger("sotay.feedback")

MAX_TEXT = 10_000
NEW_KIND = "feedback.new"
UPDATE_KIND = "feedback.update"
DUE_KIND = "feedback.due"
REVEAL_KIND = "feedback.reveal"
ANSWER_KIND = "feedback.answer"
OPEN = (Feedback.Status.REVIEW, Feedback.Status.RECEIVED, Feedback.Status.IN_PROGRESS)


def small_cell_size():
    return getattr(settings, "FEEDBACK_SMALL_CELL", 5)


def remind_days():
    return getattr(settings, "FEEDBACK_REMIND_DAYS", 3)


def current_member(user):
    from sotay_plugins.members.services import current_member as member_of

    return member_of(user)


@dataclass(frozen=True)
class Sender:
    """Who sends, as ``send`` needs them: the member's id and their cell's place in the tree
    (``tree_id, lft, rght``, what ``scope.containing`` takes)."""

    pk: int
    cell: tuple


def sender(user):
    """The member sending as ``user``, for ``send``: from the scope engine's subject, which the
    members plugin keeps in the shared cache under the person's stamp (their record and
    account) and the grants stamp (every tree write), so a send reads no Member row for it;
    a transfer, a changed account or a tree write moves a stamp and the next send sees it.
    A user the scope engine sees as no member (a staff account, a member whose status hides
    them) is read from the database as before."""
    subject = scope.subject(user)
    if subject is None:
        return current_member(user)
    return Sender(subject.member_id, (subject.tree_id, subject.lft, subject.rght))


# --- where a member may send --------------------------------------------------------------


def receivers_for(member):
    """Active receiving units above (or at) the member's cell: its committees and their
    advisory bodies, nearest first."""
    if member is None:
        return Receiver.objects.none()
    return (
        Receiver.objects.filter(is_active=True)
        .filter(scope.containing(member.cell, "org"))
        .filter(Q(body__isnull=True) | Q(body__is_active=True))
        .select_related("org", "body")
        .order_by("-org__level", "body_id", "name")
    )


def topics_for(receiver):
    """Active topics kept by the receiving unit's committee or one above it."""
    return Topic.objects.filter(is_active=True).filter(scope.containing(receiver.org, "org"))


def small_cell(member):
    """The number of active members of the member's cell when it is under the setting
    ``FEEDBACK_SMALL_CELL`` (hiding one's name there means little), else None."""
    if member is None:
        return None
    from sotay_plugins.members.models import Member, MemberStatus

    n = Member.objects.filter(cell_id=member.cell_id, status=MemberStatus.ACTIVE).count()
    return n if n < small_cell_size() else None


def _clean_text(text):
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"text": [_("Xin nhập nội dung góp ý.")]})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {"text": [_("Nội dung quá dài: tối đa %(n)d ký tự.") % {"n": MAX_TEXT}]}
        )
    return text


def _receiver_of(member, receiver_id):
    receiver = None
    if str(receiver_id or "").isdigit():
        receiver = receivers_for(member).filter(pk=int(receiver_id)).first()
    if receiver is None:
        raise ValidationError({"receiver": [_("Xin chọn một đơn vị nhận góp ý trong danh sách.")]})
    return receiver


def _topic_of(receiver, topic_id):
    if topic_id in (None, ""):
        return None
    topic = None
    if str(topic_id).isdigit():
        topic = topics_for(receiver).filter(pk=int(topic_id)).first()
    if topic is None:
        raise ValidationError({"topic": [_("Chủ đề không có trong danh sách.")]})
    return topic


def _add_entry(feedback, kind, text="", *, by_user=None, by_author=False, to_author=False):
    """A line of the thread. On hidden feedback every line keeps only its day: the screening
    line is written the moment the feedback is sent, and handlers' lines timed to the second
    would bracket the author's replies between them (the order of ``seq`` is kept)."""
    seq = (feedback.entries.aggregate(n=Max("seq"))["n"] or 0) + 1
    now = timezone.now()
    hidden = feedback.hide_identity
    return Entry.objects.create(
        feedback=feedback,
        seq=seq,
        kind=kind,
        text=text,
        by_user=by_user,
        by_author=by_author,
        to_author=to_author,
        on=timezone.localdate(now),
        at=None if hidden else now,
    )


def send(member, *, receiver, text, hide_identity=False, topic=None, files=()):
    """Store a member's feedback (and its escrow, when hidden); screen it; tell the handlers.
    ``member``: a Member, or a ``Sender`` (``sender(user)``).

    Raises ValidationError (Vietnamese, by field) and stores nothing when anything is wrong."""
    if member is None:
        raise PermissionDenied(_("Chỉ đảng viên mới gửi được góp ý."))
    errors = {}
    try:
        receiver = _receiver_of(member, receiver)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        receiver = None
    try:
        text = _clean_text(text)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if receiver is not None:
        try:
            topic = _topic_of(receiver, topic)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        prepared = attachments.prepare(files)
    except ValidationError as exc:
        errors["files"] = exc.messages
    if errors:
        raise ValidationError(errors)
    hits = screening.screen(text)
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        feedback = Feedback.objects.create(
            receiver=receiver,
            topic=topic,
            text=text,
            hide_identity=bool(hide_identity),
            author_id=None if hide_identity else member.pk,
            created_on=today,
            created_at=None if hide_identity else now,
            status=Feedback.Status.REVIEW if hits else Feedback.Status.RECEIVED,
            flagged_terms=hits,
            due_on=today + timedelta(days=receiver.due_days),
        )
        if hide_identity:
            escrow.seal(feedback, member.pk)
        feedback.stored_attachments = attachments.save_all(
            feedback, prepared, day_only=bool(hide_identity)
        )
        if hits:
            _add_entry(
                feedback,
                Entry.Kind.FLAGGED,
                _("Góp ý đang được xem xét trước khi chuyển xử lý."),
                to_author=True,
            )
        if not hide_identity:
            # Hidden feedback leaves no trace timed finer than its day: no job row (whose
            # creation time would date it), no log line. Its handlers find it in their inbox.
            jobs.enqueue(
                "sotay_plugins.feedback.services.notify_handlers", feedback_id=str(feedback.pk)
            )
    if not hide_identity:
        log.info("feedback received", extra={"feedback": feedback.public_ref})
    return feedback


def notify_handlers(feedback_id, job=None):
    """The job after a feedback is sent: tell the receiving unit's handlers (never the author)."""
    feedback = Feedback.objects.select_related("receiver").filter(pk=feedback_id).first()
    if feedback is None:
        return
    ids = handler_member_ids(feedback.receiver)
    if ids:
        signals.notice_requested.send(
            sender=Feedback,
            kind=NEW_KIND,
            member_ids=ids,
            title=_("Góp ý mới gửi %(unit)s") % {"unit": feedback.receiver.name},
            body=str(feedback)[:120],
            url=reverse("feedback_admin:detail", args=[feedback.pk]),
            dedupe_key=f"feedback:new:{feedback.pk}",
            send_at=None,
        )


# --- the author's side --------------------------------------------------------------------


def mine_q(member):
    return Q(author=member) | Q(pk__in=escrow.hidden_ids_of(member.pk))


def my_feedback(member):
    if member is None:
        return Feedback.objects.none()
    return (
        Feedback.objects.filter(mine_q(member))
        .select_related("receiver", "topic")
        .order_by("-created_on", "id")
    )


def thread_for_author(feedback):
    return feedback.entries.filter(Q(to_author=True) | Q(by_author=True)).order_by("seq")


def author_reply(member, feedback, text):
    if member is None or not escrow.wrote(feedback, member.pk):
        raise PermissionDenied
    if feedback.status == Feedback.Status.CLOSED:
        raise ValidationError({"text": [_("Góp ý đã kết thúc, không trả lời thêm được.")]})
    text = _clean_text(text)
    return _add_entry(feedback, Entry.Kind.AUTHOR, text, by_author=True, to_author=True)


def _tell_author(feedback, title, body, kind=UPDATE_KIND):
    """Tell the author something happened. A hidden author is told on the next morning, in words
    that name no feedback, with a link to their list: the notice says neither which feedback
    nor when."""
    if not feedback.hide_identity:
        member_id, url, send_at = (
            feedback.author_id,
            reverse("feedback:detail", args=[feedback.pk]),
            None,
        )
        dedupe = f"feedback:{kind}:{feedback.pk}:{timezone.now().timestamp():.0f}"
    else:
        member_id = escrow.unseal(feedback)
        url = reverse("feedback:list")
        tomorrow = timezone.localdate() + timedelta(days=1)
        send_at = timezone.make_aware(datetime.combine(tomorrow, time(7, 0)))
        title = _("Góp ý của bạn có cập nhật")
        body = _("Mở mục Góp ý để xem trạng thái và trả lời.")
        # one notice per author, kind and day: notices are unique per (member, key), so the key
        # needs nothing of the author, and must not carry the escrow's tag (it would tie the
        # escrow rows to the notice's recipient for any reader of the notices)
        dedupe = f"feedback:{kind}:hidden:{tomorrow.isoformat()}"
    if member_id is None:
        return

    def send_notice():
        signals.notice_requested.send(
            sender=Feedback,
            kind=kind,
            member_ids=[member_id],
            title=title,
            body=body,
            url=url,
            dedupe_key=dedupe,
            send_at=send_at,
        )

    transaction.on_commit(send_notice)


# --- handling -----------------------------------------------------------------------------


def handled_receiver_ids(user):
    """The receiving units the user handles: where they hold ``feedback.handle`` at the unit
    itself (and for the same advisory body). A right at a unit above reaches nothing here."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    pairs = {(g.org_id, g.body_id) for g in scope.grants(user) if g.allows(HANDLE)}
    if not pairs:
        return []
    q = Q(pk__in=[])
    for org_id, body_id in pairs:
        q |= Q(org_id=org_id, body_id=body_id) if body_id else Q(org_id=org_id, body__isnull=True)
    return list(Receiver.objects.filter(q).values_list("pk", flat=True))


def is_handler(user, receiver):
    return receiver.pk in handled_receiver_ids(user)


def handler_queryset(user):
    ids = handled_receiver_ids(user)
    return Feedback.objects.filter(receiver_id__in=ids).select_related(
        "receiver", "topic", "assignee"
    )


def reviewable_queryset(user):
    """Flagged feedback under the units where the user screens (``feedback.review``)."""
    ranges = scope.managed_ranges(user, REVIEW)
    if not ranges:
        return Feedback.objects.none()
    return (
        Feedback.objects.filter(status=Feedback.Status.REVIEW)
        .filter(scope.within(ranges, "receiver__org"))
        .select_related("receiver", "topic")
    )


def visible_to_staff(user):
    """What a staff user may open: what they handle, and what they screen."""
    return Feedback.objects.filter(
        Q(pk__in=handler_queryset(user).values("pk"))
        | Q(pk__in=reviewable_queryset(user).values("pk"))
    ).select_related("receiver", "topic", "assignee")


def handler_member_ids(receiver):
    """Member ids of the unit's handlers (for notices)."""
    from sotay_plugins.members.models import Member
    from sotay_plugins.orgtree.models import RoleAssignment

    roles = [code for code, grants in _role_grants().items() if HANDLE in grants]
    today = timezone.localdate()
    users = RoleAssignment.objects.filter(
        role__code__in=roles, org_id=receiver.org_id, advisory_body_id=receiver.body_id
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return list(
        Member.objects.filter(user_id__in=users.values("user_id")).values_list("pk", flat=True)
    )


def _role_grants():
    from sotay_plugins.registry import registry

    return registry.role_grants


def _must_handle(user, feedback):
    if not is_handler(user, feedback.receiver):
        raise PermissionDenied(_("Bạn không xử lý góp ý của đơn vị này."))


def _must_be_open(feedback):
    if feedback.status == Feedback.Status.CLOSED:
        raise ValidationError(_("Góp ý đã kết thúc."))
    if feedback.status == Feedback.Status.REVIEW:
        raise ValidationError(_("Góp ý đang chờ xem xét sàng lọc."))


def assign(user, feedback, *, assignee=None, due_on=None):
    _must_handle(user, feedback)
    _must_be_open(feedback)
    assignee = assignee or user
    if not is_handler(assignee, feedback.receiver):
        raise ValidationError({"assignee": [_("Người được giao phải là cán bộ xử lý của đơn vị.")]})
    if due_on is not None and due_on < feedback.created_on:
        raise ValidationError({"due_on": [_("Hạn xử lý không được trước ngày gửi.")]})
    feedback.assignee = assignee
    feedback.due_on = due_on or feedback.due_on
    feedback.status = Feedback.Status.IN_PROGRESS
    feedback.save(update_fields=["assignee", "due_on", "status"])
    _add_entry(
        feedback,
        Entry.Kind.ASSIGNED,
        _("Giao %(name)s xử lý, hạn %(due)s.")
        % {"name": _user_label(assignee), "due": feedback.due_on.strftime("%d/%m/%Y")},
        by_user=user,
    )
    _schedule_reminder(feedback)
    return feedback


def _user_label(user):
    member = current_member(user)
    return member.full_name if member else (user.get_full_name() or user.get_username())


def _schedule_reminder(feedback):
    """A reminder to the assignee a few days before the due date (a notice scheduled through
    ``notice_requested``): names the feedback by its reference, never its author."""
    member = current_member(feedback.assignee) if feedback.assignee else None
    if member is None or feedback.due_on is None:
        return
    day = max(feedback.due_on - timedelta(days=remind_days()), timezone.localdate())
    send_at = timezone.make_aware(datetime.combine(day, time(8, 0)))
    args = {
        "kind": DUE_KIND,
        "member_ids": [member.pk],
        "title": _("Góp ý %(ref)s sắp đến hạn xử lý") % {"ref": feedback.public_ref},
        "body": _("Hạn xử lý: %(due)s.") % {"due": feedback.due_on.strftime("%d/%m/%Y")},
        "url": reverse("feedback_admin:detail", args=[feedback.pk]),
        "dedupe_key": f"feedback:due:{feedback.pk}:{feedback.due_on.isoformat()}",
        "send_at": send_at,
    }
    transaction.on_commit(lambda: signals.notice_requested.send(sender=Feedback, **args))


def record_progress(user, feedback, text):
    _must_handle(user, feedback)
    _must_be_open(feedback)
    text = _clean_text(text)
    if feedback.status == Feedback.Status.RECEIVED:
        feedback.status = Feedback.Status.IN_PROGRESS
        feedback.save(update_fields=["status"])
    return _add_entry(feedback, Entry.Kind.PROGRESS, text, by_user=user)


def reply(user, feedback, text):
    _must_handle(user, feedback)
    if feedback.status == Feedback.Status.REVIEW:
        raise ValidationError(_("Góp ý đang chờ xem xét sàng lọc."))
    text = _clean_text(text)
    entry = _add_entry(feedback, Entry.Kind.REPLY, text, by_user=user, to_author=True)
    _tell_author(feedback, _("Có trả lời góp ý của bạn"), text[:120])
    return entry


def forward(user, feedback, target, note=""):
    """Send the feedback on to another receiving unit: the same row moves (the escrow with it,
    never copied); the new unit's handlers start afresh."""
    _must_handle(user, feedback)
    _must_be_open(feedback)
    if target is None or not target.is_active or target.pk == feedback.receiver_id:
        raise ValidationError({"target": [_("Xin chọn một đơn vị nhận khác, đang hoạt động.")]})
    source = feedback.receiver
    feedback.receiver = target
    feedback.assignee = None
    feedback.status = Feedback.Status.RECEIVED
    feedback.due_on = timezone.localdate() + timedelta(days=target.due_days)
    feedback.save(update_fields=["receiver", "assignee", "status", "due_on"])
    _add_entry(
        feedback,
        Entry.Kind.FORWARDED,
        _("Chuyển từ %(src)s đến %(dst)s. %(note)s")
        % {"src": source.name, "dst": target.name, "note": note},
        by_user=user,
        to_author=True,
    )
    transaction.on_commit(
        lambda: jobs.enqueue(
            "sotay_plugins.feedback.services.notify_handlers", feedback_id=str(feedback.pk)
        )
    )
    return feedback


def close(user, feedback, result):
    _must_handle(user, feedback)
    _must_be_open(feedback)
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": [_("Xin ghi kết quả xử lý trước khi kết thúc.")]})
    feedback.result = result
    feedback.status = Feedback.Status.CLOSED
    feedback.closed_on = timezone.localdate()
    feedback.save(update_fields=["result", "status", "closed_on"])
    _add_entry(feedback, Entry.Kind.CLOSED, result, by_user=user, to_author=True)
    _tell_author(feedback, _("Góp ý của bạn đã có kết quả"), result[:120])
    return feedback


def clear_review(user, feedback, note=""):
    """A screener has read a flagged feedback: it goes on to the handlers."""
    if not reviewable_queryset(user).filter(pk=feedback.pk).exists():
        raise PermissionDenied(_("Bạn không xem xét sàng lọc góp ý này."))
    feedback.status = Feedback.Status.RECEIVED
    feedback.save(update_fields=["status"])
    _add_entry(feedback, Entry.Kind.CLEARED, note or _("Đã xem xét, chuyển xử lý."), by_user=user)
    return feedback


def overdue(queryset, today=None):
    today = today or timezone.localdate()
    return queryset.filter(status__in=OPEN, due_on__lt=today)


# --- custodian and reveals ----------------------------------------------------------------


def appoint_custodian(actor, receiver, user):
    """Make ``user`` the identity custodian of ``receiver`` (one per unit: a second is refused)."""
    from sotay_plugins.orgtree.models import Role, RoleAssignment

    if not scope.can(actor, MANAGE, receiver.org):
        raise PermissionDenied(_("Bạn không quản lý đơn vị nhận này."))
    try:
        with transaction.atomic():
            custody = Custodianship.objects.create(receiver=receiver, user=user, appointed_by=actor)
    except IntegrityError:
        raise ValidationError(
            {"user": [_("Đơn vị này đã có người giữ danh tính. Mỗi đơn vị chỉ có một người.")]}
        ) from None
    role = Role.objects.filter(code=CUSTODIAN_ROLE).first()
    if role is not None:
        RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            org=receiver.org,
            advisory_body=None,
            defaults={"granted_by": actor},
        )
        scope.grants_changed()
    return custody


def is_custodian(user, receiver):
    return bool(
        getattr(user, "is_authenticated", False)
        and Custodianship.objects.filter(receiver_id=receiver.pk, user_id=user.pk).exists()
    )


def request_reveal(user, feedback, reason):
    _must_handle(user, feedback)
    if not feedback.hide_identity:
        raise ValidationError(_("Góp ý này không ẩn danh tính."))
    reason = (reason or "").strip()
    if len(reason) < 20:
        raise ValidationError({"reason": [_("Xin ghi rõ lý do đề nghị (ít nhất 20 ký tự).")]})
    if RevealRequest.objects.filter(feedback=feedback, decision__isnull=True).exists():
        raise ValidationError(_("Đã có một đề nghị đang chờ người giữ danh tính quyết định."))
    return RevealRequest.objects.create(feedback=feedback, requested_by=user, reason=reason)


def custodian_requests(user):
    receivers = Custodianship.objects.filter(user_id=user.pk).values("receiver_id")
    return RevealRequest.objects.filter(feedback__receiver_id__in=receivers).select_related(
        "feedback", "feedback__receiver", "requested_by", "decision"
    )


def decide(user, request, *, approve, share_with_requester=False, note=""):
    """The custodian's decision on a request (once)."""
    feedback = request.feedback
    if not is_custodian(user, feedback.receiver):
        raise PermissionDenied(_("Chỉ người giữ danh tính của đơn vị mới quyết định."))
    if RevealDecision.objects.filter(request=request).exists():
        raise ValidationError(_("Đề nghị này đã được quyết định."))
    if not is_handler(request.requested_by, feedback.receiver):
        # written while the feedback was at another unit (it was forwarded since): a reveal
        # needs a request of a handler of the unit that has it now
        raise ValidationError(
            _(
                "Đề nghị này được gửi khi góp ý còn ở đơn vị khác. Người xử lý của đơn vị hiện "
                "nhận góp ý cần gửi đề nghị mới."
            )
        )
    try:
        with transaction.atomic():
            decision = RevealDecision.objects.create(
                request=request,
                approved=bool(approve),
                share_with_requester=bool(approve and share_with_requester),
                decided_by=user,
                note=note or "",
            )
    except IntegrityError:
        raise ValidationError(_("Đề nghị này đã được quyết định.")) from None
    if approve:
        _add_entry(
            feedback,
            Entry.Kind.REVEALED,
            _("Người giữ danh tính của đơn vị đã đồng ý mở danh tính người gửi góp ý này."),
            to_author=True,
        )
        _tell_author(
            feedback,
            _("Danh tính của bạn đã được mở"),
            _("Người giữ danh tính đã đồng ý mở danh tính người gửi một góp ý của bạn."),
            kind=REVEAL_KIND,
        )
    return decision


def may_see_identity(user, request):
    """Whether ``user`` may be shown the author behind ``request``: the custodian who approved
    it, while they keep the feedback's escrow (custodian of the unit it is at now), and the
    requester if the custodian granted it, while they handle the feedback. Forwarded on, the
    feedback's reveal does not follow it: the new unit asks its own custodian."""
    decision = getattr(request, "decision", None)
    if decision is None or not decision.approved:
        return False
    receiver = request.feedback.receiver
    if decision.decided_by_id == user.pk and is_custodian(user, receiver):
        return True
    return bool(
        decision.share_with_requester
        and request.requested_by_id == user.pk
        and is_handler(user, receiver)
    )


def revealed_identity(user, request):
    """The author behind a granted request, for the custodian (and the requester when shared);
    every showing is logged. Anyone else: PermissionDenied."""
    from sotay_plugins.members.models import Member

    if not may_see_identity(user, request):
        raise PermissionDenied(_("Bạn không được xem danh tính này."))
    member_id = escrow.unseal(request.feedback)
    RevealAccess.objects.create(request=request, user=user)
    return Member.objects.select_related("cell").filter(pk=member_id).first()


# --- Q&A ----------------------------------------------------------------------------------


def base_committee(member):
    """The member's base committee (tổ chức cơ sở đảng): the nearest base above the cell,
    else the cell's parent."""
    from sotay_plugins.orgtree.models import Organisation

    cell = member.cell
    base = (
        Organisation.objects.filter(scope.containing(cell), kind=OrgKind.BASE)
        .order_by("-level")
        .first()
    )
    return base or cell.parent or cell


def ask(member, *, title, text):
    if member is None:
        raise PermissionDenied(_("Chỉ đảng viên mới gửi được câu hỏi."))
    errors = {}
    title = (title or "").replace("\x00", "").strip()
    if not title:
        errors["title"] = [_("Xin nhập câu hỏi ngắn.")]
    elif len(title) > 200:
        errors["title"] = [_("Câu hỏi ngắn tối đa 200 ký tự.")]
    try:
        text = _clean_text(text)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    committee = base_committee(member)
    return Question.objects.create(
        asker=member,
        title=title,
        text=text,
        asked_on=timezone.localdate(),
        issuer_org=committee,
        audience_org=committee,
    )


def answerable(user):
    return scope.visible_to(user, Question.objects.all(), ANSWER).select_related("issuer_org")


def answer(user, question, text, *, publish=False):
    if not scope.can(user, ANSWER, question.issuer_org):
        raise PermissionDenied(_("Bạn không trả lời câu hỏi của đơn vị này."))
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"answer": [_("Xin nhập câu trả lời.")]})
    now = timezone.now()
    question.answer = text
    question.answered_by = user
    question.answered_at = now
    if publish and not question.is_published:
        question.published_at = now
    question.is_published = bool(publish)
    question.save()
    if question.asker_id:
        ids = [question.asker_id]
        transaction.on_commit(
            lambda: signals.notice_requested.send(
                sender=Question,
                kind=ANSWER_KIND,
                member_ids=ids,
                title=_("Câu hỏi của bạn đã được trả lời"),
                body=question.title[:120],
                url=reverse("feedback:question", args=[question.pk]),
                dedupe_key=f"feedback:answer:{question.pk}:{now.timestamp():.0f}",
                send_at=None,
            )
        )
    return question


def faq_for(user):
    """Published answers the user may read (the scope engine's member rule)."""
    return scope.visible_to(user, Question.objects.filter(is_published=True)).order_by(
        "-published_at", "-pk"
    )


def my_questions(member):
    if member is None:
        return Question.objects.none()
    return Question.objects.filter(asker=member).order_by("-asked_on", "-pk")


# --- reports ------------------------------------------------------------------------------


def report_rows(receivers, today=None):
    """Per receiving unit: received, in progress, overdue, closed, median days to close, and
    counts by topic. Three grouped queries, whatever the number of units."""
    today = today or timezone.localdate()
    ids = [r.pk for r in receivers]
    base = Feedback.objects.filter(receiver_id__in=ids)
    counts = {
        row["receiver_id"]: row
        for row in base.values("receiver_id").annotate(
            received=Count("pk"),
            in_progress=Count("pk", filter=Q(status=Feedback.Status.IN_PROGRESS)),
            overdue=Count("pk", filter=Q(status__in=OPEN, due_on__lt=today)),
            closed=Count("pk", filter=Q(status=Feedback.Status.CLOSED)),
        )
    }
    days = {}
    for receiver_id, created, closed in base.filter(closed_on__isnull=False).values_list(
        "receiver_id", "created_on", "closed_on"
    ):
        days.setdefault(receiver_id, []).append((closed - created).days)
    topics = {}
    for row in base.values("receiver_id", "topic__name").annotate(n=Count("pk")).order_by("-n"):
        topics.setdefault(row["receiver_id"], []).append(
            (row["topic__name"] or _("Chưa chọn chủ đề"), row["n"])
        )
    rows = []
    for receiver in receivers:
        c = counts.get(receiver.pk, {})
        rows.append(
            {
                "receiver": receiver,
                "received": c.get("received", 0),
                "in_progress": c.get("in_progress", 0),
                "overdue": c.get("overdue", 0),
                "closed": c.get("closed", 0),
                "median_days": median(days[receiver.pk]) if receiver.pk in days else None,
                "topics": topics.get(receiver.pk, []),
            }
        )
    return rows


def reportable_receivers(user):
    from .models import VIEW_REPORTS

    ranges = scope.managed_ranges(user, VIEW_REPORTS, HANDLE)
    if scope.is_superadmin(user):
        qs = Receiver.objects.all()
    elif ranges:
        qs = Receiver.objects.filter(scope.within(ranges, "org"))
    else:
        qs = Receiver.objects.none()
    return qs.select_related("org", "body").order_by("org__tree_id", "org__lft", "name")
