"""How the plugin is wired: explicitly, at start-up, never as a side effect of an import.

- ``EditorialConfig.ready`` connects every receiver (``editorial/receivers.py``) and registers the
  scoped Wagtail permission policies: a process that only ran ``django.setup()`` (a worker, a
  management command) publishes, notifies and checks rights like the web process.
- The demo data is reached only through its ``DemoSeeder``: serving the site never imports it.
- One subpackage per concern, no module that imports optional "parts" by name.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys, django
django.setup()
from django.db.models.signals import post_delete
from django.core.signals import request_finished
from wagtail.models import Page, TaskState, WorkflowState
from wagtail.permissions import policy_registry
from wagtail.signals import page_published, page_unpublished, task_submitted, workflow_rejected
from editorial.models import LibraryFile, NewsPage
seen = {
    "published": page_published.has_listeners(NewsPage),
    "unpublished": page_unpublished.has_listeners(NewsPage),
    "deleted": post_delete.has_listeners(LibraryFile),
    "rejected": workflow_rejected.has_listeners(WorkflowState),
    "submitted": task_submitted.has_listeners(TaskState),
    "scheduler": any("after_request" in repr(r) for r in request_finished.receivers),
    "page_policy": type(policy_registry.get_by_type(Page)).__name__,
    "file_policy": type(policy_registry.get_by_type(LibraryFile)).__name__,
}
# Serving: the URLconf (with the API) and Wagtail's hooks, as the first request loads them.
from django.urls import get_resolver
get_resolver().url_patterns
from wagtail import hooks
hooks.get_hooks("on_serve_page")
seen["demo_loaded"] = sorted(m for m in sys.modules if m.startswith("editorial.demo"))
print(json.dumps(seen))
"""


def test_ready_connects_the_receivers_and_policies_and_serving_never_imports_the_demo():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen.pop("demo_loaded") == []
    assert seen == {
        "published": True,
        "unpublished": True,
        "deleted": True,
        "rejected": True,
        "submitted": True,
        "scheduler": True,
        "page_policy": "ScopedPagePermissionPolicy",
        "file_policy": "ScopedLibraryFilePolicy",
    }


def test_modules_are_wired_by_name_never_probed():
    """No ``find_spec`` / ``import_module`` loop over "parts" (a misspelt one would be skipped
    silently), and no concern spread over file-name prefixes instead of a subpackage."""
    for package in ("editorial", "search"):
        for path in (ROOT / package).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            text = path.read_text()
            assert "find_spec" not in text and "import_module" not in text, path
        top = [p.stem for p in (ROOT / package).glob("*.py")]
        prefixed = [n for n in top if re.match(r"(hooks|register|urls|api|admin|views)_", n)]
        assert prefixed == [], f"{package}/: use a subpackage per concern, not {prefixed}"
    assert "find_spec" not in (ROOT / "config" / "urls.py").read_text()
