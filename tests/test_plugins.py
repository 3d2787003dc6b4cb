"""The plugin contract: enabled plugins register through the registry; a disabled one leaves
no route, capability, tab or API behind; third-party plugins join by entry point."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sotay_plugins import discovery
from sotay_plugins.registry import Registry

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
from wagtail import hooks
def scope_policies():
    from django.apps import apps
    from wagtail.permissions import policy_registry
    return sorted(
        model._meta.label for model in apps.get_models()
        if "ScopePermissionPolicy" in [
            c.__name__ for c in type(policy_registry.get_by_type(model, fallback=False)).__mro__
        ]
    )
search_for_hooks, policies = hooks.search_for_hooks, []
def first_search():  # what is registered when the first wagtail_hooks module is imported
    if not hooks._searched_for_hooks and not policies:
        policies.append(scope_policies())
    search_for_hooks()
hooks.search_for_hooks = first_search
django.setup()
from django.urls import resolve, Resolver404
from sotay_plugins.registry import registry
def resolves(path):
    try:
        resolve(path); return True
    except Resolver404:
        return False
print(json.dumps({
    "capabilities": sorted(registry.capabilities),
    "roles": sorted(registry.roles),
    "policies": policies[0],
    "tabs": sorted(registry.shell_tabs),
    "api": sorted(r.prefix for r in registry.api_routes),
    "routes": {p: resolves(p) for p in [
        "/", "/ho-so/", "/api/v1/members/", "/api/v1/me/", "/api/v1/orgs/", "/api/v1/dummy/",
        "/thu/cham/",
    ]},
}))
"""


def run_probe(**env):
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
    )


def probe(**env):
    result = run_probe(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


ORGTREE_ROLES = ["cell_secretary", "document_uploader", "full_admin", "member_updater", "viewer"]


def test_all_builtin_plugins_are_on_by_default():
    seen = probe()
    assert {"orgtree.view_org", "members.view_member"} <= set(seen["capabilities"])
    assert seen["routes"]["/api/v1/members/"] and seen["routes"]["/ho-so/"]
    # each plugin brings its own roles: the newsroom's come with editorial, feedback's with it,
    # the points manager with study
    assert seen["roles"] == sorted(
        [
            *ORGTREE_ROLES,
            "editorial_board",
            "news_editor",
            "feedback_handler",
            "feedback_screener",
            "identity_custodian",
            "points_manager",
        ]
    )
    # permission policies are registered when the apps are ready, before any hook is imported
    assert {
        "orgtree.Organisation",
        "orgtree.AdvisoryBody",
        "orgtree.RoleAssignment",
        "members.Member",
    } <= set(seen["policies"])


def test_a_disabled_plugin_leaves_no_route_capability_or_tab():
    seen = probe(SOTAY_PLUGINS="orgtree")
    assert not any(c.startswith("members.") for c in seen["capabilities"])
    assert seen["roles"] == ORGTREE_ROLES  # orgtree names no later plugin's role
    assert seen["policies"] == [
        "orgtree.AdvisoryBody",
        "orgtree.Organisation",
        "orgtree.RoleAssignment",
    ]
    assert seen["tabs"] == [] and "members" not in seen["api"]
    assert (
        not seen["routes"]["/ho-so/"]
        and not seen["routes"]["/api/v1/members/"]
        and not seen["routes"]["/api/v1/me/"]
    )
    assert seen["routes"]["/api/v1/orgs/"]  # orgtree stays: everything depends on it


def test_a_third_party_plugin_joins_through_its_entry_point(monkeypatch):
    class EntryPoint:
        name, value = "dummyplugin", "tests.dummyplugin"

    monkeypatch.setattr(
        discovery, "entry_points", lambda group: [EntryPoint()] if group == "sotay.plugins" else []
    )
    assert discovery.plugin_apps(["sotay_plugins.orgtree", "sotay_plugins.members"]) == [
        "sotay_plugins.orgtree",
        "sotay_plugins.members",
        "tests.dummyplugin",
    ]
    assert discovery.plugin_apps(
        ["sotay_plugins.orgtree", "sotay_plugins.members"], ["orgtree"]
    ) == ["sotay_plugins.orgtree"]


def test_the_dummy_plugin_registers_everything_it_declares():
    seen = probe(SOTAY_EXTRA_APPS="tests.dummyplugin")
    assert (
        "dummy.poke" in seen["capabilities"] and "dummy" in seen["tabs"] and "dummy" in seen["api"]
    )
    assert seen["routes"]["/api/v1/dummy/"]
    assert seen["routes"]["/thu/cham/"]  # its declared URLconf, mounted at its url_prefix


def test_a_misspelt_urls_declaration_stops_start_up():
    """A plugin naming a URLconf that does not exist is refused at ``django.setup()``, not left
    silently without routes."""
    result = run_probe(SOTAY_EXTRA_APPS="tests.misspeltplugin")
    assert result.returncode != 0
    assert "tests.misspeltplugin.ulrs" in result.stderr and "no such module" in result.stderr


@pytest.mark.parametrize(
    ("attr", "value", "message"),
    [
        ("depends_on", ("orgtree", "nosuchplugin"), "needs plugin(s) nosuchplugin enabled"),
        ("requires", ("wagtaildocs", "nosuchapp"), "needs app(s) nosuchapp in INSTALLED_APPS"),
        ("urls", "search.nosuchurls", "urls = 'search.nosuchurls': no such module"),
        ("urls", "nosuchpackage.urls", "urls = 'nosuchpackage.urls': no such module"),
        ("url_prefix", "tim", "url_prefix 'tim' must end with '/'"),
    ],
)
def test_what_a_plugin_declares_is_checked(monkeypatch, attr, value, message):
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    config = apps.get_app_config("search")
    config.check_declarations()  # as declared: fine
    monkeypatch.setattr(config, attr, value)
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        config.check_declarations()


def test_registering_the_same_thing_twice_is_an_error():
    registry = Registry()
    registry.add_capability("x.y", "X")
    with pytest.raises(ValueError, match="twice"):
        registry.add_capability("x.y", "Khác")
    registry.add_api_route("a", object, "a")
    with pytest.raises(ValueError, match="twice"):
        registry.add_api_route("a", object, "b")
    registry.add_role("r", "Vai trò", capabilities=["x.y"])
    registry.add_role("r", "Vai trò")  # the same declaration again is harmless
    with pytest.raises(ValueError, match="twice"):
        registry.add_role("r", "Vai trò khác")
    registry.add_capability("x.z", "Z", roles=["r"])
    assert registry.role_grants["r"] == {"x.y", "x.z"}


@pytest.mark.parametrize("key", ["Document", "tin-bai", "study/resolution", "a..b", ".a", ""])
def test_a_searchable_kind_key_that_no_url_can_carry_is_refused(key):
    from sotay_plugins.registry import SearchableKind

    with pytest.raises(ValueError, match="searchable kind key"):
        Registry().add_searchable(SearchableKind(key, "X", object))


def test_every_registered_searchable_kind_has_a_link_to_its_hits():
    """``search:open`` carries each kind's key ("study.resolution" holds a dot; the page once
    failed to build such a link) and hands it back unchanged."""
    from django.urls import resolve, reverse

    from sotay_plugins.registry import registry

    assert {"document", "news", "study.resolution", "feedback.faq", "meetings.meeting"} <= set(
        registry.searchable
    )
    for key in registry.searchable:
        match = resolve(reverse("search:open", args=[key, 7]))
        assert match.kwargs == {"kind": key, "pk": 7}


def test_the_api_schema_builds_with_a_plugin_disabled(tmp_path):
    out = tmp_path / "schema.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--fail-on-warn", "--file", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "SOTAY_PLUGINS": "orgtree,members",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "/api/v1/me/" in out.read_text() and "/api/v1/meetings/" not in out.read_text()
