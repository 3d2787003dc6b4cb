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
