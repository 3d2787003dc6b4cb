"""Built-in roles come from the registry: each plugin declares its own (``registry.add_role``),
and ``sync_builtin_roles`` writes them, with what they bundle, to the Role table."""

import pytest

from sotay_plugins.orgtree.models import Role
from sotay_plugins.orgtree.roles import STAFF_BASE, sync_builtin_roles
from sotay_plugins.orgtree.scope import ALL
from sotay_plugins.registry import registry

pytestmark = pytest.mark.django_db


def test_the_role_table_holds_what_the_registry_declares():
    sync_builtin_roles()
    builtin = {role.code: role for role in Role.objects.filter(is_builtin=True)}
    assert set(builtin) == set(registry.roles)
    for code, role in builtin.items():
        declared = registry.roles[code]
        assert (role.name, role.needs_body) == (str(declared.name), declared.needs_body)
        expected = [ALL] if code == "full_admin" else sorted(registry.role_grants[code])
        assert role.capabilities == expected
    assert builtin["document_uploader"].needs_body
    assert set(STAFF_BASE) <= set(builtin["cell_secretary"].capabilities)
    # a role is declared by the plugin whose work it is (feedback's by feedback), never here
    assert "retired_plugin_role" not in builtin


def test_a_builtin_role_nobody_declares_any_more_bundles_nothing():
    stale = Role.objects.create(
        code="retired_plugin_role",
        name="Vai trò của plugin đã tắt",
        capabilities=list(STAFF_BASE),
        is_builtin=True,
    )
    custom = Role.objects.create(code="tu_tao", name="Tự tạo", capabilities=list(STAFF_BASE))
    sync_builtin_roles()
    stale.refresh_from_db()
    custom.refresh_from_db()
    assert stale.capabilities == []  # kept (with its assignments) until its plugin is back
    assert custom.capabilities == list(STAFF_BASE)  # an administrator's own role is untouched
