"""Restructuring the organisation tree. Every write takes the tree lock (locks.tree_lock)."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from mptt.exceptions import InvalidMove

from sotay_plugins import signals

from .choices import KIND_RANK, OrgKind
from .locks import tree_lock
from .models import AdvisoryBody, Organisation, OrgCodeChange, OrgEvent, RoleAssignment


def _fresh(org_or_id):
    pk = org_or_id.pk if isinstance(org_or_id, Organisation) else org_or_id
    return Organisation.objects.get(pk=pk)


def create_org(*, parent, name, code, kind, short_name="", actor=None, founded_on=None):
    with tree_lock():
        org = Organisation(
            parent=_fresh(parent) if parent else None,
            name=name,
            code=code,
            kind=kind,
            short_name=short_name,
            founded_on=founded_on,
        )
        org.full_clean()
        if org.parent is not None and not org.parent.is_active:
            raise ValidationError(
                {
                    "parent": _("Tổ chức cấp trên %(parent)s không còn hoạt động.")
                    % {"parent": org.parent.name}
                }
            )
        org.save()
        OrgEvent.objects.create(
            org=org, kind=OrgEvent.Kind.CREATED, new_parent=org.parent, actor=actor
        )
        return org


def _check_can_hold(parent, org):
    if parent.kind == OrgKind.CELL:
        raise ValidationError(_("Chi bộ không có tổ chức trực thuộc."))
    if KIND_RANK[OrgKind(org.kind)] <= KIND_RANK[OrgKind(parent.kind)]:
        raise ValidationError(
            _("Không thể đặt %(org)s (%(kind)s) dưới %(parent)s (%(pkind)s).")
            % {
                "org": org.name,
                "kind": org.get_kind_display(),
                "parent": parent.name,
                "pkind": parent.get_kind_display(),
            }
        )
    if not parent.is_active:
        raise ValidationError(
            _("Tổ chức cấp trên %(parent)s không còn hoạt động.") % {"parent": parent.name}
        )


def move_org(org, new_parent, *, actor=None, note=""):
    """Move a unit (with its whole subtree) under ``new_parent``. Its history stays with it:
    everything refers to the unit by id, which a move does not change."""
    with tree_lock():
        org, new_parent = _fresh(org), _fresh(new_parent)
        if org.pk == new_parent.pk or (
            org.tree_id == new_parent.tree_id
            and org.lft <= new_parent.lft
            and new_parent.rght <= org.rght
        ):
            raise ValidationError(
                _("Không thể chuyển một tổ chức vào chính nó hoặc vào đơn vị trực thuộc nó.")
            )
        _check_can_hold(new_parent, org)
        old_parent = org.parent
        try:
            org.move_to(new_parent, "last-child")
        except InvalidMove as exc:  # mptt's own guard, should the check above ever miss
            raise ValidationError(
                _("Không thể chuyển một tổ chức vào chính nó hoặc vào đơn vị trực thuộc nó.")
            ) from exc
        event = OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.MOVED,
            old_parent=old_parent,
            new_parent=new_parent,
            actor=actor,
            note=note,
        )
        recode_subtree(_fresh(org), new_parent, event=event)
        signals.org_moved.send(
            sender=Organisation, org=org, old_parent=old_parent, new_parent=new_parent, actor=actor
        )
        return _fresh(org)


def free_code_under(parent, local):
    """``<parent code>.<local>`` if no unit holds it (now or in the history of codes), else the
    parent's next free number of the same width."""
    wanted = f"{parent.code}.{local}"
    taken = set(
        Organisation.objects.filter(code__startswith=f"{parent.code}.").values_list(
            "code", flat=True
        )
    ) | set(
        OrgCodeChange.objects.filter(old_code__startswith=f"{parent.code}.").values_list(
            "old_code", flat=True
        )
    )
    if wanted not in taken:
        return wanted
    depth = parent.code.count(".") + 1
    numbers = [
        int(code.split(".")[depth])
        for code in taken
        if code.count(".") == depth and code.split(".")[depth].isdigit()
    ]
    serial = max(numbers, default=0) + 1
    width = max(len(local), 2)
    while f"{parent.code}.{serial:0{width}d}" in taken:
        serial += 1
    return f"{parent.code}.{serial:0{width}d}"


def recode_subtree(org, new_parent, *, event=None):
    """Give ``org`` (just moved under ``new_parent``) and its sub-units codes that name their
    new place, keeping the old ones in ``OrgCodeChange``. A code is never reused: an old code
    in the history is not handed to another unit. Returns ``{old code: new code}``."""
    if org.code.startswith(f"{new_parent.code}.") and org.code.count(".") == (
        new_parent.code.count(".") + 1
    ):
        return {}
    old_prefix = org.code
    new_prefix = free_code_under(new_parent, org.local_code)
    units = list(
        Organisation.objects.filter(tree_id=org.tree_id, lft__gte=org.lft, rght__lte=org.rght).only(
            "pk", "code"
        )
    )
    now = timezone.now()
    changes, renamed = [], {}
    for unit in units:
        if unit.code != old_prefix and not unit.code.startswith(f"{old_prefix}."):
            continue
        new = new_prefix + unit.code[len(old_prefix) :]
        changes.append(
            OrgCodeChange(org_id=unit.pk, old_code=unit.code, new_code=new, event=event, at=now)
        )
        renamed[unit.code] = new
        unit.code = new
    Organisation.objects.bulk_update(units, ["code"], batch_size=1000)
    OrgCodeChange.objects.bulk_create(changes, batch_size=1000)
    return renamed


def org_by_code(code):
    """The unit holding ``code`` now, or the one that held it before a move (None: none)."""
    unit = Organisation.objects.filter(code=code).first()
    if unit is None:
        change = OrgCodeChange.objects.filter(old_code=code).select_related("org").first()
        unit = change.org if change else None
    return unit


def merge_orgs(source, target, *, actor=None, note=""):
    """Merge ``source`` into ``target``: its sub-units, advisory bodies, roles and (through the
    ``org_merged`` signal) its members move to ``target``; ``source`` is closed but kept, so
    its documents, meetings and statistics stay in history."""
    with tree_lock():
        source, target = _fresh(source), _fresh(target)
        if source.pk == target.pk:
            raise ValidationError(_("Không thể sáp nhập một tổ chức vào chính nó."))
        if (
            source.tree_id == target.tree_id
            and source.lft <= target.lft
            and target.rght <= source.rght
        ):
            raise ValidationError(_("Không thể sáp nhập một tổ chức vào đơn vị trực thuộc nó."))
        if source.kind != target.kind:
            raise ValidationError(_("Chỉ sáp nhập được hai tổ chức cùng loại."))
        if not (source.is_active and target.is_active):
            raise ValidationError(_("Cả hai tổ chức phải đang hoạt động."))
        for child in list(source.get_children()):
            child = _fresh(child)
            child.move_to(_fresh(target), "last-child")
            OrgEvent.objects.create(
                org=child,
                kind=OrgEvent.Kind.MOVED,
                old_parent=source,
                new_parent=target,
                actor=actor,
            )
        AdvisoryBody.objects.filter(org=source).update(org=target)
        _move_role_assignments(source, target)
        signals.org_merged.send(sender=Organisation, source=source, target=target, actor=actor)
        Organisation.objects.filter(pk=source.pk).update(
            is_active=False, merged_into=target, dissolved_on=timezone.localdate()
        )
        OrgEvent.objects.create(
            org=source, kind=OrgEvent.Kind.MERGED, target=target, actor=actor, note=note
        )
        return _fresh(target)


def _move_role_assignments(source, target):
    for assignment in RoleAssignment.objects.filter(org=source):
        duplicate = RoleAssignment.objects.filter(
            user_id=assignment.user_id,
            role_id=assignment.role_id,
            org=target,
            advisory_body_id=assignment.advisory_body_id,
        ).exists()
        if duplicate:
            assignment.delete()
        else:
            RoleAssignment.objects.filter(pk=assignment.pk).update(org=target)


def dissolve_org(org, *, actor=None, note=""):
    """Close a unit that holds nothing any more (no active sub-units, no members)."""
    with tree_lock():
        org = _fresh(org)
        reasons = []
        active_children = org.get_children().filter(is_active=True).count()
        if active_children:
            reasons.append(
                _("Còn %(n)d tổ chức trực thuộc đang hoạt động.") % {"n": active_children}
            )
        for _receiver, response in signals.org_dissolving.send(sender=Organisation, org=org):
            reasons.extend(response or [])
        if reasons:
            raise ValidationError(reasons)
        Organisation.objects.filter(pk=org.pk).update(
            is_active=False, dissolved_on=timezone.localdate()
        )
        RoleAssignment.objects.filter(org=org).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.localdate())
        ).update(valid_until=timezone.localdate())
        OrgEvent.objects.create(org=org, kind=OrgEvent.Kind.DISSOLVED, actor=actor, note=note)
        return _fresh(org)


def check_tree(tree_id=None):
    """Return a list of problems in the nested-set fields (empty when the tree is valid).

    Walks the parent pointers from each root and checks that lft/rght/level number the walk,
    and that every unit of the tree was reached. Used by the concurrency test and by
    ``manage.py check_org_tree``.
    """
    problems = []
    qs = Organisation.objects.all()
    if tree_id is not None:
        qs = qs.filter(tree_id=tree_id)
    nodes = {
        row["pk"]: row for row in qs.values("pk", "parent_id", "tree_id", "lft", "rght", "level")
    }
    children = {}
    for row in nodes.values():
        children.setdefault(row["parent_id"], []).append(row)
    for tree in sorted({row["tree_id"] for row in nodes.values()}):
        roots = [r for r in children.get(None, []) if r["tree_id"] == tree]
        if len(roots) != 1:
            problems.append(f"tree {tree}: {len(roots)} roots")
            continue
        reached = set()
        _walk(roots[0], tree, 0, [0], children, reached, problems)
        for pk in sorted(
            pk for pk, row in nodes.items() if row["tree_id"] == tree and pk not in reached
        ):
            problems.append(f"org {pk}: in tree {tree} but not reachable from its root")
    return problems


def _walk(node, tree, level, counter, children, reached, problems):
    reached.add(node["pk"])
    counter[0] += 1
    if node["lft"] != counter[0]:
        problems.append(f"org {node['pk']}: lft {node['lft']} expected {counter[0]}")
    if node["level"] != level:
        problems.append(f"org {node['pk']}: level {node['level']} expected {level}")
    for child in sorted(children.get(node["pk"], []), key=lambda row: row["lft"]):
        if child["tree_id"] != tree:
            problems.append(f"org {child['pk']}: tree {child['tree_id']} under tree {tree}")
        _walk(child, tree, level + 1, counter, children, reached, problems)
    counter[0] += 1
    if node["rght"] != counter[0]:
        problems.append(f"org {node['pk']}: rght {node['rght']} expected {counter[0]}")
