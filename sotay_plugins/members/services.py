"""Member records and accounts: create, update, transfer, activate. Views and the importer call
these; none of them writes a Member directly."""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Func, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from sotay_plugins import pagecache, signals, versions
from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind, Position
from sotay_plugins.orgtree.locks import tree_generation
from sotay_plugins.orgtree.models import Organisation, Role, RoleAssignment, org_version_key
from sotay_plugins.orgtree.roles import CELL_SECRETARY
from sotay_plugins.orgtree.scope import Subject
from sotay_plugins.text import FOLD_FROM, FOLD_TO, fold

from .cccd import normalise as normalise_cccd
from .models import (
    PERSONAL_FIELDS,
    ActivationCode,
    Member,
    MemberStatus,
    MemberTransfer,
    RecordNumberChange,
)

User = get_user_model()
logger = logging.getLogger("sotay.members")
ACTIVATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
ACTIVATION_LENGTH = 8
ACTIVATION_TTL = timedelta(days=14)
VISIBLE_STATUSES = (MemberStatus.ACTIVE, MemberStatus.EXEMPT)
SECRETARY_POSITIONS = {Position.BI_THU_CHI_BO, Position.PHO_BI_THU_CHI_BO}


# --- who a user is as a member (the scope engine's subject) --------------------------------

#: How long a member's Subject is kept in the shared cache (its stamps end it sooner).
SUBJECT_TTL = 60 * 60


def person_keys(user_id):
    """What is kept of a signed-in person in the shared cache, and under which stamps: ``(stamps,
    keys)`` with ``keys`` the subject's and the rights' (None when a stamp is missing: the cache
    is down). One round trip (the person's stamp and the grants stamp)."""
    stamps = versions.current_many([versions.person_key(user_id), scope.GRANTS_VERSION_KEY])
    subject = f"sotay:subject:{user_id}:" + ":".join(str(stamps[k]) for k in sorted(stamps))
    grants_stamp = stamps.get(scope.GRANTS_VERSION_KEY)
    rights = None if grants_stamp is None else scope.grants_cache_key_of(user_id, grants_stamp)
    return stamps, {"subject": subject, "rights": rights}


def resolve_subject(user):
    """The scope engine's view of the user as a member: kept in the shared cache under the
    person's stamp (their record) and the grants stamp (every tree write), so most requests read
    no Member row for it; otherwise read from the same row as the pages' ``current_member``.

    The stamps and the entries come from the account's own read when the request's user came
    from ``backends.KeptAccountBackend`` (``user._sotay_person``): no round trip here then."""
    generation = tree_generation()
    fetched = getattr(user, "_sotay_person", None)
    if fetched is not None and fetched[0] == generation:
        keys, entries = fetched[1], fetched[2]
    else:
        _stamps, keys = person_keys(user.pk)
        # The user's rights, kept under the grants stamp just read, come in the same round trip
        # (the scope engine asks for them next). No stamp (the cache is down): the scope engine
        # reads them itself.
        wanted = [keys["subject"]]
        if keys["rights"] and not scope.has_grants(user):
            wanted.append(keys["rights"])
        entries = cache.get_many(wanted)
    rights = keys["rights"]
    if rights in entries and not scope.has_grants(user):
        scope.prime_grants(user, entries[rights], generation)
    found = entries.get(keys["subject"])
    if found is None:
        subject = _read_subject(user)
        cache.set(keys["subject"], ("member", subject) if subject else ("none",), SUBJECT_TTL)
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
    ancestors = ()
    if connection.vendor == "postgresql":  # where the planner gains by them (scope.audience_q)
        ancestors = tuple(
            Organisation.objects.filter(
                tree_id=cell.tree_id, lft__lte=cell.lft, rght__gte=cell.rght
            )
            .order_by("lft")
            .values_list("pk", flat=True)
        )
    return Subject(
        member.pk,
        cell.pk,
        cell.tree_id,
        cell.lft,
        cell.rght,
        member.positions,
        member.group,
        ancestor_ids=ancestors,
    )


def account_cell(user):
    """The cell of the member record behind ``user`` (any status), or None for staff accounts."""
    return Member.objects.filter(user_id=user.pk).values_list("cell_id", flat=True).first()


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
                _check_cccd_free(member, actor)
                member.user = User(username=member.cccd or "", is_active=False)
                member.full_clean(exclude=["user"])
                member.user.username = member.cccd
                member.user.set_unusable_password()
                member.user.save()
                member.save()
                member.position_notice = sync_position_roles(member, actor=actor)
                log(member, "sotay_members.create", user=actor)
                return member
        except IntegrityError:
            if attempt == 4:
                raise
            # Two imports took the same record number; read the next one and try again.
            fields.pop("party_record_no", None)
    return None


def _check_cccd_free(member, actor=None):
    """Refuse a CCCD that another record or account holds. Only a clash the actor could see
    (a member within their ``members.view_member`` scope) is named as such; any other clash gets
    the same answer as every unusable number, so the form cannot be used to find out whether a
    CCCD is registered elsewhere in the province. The attempt is logged (without the number)."""
    member.cccd = normalise_cccd(member.cccd)  # a look-alike spelling is the same number
    other = Member.objects.filter(cccd=member.cccd).exclude(pk=member.pk).first()
    taken = other is not None or (
        User.objects.filter(username=member.cccd).exclude(pk=member.user_id).exists()
    )
    if not taken:
        return
    if other is not None and (actor is None or scope.can(actor, "members.view_member", other)):
        raise ValidationError({"cccd": [_("Số CCCD này đã thuộc về một đảng viên khác.")]})
    # Written to the log, not the audit table: the refusal rolls the transaction back.
    logger.warning(
        "CCCD clash outside the actor's scope refused (member %s, actor %s)",
        member.pk,
        getattr(actor, "pk", None),
    )
    raise ValidationError({"cccd": [CCCD_UNUSABLE()]})


def CCCD_UNUSABLE():  # noqa: N802 (a message, read in the request's language)
    return _(
        "Không thể dùng số CCCD này cho hồ sơ. Nếu số đúng, xin liên hệ Văn phòng cấp ủy để kiểm "
        "tra."
    )


def update_member(member, changes, *, actor=None):
    """Apply ``changes`` (field → value) to a member; log which fields changed (not their
    values)."""
    before = {name: getattr(member, name) for name in changes}
    for name, value in changes.items():
        setattr(member, name, value)
    changed = [name for name in changes if before[name] != getattr(member, name)]
    if not changed:
        return member, []
    if "cell" in changed or "cell_id" in changed:
        raise ValidationError({"cell": [_("Đổi chi bộ phải làm bằng thủ tục chuyển sinh hoạt.")]})
    with transaction.atomic():
        _check_cccd_free(member, actor)
        member.full_clean(exclude=["user"])
        member.save()
        if "cccd" in changed:
            User.objects.filter(pk=member.user_id).update(username=member.cccd)
        if "positions" in changed:
            member.position_notice = sync_position_roles(member, actor=actor)
        if member.status not in VISIBLE_STATUSES:
            User.objects.filter(pk=member.user_id).update(is_active=False)
        log(member, "wagtail.edit", user=actor, data={"fields": changed})
    return member, changed


def sync_position_roles(member, *, actor=None):
    """Party positions drive access: a cell's (deputy) secretary holds the cell-secretary role
    there, within what ``actor`` may grant. Returns "" or the Vietnamese notice to show."""
    withheld = sync_secretary_roles([member], actor)
    return withheld_notice(withheld)


def may_grant_secretary(actor, cell, role=None):
    """The roles screen's rule (``orgtree.permissions.may_grant``) for the cell-secretary role at
    ``cell``. ``actor`` None is the system itself (a management command), which may."""
    from sotay_plugins.orgtree.permissions import may_grant

    if actor is None:
        return True
    role = role or Role.objects.filter(code=CELL_SECRETARY).first()
    return role is not None and may_grant(actor, role, cell)


def sync_secretary_roles(members, actor):
    """``sync_position_roles`` for many members (the importer: a few queries). A secretary's
    right at another cell goes; the right at their cell is created only where ``actor`` may
    grant it (the position is kept either way). Returns the members whose right was withheld."""
    if not members:
        return []
    role = Role.objects.filter(code=CELL_SECRETARY).first()
    if role is None:
        return []
    wanted = {
        m.user_id: m
        for m in members
        if SECRETARY_POSITIONS & set(m.positions or ()) and m.status in VISIBLE_STATUSES
    }
    held = RoleAssignment.objects.filter(
        role=role, user_id__in=[m.user_id for m in members]
    ).values_list("pk", "user_id", "org_id")
    drop, have = [], set()
    for pk, user_id, org_id in held:
        if user_id in wanted and wanted[user_id].cell_id == org_id:
            have.add(user_id)
        else:
            drop.append(pk)
    allowed = {}
    withheld = []
    for user_id, m in wanted.items():
        if user_id in have:
            continue
        if m.cell_id not in allowed:
            allowed[m.cell_id] = may_grant_secretary(actor, m.cell, role)
        if allowed[m.cell_id]:
            continue
        withheld.append(m)
    if drop:
        RoleAssignment.objects.filter(pk__in=drop).delete()
    skip = {m.user_id for m in withheld}
    created = RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user_id=u, role=role, org_id=m.cell_id, granted_by=actor)
            for u, m in wanted.items()
            if u not in have and u not in skip
        ],
        ignore_conflicts=True,
    )
    if drop or created:
        scope.grants_changed()  # bulk writes send no signal
    return withheld


def withheld_notice(withheld):
    """The Vietnamese notice for members whose secretary right was not created."""
    if not withheld:
        return ""
    cells = sorted({m.cell.name for m in withheld})
    return _(
        "Đã ghi chức vụ bí thư/phó bí thư nhưng chưa giao quyền Bí thư chi bộ tại %(cells)s: "
        "bạn không có quyền giao vai trò này ở đó. Người có quyền phân quyền cần giao quyền."
    ) % {"cells": ", ".join(cells)}


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
        member.position_notice = sync_position_roles(member, actor=actor)
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


def on_org_moved(sender, org, old_parent=None, new_parent=None, actor=None, **kwargs):
    """A unit moved (its code and its sub-units' followed the tree): the party-record numbers of
    its members, which embed the district and base codes, are re-issued where they no longer
    match, the old ones kept in ``RecordNumberChange``. In bulk: a district's move renumbers
    thousands of members in a few queries."""
    org = Organisation.objects.get(pk=org.pk)
    cells = list(
        Organisation.objects.filter(
            tree_id=org.tree_id, lft__gte=org.lft, rght__lte=org.rght, kind=OrgKind.CELL
        )
    )
    if not cells:
        return 0
    prefixes = {cell.pk: record_prefix(cell) for cell in cells}
    members = list(
        Member.objects.filter(cell_id__in=prefixes)
        .only("pk", "cell_id", "party_record_no")
        .order_by("party_record_no", "pk")
    )
    stale = [m for m in members if not m.party_record_no.startswith(prefixes[m.cell_id])]
    if not stale:
        return 0
    serials = {}
    for prefix in set(prefixes[m.cell_id] for m in stale):
        last = (
            Member.objects.filter(party_record_no__startswith=prefix)
            .order_by("-party_record_no")
            .values_list("party_record_no", flat=True)
            .first()
        )
        serials[prefix] = int(last.rsplit(".", 1)[-1]) if last else 0
    reason = _("%(org)s chuyển về %(parent)s") % {
        "org": org.name,
        "parent": new_parent.name if new_parent is not None else "—",
    }
    now, changes = timezone.now(), []
    for member in stale:
        prefix = prefixes[member.cell_id]
        serials[prefix] += 1
        new_no = f"{prefix}{serials[prefix]:06d}"
        changes.append(
            RecordNumberChange(
                member=member,
                old_record_no=member.party_record_no,
                new_record_no=new_no,
                reason=reason,
                at=now,
            )
        )
        member.party_record_no = new_no
    with transaction.atomic():
        Member.objects.bulk_update(stale, ["party_record_no"], batch_size=1000)
        RecordNumberChange.objects.bulk_create(changes, batch_size=1000)
    return len(stale)


def on_org_dissolving(sender, org, **kwargs):
    count = Member.objects.filter(cell=org, status__in=VISIBLE_STATUSES).count()
    return [_("Còn %(n)d đảng viên đang sinh hoạt tại đơn vị.") % {"n": count}] if count else []


# --- activation --------------------------------------------------------------------------


def _hash_code(code):
    return hmac.new(settings.SECRET_KEY.encode(), code.upper().encode(), hashlib.sha256).hexdigest()


def needs_activation(member):
    """Never activated (or reset since): an inactive account with no usable password. Only such
    an account can be given an activation code; any other needs a reset first."""
    user = member.user
    return not user.is_active and not user.has_usable_password()


def issue_activation_code(member, *, actor=None):
    """A new printable code (the old ones stop working). Returns the code in clear, once.

    Refused for an account that has been activated: a code would let whoever prints it take the
    account over. Such an account is reset first (:func:`reset_account`, its own right)."""
    code = "".join(secrets.choice(ACTIVATION_ALPHABET) for _ in range(ACTIVATION_LENGTH))
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("user", "cell").get(pk=member.pk)
        if not needs_activation(member):
            raise ValidationError(
                _(
                    "Tài khoản của đồng chí %(name)s đã được kích hoạt. Chỉ người có quyền đặt lại "
                    "tài khoản mới cấp được mã mới (sau khi đặt lại)."
                )
                % {"name": member.full_name}
            )
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


def reset_account(member, *, actor=None):
    """Close an activated account so that it can be activated again (a lost password, a phone
    in the wrong hands): no usable password, inactive, every API token and session ended,
    every unused code withdrawn. Audited. The caller checks ``members.reset_account``."""
    from sotay_plugins.authentication import forget_tokens

    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
        user = member.user
        user.set_unusable_password()  # the session hash changes: every session ends
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
        forget_tokens(user.pk)
        ActivationCode.objects.filter(member=member, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        log(member, "sotay_members.reset_account", user=actor)
    return member


ACTIVATION_LIMIT_MESSAGE = gettext_lazy(
    "Bạn đã thử kích hoạt quá nhiều lần. Xin chờ một giờ rồi thử lại, hoặc liên hệ bí thư chi bộ."
)


def activation_allowed(address, cccd):
    """Count one activation attempt from ``address`` for ``cccd`` (any string typed: whether it
    belongs to anybody makes no difference); False once either is over its hourly limit."""
    from sotay_plugins.authentication import AttemptLimit

    limits = settings.SOTAY_ACTIVATION_LIMITS
    by_address = AttemptLimit("activate.address", limits["address"], 3600).hit(address)
    by_cccd = AttemptLimit("activate.cccd", limits["cccd"], 3600).hit(normalise_cccd(cccd) or "-")
    return by_address and by_cccd


def activate_account(cccd, code, password):
    """Check a CCCD + one-time code; set the password and open the account. Returns the user.

    Raises ValidationError with one Vietnamese message that does not say which part was wrong;
    an unknown CCCD costs the same work (one query, one HMAC) as a wrong code.
    """
    from django.contrib.auth.password_validation import validate_password

    generic = ValidationError(_("Số CCCD hoặc mã kích hoạt không đúng, hoặc mã đã hết hạn."))
    code = (code or "").strip().replace(" ", "").upper()
    with transaction.atomic():
        candidate = (
            ActivationCode.objects.select_for_update(of=("self",))
            .select_related("member__user")
            .filter(
                member__cccd=normalise_cccd(cccd),
                member__status__in=VISIBLE_STATUSES,
                member__user__is_active=False,
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by("-created_at")
            .first()
        )
        expected = candidate.code_hash if candidate is not None else _hash_code("-" * 8)
        if not hmac.compare_digest(expected, _hash_code(code)) or candidate is None or not code:
            raise generic
        member = candidate.member
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


class FoldedName(Func):
    """A text column folded in SQL as ``sotay_plugins.text.fold`` folds a query (lower case, no
    diacritics, đ → d): PostgreSQL's ``TRANSLATE`` (one pass, whatever the database's locale);
    on SQLite (no TRANSLATE) the ``SOTAY_FOLD`` function the core registers on each connection."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"TRANSLATE({sql}, %s, %s)", [*params, FOLD_FROM, FOLD_TO]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"SOTAY_FOLD({sql})", params  # sotay_plugins.text.register_sqlite_fold


def search_q(text):
    """Search by name or party-record number, folded as the member search folds (issue 17):
    "nguyen van binh", "Nguyễn Văn Bình" and "NGUYEN VAN BINH" find the same members. Deliberately
    not by CCCD: search terms travel in URLs, and a CCCD must never be in a URL (Decree
    13/2023). Use on a queryset annotated by :func:`with_folded_name`."""
    text = (text or "").strip()
    if not text:
        return Q()
    words = fold(text).split()
    by_name = Q()
    for word in words:
        by_name &= Q(name_folded__contains=word)
    return by_name | Q(party_record_no__icontains=text)


def with_folded_name(queryset):
    """``queryset`` with ``name_folded`` for :func:`search_q`."""
    return queryset.annotate(name_folded=FoldedName("full_name"))


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
