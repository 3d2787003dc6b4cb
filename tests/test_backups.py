"""Backups (sotay_plugins.backups): a seeded database and its files are backed up, the archive is
checked, restored into a fresh database and empty folders, and compared: every table's row count
and a sample of files byte for byte. A changed byte, and a restore over existing data, are
refused."""

import io
import os
import tarfile
import uuid
from dataclasses import replace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sotay_plugins import backups

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"
    ),
]


def url(database):
    auth = database.user + (f":{database.password}" if database.password else "")
    return (
        f"postgres://{auth}@{database.host or 'localhost'}:{database.port or 5432}/{database.name}"
    )


@pytest.fixture
def fresh_database():
    """A new, empty database on the same server, dropped afterwards."""
    source = backups.Database.from_settings()
    fresh = replace(source, name=f"sotay_restore_{uuid.uuid4().hex[:12]}")
    admin = replace(source, name="postgres")
    with admin.connect() as conn:
        conn.execute(f'CREATE DATABASE "{fresh.name}"')
    try:
        yield fresh
    finally:
        with admin.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh.name}" WITH (FORCE)')


def counts_of(cursor):
    return backups._table_counts(cursor, backups._user_tables(cursor))


def files_under(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_backup_check_restore_and_compare(tmp_path, fresh_database):
    call_command("seed_demo", "--scale", "tiny", "--seed", "7", stdout=io.StringIO())
    private = storages["private"]
    own = private.save("sao-luu/kiem-tra.bin", ContentFile(os.urandom(70_000)))
    archive = tmp_path / "sotay.tar"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert "Đã sao lưu" in out.getvalue()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    out = io.StringIO()
    call_command("check_backup", str(archive), stdout=out)
    assert "nguyên vẹn" in out.getvalue()

    restored_private, restored_media = tmp_path / "private", tmp_path / "media"
    call_command(
        "restore_backup",
        str(archive),
        "--database-url",
        url(fresh_database),
        "--private-root",
        str(restored_private),
        "--media-root",
        str(restored_media),
        stdout=io.StringIO(),
    )
    # Every table, row for row in number, on both sides.
    with connection.cursor() as cursor:
        source_counts = counts_of(cursor)
    with fresh_database.connect() as conn:
        restored_counts = counts_of(conn.cursor())
    assert restored_counts == source_counts
    assert len(source_counts) > 50 and source_counts["members_member"] >= 50
    # The files: all there, a sample (and the random one) byte for byte.
    source_root = backups.roots()["private"]
    names = files_under(source_root)
    assert files_under(restored_private) == names
    assert any(str(name).endswith(".pdf") for name in names)  # the library's seeded PDFs
    sample = {*names[:: max(1, len(names) // 10)], *[p for p in names if str(p) == own]}
    assert len(sample) >= 2
    for name in sample:
        assert (restored_private / name).read_bytes() == (source_root / name).read_bytes(), name

    # Restoring over data is refused: a restore never mixes two databases.
    with pytest.raises(CommandError, match="không trống"):
        call_command(
            "restore_backup",
            str(archive),
            "--database-url",
            url(fresh_database),
            "--private-root",
            str(tmp_path / "again"),
            "--media-root",
            str(tmp_path / "again-media"),
        )

    # One changed byte in one file, and check_backup says which.
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w") as dst:
        target = next(m.name for m in src.getmembers() if m.name.endswith(".pdf"))
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == target:
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match=target.replace("/", ".")):
        call_command("check_backup", str(tampered))


def test_a_missing_archive_and_old_client_tools_say_why(tmp_path):
    with pytest.raises(CommandError, match="Không mở được"):
        call_command("check_backup", str(tmp_path / "missing.tar"))
    connection.ensure_connection()
    assert backups._tool("pg_dump", connection.pg_version)  # this machine's client fits its server
    with pytest.raises(backups.BackupError, match="cũ hơn máy chủ"):
        backups._tool("pg_dump", 990000)  # a server newer than the client tools
