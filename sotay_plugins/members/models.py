from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay_plugins.flags import FlagSetField
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind, Position
from sotay_plugins.orgtree.scope import ScopeSpec
from sotay_plugins.storage import private_storage

from .cccd import mask, validate_cccd


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class MembershipKind(models.TextChoices):
    OFFICIAL = "official", _("Chính thức")
    PROBATIONARY = "probationary", _("Dự bị")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Đang sinh hoạt")
    TRANSFERRED = "transferred", _("Đã chuyển sinh hoạt đi")
    EXEMPT = "exempt", _("Miễn sinh hoạt")
    DECEASED = "deceased", _("Đã từ trần")
    REMOVED = "removed", _("Đã ra khỏi Đảng")


#: Fields of Decree 13/2023 personal data: masked or hidden unless the viewer holds
#: ``members.view_personal`` at the member's cell, and every view of them is audited.
PERSONAL_FIELDS = ("cccd", "birth_date", "home_town", "permanent_address", "phone")


class Member(models.Model):
    """A party member's summary record (SPEC.md module 1). One account per member: ``user``,
    whose username is the CCCD."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.PROTECT,
        related_name="member",
    )
    party_record_no = models.CharField(
        _("số lý lịch đảng viên"),
        max_length=32,
        unique=True,
        help_text=_(
            "Gồm mã cấp huyện, mã cơ sở và số thứ tự; cấp lại khi chuyển sinh hoạt chính thức."
        ),
    )
    full_name = models.CharField(_("họ và tên"), max_length=120, db_index=True)
    birth_date = models.DateField(_("ngày sinh"))
    gender = models.CharField(_("giới tính"), max_length=6, choices=Gender.choices)
    cccd = models.CharField(_("số CCCD"), max_length=12, unique=True)
    home_town = models.CharField(_("quê quán"), max_length=255, blank=True)
    permanent_address = models.CharField(_("nơi thường trú"), max_length=255, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    party_card_no = models.CharField(_("số thẻ đảng"), max_length=20, blank=True)
    membership = models.CharField(
        _("loại đảng viên"),
        max_length=12,
        choices=MembershipKind.choices,
        default=MembershipKind.OFFICIAL,
    )
    cell = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("chi bộ"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    positions = FlagSetField(_("chức vụ đảng"), choices=Position.choices, blank=True)
    group = models.CharField(
        _("nhóm đảng viên"),
        max_length=16,
        choices=MemberGroup.choices,
        default=MemberGroup.OFFICIAL,
    )
    has_smartphone = models.BooleanField(_("có điện thoại thông minh"), default=True)
    joined_on = models.DateField(_("ngày vào Đảng"), null=True, blank=True)
    official_on = models.DateField(_("ngày chính thức"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    #: Bumped to revoke every QR credential issued so far (a lost card).
    qr_version = models.PositiveSmallIntegerField(_("phiên bản mã QR"), default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeSpec(org_field="cell", view_capability="members.view_member", member_rule="self")

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        ordering = ["full_name"]
        indexes = [
            models.Index(fields=["cell", "status"], name="member_cell_status_idx"),
            models.Index(fields=["group"], name="member_group_idx"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def cccd_masked(self):
        return mask(self.cccd)

    def clean(self):
        errors = {}
        try:
            self.cccd = validate_cccd(self.cccd, self.birth_date, self.gender)
        except ValidationError as exc:
            errors["cccd"] = exc.messages
        if self.cell_id and self.cell.kind != OrgKind.CELL:
            errors["cell"] = [
                _("Đảng viên phải sinh hoạt tại một chi bộ, không phải tại %(org)s.")
                % {"org": self.cell.name}
            ]
        if self.cell_id and not self.cell.is_active:
            errors["cell"] = [_("Chi bộ %(org)s không còn hoạt động.") % {"org": self.cell.name}]
        if self.birth_date and self.birth_date > timezone.localdate():
            errors["birth_date"] = [_("Ngày sinh không thể ở tương lai.")]
        if self.joined_on and self.official_on and self.official_on < self.joined_on:
            errors["official_on"] = [_("Ngày chính thức phải sau ngày vào Đảng.")]
        if self.membership == MembershipKind.OFFICIAL and self.joined_on and not self.official_on:
            errors["official_on"] = [_("Đảng viên chính thức cần có ngày chính thức.")]
        if errors:
            raise ValidationError(errors)


class MemberTransfer(models.Model):
    """A transfer of party activity (chuyển sinh hoạt đảng), official or temporary."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Chuyển sinh hoạt chính thức")
        TEMPORARY = "temporary", _("Chuyển sinh hoạt tạm thời")
        RETURN = "return", _("Trở lại sau sinh hoạt tạm thời")
        MERGE = "merge", _("Theo sáp nhập tổ chức")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    kind = models.CharField(_("hình thức"), max_length=10, choices=Kind.choices)
    from_cell = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("từ chi bộ"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_cell = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name=_("đến chi bộ"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    on = models.DateField(_("ngày chuyển"), default=timezone.localdate)
    until = models.DateField(_("đến ngày (tạm thời)"), null=True, blank=True)
    old_record_no = models.CharField(_("số lý lịch cũ"), max_length=32, blank=True)
    new_record_no = models.CharField(_("số lý lịch mới"), max_length=32, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-at"]
        verbose_name = _("chuyển sinh hoạt")
        verbose_name_plural = _("lịch sử chuyển sinh hoạt")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.from_cell} → {self.to_cell} ({self.on:%d/%m/%Y})"


class RecordNumberChange(models.Model):
    """A party-record number re-issued because the member's unit moved in the tree (issue 17):
    the number embeds the district and base codes, which follow the tree. The old number stays
    here (a transfer keeps its own in ``MemberTransfer``)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="record_changes")
    old_record_no = models.CharField(_("số lý lịch cũ"), max_length=32, db_index=True)
    new_record_no = models.CharField(_("số lý lịch mới"), max_length=32)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("cấp lại số lý lịch")
        verbose_name_plural = _("lịch sử số lý lịch")

    def __str__(self):
        return f"{self.old_record_no} → {self.new_record_no}"


class ActivationCode(models.Model):
    """A one-time code that lets a member set their password. Only its hash is stored."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["member", "used_at"], name="activation_member_idx")]

    def __str__(self):
        return f"{self.member} ({self.expires_at:%d/%m/%Y})"


class ImportBatch(models.Model):
    """A spreadsheet import: the uploaded file, its dry-run report and the job that applies it."""

    class State(models.TextChoices):
        CHECKED = "checked", _("Đã kiểm tra")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Đã nhập")
        FAILED = "failed", _("Lỗi")

    org = models.ForeignKey(
        "orgtree.Organisation", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    #: Kept only until the import is done (it holds CCCDs), in storage that has no URL.
    file = models.FileField(
        _("tệp"), upload_to="imports/%Y/%m/", storage=private_storage, blank=True
    )
    original_name = models.CharField(max_length=255)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CHECKED)
    total_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    #: What was done short of the file's wish: secretary rights the importer could not grant.
    notes = models.JSONField(default=list, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    job = models.ForeignKey(
        "sotay.OutboxJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ScopeSpec(org_field="org", view_capability="members.import_members")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lượt nhập danh sách")
        verbose_name_plural = _("lượt nhập danh sách")

    def __str__(self):
        return f"{self.original_name} ({self.get_state_display()})"
