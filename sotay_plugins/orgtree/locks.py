"""The one lock every organisation-tree write goes through.

django-mptt rewrites lft/rght across a whole tree on every insert and move, and two writers
that interleave corrupt it. ``tree_lock()`` opens a transaction and serialises writers:
PostgreSQL takes a transaction-scoped advisory lock; SQLite (the embedded default) runs its
transactions in IMMEDIATE mode (settings), so BEGIN itself takes the database write lock.
"""

from contextlib import contextmanager

from django.db import connection, transaction

#: An arbitrary constant naming the lock: "sotay" in ASCII.
TREE_LOCK_KEY = 0x736F746179


@contextmanager
def tree_lock():
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])
        yield
