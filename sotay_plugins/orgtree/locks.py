"""The one lock every organisation-tree write goes through.

django-mptt rewrites lft/rght across a whole tree on every insert and move, and two writers
that interleave corrupt it. ``tree_lock()`` opens a transaction and serialises writers:
PostgreSQL takes a transaction-scoped advisory lock; SQLite (the embedded default) runs its
transactions in IMMEDIATE mode (settings), so BEGIN itself takes the database write lock.

Every pass through the lock also moves this process's *tree generation* on. Tree fields
(tree_id/lft/rght) read before a write may be stale afterwards, even though the instance
holding them looks fine: the scope engine trusts an Organisation instance's tree fields, and
the ranges it keeps on a user object, only while the generation they were read at is current.
"""

import itertools
from contextlib import contextmanager

from django.db import connection, transaction

#: An arbitrary constant naming the lock: "sotay" in ASCII.
TREE_LOCK_KEY = 0x736F746179

_generations = itertools.count(1)
_generation = [0]


def tree_generation():
    """A number that changes whenever this process writes (or tries to write) the tree."""
    return _generation[0]


def _bump():
    _generation[0] = next(_generations)


@contextmanager
def tree_lock():
    _bump()
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])
            yield
    finally:
        _bump()
        from .scope import grants_changed

        grants_changed()  # the ranges in every cached grant may have moved
