"""Wagtail hooks of the newsroom and the library, one module per concern (imported here so
that Wagtail, which loads every app's ``wagtail_hooks``, registers them all)."""

from importlib import import_module
from importlib.util import find_spec

for _part in ("hooks_admin", "hooks_reading", "hooks_publishing"):
    if find_spec(f"editorial.{_part}"):
        import_module(f"editorial.{_part}")
