"""The signed-in person's account, kept in the shared cache under their stamp.

Django's ``ModelBackend`` reads the account (``SELECT … FROM auth_user``) on every request of a
signed-in person, to check the session against it: about a fifth of an autocomplete's work on
the server (bench/RESULTS.md, issue 15). :class:`KeptAccountBackend` keeps the account's row in
the shared cache under the person's stamp (``versions.person_key``), which moves on whenever the
account or the member record is saved or deleted (``services.touch_person``), after the
importer's bulk writes, and after the admin's bulk actions on accounts (``wagtail_hooks``) —
the stamp the kept home pages already trust (``sotay_plugins.pagecache``). A deactivation, a
password change or a deletion is seen by the very next request.

It reads the account together with what the scope engine asks next (the member's subject and
the rights): one round trip for the two stamps and one for the three entries, where the subject
resolver made the same two before, so the account costs no round trip of its own.

What is kept: the account's fields but the password hash, and the session's check value
(``get_session_auth_hash``, the HMAC that the session itself stores). The password is a
deferred field: code that needs it (a password change form) reads it from the database. Kept
for ``SOTAY_KEPT_ACCOUNT_SECONDS`` (300; 0: never kept) and only with a cache shared by every
process (``REDIS_URL``): with one local memory per worker, a stamp moved on in one worker would
not reach the others.

Signing in stays ``ModelBackend``'s (this backend authenticates nobody: a wrong password is
hashed once). At the sign-in, :func:`serve_session` names this backend in the session, so the
session's later requests read the account here; sessions made before, or with the setting at 0,
keep ``ModelBackend``.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.utils.encoding import force_bytes

from sotay_plugins import versions
from sotay_plugins.orgtree.locks import tree_generation

from . import services

ACCOUNT_PREFIX = "sotay:account:"
PATH = "sotay_plugins.members.backends.KeptAccountBackend"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def seconds():
    return int(getattr(settings, "SOTAY_KEPT_ACCOUNT_SECONDS", 0) or 0)


def account_key(user_id, stamp):
    """Under the person's stamp and a digest of the secret key: the kept check value is an HMAC
    under that key, so a rotated key (or another site sharing the cache) reads the account
    again, and Django's own check of the session (with ``SECRET_KEY_FALLBACKS``) applies."""
    secret = hashlib.sha256(force_bytes(settings.SECRET_KEY)).hexdigest()[:16]
    return f"{ACCOUNT_PREFIX}{secret}:{user_id}:{stamp}"


@functools.lru_cache(maxsize=1)
def _kept_fields():
    """The account's concrete fields (attribute names) that are kept: all but the password."""
    return tuple(
        field.attname
        for field in get_user_model()._meta.concrete_fields
        if field.attname != "password"
    )


def _row(user):
    return (
        tuple(getattr(user, name) for name in _kept_fields()),
        user.get_session_auth_hash(),
    )


def _account(row):
    values, session_hash = row
    user = get_user_model().from_db(DEFAULT_DB_ALIAS, list(_kept_fields()), list(values))
    user.get_session_auth_hash = functools.partial(_session_hash, user, session_hash)
    return user


def _session_hash(user, kept):
    """The session's check value: the kept one while the password is as it was read (deferred,
    not loaded); computed from the password once it is loaded or changed (``set_password``),
    so a password change in this request gives the session its new value."""
    if "password" in user.__dict__:
        return type(user).get_session_auth_hash(user)
    return kept


class KeptAccountBackend(BaseBackend):
    """Reads the account of a session it serves from the shared cache (``ModelBackend``'s read
    when nothing is kept); grants no permission and authenticates nobody."""

    def get_user(self, user_id):
        read = _model_backend().get_user
        ttl = seconds()
        if ttl <= 0:
            return read(user_id)
        generation = tree_generation()
        stamps, keys = services.person_keys(user_id)
        stamp = stamps.get(versions.person_key(user_id))
        if stamp is None:  # the cache is down: nothing can be trusted to be fresh
            return read(user_id)
        account = account_key(user_id, stamp)
        wanted = [account, keys["subject"], *([keys["rights"]] if keys["rights"] else [])]
        entries = cache.get_many(wanted)
        row = entries.get(account)
        if row is None:
            user = read(user_id)  # None: no such account, or not active
            if user is None:
                return None
            cache.set(account, _row(user), ttl)
        else:
            user = _account(row)
            if not user.is_active:
                return None
        # for the subject resolver, which would read the same stamps and entries
        user._sotay_person = (generation, keys, entries)
        return user


@functools.lru_cache(maxsize=1)
def _model_backend():
    return ModelBackend()


def serve_session(sender, request, user, **kwargs):
    """``user_logged_in``: a session that ``ModelBackend`` signed in is served by
    :class:`KeptAccountBackend` (when accounts are kept and it is configured)."""
    session = getattr(request, "session", None)
    if (
        session is not None
        and session.get(BACKEND_SESSION_KEY) == MODEL_BACKEND
        and seconds() > 0
        and PATH in settings.AUTHENTICATION_BACKENDS
    ):
        session[BACKEND_SESSION_KEY] = PATH
