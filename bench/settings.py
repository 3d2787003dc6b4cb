"""The production settings, plus the bare view of bench/bare.py at ``/bench/bare/``.

``DJANGO_SETTINGS_MODULE=bench.settings`` (with the repository root on the path, as gunicorn
and manage.py have it) is how bench/bench_library.py runs the site: nothing else changes.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Autocomplete answers kept per viewer and index stamp (search.backends.database.suggest):
# BENCH_SUGGEST_SECONDS=0 measures every request computed (the all-miss run).
SEARCH_SUGGEST_SECONDS = float(__import__("os").environ.get("BENCH_SUGGEST_SECONDS", "30"))
