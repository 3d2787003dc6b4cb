"""Production: everything from the environment, HTTPS assumed, nothing embedded."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")

# Revocations (a role, a file, a session) reach every worker through the cache: a cache local to
# each process is refused (sotay_plugins.checks, sotay.E010). SOTAY_ALLOW_PER_PROCESS_CACHE=1 lets
# one process (or a benchmark) start without Redis; `check --deploy` still reports it.
SOTAY_SHARED_CACHE_REQUIRED = not env_bool("SOTAY_ALLOW_PER_PROCESS_CACHE", False)  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)  # noqa: F405
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# SAMEORIGIN, not DENY: Wagtail's page preview and the in-page PDF viewer frame our own pages.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"  # noqa: F405
# Restricted files are handed to the front server after the scope check (X-Accel-Redirect).
SOTAY_SENDFILE = os.environ.get("SOTAY_SENDFILE", "nginx")
