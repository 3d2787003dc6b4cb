"""System checks of how the product is deployed.

A shared cache (``sotay.E010``). Revocations travel through the cache: the version stamps of
:mod:`sotay_plugins.versions` (``grants``: a role withdrawn or the tree changed; ``content``: a
page or a file withdrawn; a person's stamp: a password change or a deactivation) and the
sessions (``cached_db``: a logout deletes the session from the cache). What the product keeps in
each process otherwise cannot hold a right or a grant: routes and header templates of the front,
SQL text of the check-in statements, font registration, choice tables of the importer, and the
grants kept on a user object for one request. So a cache local to each process
(``LocMemCache``) is the one thing a revocation in one worker cannot reach in another: a revoked
role keeps working there for up to an hour (``scope.GRANTS_TTL``), a withdrawn file for as long
as that worker's stamps live, a logged-out session until the worker restarts.

Production settings set ``SOTAY_SHARED_CACHE_REQUIRED``: without a shared cache
(``REDIS_URL``) the check is an error, which stops ``runserver``, ``migrate``, ``rqworker`` and
every other command that runs checks, and :func:`refuse_to_start` (called by ``config/wsgi.py``)
stops gunicorn. Elsewhere the check runs under ``check --deploy`` only, where it is an error too.
One process (``make run``, the tests) may keep a local cache: it is shared by everything there is.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

#: Cache backends whose entries live in one process only.
PER_PROCESS_BACKENDS = frozenset({"django.core.cache.backends.locmem.LocMemCache"})
TAG = "sotay_deploy"


def per_process_caches():
    """The aliases of the caches revocations go through whose entries live in one process."""
    aliases = dict.fromkeys(["default", getattr(settings, "SESSION_CACHE_ALIAS", "default")])
    return [
        alias
        for alias in aliases
        if settings.CACHES.get(alias, {}).get("BACKEND") in PER_PROCESS_BACKENDS
    ]


def _shared_cache_errors():
    aliases = per_process_caches()
    if not aliases:
        return []
    return [
        checks.Error(
            _(
                "Bộ nhớ đệm %(aliases)s chỉ nằm trong từng tiến trình: khi chạy nhiều tiến trình, "
                "một quyền đã thu hồi, một tệp đã gỡ hay một phiên đã đăng xuất vẫn còn dùng được "
                "ở các tiến trình khác."
            )
            % {"aliases": ", ".join(aliases)},
            hint=_(
                "Đặt REDIS_URL (ví dụ redis://127.0.0.1:6379/0) để mọi tiến trình dùng chung một "
                "bộ nhớ đệm."
            ),
            id="sotay.E010",
        )
    ]


@checks.register(TAG)
def shared_cache_required(app_configs=None, **kwargs):
    """Always an error where the settings require a shared cache (production)."""
    if not getattr(settings, "SOTAY_SHARED_CACHE_REQUIRED", False):
        return []
    return _shared_cache_errors()


@checks.register(TAG, deploy=True)
def shared_cache_for_deploy(app_configs=None, **kwargs):
    """Under ``check --deploy`` an error whatever the settings (reported once)."""
    if getattr(settings, "SOTAY_SHARED_CACHE_REQUIRED", False):
        return []  # shared_cache_required reports it
    return _shared_cache_errors()


def refuse_to_start():
    """Raise ImproperlyConfigured when a check of :data:`TAG` fails (the WSGI application calls
    it: gunicorn runs no system checks of its own)."""
    errors = [
        message
        for message in checks.run_checks(tags=[TAG])
        if message.level >= checks.ERROR and not message.is_silenced()
    ]
    if errors:
        raise ImproperlyConfigured("\n".join(str(message) for message in errors))
