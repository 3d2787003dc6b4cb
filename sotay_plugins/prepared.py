"""Statements of the hot paths, prepared once per PostgreSQL session (check-in runs its ~1,000
times a second; a quiz's saves ~330; a search's check of its page against the items).

``PREPARE`` once, then ``EXECUTE``: PostgreSQL plans the statement for its first runs, then keeps
a generic plan and plans no more (planning check-in's joins costs ~0.7 ms, running them ~0.1 ms).
Django's psycopg backend binds parameters on the client and disables psycopg's own prepared
statements (``prepare_threshold`` None), hence the explicit SQL.

Prepared statements live as long as the database session, a rollback does not drop them; which
ones a session holds is noted on the connection object, so a new connection (CONN_MAX_AGE)
prepares again. A session that lost them (a session-pooler's ``DISCARD ALL``) or already has
them (a pooled session) is handled; a transaction-mode pooler in front of PostgreSQL is not
supported (none is used). Other databases (SQLite) run the plain statement.
"""

from __future__ import annotations

import hashlib
import re

from django.db import ProgrammingError, transaction

_PARAMETER = re.compile(r"%\((\w+)\)s")


class Statement:
    """One SQL statement whose parameters are named ``%(name)s`` (a name used twice is sent
    once)."""

    def __init__(self, kind, sql):
        """``kind`` names the statement on the server (``sotay_<kind>_<hash of the SQL>``): the
        hot path it serves and its part, e.g. ``checkin_fast_update``."""
        self.sql = sql
        self.names = list(dict.fromkeys(_PARAMETER.findall(sql)))
        numbers = {name: f"${i}" for i, name in enumerate(self.names, 1)}
        self.prepare = _PARAMETER.sub(lambda match: numbers[match[1]], sql)
        self.name = f"sotay_{kind}_{hashlib.sha256(sql.encode()).hexdigest()[:16]}"
        self.execute = f"EXECUTE {self.name}({', '.join(['%s'] * len(self.names))})"

    def run(self, db, cursor, values):
        """Execute with ``values`` (a dict holding at least the statement's names); the first
        row."""
        self._execute(db, cursor, values)
        return cursor.fetchone()

    def rows(self, db, cursor, values):
        """Execute with ``values``, as :meth:`run`; every row."""
        self._execute(db, cursor, values)
        return cursor.fetchall()

    def _execute(self, db, cursor, values):
        if db.vendor != "postgresql":
            cursor.execute(self.sql, {name: values[name] for name in self.names})
            return
        raw = db.connection
        prepared = getattr(raw, "_sotay_prepared", None)
        if prepared is None:
            prepared = raw._sotay_prepared = set()
        if self.name not in prepared:
            self._prepare(db, cursor)
            prepared.add(self.name)
        params = [values[name] for name in self.names]
        try:
            cursor.execute(self.execute, params)
        except ProgrammingError as exc:  # the session lost it (DISCARD ALL): prepare again, once
            if getattr(exc.__cause__, "sqlstate", None) != "26000" or not db.get_autocommit():
                raise
            self._prepare(db, cursor)
            cursor.execute(self.execute, params)

    def _prepare(self, db, cursor):
        try:
            with transaction.atomic(using=db.alias):  # a savepoint inside a transaction
                cursor.execute(f"PREPARE {self.name} AS {self.prepare}")
        except ProgrammingError as exc:  # already prepared in this session (same name, same text)
            if getattr(exc.__cause__, "sqlstate", None) != "42P05":
                raise
