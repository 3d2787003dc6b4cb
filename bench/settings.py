"""The production settings, plus the bare view of bench/bare.py at ``/bench/bare/``.

``DJANGO_SETTINGS_MODULE=bench.settings`` (with the repository root on the path, as gunicorn
and manage.py have it) is how bench/bench_library.py runs the site: nothing else changes.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
