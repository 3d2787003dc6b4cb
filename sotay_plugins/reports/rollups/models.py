"""What the roll-ups store: one row per provider, unit and period, with the unit's place in the
tree as it was in that period (issue 16)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Granularity(models.TextChoices):
    MONTH = "M", _("Tháng")
    QUARTER = "Q", _("Quý")
    YEAR = "Y", _("Năm")


class Rollup(models.Model):
    """The figures of one statistics provider for one unit (any level) and one period.

    ``values`` maps a measure key (or ``measure|dimension=choice``) to its number; ``members``
    (cells only) maps a measure key to ``{member id: count}`` behind it. The unit's place is
    stored as it was in the period (``parent_id``, ``path`` of ids from the root, ``depth``,
    ``name``): a unit moved or merged later keeps its history, and the totals above it follow
    the tree of each period. No foreign key to the organisation: the history outlives it.

    Month rows come from the providers' raw rows; a unit above the cells is the sum (or maximum)
    of its cells' rows of the same month; quarter and year rows exist only for the ``distinct``
    measures (the others are rolled up over time when read).
    """

    provider = models.CharField(_("nguồn số liệu"), max_length=60)
    granularity = models.CharField(
        _("kỳ"), max_length=1, choices=Granularity.choices, default=Granularity.MONTH
    )
    period = models.DateField(_("từ ngày"))
    org_id = models.IntegerField(_("đơn vị"))
    parent_id = models.IntegerField(_("đơn vị cấp trên"), null=True, blank=True)
    tree_id = models.IntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.CharField(max_length=400)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    code = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=16)
    values = models.JSONField(default=dict)
    members = models.JSONField(null=True, blank=True)
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("số liệu tổng hợp")
        verbose_name_plural = _("số liệu tổng hợp")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "granularity", "period", "org_id"], name="rollup_once"
            )
        ]
        indexes = [
            models.Index(fields=["parent_id", "granularity", "period"], name="rollup_children"),
            models.Index(fields=["org_id", "granularity", "period"], name="rollup_unit"),
            models.Index(fields=["granularity", "period", "path"], name="rollup_path"),
        ]

    def __str__(self):
        return f"{self.provider} · {self.name} · {self.granularity}{self.period:%Y-%m}"


class RefreshState(models.Model):
    """When the roll-ups were last refreshed (one row): the incremental refresh starts there."""

    key = models.CharField(max_length=30, unique=True)
    at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("lần cập nhật số liệu")
        verbose_name_plural = _("lần cập nhật số liệu")

    def __str__(self):
        return f"{self.key} {self.at:%d/%m/%Y %H:%M}"
