"""The agenda plugin: a member's own calendar entries (``Entry``), the secret address of their
iCal feed (``FeedToken``), and tasks a committee or a cell secretary assigns (``Task``), each
to members or units (``Assignment``), with the assignees' progress reports (``Progress``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay_plugins.orgtree.scope import ScopeSpec
from sotay_plugins.storage import private_storage

#: Assign tasks to members and units of one's subtree (committees, cell secretaries).
ASSIGN_TASK = "agenda.assign_task"
#: See the tasks assigned in one's subtree and who is late.
VIEW_TASK = "agenda.view_task"
#: Report progress on a task assigned to one's unit (its committee, its secretary).
REPORT_TASK = "agenda.report_task"

#: Notice kinds.
TASK_ASSIGNED_KIND = "agenda.task_assigned"
TASK_DUE_KIND = "agenda.task_due"


class Entry(models.Model):
    """A member's own calendar entry (a visit, a duty). Only its member reads it: it is private
    like their notices, so no staff right reaches it and it takes no ``ScopeSpec``."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="agenda_entries"
    )
    title = models.CharField(_("tiêu đề"), max_length=200)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    note = models.TextField(_("ghi chú"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lịch riêng")
        verbose_name_plural = _("lịch riêng")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["member", "starts_at"], name="agenda_entry_member")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="agenda_entry_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title


class FeedToken(models.Model):
    """The secret address of a member's iCal feed: ``/lich/ical/<selector>-<verifier>.ics``.

    The selector (random) finds the row; the verifier is an HMAC of the selector and a random
    salt under the site's ``SECRET_KEY``, recomputed and compared in constant time: a guessed
    address opens nothing, and neither does the table alone (a leaked backup). Resetting writes
    a new selector and salt: the old address answers 404 from then on.
    """

    member = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, related_name="agenda_feed", primary_key=True
    )
    selector = models.CharField(max_length=16, unique=True)
    salt = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return str(self.member_id)


class Task(models.Model):
    """A task a unit's committee (or a cell's secretary) assigns, with a deadline."""

    issuer_org = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("đơn vị giao"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("nhiệm vụ"), max_length=200)
    description = models.TextField(_("nội dung, yêu cầu"), max_length=4000, blank=True)
    due_at = models.DateTimeField(_("hạn hoàn thành"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("giao lúc"), default=timezone.now)

    scope = ScopeSpec(org_field="issuer_org", view_capability=VIEW_TASK)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["issuer_org", "due_at"], name="agenda_task_issuer")]

    def __str__(self):
        return self.title


class Assignment(models.Model):
    """One assignee of a task: a member, or a unit (whose committee or secretary reports).

    ``org`` is always set: the unit assigned, or the member's cell when assigned; it places the
    assignment in the tree. ``percent`` and ``done_at`` are the latest report's.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("đảng viên"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="agenda_assignments",
    )
    org = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    done_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    last_report_at = models.DateTimeField(_("báo cáo gần nhất"), null=True, blank=True)
    reminded_for = models.DateTimeField(null=True, blank=True, editable=False)

    scope = ScopeSpec(org_field="task__issuer_org", view_capability=VIEW_TASK)

    class Meta:
        verbose_name = _("người, đơn vị được giao")
        verbose_name_plural = _("người, đơn vị được giao")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "member"],
                name="agenda_assignment_member_once",
                condition=Q(member__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["task", "org"],
                name="agenda_assignment_unit_once",
                condition=Q(member__isnull=True),
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="agenda_percent_max_100"),
        ]
        indexes = [
            models.Index(fields=["member"], name="agenda_assignment_member"),
            models.Index(fields=["org"], name="agenda_assignment_org"),
        ]

    def __str__(self):
        return f"{self.task_id}: {self.member_id or self.org_id}"


class Progress(models.Model):
    """One progress report of an assignee: a percentage, a note and optionally a file (kept in
    the private storage, served only after the scope check)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    note = models.TextField(_("ghi chú"), max_length=2000, blank=True)
    file = models.FileField(
        _("tệp"), upload_to="agenda/%Y/%m/", storage=private_storage, blank=True, max_length=200
    )
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("báo cáo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="agenda_progress_max_100")
        ]

    def __str__(self):
        return f"{self.assignment_id}: {self.percent}%"
