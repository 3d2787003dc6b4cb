"""The points ledger, the province settings and the precomputed leaderboards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sotay_plugins.orgtree.scope import ScopeSpec

#: Capabilities (declared in ``apps.py``).
VIEW_POINTS = "study.view_points"
ADJUST_POINTS = "study.adjust_points"
MANAGE_POINTS = "study.manage_points"

#: The rule key of a committee's manual adjustment (not a registered rule: its points vary).
ADJUSTMENT = "adjustment"


def _own_lines(member):
    return Q(member_id=member.member_id)


def _own_boards(member):
    """A member sees their own cell's board, and their own rows on the boards above it."""
    return Q(unit_id=member.cell_id) | Q(member_id=member.member_id)


class PointLine(models.Model):
    """One line of the ledger: a rule applied to one event of one member.

    ``points`` are what the line gave (the rule's points as the rule stood at that moment, less
    what a cap held back); ``rule_points`` what the rule said then. Changing a rule later never
    touches a line. The same (rule, member, source) is recorded once: a retried or repeated
    event earns nothing more. A manual adjustment is a line with ``rule = "adjustment"``, the
    committee that made it (``issuer_org``), a reason and who entered it; it may be negative.
    """

    rule = models.CharField(_("quy tắc"), max_length=64)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("đảng viên"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The member's cell when the line was written (where the line is placed for scope).
    cell = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("chi bộ"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The committee that entered an adjustment; for an earned line, the cell.
    issuer_org = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("đơn vị ghi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    points = models.IntegerField(_("điểm"))
    rule_points = models.IntegerField(_("điểm theo quy tắc"))
    source = models.CharField(_("sự kiện"), max_length=120)
    item = models.CharField(_("nội dung"), max_length=120)
    #: The source item's title when the line was written (from the rule's ``titles``), if any.
    title = models.CharField(_("tên nội dung"), max_length=255, blank=True)
    at = models.DateTimeField(_("thời điểm"))
    day = models.DateField(_("ngày"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    scope = ScopeSpec(org_field="cell", view_capability=VIEW_POINTS, member_rule=_own_lines)

    class Meta:
        verbose_name = _("dòng điểm tích lũy")
        verbose_name_plural = _("sổ điểm tích lũy")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "member", "source"], name="points_line_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(rule=ADJUSTMENT) | Q(points__gte=0),
                name="points_line_earned_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(rule=ADJUSTMENT) | ~Q(reason=""),
                name="points_adjustment_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "day"], name="points_line_member_day"),
            models.Index(fields=["member", "rule", "item"], name="points_line_member_item"),
            models.Index(fields=["day"], name="points_line_day"),
        ]

    def __str__(self):
        return f"{self.rule} {self.points:+d} ({self.member_id}, {self.source})"

    @property
    def audience_org_id(self):
        return self.cell_id


class PointSettings(models.Model):
    """A province's settings for points: the yearly target (Thái Bình: 100) and whether the
    boards hide the names of other members."""

    province = models.OneToOneField(
        "orgtree.Organisation",
        verbose_name=_("đảng bộ tỉnh"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": "province"},
    )
    yearly_target = models.PositiveIntegerField(
        _("chỉ tiêu điểm mỗi năm"),
        default=100,
        help_text=_("Số điểm tích lũy mỗi đảng viên cần đạt trong năm."),
    )
    hide_names = models.BooleanField(
        _("ẩn tên trên bảng xếp hạng"),
        default=False,
        help_text=_("Đảng viên chỉ thấy thứ hạng và tên viết tắt của người khác."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope = ScopeSpec(org_field="province", view_capability=MANAGE_POINTS)

    class Meta:
        verbose_name = _("cài đặt điểm tích lũy")
        verbose_name_plural = _("cài đặt điểm tích lũy")

    def __str__(self):
        return str(self.province)


class RuleOverride(models.Model):
    """A province's own points and caps for a registered rule (or the rule switched off)."""

    province = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("đảng bộ tỉnh"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": "province"},
    )
    rule = models.CharField(_("quy tắc"), max_length=64)
    points = models.PositiveIntegerField(_("điểm mỗi lần"))
    cap_per_day = models.PositiveIntegerField(_("tối đa mỗi ngày"), null=True, blank=True)
    cap_per_item = models.PositiveIntegerField(_("tối đa mỗi nội dung"), null=True, blank=True)
    active = models.BooleanField(_("đang áp dụng"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = ScopeSpec(org_field="province", view_capability=MANAGE_POINTS)

    class Meta:
        verbose_name = _("quy tắc điểm riêng của tỉnh")
        verbose_name_plural = _("quy tắc điểm riêng của tỉnh")
        constraints = [
            models.UniqueConstraint(fields=["province", "rule"], name="points_override_once"),
            models.CheckConstraint(condition=Q(points__gt=0), name="points_override_positive"),
        ]

    def __str__(self):
        return f"{self.rule} ({self.province})"


class Period(models.TextChoices):
    MONTH = "month", _("Tháng")
    YEAR = "year", _("Năm")


class Level(models.TextChoices):
    CELL = "cell", _("Chi bộ")
    BASE = "base", _("Tổ chức cơ sở đảng")
    DISTRICT = "district", _("Cấp huyện và tương đương")
    PROVINCE = "province", _("Đảng bộ tỉnh")


class BoardEntry(models.Model):
    """One member's place on one unit's board for one period, written by the refresh job
    (``boards.refresh``), never computed on a request. Equal points share a rank; within a
    rank members are listed by name, then id (``position``)."""

    #: No database constraint on the board's keys: the rows are derived, rewritten whole by each
    #: refresh (800,000 rows at province scale: a foreign-key check each would double its time).
    unit = models.ForeignKey(
        "orgtree.Organisation",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    level = models.CharField(max_length=8, choices=Level.choices)
    period = models.CharField(max_length=5, choices=Period.choices)
    period_start = models.DateField()
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    full_name = models.CharField(max_length=120)
    points = models.IntegerField()
    rank = models.PositiveIntegerField()
    position = models.PositiveIntegerField()

    scope = ScopeSpec(org_field="unit", view_capability=VIEW_POINTS, member_rule=_own_boards)

    class Meta:
        verbose_name = _("thứ hạng")
        verbose_name_plural = _("bảng xếp hạng")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "period_start", "position"],
                name="points_board_position",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "period", "period_start"], name="points_board_member"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.period} {self.period_start}: {self.rank}. {self.full_name}"


class BoardSummary(models.Model):
    """A unit's board for one period in figures: how many members, their points, how many reached
    the province's yearly target (the reports' statistics read these)."""

    unit = models.ForeignKey(
        "orgtree.Organisation", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    level = models.CharField(max_length=8, choices=Level.choices)
    period = models.CharField(max_length=5, choices=Period.choices)
    period_start = models.DateField()
    members = models.PositiveIntegerField()
    total_points = models.BigIntegerField()
    reached_target = models.PositiveIntegerField()
    target = models.PositiveIntegerField()
    refreshed_at = models.DateTimeField()

    scope = ScopeSpec(org_field="unit", view_capability=VIEW_POINTS)

    class Meta:
        verbose_name = _("tổng hợp bảng xếp hạng")
        verbose_name_plural = _("tổng hợp bảng xếp hạng")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "period_start"], name="points_summary_once"
            ),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.period} {self.period_start}: {self.members}"

    @property
    def average(self):
        return round(self.total_points / self.members, 1) if self.members else None

    @property
    def reached_share(self):
        return round(100 * self.reached_target / self.members, 1) if self.members else None
