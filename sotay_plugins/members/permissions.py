"""The member register's permission policy: the scope engine's answer, plus the account's state
for the two account actions (a code is printed only for an account never activated or reset
since; a reset applies only to an activated account)."""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q

from sotay_plugins.orgtree.admin.scoped import ScopePermissionPolicy

from . import services

#: action → whether it needs the account to have been activated
ACCOUNT_ACTIONS = {"issue_activation": False, "reset_account": True}


def awaiting_activation_q(prefix="user__"):
    """``services.needs_activation`` as a filter: inactive, no usable password."""
    return Q(
        **{f"{prefix}is_active": False, f"{prefix}password__startswith": UNUSABLE_PASSWORD_PREFIX}
    )


class MemberPermissionPolicy(ScopePermissionPolicy):
    def user_has_permission_for_instance(self, user, action, instance):
        if not super().user_has_permission_for_instance(user, action, instance):
            return False
        if action in ACCOUNT_ACTIONS:
            return services.needs_activation(instance) != ACCOUNT_ACTIONS[action]
        return True

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = super().instances_user_has_any_permission_for(user, actions)
        states = {ACCOUNT_ACTIONS.get(action) for action in actions}
        if states == {False}:
            return queryset.filter(awaiting_activation_q())
        if states == {True}:
            return queryset.exclude(awaiting_activation_q())
        return queryset
