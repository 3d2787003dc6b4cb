"""Member records and accounts: create, update, transfer, activate. Views and the importer call
these; none of them writes a Member directly."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from sotay_plugins import pagecache, signals, versions
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind, Position
from sotay_plugins.orgtree.locks import tree_generation
from sotay_plugins.orgtree.models import Organisation, Role, RoleAssignment, org_version_key
from sotay_plugins.orgtree.roles import CELL_SECRETARY
from sotay_plugins.orgtree.scope import Subject

from .models import PERSONAL_FIELDS, ActivationCode, Member, MemberStatus, MemberTransfer

User = get_user_model()
ACTIVATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
ACTIVATION_LENGTH = 8
ACTIVATION_TTL = timedelta(days=14)
VISIBLE_STATUSES = (MemberStatus.ACTIVE, MemberStatus.EXEMPT)
SECRETARY_POSITIONS = {Position.BI_THU_CHI_BO, Position.PHO_BI_THU_CHI_BO}


# --- who a user is as a member (the scope engine's subject) --------------------------------

#: How long a member's Subject is kept in the shared cache (its stamps end it sooner).
SUBJECT_TTL = 60 * 60


def resolve_subject(user):
    """The scope engine's view of the user as a member: kept in the shared cache under the
    person's stamp (their record) and the grants stamp (every tree write), so most requests read
    no Member row for it; otherwise read from the same row as the pages' ``current_member``."""
    stamps = versions.current_many([versions.person_key(user.pk), scope.GRANTS_VERSION_KEY])
    key = f"sotay:subject:{user.pk}:" + ":".join(str(stamps[k]) for k in sorted(stamps))
    found = cache.get(key)
    if found is None:
        subject = _read_subject(user)
        cache.set(key, ("member", subject) if subject else ("none",), SUBJECT_TTL)
        return subject
    return found[1] if found[0] == "member" else None


def _read_subject(user):
    member = current_member(user)
    if member is not None and getattr(member.cell, "_tree_generation", None) != tree_generation():
        del user._sotay_member  # read before a tree write in this process: its cell may have moved
        member = current_member(user)
    if member is None or member.status not in VISIBLE_STATUSES:
        return None
    cell = member.cell
    return Subject(
        member.pk, cell.pk, cell.tree_id, cell.lft, cell.rght, member.positions, member.group
    )


# --- party-record numbers ---------------------------------------------------------------


def record_prefix(cell):
    """``<district code>.<base code>.`` of the cell: the units the record number embeds."""
    ancestors = {org.kind: org for org in cell.get_ancestors(include_self=True)}
    district = ancestors.get(OrgKind.DISTRICT)
    base = ancestors.get(OrgKind.BASE) or cell
    return f"{district.local_code if district else '00'}.{base.local_code}."


def next_record_no(cell):
    prefix = record_prefix(cell)
    last = (
        Member.objects.filter(party_record_no__startswith=prefix)
        .order_by("-party_record_no")
        .values_list("party_record_no", flat=True)
        .first()
    )
    serial = int(last.rsplit(".", 1)[-1]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


# --- create and update ------------------------------------------------------------------


def create_member(*, actor=None, **fields):
    """Create a member and their (inactive) account. Raises ValidationError in Vietnamese."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                member = Member(**fields)
                if not member.party_record_no:
                    member.party_record_no = next_record_no(member.cell)
                _check_cccd_free(member)
                member.user = User(username=member.cccd or "", is_active=False)
                member.full_clean(exclude=["user"])
                member.user.username = member.cccd
                member.user.set_unusable_password()
                member.user.save()
                member.save()
                sync_position_roles(member, actor=actor)
                log(member, "sotay_members.create", user=actor)
                return member
        except IntegrityError:
            if attempt == 4:
                raise
            # Two imports took the same record number; read the next one and try again.
            fields.pop("party_record_no", None)
    return None


def _check_cccd_free(member):
    clash = (
        Member.objects.filter(cccd=member.cccd).exclude(pk=member.pk).exists()
        or User.objects.filter(username=member.cccd).exclude(pk=member.user_id).exists()
    )
    if clash:
        raise ValidationError({"cccd": [_("Số CCCD này đã thuộc về một đảng viên khác.")]})


def update_member(member, changes, *, actor=None):
    """Apply ``changes`` (field → value) to a member; log which fields changed (not their values)."""
    before = {name: getattr(member, name) for name in changes}
    for name, value in changes.items():
        setattr(member, name, value)
    changed = [name for name in changes if before[name] != getattr(member, name)]
    if not changed:
        return member, []
    if "cell" in changed or "cell_id" in changed:
        raise ValidationError({"cell": [_("Đổi chi bộ phải làm bằng thủ tục chuyển sinh hoạt.")]})
    with transaction.atomic():
        _check_cccd_free(member)
        member.full_clean(exclude=["user"])
        member.save()
        if "cccd" in changed:
            User.objects.filter(pk=member.user_id).update(username=member.cccd)
        if "positions" in changed:
            sync_position_roles(member, actor=actor)
        if member.status not in VISIBLE_STATUSES:
            User.objects.filter(pk=member.user_id).update(is_active=False)
        log(member, "wagtail.edit", user=actor, data={"fields": changed})
    return member, changed


def sync_position_roles(member, *, actor=None):
    """Party positions drive access: a cell's (deputy) secretary holds the cell-secretary role there."""
    role = Role.objects.filter(code=CELL_SECRETARY).first()
    if role is None:
        return
    is_secretary = (
        bool(SECRETARY_POSITIONS & set(member.positions)) and member.status in VISIBLE_STATUSES
    )
    current = RoleAssignment.objects.filter(user_id=member.user_id, role=role)
    if is_secretary:
        current.exclude(org_id=member.cell_id).delete()
        RoleAssignment.objects.get_or_create(
            user_id=member.user_id, role=role, org_id=member.cell_id, defaults={"granted_by": actor}
        )
    else:
        current.delete()


# --- transfers ---------------------------------------------------------------------------


def transfer_member(
    member, to_cell, *, kind=MemberTransfer.Kind.OFFICIAL, on=None, until=None, note="", actor=None
):
    """Move a member's party activity to another cell, with history. An official transfer
    re-issues the party-record number (it embeds the unit codes)."""
    to_cell = Organisation.objects.get(pk=to_cell.pk if hasattr(to_cell, "pk") else to_cell)
    if to_cell.kind != OrgKind.CELL:
        raise ValidationError({"to_cell": [_("Chỉ chuyển sinh hoạt được đến một chi bộ.")]})
    if not to_cell.is_active:
        raise ValidationError(
            {"to_cell": [_("Chi bộ %(org)s không còn hoạt động.") % {"org": to_cell.name}]}
        )
    if to_cell.pk == member.cell_id:
        raise ValidationError({"to_cell": [_("Đảng viên đang sinh hoạt tại chi bộ này.")]})
    if kind == MemberTransfer.Kind.TEMPORARY and until and on and until < on:
        raise ValidationError({"until": [_("Ngày kết thúc phải sau ngày chuyển.")]})
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        old_no, from_cell = member.party_record_no, member.cell
        member.cell = to_cell
        if kind in (MemberTransfer.Kind.OFFICIAL, MemberTransfer.Kind.MERGE):
            member.party_record_no = next_record_no(to_cell)
        if kind == MemberTransfer.Kind.TEMPORARY:
            member.group = "temp_transfer"
        member.save()
        transfer = MemberTransfer.objects.create(
            member=member,
            kind=kind,
            from_cell=from_cell,
            to_cell=to_cell,
            on=on or timezone.localdate(),
            until=until,
            old_record_no=old_no,
            new_record_no=member.party_record_no,
            note=note,
            actor=actor,
        )
        sync_position_roles(member, actor=actor)
        log(
            member,
            "sotay_members.transfer",
            user=actor,
            data={"from": from_cell.pk, "to": to_cell.pk},
        )
        signals.member_transferred.send(sender=Member, member=member, transfer=transfer)
    return member


def on_org_merged(sender, source, target, actor=None, **kwargs):
    """Members of a merged cell follow it to the target cell, each with a transfer record."""
    for member in Member.objects.filter(cell=source, status__in=VISIBLE_STATUSES):
        transfer_member(
            member,
            target,
            kind=MemberTransfer.Kind.MERGE,
            actor=actor,
            note=_("Sáp nhập %(src)s vào %(dst)s") % {"src": source.name, "dst": target.name},
        )


def on_org_dissolving(sender, org, **kwargs):
    count = Member.objects.filter(cell=org, status__in=VISIBLE_STATUSES).count()
    return [_("Còn %(n)d đảng viên đang sinh hoạt tại đơn vị.") % {"n": count}] if count else []


# --- activation --------------------------------------------------------------------------


def _hash_code(code):
    return hmac.new(settings.SECRET_KEY.encode(), code.upper().encode(), hashlib.sha256).hexdigest()


def issue_activation_code(member, *, actor=None):
    """A new printable code (the old ones stop working). Returns the code in clear, once."""
    code = "".join(secrets.choice(ACTIVATION_ALPHABET) for _ in range(ACTIVATION_LENGTH))
    with transaction.atomic():
        ActivationCode.objects.filter(member=member, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        ActivationCode.objects.create(
            member=member,
            code_hash=_hash_code(code),
            expires_at=timezone.now() + ACTIVATION_TTL,
            issued_by=actor,
        )
        log(member, "sotay_members.activation_code", user=actor)
    return code


def activate_account(cccd, code, password):
    """Check a CCCD + one-time code; set the password and open the account. Returns the user.

    Raises ValidationError with one Vietnamese message that does not say which part was wrong.
    """
    from django.contrib.auth.password_validation import validate_password

    generic = ValidationError(_("Số CCCD hoặc mã kích hoạt không đúng, hoặc mã đã hết hạn."))
    code = (code or "").strip().replace(" ", "").upper()
    member = (
        Member.objects.filter(cccd=(cccd or "").strip(), status__in=VISIBLE_STATUSES)
        .select_related("user")
        .first()
    )
    if member is None or not code:
        raise generic
    with transaction.atomic():
        candidate = (
            ActivationCode.objects.select_for_update()
            .filter(member=member, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if candidate is None or not hmac.compare_digest(candidate.code_hash, _hash_code(code)):
            raise generic
        validate_password(password, member.user)
        candidate.used_at = timezone.now()
        candidate.save(update_fields=["used_at"])
        member.user.set_password(password)
        member.user.is_active = True
        member.user.save(update_fields=["password", "is_active"])
        log(member, "sotay_members.activate", user=member.user)
    return member.user


# --- audit of personal data --------------------------------------------------------------


def log_view(member, actor, *, personal):
    """Record that ``actor`` opened ``member``'s record (and whether personal data was shown)."""
    if actor is not None and getattr(member, "user_id", None) == actor.pk:
        return  # a member reading their own profile is not an audit event
    log(
        member,
        "sotay_members.view_personal" if personal else "sotay_members.view",
        user=actor,
        data={"fields": list(PERSONAL_FIELDS)} if personal else {},
    )


def search_q(text):
    """Search by name or party-record number. Deliberately not by CCCD: search terms travel in
    URLs, and a CCCD must never be in a URL (Decree 13/2023)."""
    text = (text or "").strip()
    if not text:
        return Q()
    return Q(full_name__icontains=text) | Q(party_record_no__icontains=text)


def home_card(request):
    """The greeting card on the member's home: name and cell, from the already-loaded member."""
    member = current_member(request.user)
    return {"member": member} if member else None


def home_card_depends(request):
    """The member's record (every kept page depends on it), the cell's name, the tree."""
    member = current_member(request.user)
    return [scope.GRANTS_VERSION_KEY, *([org_version_key(member.cell_id)] if member else [])]


def home_card_expires(request, context):
    return pagecache.end_of_today()  # the card shows today's date


def touch_person(sender, instance, **kwargs):
    """post_save/post_delete of an account or a member record: that person's kept pages go."""
    pagecache.touch_users(instance.pk if sender is get_user_model() else instance.user_id)


def current_member(user):
    """The user's Member with its cell, read once per request (kept on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_sotay_member"):
        user._sotay_member = Member.objects.select_related("cell").filter(user_id=user.pk).first()
    return user._sotay_member
