"""The plugin contract: enabled plugins register through the registry; a disabled one leaves
no route, capability, tab or API behind; third-party plugins join by entry point."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sotay_plugins import discovery
from sotay_plugins.registry import Registry

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
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
    "tabs": sorted(registry.shell_tabs),
    "api": sorted(r.prefix for r in registry.api_routes),
    "routes": {p: resolves(p) for p in ["/", "/ho-so/", "/api/v1/members/", "/api/v1/me/", "/api/v1/orgs/", "/api/v1/dummy/"]},
}))
"""


def probe(**env):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_all_builtin_plugins_are_on_by_default():
    seen = probe()
    assert {"orgtree.view_org", "members.view_member"} <= set(seen["capabilities"])
    assert seen["routes"]["/api/v1/members/"] and seen["routes"]["/ho-so/"]


def test_a_disabled_plugin_leaves_no_route_capability_or_tab():
    seen = probe(SOTAY_PLUGINS="orgtree")
    assert not any(c.startswith("members.") for c in seen["capabilities"])
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


def test_registering_the_same_thing_twice_is_an_error():
    registry = Registry()
    registry.add_capability("x.y", "X")
    with pytest.raises(ValueError, match="twice"):
        registry.add_capability("x.y", "Khác")
    registry.add_api_route("a", object, "a")
    with pytest.raises(ValueError, match="twice"):
        registry.add_api_route("a", object, "b")


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
