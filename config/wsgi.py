"""The WSGI application: Django's, behind the front that gives the few declared fast answers
(sotay_plugins.front: the check-in scan at the monthly meeting peak)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django_application = get_wsgi_application()

from sotay_plugins.checks import refuse_to_start  # noqa: E402 (needs the settings configured above)
from sotay_plugins.front import Front  # noqa: E402

refuse_to_start()  # gunicorn runs no system checks: a per-process cache in production stops here

application = Front(django_application)

# Everything loaded so far (Django, Wagtail, the plugins: ~270,000 objects) lives as long as the
# process. Frozen, the collector's full passes no longer walk it: such a pass took 150 ms in the
# middle of a request (a district's dashboard, issue 16's bench), and ~20 ms frozen. Under
# gunicorn's preload_app this runs once in the master, before the fork, so the workers also keep
# those pages shared (no reference-count writes from the collector).
gc.freeze()

# Large blocks stay in the heap for the next request. A photo's send allocates a few buffers of
# its size (the body, the file's bytes); glibc hands out blocks that large with mmap and returns
# them to the system when freed, so every send faulted in and zeroed fresh pages for each (on
# virtual machines whose host takes freed memory back, dearly). Blocks up to 32 MB now come
# from the heap, and up to 128 MB of free heap is kept: a worker's resident size stays at its
# peak instead of going down between requests. bench/RESULTS.md, issue 14 (with the parser of
# sotay_plugins/uploads.py: gunicorn's CPU a send 29.5 -> 24.6 ms).
try:
    import ctypes

    _libc = ctypes.CDLL("libc.so.6")
    _libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD
    _libc.mallopt(-1, 128 * 1024 * 1024)  # M_TRIM_THRESHOLD
except (OSError, AttributeError):  # not glibc: its own allocator's defaults
    pass
