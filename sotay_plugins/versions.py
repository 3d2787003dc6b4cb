"""Version stamps: one cache key per kind of change, moved on by whoever makes the change.

Something cached from the database keeps the stamps it was built under (in its key, or beside
it) and is used only while they are unchanged: ``grants`` (rights and the tree,
``orgtree.scope``), ``content`` (a publication, ``editorial.publishing``), a person's record
(``pagecache.user_key``)… A stamp is a nanosecond timestamp, not a counter: a stamp lost with
the cache (Redis restarted) comes back as a new value, never as an old one that an entry was
built under.

Read the stamps *before* reading what they guard: a change made meanwhile then leaves an entry
built under the old stamp, which is stale at once, never a new stamp on old data.
"""

from __future__ import annotations

import functools
import time

from django.core.cache import cache
from django.db import transaction


def current(key):
    """The stamp of ``key``, created if the cache has none."""
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), None)
        version = cache.get(key)
    return version


def current_many(keys):
    """``{key: stamp}`` for ``keys`` in one cache round trip (two if some must be created)."""
    keys = list(dict.fromkeys(keys))
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        now = time.time_ns()
        for key in missing:
            cache.add(key, now, None)
        found.update(cache.get_many(missing))
    return found


def bump(*keys):
    """Move the stamps of ``keys`` on: everything built under their old stamps is stale."""
    if keys:
        now = time.time_ns()
        cache.set_many(dict.fromkeys(keys, now), None)


def bump_now_and_on_commit(*keys):
    """``bump`` now, and again once the transaction commits: something built in between read the
    old data under the new stamp."""
    if keys:
        bump(*keys)
        transaction.on_commit(functools.partial(bump, *keys))


def person_key(user_id):
    """The stamp of one person: their account and their member record (the members plugin moves
    it on when either is saved or deleted, the importer after its bulk writes)."""
    return f"sotay:person:{user_id}:version"
