"""Meeting materials from three levels (SPEC.md module 4): publish, pick for a meeting, record
opens, and what the issuing level may learn of their use.

Who sees what (every path goes through ``orgtree.scope``; nothing here re-implements it):

- A material is issued by a unit (province, district-level, base or intermediate, or a cell)
  for an audience inside the issuer's subtree (``Published.clean``). Members see it through
  ``scope.visible_to`` (audience organisation and position/group filters).
- A cell's *internal* material (issuer = audience = the cell) belongs to that cell only: its
  members, and staff whose right is held *at the cell itself* (the secretary). A committee
  above never lists, opens or counts it, although its rights reach the cell's subtree.
- A cell picks materials for a meeting (``MeetingMaterial``): upper-level materials whose
  audience organisation is an ancestor of the cell (or the cell), and its own internal ones.
- The issuing level learns only whether, where and when its material was used
  (``usage_of``): cell, cell name, meeting date. Never the meeting's agenda, minutes,
  attendance, comments or other materials.
- Opening a material is recorded once per member, material and day (``record_open``), one
  statement: INSERT ... ON CONFLICT DO UPDATE count = count + 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sotay_plugins import files
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation

from .models import (
    CONVENE,
    MANAGE_MATERIALS,
    VIEW_MEETING,
    VIEW_REPORTS,
    Attendance,
    Material,
    MaterialOpen,
    Meeting,
    MeetingMaterial,
)

#: Materials take every kind of file the platform accepts (sotay_plugins.files).
MAX_FILE_SIZE = files.MAX_FILE_SIZE
check_file = files.check_file

#: The levels that issue materials, top down (an intermediate organisation counts as base).
LEVELS = (OrgKind.PROVINCE, OrgKind.DISTRICT, OrgKind.BASE, OrgKind.CELL)

#: Rights that make a user "of the cell" when held at the cell itself (not above it).
CELL_CAPABILITIES = (CONVENE, MANAGE_MATERIALS, VIEW_MEETING)


def level_of(kind):
    return OrgKind.BASE if kind == OrgKind.SUB else kind


def level_label(kind):
    return OrgKind(level_of(kind)).label


def content_type_of(material):
    return files.content_type_for(material.file.name)


# --- who belongs to a cell ---------------------------------------------------------------


def own_cell_ids(user, capabilities=CELL_CAPABILITIES):
    """Cells the user belongs to: their own cell as a member, and units where they hold one of
    ``capabilities`` *at the unit itself* (a right held above reaches the subtree, not the
    cell's internal affairs)."""
    ids = set()
    member = scope.subject(user)
    if member is not None:
        ids.add(member.cell_id)
    ids.update(g.org_id for g in scope.grants(user) if any(g.allows(c) for c in capabilities))
    return ids


def internal_q(user, prefix=""):
    """Materials that are not another cell's internal ones (``prefix``: path to the material)."""
    p = f"{prefix}__" if prefix else ""
    if scope.is_superadmin(user):
        return Q()
    return ~Q(**{f"{p}issuer_org__kind": OrgKind.CELL}) | Q(
        **{f"{p}issuer_org_id__in": sorted(own_cell_ids(user))}
    )


def is_internal(material):
    return material.issuer_org.kind == OrgKind.CELL


def is_of_cell(user, cell_id):
    return scope.is_superadmin(user) or cell_id in own_cell_ids(user)


# --- querysets ---------------------------------------------------------------------------


def visible_materials(user, queryset=None):
    """Materials the user may open: the scope engine's answer, minus other cells' internal ones."""
    queryset = Material.objects.all() if queryset is None else queryset
    return scope.visible_to(user, queryset).filter(internal_q(user))


def managed_materials(user, capability=MANAGE_MATERIALS):
    """Materials issued by units the user manages (admin listing), never another cell's internal
    ones."""
    queryset = Material.objects.select_related("issuer_org", "audience_org")
    if scope.is_superadmin(user):
        return queryset
    ranges = scope.managed_ranges(user, capability)
    if not ranges:
        return queryset.none()
    return queryset.filter(scope.within(ranges, "issuer_org")).filter(internal_q(user))


def reaching_cell(cell, queryset=None):
    """Materials whose audience organisation is the cell or one of its ancestors (filters aside)."""
    queryset = Material.objects.all() if queryset is None else queryset
    return queryset.filter(scope.containing(cell, "audience_org"))


def pickable_for(meeting, user=None):
    """What the meeting's cell may pick: upper-level materials that reach it and its own internal
    ones (another cell's internal ones never reach it: their audience is that cell)."""
    cell = Organisation.objects.get(pk=meeting.audience_org_id)
    queryset = reaching_cell(cell, Material.objects.select_related("issuer_org"))
    if user is not None:
        queryset = queryset.filter(internal_q(user))
    return queryset.order_by("-month", "-created_at")


def is_valid_issuer(user, org):
    """May ``user`` issue materials as ``org``? They hold MANAGE_MATERIALS there; a cell's
    internal materials are issued by that cell's own secretary only."""
    if org is None or not org.is_active or not scope.can(user, MANAGE_MATERIALS, org):
        return False
    if org.kind == OrgKind.CELL:
        return is_of_cell(user, org.pk) and (
            scope.is_superadmin(user) or org.pk in own_cell_ids(user, (MANAGE_MATERIALS,))
        )
    return True


def issuer_choices(user):
    orgs = scope.managed_orgs(user, MANAGE_MATERIALS).filter(is_active=True)
    if not scope.is_superadmin(user):
        orgs = orgs.filter(
            ~Q(kind=OrgKind.CELL) | Q(pk__in=sorted(own_cell_ids(user, (MANAGE_MATERIALS,))))
        )
    return orgs.order_by("tree_id", "lft")


# --- publish -----------------------------------------------------------------------------


def save_material(material, *, user, upload=None):
    """Create or update a material. Raises ValidationError (Vietnamese) and writes nothing when
    the issuer is not the user's, the audience lies outside the issuer, or the file is refused.
    A cell's material always has the cell itself as its audience."""
    # Fresh tree fields: Published.clean compares lft/rght, which a tree write may have moved.
    issuer = (
        Organisation.objects.filter(pk=material.issuer_org_id).first()
        if material.issuer_org_id
        else None
    )
    if issuer is not None:
        material.issuer_org = issuer
    if material.audience_org_id:
        material.audience_org = Organisation.objects.get(pk=material.audience_org_id)
    if not is_valid_issuer(user, issuer):
        raise ValidationError({"issuer_org": _("Bạn không được đăng tài liệu của đơn vị này.")})
    if material.pk:
        before = Material.objects.select_related("issuer_org").get(pk=material.pk)
        if not is_valid_issuer(user, before.issuer_org):
            raise PermissionDenied
    if issuer.kind == OrgKind.CELL:
        if material.audience_org_id and material.audience_org_id != issuer.pk:
            raise ValidationError(
                {"audience_org": _("Tài liệu nội bộ của chi bộ chỉ dành cho chính chi bộ đó.")}
            )
        material.audience_org = issuer
    if upload is not None:
        try:
            check_file(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        material.file = upload
    if material.month:
        material.month = material.month.replace(day=1)
    if not material.pk:
        material.created_by = user if getattr(user, "is_authenticated", False) else None
    material.full_clean(exclude=["file", "created_by"])
    with files.removed_if_refused(material, "file"):
        with transaction.atomic():
            material.save()
    return material


# --- pick for a meeting ------------------------------------------------------------------


def _check_convener(user, meeting):
    if not scope.can(user, CONVENE, meeting):
        raise PermissionDenied(_("Chỉ bí thư chi bộ của buổi sinh hoạt được chọn tài liệu."))
    if meeting.is_locked:
        raise ValidationError(
            _(
                "Buổi sinh hoạt đã khóa (đã duyệt biên bản hoặc đã hủy): "
                "không thay đổi tài liệu được."
            )
        )


def pick(meeting, material, *, user):
    """Add ``material`` to the meeting (idempotent). Only a convener of the meeting's cell."""
    _check_convener(user, meeting)
    if not pickable_for(meeting, user).filter(pk=material.pk).exists():
        raise ValidationError(
            {"material": _("Tài liệu này không thuộc phạm vi của chi bộ, không chọn được.")}
        )
    try:
        with transaction.atomic():
            link, _created = MeetingMaterial.objects.get_or_create(
                meeting=meeting, material=material, defaults={"picked_by": user}
            )
    except IntegrityError:  # a concurrent pick of the same material won
        link = MeetingMaterial.objects.get(meeting=meeting, material=material)
    return link


def unpick(meeting, material, *, user):
    _check_convener(user, meeting)
    deleted, _rows = MeetingMaterial.objects.filter(meeting=meeting, material=material).delete()
    return bool(deleted)


def meeting_materials(meeting, user):
    """The materials of a meeting that ``user`` may see: none unless they belong to the cell or
    convene its meetings; internal ones only for the cell itself; members see what their
    audience filters let them."""
    if not (is_of_cell(user, meeting.audience_org_id) or scope.can(user, CONVENE, meeting)):
        return Material.objects.none()
    picked = Material.objects.filter(uses__meeting=meeting)
    if scope.can(user, CONVENE, meeting):
        queryset = picked.filter(internal_q(user))
    else:
        queryset = visible_materials(user, picked)
    return queryset.select_related("issuer_org").order_by("issuer_org__level", "title", "pk")


# --- opens -------------------------------------------------------------------------------


def record_open(material, member, meeting=None, *, at=None):
    """Count one open of ``material`` by ``member`` (one row per material, member and day; one
    statement, see ``sotay_plugins.receipts``). ``meeting`` (the page it was opened from) is not
    stored: an open counts for every meeting that uses the material."""
    MaterialOpen.count_daily(material, member, at=at)


@dataclass
class OpenStatus:
    member_id: int
    full_name: str
    opened: int
    expected: int

    @property
    def missing(self):
        return self.expected - self.opened


def _reaches(material, member_positions, member_group):
    positions = material.audience_positions or frozenset()
    groups = material.audience_groups or frozenset()
    return (not positions or bool(set(positions) & set(member_positions or ()))) and (
        not groups or member_group in groups
    )


def open_status(meeting, user):
    """For the secretary: each expected member, how many of the meeting's materials (those that
    reach them) they have opened. Three queries whatever the size of the cell."""
    if not scope.can(user, CONVENE, meeting):
        raise PermissionDenied(_("Chỉ bí thư chi bộ của buổi sinh hoạt được xem danh sách này."))
    materials = list(
        Material.objects.filter(uses__meeting=meeting).only(
            "pk", "audience_positions", "audience_groups"
        )
    )
    rows = list(
        Attendance.objects.filter(meeting=meeting)
        .values_list("member_id", "member__full_name", "member__positions", "member__group")
        .order_by("member__full_name", "member_id")
    )
    opened = {}
    if materials and rows:
        for member_id, material_id in (
            MaterialOpen.objects.filter(
                material__in=[m.pk for m in materials], member__in=[r[0] for r in rows]
            )
            .values_list("member_id", "material_id")
            .distinct()
        ):
            opened.setdefault(member_id, set()).add(material_id)
    result = []
    for member_id, full_name, positions, group in rows:
        reaching = {m.pk for m in materials if _reaches(m, positions, group)}
        result.append(
            OpenStatus(
                member_id, full_name, len(reaching & opened.get(member_id, set())), len(reaching)
            )
        )
    return result


def not_opened(meeting, user):
    """Expected members who have not yet opened every material of the meeting that reaches them."""
    return [row for row in open_status(meeting, user) if row.missing > 0]


# --- what the issuing level may know -----------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """Whether, where and when a material was used: nothing else of the meeting."""

    cell_id: int
    cell_name: str
    meeting_date: date


def may_see_usage(user, material):
    issuer = material.issuer_org
    if not (scope.can(user, MANAGE_MATERIALS, issuer) or scope.can(user, VIEW_REPORTS, issuer)):
        return False
    return not is_internal(material) or is_of_cell(user, issuer.pk)


def usage_of(material, user):
    """Rows (cell id, cell name, meeting date) of the meetings that picked ``material``, for a
    user who manages (or reports on) its issuer. Raises PermissionDenied otherwise."""
    if not may_see_usage(user, material):
        raise PermissionDenied(_("Chỉ đơn vị ban hành tài liệu được xem tài liệu được dùng ở đâu."))
    rows = (
        MeetingMaterial.objects.filter(material=material)
        .exclude(meeting__state=Meeting.State.CANCELLED)
        .order_by("-meeting__starts_at", "meeting__audience_org__name")
        .values_list(
            "meeting__audience_org_id", "meeting__audience_org__name", "meeting__starts_at"
        )
    )
    return [
        Usage(cell_id, name, timezone.localdate(starts_at)) for cell_id, name, starts_at in rows
    ]


def usage_counts(materials):
    """How many (non-cancelled) meetings used each material: {material id: n}, one query."""
    return dict(
        MeetingMaterial.objects.filter(material__in=materials)
        .exclude(meeting__state=Meeting.State.CANCELLED)
        .values("material")
        .annotate(n=Count("pk"))
        .values_list("material", "n")
    )


def add_internal(meeting, *, user, title, summary="", upload=None):
    """The secretary writes one of the cell's internal materials from the phone and picks it for
    the meeting, in one step. Checked before anything is written (the convener's right, the
    meeting not locked, the file). If the save is refused after the file was stored, the file is
    deleted: nothing is kept from a refused save."""
    _check_convener(user, meeting)
    material = Material(
        issuer_org_id=meeting.audience_org_id,
        audience_org_id=meeting.audience_org_id,
        title=(title or "").strip(),
        summary=(summary or "").strip(),
    )
    if not material.title:
        raise ValidationError({"title": _("Xin nhập tiêu đề tài liệu.")})
    try:
        with transaction.atomic():
            save_material(material, user=user, upload=upload)
            pick(meeting, material, user=user)
    except BaseException:
        if material.file and material.file.name and material.file._committed:
            material.file.storage.delete(material.file.name)
        raise
    return material
