"""Backups: the PostgreSQL database and the files, in one archive that says what it holds.

An archive is a plain tar (the dump is already compressed) with, in this order:

- ``manifest.json``: the format, when and from which server, the row count of every table, and
  the size and SHA-256 of the dump and of every file;
- ``database.dump``: ``pg_dump --format=custom`` of the database;
- ``files/private/…``: the private files (``STORAGES["private"]``: spreadsheets being imported,
  meeting materials, the library's files), ``files/media/…``: the public media (news images).

The row counts and the dump are taken from one snapshot (a REPEATABLE READ transaction exports it
and ``pg_dump --snapshot`` reads it), so they agree even while people keep working. Files are
read after the snapshot: a file written meanwhile may be in the archive without its row, never a
row without its file unless that file was deleted meanwhile.

:func:`check` verifies an archive without restoring it (manifest, every checksum, the dump
readable by ``pg_restore --list`` with the data of every table that had rows); :func:`restore`
loads one into an empty database and empty file folders, then compares every table's row count.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import psycopg
from django.conf import settings
from django.core.files.storage import storages
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup, check or restore that cannot be done; the message says why (Vietnamese)."""


@dataclass(frozen=True)
class Database:
    """Where a database is: what pg_dump, pg_restore and psycopg need."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, alias="default"):
        db = connections[alias].settings_dict  # the test database's name under pytest
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError(
                _(
                    "Sao lưu chỉ dành cho PostgreSQL (DATABASE_URL); với SQLite, hãy chép tệp "
                    "%(file)s."
                )
                % {"file": db["NAME"]}
            )
        return cls(
            str(db["NAME"]),
            db.get("USER") or "",
            db.get("PASSWORD") or "",
            str(db.get("HOST") or ""),
            str(db.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url):
        import dj_database_url

        parsed = dj_database_url.parse(url)
        if parsed["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError(_("Chỉ khôi phục được vào PostgreSQL."))
        return cls(
            str(parsed["NAME"]),
            parsed.get("USER") or "",
            parsed.get("PASSWORD") or "",
            str(parsed.get("HOST") or ""),
            str(parsed.get("PORT") or ""),
        )

    def args(self):
        args = ["--dbname", self.name]
        for flag, value in (
            ("--host", self.host),
            ("--port", self.port),
            ("--username", self.user),
        ):
            if value:
                args += [flag, value]
        return args

    def env(self):
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self):
        return psycopg.connect(
            dbname=self.name,
            user=self.user or None,
            password=self.password or None,
            host=self.host or None,
            port=self.port or None,
            autocommit=True,
        )


def roots():
    """``{name in the archive: folder}`` of the files a backup holds."""
    return {
        "private": Path(storages["private"].location),
        "media": Path(settings.MEDIA_ROOT),
    }


def _tool(name, server_version_num):
    """The path of pg_dump/pg_restore, refused if older than the server (it could not read it)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("Không tìm thấy %(tool)s: cài gói postgresql-client (cùng phiên bản với máy chủ).")
            % {"tool": name}
        )
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    major = int(re.search(r"\(PostgreSQL\)\s+(\d+)", out).group(1))
    if server_version_num and major < server_version_num // 10000:
        raise BackupError(
            _(
                "%(tool)s %(client)d cũ hơn máy chủ PostgreSQL %(server)d: cài postgresql-client "
                "%(server)d."
            )
            % {"tool": name, "client": major, "server": server_version_num // 10000}
        )
    return path


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _table_counts(cursor, tables):
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the catalogue)
        counts[table] = cursor.fetchone()[0]
    return counts


def _user_tables(cursor):
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def create(output, *, alias="default"):
    """Write a backup archive to ``output`` (a path); returns its manifest."""
    database = Database.from_settings(alias)
    connection = connections[alias]
    connection.ensure_connection()
    pg_dump = _tool("pg_dump", connection.pg_version)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sotay-backup-") as work:
        dump = Path(work) / DUMP
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            tables = _table_counts(cursor, _user_tables(cursor))
            result = subprocess.run(  # noqa: S603
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(dump)]
                + database.args(),
                env=database.env(),
                capture_output=True,
                text=True,
            )
        if result.returncode:
            raise BackupError(_("pg_dump không chạy được: %(error)s") % {"error": result.stderr})
        files = {}
        for name, root in roots().items():
            if not root.is_dir():
                continue
            for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                member = f"{FILES}/{name}/{path.relative_to(root).as_posix()}"
                files[member] = {"size": path.stat().st_size, "sha256": _sha256(path), "path": path}
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": {
                "server_version": server_version,
                "name": database.name,
                "dump": DUMP,
                "size": dump.stat().st_size,
                "sha256": _sha256(dump),
            },
            "tables": tables,
            "files": {m: {"size": f["size"], "sha256": f["sha256"]} for m, f in files.items()},
        }
        partial = output.with_name(output.name + ".part")
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=DUMP, recursive=False)
            for member, f in files.items():
                tar.add(f["path"], arcname=member, recursive=False)
        os.chmod(partial, 0o600)  # it holds every member's personal data
        partial.replace(output)
    return manifest


def _safe_member(name):
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def check(archive):
    """``(manifest or None, problems)``: an empty list of problems means the archive is whole."""
    problems = []
    try:
        tar = tarfile.open(archive, "r:")
    except (OSError, tarfile.TarError) as error:
        return None, [_("Không mở được bản sao lưu: %(error)s") % {"error": error}]
    with tar, tempfile.TemporaryDirectory(prefix="sotay-check-") as work:
        members = {m.name: m for m in tar.getmembers()}
        try:
            manifest = json.load(tar.extractfile(members[MANIFEST]))
        except (KeyError, ValueError, AttributeError):
            return None, [_("Bản sao lưu không có manifest.json đọc được.")]
        if manifest.get("format") != FORMAT:
            return manifest, [_("Định dạng bản sao lưu không được hỗ trợ.")]
        expected = {DUMP: manifest["database"], **manifest["files"]}
        for name in manifest["files"]:
            parts = name.split("/", 2)
            if len(parts) < 3 or parts[0] != FILES or parts[1] not in roots():
                problems.append(_("Tệp lạ trong bản sao lưu: %(name)s") % {"name": name})
        for name in members:
            if name != MANIFEST and (name not in expected or not _safe_member(name)):
                problems.append(_("Tệp lạ trong bản sao lưu: %(name)s") % {"name": name})
        for name, meta in expected.items():
            member = members.get(name)
            if member is None or not member.isfile():
                problems.append(_("Thiếu tệp: %(name)s") % {"name": name})
                continue
            digest = hashlib.sha256()
            source = tar.extractfile(member)
            target = open(Path(work) / DUMP, "wb") if name == DUMP else None  # noqa: SIM115
            while block := source.read(CHUNK):
                digest.update(block)
                if target:
                    target.write(block)
            if target:
                target.close()
            if member.size != meta["size"] or digest.hexdigest() != meta["sha256"]:
                problems.append(_("Tệp bị hỏng hoặc bị sửa: %(name)s") % {"name": name})
        dump = Path(work) / DUMP
        if dump.exists() and not problems:
            problems += _check_dump(dump, manifest["tables"])
    return manifest, problems


def _check_dump(dump, tables):
    try:
        pg_restore = _tool("pg_restore", 0)
    except BackupError as error:
        return [str(error)]
    listing = subprocess.run(  # noqa: S603
        [pg_restore, "--list", str(dump)], capture_output=True, text=True
    )
    if listing.returncode:
        return [_("pg_restore không đọc được bản dump: %(error)s") % {"error": listing.stderr}]
    with_data = set(re.findall(r" TABLE DATA \S+ (\S+) ", listing.stdout))
    return [
        _("Bản dump thiếu dữ liệu của bảng %(table)s.") % {"table": table}
        for table, count in tables.items()
        if count and table not in with_data
    ]


def restore(archive, target, *, file_roots=None):
    """Load ``archive`` into the empty database ``target`` (a :class:`Database`) and the empty (or
    absent) folders of ``file_roots`` (default: :func:`roots`); returns the manifest once every
    table's row count matches it."""
    manifest, problems = check(archive)
    if problems:
        raise BackupError("\n".join(problems))
    file_roots = file_roots or roots()
    with target.connect() as conn:
        server = conn.info.server_version
        if _user_tables(conn.cursor()):
            raise BackupError(
                _("Cơ sở dữ liệu %(name)s không trống: chỉ khôi phục vào cơ sở dữ liệu mới tạo.")
                % {"name": target.name}
            )
    for root in file_roots.values():
        if Path(root).exists() and any(Path(root).iterdir()):
            raise BackupError(_("Thư mục %(path)s không trống.") % {"path": root})
    pg_restore = _tool("pg_restore", server)
    with tarfile.open(archive, "r:") as tar, tempfile.TemporaryDirectory() as work:
        tar.extract(DUMP, work, filter="data")
        result = subprocess.run(  # noqa: S603
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *target.args(),
                str(Path(work) / DUMP),
            ],
            env=target.env(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(_("pg_restore không chạy được: %(error)s") % {"error": result.stderr})
        for name in manifest["files"]:
            _files, root_name, relative = name.split("/", 2)
            destination = Path(file_roots[root_name]) / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(name) as source, open(destination, "wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
    with target.connect() as conn:
        counts = _table_counts(conn.cursor(), manifest["tables"])
    wrong = [t for t, n in manifest["tables"].items() if counts.get(t) != n]
    if wrong:
        raise BackupError(
            _("Số dòng khác bản sao lưu ở các bảng: %(tables)s") % {"tables": ", ".join(wrong)}
        )
    return manifest
