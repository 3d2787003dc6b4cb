from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from sotay_plugins.flags import FlagSetField

from .choices import KIND_RANK, AdvisoryKind, MemberGroup, OrgKind, Position
from .locks import tree_generation, tree_lock
from .scope import ScopeSpec


def org_version_key(org_id):
    """The version stamp (``sotay_plugins.versions``) of one unit's own fields, its name first:
    moved on whenever the unit is saved or deleted (``OrgtreeConfig``). Tree changes move the
    grants stamp (``scope.GRANTS_VERSION_KEY``) instead."""
    return f"sotay:org:{org_id}:version"


class Organisation(MPTTModel):
    """A party organisation: province, district-level, base, intermediate or cell.

    Each province is its own MPTT tree (its own ``tree_id``), so a subtree is one range query.
    Write through ``orgtree.services`` (or ``save()``, which takes the tree lock itself); never
    bulk-update lft/rght by hand.
    """

    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=80, blank=True)
    code = models.CharField(
        _("mã"),
        max_length=40,
        unique=True,
        help_text=_(
            "Mã tổ chức, gồm mã cấp trên và mã riêng, ví dụ 34.07.012. Số lý lịch đảng viên dùng "
            "mã này."
        ),
    )
    kind = models.CharField(_("loại"), max_length=10, choices=OrgKind.choices)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    founded_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    dissolved_on = models.DateField(_("ngày giải thể/sáp nhập"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("sáp nhập vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )

    scope = ScopeSpec(org_field="", view_capability="orgtree.view_org", member_rule="own_units")

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        indexes = [models.Index(fields=["tree_id", "lft", "rght"], name="org_range_idx")]

    def __str__(self):
        return self.name

    @property
    def local_code(self):
        """The unit's own segment of its code (``34.07.012`` → ``012``)."""
        return self.code.rsplit(".", 1)[-1]

    def clean(self):
        errors = {}
        if self.parent_id is None and self.kind != OrgKind.PROVINCE:
            errors["parent"] = _("Chỉ đảng bộ tỉnh, thành phố mới không có cấp trên.")
        if self.parent_id is not None:
            parent = self.parent
            if parent.kind == OrgKind.CELL:
                errors["parent"] = _("Chi bộ không có tổ chức trực thuộc.")
            elif KIND_RANK[OrgKind(self.kind)] <= KIND_RANK[OrgKind(parent.kind)]:
                errors["kind"] = _("Loại tổ chức phải thấp hơn cấp trên (%(parent)s).") % {
                    "parent": parent.get_kind_display()
                }
            if self.pk and parent.pk == self.pk:
                errors["parent"] = _("Một tổ chức không thể là cấp trên của chính nó.")
        if self.code and self.parent_id and not self.code.startswith(self.parent.code + "."):
            errors["code"] = _("Mã phải bắt đầu bằng mã cấp trên (%(code)s.).") % {
                "code": self.parent.code
            }
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Every write re-reads the tree fields under the lock: mptt computes the new lft/rght
        # from the instance's values, and a stale copy (an admin form, another process) would
        # corrupt the tree.
        with tree_lock():
            fresh_fields = ("tree_id", "lft", "rght", "level")
            if self.parent_id:
                self.parent = type(self).objects.get(pk=self.parent_id)
            if self.pk:
                current = (
                    type(self).objects.filter(pk=self.pk).values(*fresh_fields, "parent_id").first()
                )
                if current:
                    for field in fresh_fields:
                        setattr(self, field, current[field])
                    self._mptt_cached_fields["parent"] = current["parent_id"]
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        # mptt closes the gap in lft/rght before Django deletes the row: without one
        # transaction around both, a refused delete (PROTECT: sub-units, members) would leave
        # the gap closed under a row that is still there. And the gap must not move under
        # another writer.
        with tree_lock():
            return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._tree_generation = (
            tree_generation()
        )  # see locks: when its tree fields may be trusted
        return instance


class AdvisoryBody(models.Model):
    """An advisory body of a committee (Ban Tuyên giáo, Ban Tổ chức, Văn phòng...).

    Bodies issue documents and receive feedback; each has 1–2 document uploaders (roles held
    with ``advisory_body`` set).
    """

    org = models.ForeignKey(
        Organisation, verbose_name=_("cấp ủy"), on_delete=models.PROTECT, related_name="bodies"
    )
    kind = models.CharField(_("loại"), max_length=12, choices=AdvisoryKind.choices)
    name = models.CharField(_("tên"), max_length=255)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    scope = ScopeSpec(org_field="org", view_capability="orgtree.view_org")

    class Meta:
        verbose_name = _("cơ quan tham mưu")
        verbose_name_plural = _("cơ quan tham mưu")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="body_unique_name_per_org")
        ]

    def __str__(self):
        return f"{self.name} — {self.org.short_name or self.org.name}"


class OrgEvent(models.Model):
    """The restructuring history of a unit: created, moved, merged, dissolved."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Thành lập")
        MOVED = "moved", _("Chuyển cấp trên")
        MERGED = "merged", _("Sáp nhập")
        DISSOLVED = "dissolved", _("Giải thể")

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    old_parent = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    new_parent = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("sự kiện tổ chức")
        verbose_name_plural = _("lịch sử tổ chức")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.org}"


class OrgCodeChange(models.Model):
    """A unit's code before and after a move (issue 17): codes follow the tree (``34.01.003``
    moved under ``34.02`` becomes ``34.02.xxx``, its sub-units with it); the old ones stay here,
    so a code printed on old papers still finds its unit (``services.org_by_code``)."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="code_changes")
    old_code = models.CharField(_("mã cũ"), max_length=40, db_index=True)
    new_code = models.CharField(_("mã mới"), max_length=40)
    event = models.ForeignKey(
        OrgEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="code_changes"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("đổi mã tổ chức")
        verbose_name_plural = _("lịch sử mã tổ chức")

    def __str__(self):
        return f"{self.old_code} → {self.new_code}"


class Role(models.Model):
    """A bundle of capabilities. Built-in roles are kept in step with the plugins' declarations."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    description = models.TextField(_("mô tả"), blank=True)
    capabilities = models.JSONField(_("quyền"), default=list, blank=True)
    is_builtin = models.BooleanField(_("vai trò có sẵn"), default=False, editable=False)
    needs_body = models.BooleanField(
        _("gắn với cơ quan tham mưu"),
        default=False,
        help_text=_(
            "Vai trò được giao cho một cơ quan tham mưu cụ thể (ví dụ người cập nhật văn bản)."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")

    def __str__(self):
        return self.name


class RoleAssignment(models.Model):
    """A right held at an organisation: it reaches that organisation's subtree only."""

    #: Roles held for an advisory body (document uploaders) have 1–2 holders per body (SPEC.md).
    MAX_PER_BODY = 2

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.ForeignKey(
        Role, verbose_name=_("vai trò"), on_delete=models.PROTECT, related_name="assignments"
    )
    org = models.ForeignKey(
        Organisation,
        verbose_name=_("tại tổ chức"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    advisory_body = models.ForeignKey(
        AdvisoryBody,
        verbose_name=_("cơ quan tham mưu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cấp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_from = models.DateField(_("hiệu lực từ"), default=timezone.localdate)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeSpec(org_field="org", view_capability="orgtree.assign_roles")

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"],
                condition=models.Q(advisory_body__isnull=True),
                name="role_once_per_org",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "org", "advisory_body"],
                condition=models.Q(advisory_body__isnull=False),
                name="role_once_per_body",
            ),
        ]
        indexes = [models.Index(fields=["user", "valid_until"], name="role_user_idx")]

    def __str__(self):
        return f"{self.role} — {self.org}"

    def clean(self):
        if self.advisory_body_id and self.org_id and self.advisory_body.org_id != self.org_id:
            raise ValidationError(
                {"advisory_body": _("Cơ quan tham mưu phải thuộc tổ chức được chọn.")}
            )
        if self.role_id and self.role.needs_body and not self.advisory_body_id:
            raise ValidationError(
                {"advisory_body": _("Vai trò này phải gắn với một cơ quan tham mưu.")}
            )
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("Ngày hết hiệu lực phải sau ngày bắt đầu.")})
        if self.role_id and self.role.needs_body and self.advisory_body_id:
            today = timezone.localdate()
            holders = (
                RoleAssignment.objects.filter(
                    role_id=self.role_id, advisory_body_id=self.advisory_body_id
                )
                .filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=today))
                .exclude(pk=self.pk)
            )
            if holders.count() >= self.MAX_PER_BODY:
                raise ValidationError(
                    {
                        "user": _("Mỗi cơ quan tham mưu chỉ có tối đa %(n)d người giữ vai trò này.")
                        % {"n": self.MAX_PER_BODY}
                    }
                )


class Published(models.Model):
    """What every published item has, for the scope engine: who issued it and whom it reaches.

    A member sees an item iff their cell lies under ``audience_org`` and the position and group
    filters (empty: everyone) match them. The audience is at most the issuer's subtree. Plugins
    subclass this (documents, news, meetings, materials) and declare
    ``scope = ScopeSpec(org_field="issuer_org", view_capability=..., audience=True)``.
    """

    issuer_org = models.ForeignKey(
        Organisation, verbose_name=_("đơn vị ban hành"), on_delete=models.PROTECT, related_name="+"
    )
    audience_org = models.ForeignKey(
        Organisation,
        verbose_name=_("phạm vi đến"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Đảng viên thuộc tổ chức này (và các tổ chức trực thuộc) được xem."),
    )
    audience_positions = FlagSetField(
        _("chỉ các chức vụ"),
        choices=Position.choices,
        blank=True,
        help_text=_("Để trống: mọi đảng viên trong phạm vi."),
    )
    audience_groups = FlagSetField(
        _("chỉ các nhóm đảng viên"),
        choices=MemberGroup.choices,
        blank=True,
        help_text=_("Để trống: mọi nhóm."),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.issuer_org_id and self.audience_org_id:
            issuer, audience = self.issuer_org, self.audience_org
            inside = (
                issuer.tree_id == audience.tree_id
                and issuer.lft <= audience.lft
                and audience.rght <= issuer.rght
            )
            if not inside:
                raise ValidationError(
                    {
                        "audience_org": _(
                            "Phạm vi chỉ được trong %(org)s và các đơn vị trực thuộc."
                        )
                        % {"org": issuer.name}
                    }
                )
