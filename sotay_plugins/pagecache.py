"""Whole pages kept for the one person they were made for (the member's home page).

The home page is the most requested page of the product and changes seldom for a given member:
a publication, a meeting convened in their cell, their own record. A page that opts in (the
view calls :func:`offer`) is stored after it is rendered, under a key made of the path and the
cookies the page depends on (session, CSRF, language, large type), together with the *version
stamps* (:mod:`sotay_plugins.versions`) it was built under: the home cards name theirs
(``HomeCard.depends``), and every page depends on its user's stamp (:func:`user_key`, moved on
when the account or the member's record changes) and on :data:`EVERYONE_KEY` (bulk changes).

:class:`PageCacheMiddleware` sits right after ``SecurityMiddleware``. For a GET without query
string that carries a session cookie, it reads the entry and the session together (one cache
round trip; sessions are ``cached_db``, so the session is in the same cache), then the stamps
(a second one). It answers from the entry only when:

- the session still exists and still belongs to the entry's user with the same auth hash (a
  logout, an expired session or another person's cookie finds nothing to serve);
- no message waits to be shown (session or cookie storage);
- every stamp is unchanged (``user_key`` moves on with a password change, a deactivation…).

Anything else renders the page as usual. A rendered page is stored only if it is a 200 that
sets no cookie (a first visit's CSRF cookie, a session change; the CSRF cookie Django sends again
unchanged to renew it is left out) and showed no message; for at
most ``SOTAY_PAGE_CACHE_SECONDS`` (and never past what the cards allow: the date shown on the
welcome card, a meeting leaving "upcoming"). That setting is 0 (off) unless the cache is shared
between processes (``REDIS_URL``): with one local memory per worker, a stamp moved on in one
worker would not reach the others.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as datetime_time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils import timezone

from sotay_plugins import front

from . import versions

#: Bulk changes to many people at once (an import, a unit renamed): every page is stale.
EVERYONE_KEY = "sotay:people:version"
ENTRY_PREFIX = "sotay:page:"
#: Cookies of the shell that change a page (besides session, CSRF token and language).
SHELL_COOKIES = ("sotay_large",)
_MESSAGES_SESSION_KEY = "_messages"  # django.contrib.messages' session storage


user_key = versions.person_key


def touch_users(*user_ids):
    """Someone's account or record changed: their pages are stale."""
    versions.bump_now_and_on_commit(*(user_key(pk) for pk in user_ids if pk))


def touch_everyone():
    versions.bump_now_and_on_commit(EVERYONE_KEY)


def end_of_today():
    """The next local midnight: when a page that shows today's date, or "from today on", goes
    stale."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return datetime.combine(tomorrow, datetime_time.min, tzinfo=timezone.get_current_timezone())


def seconds():
    return int(getattr(settings, "SOTAY_PAGE_CACHE_SECONDS", 0) or 0)


def _session_store():
    """The session engine's store class, if its sessions live in a cache this module can read."""
    return _store_of(settings.SESSION_ENGINE)


@functools.lru_cache(maxsize=4)
def _store_of(engine):
    store = import_module(engine).SessionStore
    return store if getattr(store, "cache_key_prefix", None) else None


#: Paths whose view offered its page in this process: only those are looked up (other pages
#: cost no cache round trip).
_offering_paths = set()


def entry_key(request):
    """The key of the page for this request, or None when no page of it can be kept."""
    if (
        request.method != "GET"
        or request.path not in _offering_paths
        or request.META.get("QUERY_STRING")
        or seconds() <= 0
    ):
        return None
    cookies = request.COOKIES
    session = cookies.get(settings.SESSION_COOKIE_NAME)
    if not session or cookies.get("messages") or _session_store() is None:
        return None
    parts = (
        request.path,
        session,
        cookies.get(settings.CSRF_COOKIE_NAME, ""),
        cookies.get(settings.LANGUAGE_COOKIE_NAME, ""),
        *(cookies.get(name, "") for name in SHELL_COOKIES),
    )
    return ENTRY_PREFIX + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


@dataclass
class Offer:
    """A page being rendered that may be kept: its user and the stamps read before rendering."""

    key: str
    user_id: int
    auth_hash: str
    stamps: dict
    expires_at: float

    def until(self, moment):
        """Keep the page no later than ``moment`` (an aware datetime, or None for no limit)."""
        if moment is not None:
            self.expires_at = min(self.expires_at, moment.timestamp())


def offer(request, depends):
    """Call from a view before it reads its data: ``depends`` is the stamp keys the page is built
    from (None: the page cannot be kept). Returns the :class:`Offer` (or None when nothing will
    be kept), whose ``until`` narrows the lifetime once the data is known."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if request.method == "GET":
        _offering_paths.add(request.path)
    key = entry_key(request)
    if (
        depends is None
        or key is None
        or user is None
        or not user.is_authenticated
        or session is None
    ):
        return None
    keys = [user_key(user.pk), EVERYONE_KEY, *depends]
    made = Offer(
        key,
        user.pk,
        session.get(HASH_SESSION_KEY, ""),
        versions.current_many(keys),
        time.time() + seconds(),
    )
    request._sotay_page_offer = made
    return made


def _renews_only(request, response):
    """No cookie set but the CSRF cookie sent again unchanged (Django renews its expiry on every
    page that shows a form): nothing a kept page would miss."""
    name = settings.CSRF_COOKIE_NAME
    return all(
        key == name and morsel.value == request.COOKIES.get(name)
        for key, morsel in response.cookies.items()
    )


def _storable(request, response, made):
    if made is None or response.status_code != 200 or response.streaming:
        return False
    if not _renews_only(request, response):
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and (messages.used or len(messages)))


class PageCacheMiddleware:
    """Serve a kept page, or keep the one the view offered (see the module's docstring)."""

    sotay_front = front.NOTHING  # GET pages only: nothing of a fast POST

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = entry_key(request)
        if key is not None:
            hit = self.lookup(request, key)
            if hit is not None:
                return hit
        response = self.get_response(request)
        made = getattr(request, "_sotay_page_offer", None)
        if _storable(request, response, made):
            self.store(made, response)
        return response

    @staticmethod
    def lookup(request, key):
        store = _session_store()
        session_key = store.cache_key_prefix + request.COOKIES[settings.SESSION_COOKIE_NAME]
        if settings.SESSION_CACHE_ALIAS == "default":
            found = cache.get_many([key, session_key])
            entry, session = found.get(key), found.get(session_key)
        else:
            entry = cache.get(key)
            session = caches[settings.SESSION_CACHE_ALIAS].get(session_key) if entry else None
        if entry is None or not session or entry["expires_at"] <= time.time():
            return None
        if (
            str(session.get(SESSION_KEY)) != str(entry["user_id"])
            or session.get(HASH_SESSION_KEY, "") != entry["auth_hash"]
            or session.get(_MESSAGES_SESSION_KEY)
            or "_session_expiry" in session
        ):
            return None
        stamps = entry["stamps"]
        if cache.get_many(list(stamps)) != stamps:
            return None
        response = HttpResponse(entry["body"], headers=entry["headers"])
        response.sotay_page_cache = "hit"
        return response

    @staticmethod
    def store(made, response):
        lifetime = made.expires_at - time.time()
        if lifetime < 1:
            return
        headers = [
            (name, value) for name, value in response.items() if name.lower() != "set-cookie"
        ]
        cache.set(
            made.key,
            {
                "user_id": made.user_id,
                "auth_hash": made.auth_hash,
                "stamps": made.stamps,
                "expires_at": made.expires_at,
                "headers": headers,
                "body": response.content,
            },
            int(lifetime),
        )
