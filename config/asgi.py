import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()

from sotay_plugins.checks import refuse_to_start  # noqa: E402 (needs the settings configured above)

refuse_to_start()
