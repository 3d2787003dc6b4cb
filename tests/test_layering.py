"""DESIGN.md's layers, enforced on the import graph of every module (read with ``ast``, so lazy
imports inside functions and ``import_module("...")`` with a literal name count too).

    core (sotay_plugins/*.py) → orgtree → members → attendance → the modules
    (editorial, meetings, search, study, feedback, reports, notices, agenda)

- a layer imports only itself and the layers to its left;
- modules never import each other: they meet through the registry and sotay_plugins/signals.py;
- the core names no plugin, not even in a string (a dotted path to a plugin's module);
- a plugin imports another plugin only if its AppConfig declares it in ``depends_on``;
- nothing but the wiring (config/, manage.py), the tests and the benchmarks imports ``config``;
- a test module imports no other test module: shared fixtures and helpers live in a
  ``conftest.py`` or in ``tests/factories.py``.

Tests may wire several layers together (an orgtree merge test creates members); they are held
to the last rule only.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

#: The layers, left to right. Every unit of the last one is a module of its own.
CORE, ORGTREE, MEMBERS, ATTENDANCE = "core", "orgtree", "members", "attendance"
RANK = {CORE: 0, ORGTREE: 1, MEMBERS: 2, ATTENDANCE: 3}
MODULE_RANK = 4
#: Top-level packages that are modules (layer 4) although they live beside sotay_plugins/.
TOP_LEVEL_MODULES = {"editorial", "search"}
#: Subpackages of sotay_plugins that belong to the core rather than being plugins.
CORE_SUBPACKAGES = {"management", "migrations", "templatetags"}
#: Free to import anything (they wire, test or measure the product).
UNRESTRICTED = {"config", "tests", "bench", "manage", "conftest"}

SCANNED = ("sotay_plugins", "editorial", "search", "tests", "config")


@dataclass(frozen=True)
class Import:
    path: str
    line: int
    importer: str
    imported: str


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_repo_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def unit_of(module: str) -> str | None:
    """The layer unit a dotted module name belongs to; None for third-party code."""
    parts = module.split(".")
    head = parts[0]
    if head == "sotay_plugins":
        if len(parts) == 1 or parts[1] in CORE_SUBPACKAGES:
            return CORE
        if (ROOT / "sotay_plugins" / parts[1]).is_dir():
            return parts[1]
        return CORE  # a module file of the core (registry, signals, jobs, ...)
    if head in TOP_LEVEL_MODULES or head in UNRESTRICTED:
        return head
    return None


def rank(unit: str) -> int:
    return RANK.get(unit, MODULE_RANK)


def is_test_code(module: str) -> bool:
    return ".tests." in f".{module}."


def is_test_module(module: str) -> bool:
    return module.rsplit(".", 1)[-1].startswith("test_")


def imports_of(source: str, module: str, path: str, is_package: bool = False):
    """Every import a module makes (relative ones resolved), with its line."""
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(path, node.lineno, module, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield Import(path, node.lineno, module, target)
            # ``from package import submodule`` imports the submodule too.
            for alias in node.names:
                if is_repo_module(f"{target}.{alias.name}"):
                    yield Import(path, node.lineno, module, f"{target}.{alias.name}")
        elif isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if (
                name == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield Import(path, node.lineno, module, node.args[0].value)


def depends_on(unit: str) -> set[str] | None:
    """The labels a plugin's AppConfig declares in ``depends_on`` (read from its apps.py)."""
    base = ROOT / "sotay_plugins" / unit if unit not in TOP_LEVEL_MODULES else ROOT / unit
    apps_py = base / "apps.py"
    if not apps_py.exists():
        return None
    for node in ast.walk(ast.parse(apps_py.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == "depends_on" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


def violations_of(imp: Import) -> list[str]:
    """What is wrong with one import, as sentences (empty when it is allowed)."""
    src, dst = unit_of(imp.importer), unit_of(imp.imported)
    where = f"{imp.path}:{imp.line}: {imp.importer} imports {imp.imported}"
    found = []
    if is_test_module(imp.imported) and imp.imported != imp.importer:
        found.append(f"{where}: a test module is imported (put shared helpers in a conftest.py)")
    if dst is None or src is None or src in UNRESTRICTED or dst == src:
        return found
    if is_test_code(imp.importer):
        return found  # tests may wire several layers together; only the rule above holds
    if dst == "config":
        found.append(f"{where}: only the wiring, tests and benchmarks import config")
        return found
    if dst == "tests":
        if not is_test_code(imp.importer):
            found.append(f"{where}: production code imports the tests")
        return found
    if dst in UNRESTRICTED:
        return found
    if rank(dst) >= rank(src):
        if rank(src) == MODULE_RANK and rank(dst) == MODULE_RANK:
            found.append(f"{where}: modules never import each other (use the registry or signals)")
        else:
            found.append(f"{where}: {src} may not import {dst} (a layer to its right)")
    elif dst != CORE:
        declared = depends_on(src)
        if declared is not None and dst not in declared:
            found.append(f"{where}: {src} uses {dst} without declaring it in depends_on")
    return found


def python_files():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path


def all_imports():
    for path in python_files():
        yield from imports_of(
            path.read_text(encoding="utf-8"),
            module_name(path),
            str(path.relative_to(ROOT)),
            is_package=path.name == "__init__.py",
        )


def plugin_names():
    names = {p.name for p in (ROOT / "sotay_plugins").iterdir() if p.is_dir()}
    return sorted((names - CORE_SUBPACKAGES - {"__pycache__"}) | TOP_LEVEL_MODULES)


def test_the_import_graph_keeps_the_layers():
    problems = [problem for imp in all_imports() for problem in violations_of(imp)]
    assert problems == [], "\n".join(problems)


def test_the_core_names_no_plugin_even_in_strings():
    """A dotted path to a plugin in the core (a middleware list, a lazy import by name) is a
    dependency the import graph would not see."""
    pattern = re.compile(
        r"^(?:sotay_plugins\.)?(?:{})(?:\.|$)".format("|".join(map(re.escape, plugin_names())))
    )
    problems = []
    for path in python_files():
        module = module_name(path)
        if unit_of(module) != CORE or ".tests" in module:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and "." in node.value
                and " " not in node.value
                and pattern.match(node.value)
            ):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert problems == [], "\n".join(problems)


# --- the checker itself can fail ---------------------------------------------------------------


@pytest.mark.parametrize(
    "importer, source, expected",
    [
        ("sotay_plugins.orgtree.scope", "from sotay_plugins.members import models", "right"),
        ("sotay_plugins.registry", "import editorial.models", "right"),
        ("sotay_plugins.meetings.views", "from editorial.models import X", "each other"),
        ("editorial.views", "def f():\n    from search import engine", "each other"),
        ("search.engine", "import_module('sotay_plugins.meetings.models')", "each other"),
        ("sotay_plugins.members.admin", "from ..meetings import models", "right"),
        ("sotay_plugins.members.views", "from config import bench_views", "config"),
        ("sotay_plugins.members.views", "from tests.factories import MemberFactory", "tests"),
        ("sotay_plugins.members.views", "from sotay_plugins.meetings import models", "right"),
        ("sotay_plugins.meetings.tests.test_a", "from .test_b import helper", "test module"),
    ],
)
def test_the_checker_flags_a_broken_rule(importer, source, expected):
    found = [
        problem for imp in imports_of(source, importer, "x.py") for problem in violations_of(imp)
    ]
    assert any(expected in problem for problem in found), found


@pytest.mark.parametrize(
    "importer, source",
    [
        ("sotay_plugins.meetings.services", "from sotay_plugins.orgtree import scope"),
        ("sotay_plugins.meetings.services", "from sotay_plugins import signals, registry"),
        ("editorial.views", "from sotay_plugins.members.models import Member"),
        ("sotay_plugins.meetings.tests.test_a", "from tests.factories import grant"),
        ("config.urls", "import editorial.urls"),
    ],
)
def test_the_checker_allows_what_the_layers_allow(importer, source):
    found = [
        problem for imp in imports_of(source, importer, "x.py") for problem in violations_of(imp)
    ]
    assert found == []
