"""Wagtail permission policies that answer from the scope engine.

Wagtail asks a model's permission policy three kinds of question: may this user do ``action``
to this model at all, to this instance, and which instances may they do it to. For a scoped
model each action is a *capability held at an organisation*, so the answers come from
``orgtree.scope``:

    policy = ScopePermissionPolicy(Member, {"view": "members.view_member",
                                            "change": "members.change_member",
                                            "transfer": "members.transfer_member"})
    register_scope_policy(policy)          # at the top of the plugin's wagtail_hooks.py

    policy.user_has_permission(user, "change")                 # scope.can(user, cap)
    policy.user_has_permission_for_instance(user, "change", m) # scope.can(user, cap, m)
    policy.instances_user_has_permission_for(user, "change")   # objects under managed_orgs(user, cap)

An action with no capability (``delete`` for members: they leave the register through a status,
never a row deletion) is refused to everyone, superusers included; ``scope.can`` lets a
superuser do every mapped action everywhere. Later plugins (documents,
meetings...) declare their own maps the same way.

Why the instance listing goes through ``managed_orgs`` and not ``visible_to``: ``visible_to``
adds what a *member* may read (their own record, their own units, published items). Admin
actions are staff rights only: a district updater who is also a member of a cell elsewhere must
not be able to edit their own record there (and so grant themselves a secretary's position).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from . import scope


class ScopePermissionPolicy(BasePermissionPolicy):
    """A permission policy for a model that declares ``scope = ScopeSpec(...)``.

    ``actions`` maps a Wagtail action ("add", "change", "delete", "view", or any custom one
    such as "move" or "transfer") to the capability it needs. Unlisted actions are refused.
    """

    def __init__(self, model, actions: dict[str, str | None]):
        super().__init__(model)
        self.actions = dict(actions)

    def check_model(self, model):
        scope.spec_of(model)  # raises a clear TypeError for a model the scope engine cannot filter

    # --- the capability an action needs ------------------------------------------------------
    def capability_for(self, action):
        return self.actions.get(action)

    def _capabilities(self, actions):
        return {cap for cap in (self.capability_for(a) for a in actions) if cap}

    # --- per model ---------------------------------------------------------------------------
    def user_has_permission(self, user, action):
        capability = self.capability_for(action)
        return bool(capability) and scope.can(user, capability)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    # --- per instance ------------------------------------------------------------------------
    def user_has_permission_for_instance(self, user, action, instance):
        capability = self.capability_for(action)
        return bool(capability) and scope.can(user, capability, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(
            self.user_has_permission_for_instance(user, action, instance) for action in actions
        )

    def managed_orgs(self, user, actions):
        """The units where the user holds the capability of any of ``actions`` (one queryset)."""
        from .models import Organisation

        if scope.is_superadmin(user):
            return Organisation.objects.all()
        orgs = Organisation.objects.none()
        for capability in sorted(self._capabilities(actions)):
            orgs = orgs | scope.managed_orgs(user, capability)
        return orgs

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        capabilities = self._capabilities(actions)
        if not capabilities or not any(scope.can(user, cap) for cap in capabilities):
            return queryset.none()
        if scope.is_superadmin(user):
            return queryset
        orgs = self.managed_orgs(user, actions)
        org_field = scope.spec_of(self.model).org_field
        if not org_field:  # the model is Organisation itself
            return orgs
        return queryset.filter(**{f"{org_field}__in": orgs.values("pk")})

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    # --- who may (used by Wagtail for notifications and reports) -----------------------------
    def _holders(self, actions, org=None):
        from .models import Role

        user_model = get_user_model()
        wanted = self._capabilities(actions)
        if not wanted:
            return user_model.objects.filter(is_active=True, is_superuser=True)
        role_ids = [
            pk
            for pk, caps in Role.objects.values_list("pk", "capabilities")
            if scope.ALL in (caps or ()) or wanted & set(caps or ())
        ]
        today = timezone.localdate()
        held = Q(
            role_assignments__role_id__in=role_ids,
            role_assignments__valid_from__lte=today,
            role_assignments__org__is_active=True,
        ) & (
            Q(role_assignments__valid_until__isnull=True)
            | Q(role_assignments__valid_until__gte=today)
        )
        if org is not None:  # the right reaches a unit from the unit itself or any ancestor
            held &= Q(
                role_assignments__org__tree_id=org.tree_id,
                role_assignments__org__lft__lte=org.lft,
                role_assignments__org__rght__gte=org.rght,
            )
        return user_model.objects.filter(Q(is_superuser=True) | held, is_active=True).distinct()

    def users_with_any_permission(self, actions):
        return self._holders(actions)

    def users_with_any_permission_for_instance(self, actions, instance):
        org = scope.org_of(instance)
        if org is None:
            return get_user_model().objects.filter(is_active=True, is_superuser=True)
        return self._holders(actions, org)


def register_scope_policy(policy: ScopePermissionPolicy):
    """Register ``policy`` with Wagtail for its model (exact class); idempotent on reload."""
    model = policy._model_or_name
    current = policy_registry.get_by_type(model, fallback=False)
    if isinstance(current, ScopePermissionPolicy) and current.actions == policy.actions:
        return current
    register_permission_policy(model, policy, exact_class=True)
    return policy


def policy_for(model) -> ScopePermissionPolicy:
    policy = policy_registry.get_by_type(model, fallback=False)
    if not isinstance(policy, ScopePermissionPolicy):
        raise LookupError(f"{model.__name__} has no scope permission policy registered")
    return policy


# --- granting roles -------------------------------------------------------------------------


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
