"""Who may give which role where.

Giving a role is itself a right held at an organisation (``orgtree.assign_roles``), and nobody
hands out more than they hold: the role's every capability must be theirs at that unit. The
role-assignment admin (``orgtree.admin.assignments``) and its forms ask these functions; the
permission policies of the scoped admin live in ``orgtree.admin.scoped``.
"""

from __future__ import annotations

from . import scope


def may_grant(user, role, org) -> bool:
    """May ``user`` give ``role`` at ``org``? They must hold ``orgtree.assign_roles`` there and
    every capability the role bundles (so nobody hands out more than they have)."""
    if scope.is_superadmin(user):
        return True
    if not scope.can(user, "orgtree.assign_roles", org):
        return False
    capabilities = set(role.capabilities or ())
    if scope.ALL in capabilities:
        return any(g.allows(scope.ALL) and g.covers(org) for g in scope.grants(user))
    return all(scope.can(user, cap, org) for cap in capabilities)


def account_in_reach(actor, account) -> bool:
    """May ``actor`` name ``account`` when giving a role? Only an account within their reach: a
    member of a cell under a unit where they hold ``orgtree.assign_roles``, an account holding a
    role there, or a staff account attached nowhere yet (no member record, no role). The roles
    screen answers "not found" for any other account, so it cannot be used to learn which CCCDs
    have an account elsewhere in the province."""
    from sotay_plugins.registry import registry

    from .models import RoleAssignment

    if scope.is_superadmin(actor):
        return True
    if not scope.can(actor, "orgtree.assign_roles"):
        return False
    reach = scope.managed_orgs(actor, "orgtree.assign_roles")
    resolver = registry.account_cell_resolver
    cell_id = resolver(account) if resolver else None
    if cell_id is not None and reach.filter(pk=cell_id).exists():
        return True
    roles = RoleAssignment.objects.filter(user=account)
    if roles.filter(org__in=reach).exists():
        return True
    return cell_id is None and not roles.exists()


def grantable_roles(user):
    """The roles ``user`` could give somewhere (the choice list of the role-assignment form)."""
    from .models import Role

    roles = Role.objects.order_by("name")
    if scope.is_superadmin(user):
        return roles
    if not scope.can(user, "orgtree.assign_roles"):
        return roles.none()
    has_all = any(g.allows(scope.ALL) for g in scope.grants(user))
    keep = []
    for role in roles:
        capabilities = set(role.capabilities or ())
        if has_all or (
            scope.ALL not in capabilities and all(scope.can(user, c) for c in capabilities)
        ):
            keep.append(role.pk)
    return roles.filter(pk__in=keep)


def grant_role(assignment, *, granted_by):
    """Save a new RoleAssignment given by ``granted_by``, refusing (in Vietnamese) a role or a
    unit beyond the giver's own rights. The grant is written to the audit log."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _
    from wagtail.log_actions import log

    if not may_grant(granted_by, assignment.role, assignment.org):
        raise ValidationError(
            _("Bạn không được giao vai trò %(role)s tại %(org)s.")
            % {"role": assignment.role.name, "org": assignment.org.name}
        )
    assignment.granted_by = granted_by
    assignment.full_clean()
    with transaction.atomic():
        assignment.save()
        log(assignment, "wagtail.create", user=granted_by)
    scope.forget(assignment.user)
    return assignment
