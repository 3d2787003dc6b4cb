"""The repository's layout rules (DESIGN.md): no stdlib name shadowed, every plugin declares
itself."""

import importlib
import inspect
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from sotay_plugins.plugin import PluginConfig, enabled_plugins

ROOT = Path(settings.BASE_DIR)
PLUGINS = ROOT / "sotay_plugins"
#: Subpackages of sotay_plugins that are not plugins.
NOT_PLUGINS = {"management", "migrations", "tests", "templatetags", "templates", "static", "locale"}


def is_package(path):
    """Would ``import <name>`` find this directory's own Python code?"""
    return (path / "__init__.py").exists() or any(path.glob("*.py"))


def top_level_importables():
    names = {}
    for entry in ROOT.iterdir():
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_file() and entry.suffix == ".py":
            names[entry.stem] = entry
        elif entry.is_dir() and is_package(entry):
            names[entry.name] = entry
    return names


def test_no_top_level_module_or_package_has_a_stdlib_name():
    names = top_level_importables()
    assert (
        "sotay_plugins" in names and "config" in names and "manage" in names
    )  # the scan sees the repo
    clashes = sorted(name for name in names if name in sys.stdlib_module_names)
    assert clashes == [], f"top-level names shadowing the standard library: {clashes}"


@pytest.mark.parametrize("name", ["site", "locale"])
def test_directories_with_stdlib_names_are_not_packages(name):
    """``site/`` (templates, static, deploy) and ``locale/`` (catalogues) must stay plain
    folders."""
    assert name in sys.stdlib_module_names
    path = ROOT / name
    if path.exists():
        assert not is_package(path), f"{name}/ must not hold __init__.py or top-level .py files"


def plugin_packages():
    return sorted(
        p.name
        for p in PLUGINS.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_PLUGINS
    )


def test_plugin_names_are_not_stdlib_names():
    names = plugin_packages() + [config.label for config in apps.get_app_configs()]
    assert "orgtree" in names
    assert sorted(n for n in names if n in sys.stdlib_module_names) == []


@pytest.mark.parametrize("package", plugin_packages())
def test_every_plugin_has_a_plugin_config_with_metadata(package):
    assert (PLUGINS / package / "apps.py").exists(), f"sotay_plugins/{package}/apps.py is missing"
    module = importlib.import_module(f"sotay_plugins.{package}.apps")
    configs = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, PluginConfig)
        and obj is not PluginConfig
        and obj.__module__ == module.__name__
    ]
    assert len(configs) == 1, (
        f"sotay_plugins/{package}/apps.py must define one PluginConfig, found {configs}"
    )
    config = configs[0]
    assert config.name == f"sotay_plugins.{package}"
    assert "verbose_name" in vars(config) and str(config.verbose_name).strip(), (
        "verbose_name (Vietnamese label)"
    )
    assert (
        "version" in vars(config)
        and isinstance(config.version, str)
        and config.version not in ("", "0")
    )
    installed = apps.get_app_config(config.label)
    assert isinstance(installed, config) and installed.is_sotay_plugin


def test_the_plugin_scan_finds_the_known_plugins():
    assert {"orgtree", "members"} <= set(plugin_packages())


def test_every_enabled_plugin_declares_what_it_needs():
    """Plugins outside sotay_plugins/ (editorial, search) too: metadata, the plugins they depend
    on (plugins, all enabled), the apps they require and their URLconf, all checked."""
    configs = {config.label: config for config in enabled_plugins()}
    assert {"orgtree", "members", "editorial", "search"} <= set(configs)
    for config in configs.values():
        assert str(config.verbose_name).strip() and config.version not in ("", "0"), config.label
        for label in config.depends_on:
            assert label in configs, f"{config.label} depends on {label}, which is not a plugin"
        config.check_declarations()
    assert set(configs["editorial"].depends_on) == {"orgtree", "members"}
    assert {"wagtaildocs", "wagtailimages"} <= set(configs["editorial"].requires)
    assert configs["editorial"].urls == "editorial.urls" and configs["search"].urls == "search.urls"
