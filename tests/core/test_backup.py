"""`waypoint backup` and `waypoint restore`: a round trip of the session's demo and two uploaded files that
compares every table (row count and a checksum of its rows in primary-key order) and every file's bytes, on
the engine the suite runs on; and the refusals: a damaged or truncated archive, an existing archive without
--force, a backup of another engine or of a newer version, a non-empty target without --replace.

The commands take `--database ALIAS`; each test adds its own alias for a scratch database (a SQLite file, or
a PostgreSQL database it creates and drops), so the session's test database is only ever read."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from waypoint.core.backup import Database

SOURCE = "backup_source"
TARGET = "backup_target"
UPLOADS = {
    "evidence/2025/essay.txt": "Ensayo sobre la fotosíntesis — versión final\n".encode(),
    "evidence/photo.bin": bytes(range(256)) * 40,
}
Snapshot = dict[str, tuple[int, str]]


@contextmanager
def database_alias(alias: str, config: dict[str, Any]) -> Iterator[None]:
    """A database the commands can name with --database, for the length of the block."""
    with mock.patch.dict(django_settings.DATABASES, {alias: config}):
        yield


def sqlite_config(path: Path) -> dict[str, Any]:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def write_uploads(root: Path) -> None:
    for name, content in UPLOADS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)


def files_of(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def rows_digest(rows: list[tuple[Any, ...]]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def sqlite_snapshot(path: Path) -> Snapshot:
    """Every table's row count and the checksum of its rows, ordered by the primary key (by every column
    where there is none, as in sqlite_sequence)."""
    database = sqlite3.connect(path)
    try:
        tables = [name for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        snapshot: Snapshot = {}
        for table in sorted(tables):
            columns = database.execute(f'PRAGMA table_info("{table}")').fetchall()
            key = [f'"{column[1]}"' for column in sorted(columns, key=lambda c: c[5]) if column[5]]
            order = ", ".join(key) or ", ".join(str(n) for n in range(1, len(columns) + 1))
            rows = database.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()  # noqa: S608
            snapshot[table] = (len(rows), rows_digest(rows))
        return snapshot
    finally:
        database.close()


def postgresql_snapshot(database: Database) -> Snapshot:
    """Every table's row count and the checksum of its rows in primary-key order, and every sequence's
    position (a restore that lost them would hand out primary keys that are taken)."""
    with database.pg_connect() as pg:
        tables = pg.execute(
            "SELECT c.oid, n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', "
            "'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 2"
        ).fetchall()
        snapshot: Snapshot = {}
        for oid, table in tables:
            key = pg.execute(
                "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY array_position(i.indkey, a.attnum)) "
                "FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s AND i.indisprimary",
                [oid],
            ).fetchone()
            count = pg.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            order = key[0] if key and key[0] else "1"
            rows = pg.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()  # noqa: S608
            assert count is not None
            snapshot[table] = (count[0], rows_digest(rows))
        sequences = pg.execute("SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2")
        snapshot["(sequences)"] = (0, rows_digest(sequences.fetchall()))
        return snapshot


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Callable[[str], Path]:
    """Points MEDIA_ROOT at a fresh folder under tmp_path, by name."""

    def point(name: str) -> Path:
        settings.MEDIA_ROOT = tmp_path / name
        return tmp_path / name

    return point


def backup(out: Path, *options: str, alias: str = SOURCE) -> str:
    output = io.StringIO()
    call_command("backup", str(out), "--database", alias, *options, stdout=output)
    return output.getvalue()


def restore(archive: Path, *options: str, alias: str = TARGET) -> str:
    output = io.StringIO()
    call_command("restore", str(archive), "--database", alias, *options, stdout=output)
    return output.getvalue()


# The round trip on the suite's engine, with the session's demo


@pytest.mark.django_db
def test_sqlite_round_trip_keeps_every_table_and_file(tmp_path: Path, media: Callable[[str], Path]) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the suite runs on PostgreSQL here; the PostgreSQL round trip runs instead")
    # The session's demo lives in an in-memory database; a file copy of it is the running database.
    source = tmp_path / "source.sqlite3"
    # Copied as SQL through the test's own connection: SQLite's backup API cannot read through it while it
    # holds the test's write transaction (BEGIN IMMEDIATE), nor through another connection to the same
    # shared in-memory database.
    connection.ensure_connection()
    copy = sqlite3.connect(source)
    copy.executescript("\n".join(connection.connection.iterdump()))
    copy.close()
    write_uploads(media("media"))
    archive = tmp_path / "backup.tar"
    restored = tmp_path / "restored.sqlite3"

    with database_alias(SOURCE, sqlite_config(source)), database_alias(TARGET, sqlite_config(restored)):
        written = backup(archive)
        media("restored-media")
        report = restore(archive)

        assert f"Wrote the backup to {archive}" in written
        assert "Restored the backup made at" in report
        assert "uploaded files: 2 into" in report
        expected = sqlite_snapshot(source)
        assert expected["core_student"][0] > 0
        assert expected["django_migrations"][0] > 0
        assert sqlite_snapshot(restored) == expected
        assert files_of(tmp_path / "restored-media") == UPLOADS

        # The target now holds data: a second restore needs --replace, and then replaces it whole.
        with pytest.raises(CommandError, match="is not empty"):
            restore(archive)
        sqlite3.connect(restored).execute("DELETE FROM core_student").connection.commit()
        (tmp_path / "restored-media" / "stray.txt").write_text("not in the backup")
        restore(archive, "--replace")
        assert sqlite_snapshot(restored) == expected
        assert files_of(tmp_path / "restored-media") == UPLOADS


@pytest.mark.django_db
def test_postgresql_round_trip_keeps_every_table_and_file(
    tmp_path: Path, media: Callable[[str], Path]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the suite runs on SQLite here; the SQLite round trip runs instead")
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (the PostgreSQL client tools)")
    # The session's test database, with the demo committed in it, is the running database (this test's
    # own connection stays open in a transaction, as the application's would); the target is a scratch
    # database created empty beside it.
    configs = {
        SOURCE: dict(connection.settings_dict),
        TARGET: {**connection.settings_dict, "NAME": f"{connection.settings_dict['NAME']}_restored"},
    }
    server = Database.from_settings({**connection.settings_dict, "NAME": "postgres"})

    def recreate_target(create: bool) -> None:
        with server.pg_connect() as admin:
            admin.autocommit = True
            admin.execute(f'DROP DATABASE IF EXISTS "{configs[TARGET]["NAME"]}" WITH (FORCE)')
            if create:
                admin.execute(f'CREATE DATABASE "{configs[TARGET]["NAME"]}"')

    recreate_target(create=True)
    try:
        write_uploads(media("media"))
        archive = tmp_path / "backup.tar"
        with database_alias(SOURCE, configs[SOURCE]), database_alias(TARGET, configs[TARGET]):
            backup(archive)
            media("restored-media")
            report = restore(archive)

            assert "Restored the backup made at" in report
            expected = postgresql_snapshot(Database.from_settings(configs[SOURCE]))
            assert expected["public.core_student"][0] > 0
            assert postgresql_snapshot(Database.from_settings(configs[TARGET])) == expected
            assert files_of(tmp_path / "restored-media") == UPLOADS

            # Into a database that holds data: refused, then replaced whole with --replace (pg_restore
            # --clean), rows deleted since the backup included.
            with pytest.raises(CommandError, match="is not empty"):
                restore(archive)
            with Database.from_settings(configs[TARGET]).pg_connect() as target:
                target.execute("DELETE FROM core_guardianlink")
            restore(archive, "--replace")
            assert postgresql_snapshot(Database.from_settings(configs[TARGET])) == expected
    finally:
        recreate_target(create=False)


# Refusals, on a small SQLite database of their own


@pytest.fixture
def small_site(tmp_path: Path, media: Callable[[str], Path]) -> Iterator[Path]:
    """A small SQLite database with a migration this code knows, two uploads, and its backup."""
    source = tmp_path / "small.sqlite3"
    database = sqlite3.connect(source)
    database.executescript(
        "CREATE TABLE django_migrations (id integer PRIMARY KEY, app text, name text, applied text);"
        "INSERT INTO django_migrations (app, name, applied) VALUES ('core', '0001_initial', '2025-01-01');"
        "CREATE TABLE marks (id integer PRIMARY KEY, mark text);"
        "INSERT INTO marks (mark) VALUES ('first'), ('second');"
    )
    database.close()
    write_uploads(media("media"))
    with database_alias(SOURCE, sqlite_config(source)):
        backup(tmp_path / "small.tar")
        yield tmp_path / "small.tar"


@pytest.fixture
def occupied_target(tmp_path: Path, media: Callable[[str], Path]) -> Iterator[tuple[Path, Path]]:
    """A target database and media folder that already hold something, under the TARGET alias."""
    target = tmp_path / "occupied.sqlite3"
    sqlite3.connect(target).executescript("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('mine');")
    folder = media("occupied-media")
    folder.mkdir()
    (folder / "kept.txt").write_text("mine")
    with database_alias(TARGET, sqlite_config(target)):
        yield target, folder


def assert_unchanged(target: Path, folder: Path, before: tuple[bytes, dict[str, bytes]]) -> None:
    assert (target.read_bytes(), files_of(folder)) == before
    assert not list(folder.parent.glob(".waypoint-restore-*")), "the staging folder was left behind"


@pytest.mark.parametrize("damage", ["flipped byte", "truncated"])
def test_a_damaged_archive_is_refused_and_nothing_changes(
    small_site: Path, occupied_target: tuple[Path, Path], damage: str
) -> None:
    content = small_site.read_bytes()
    if damage == "flipped byte":
        at = content.index(UPLOADS["evidence/photo.bin"]) + 100
        content = content[:at] + bytes([content[at] ^ 0xFF]) + content[at + 1 :]
    else:
        content = content[: len(content) // 2]
    small_site.write_bytes(content)
    target, folder = occupied_target
    before = (target.read_bytes(), files_of(folder))

    with pytest.raises(CommandError, match=r"damaged|truncated|does not match") as refusal:
        restore(small_site, "--replace")

    assert "Nothing was restored" in str(refusal.value) or "truncated" in str(refusal.value)
    assert_unchanged(target, folder, before)
    with pytest.raises(CommandError):
        restore(small_site, "--check")


def test_a_backup_of_another_engine_is_refused(small_site: Path, tmp_path: Path) -> None:
    # The engine is checked before any connection is tried: nothing listens on port 9.
    postgresql = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "waypoint",
        "HOST": "127.0.0.1",
        "PORT": 9,
    }
    with database_alias(TARGET, postgresql), pytest.raises(CommandError, match="This backup is of a SQLite"):
        restore(small_site, "--replace")


def rewrite_manifest(archive: Path, change: Callable[[dict[str, Any]], None]) -> None:
    with tarfile.open(archive) as tar:
        members = [(info, tar.extractfile(info).read()) for info in tar]  # type: ignore[union-attr]
    with tarfile.open(archive, "w") as tar:
        for info, content in members:
            if info.name == "manifest.json":
                manifest = json.loads(content)
                change(manifest)
                content = json.dumps(manifest).encode()
                info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


def test_a_backup_from_a_newer_version_is_refused(
    small_site: Path, occupied_target: tuple[Path, Path]
) -> None:
    rewrite_manifest(
        small_site, lambda manifest: manifest["migrations"]["core"].append("9999_from_the_future")
    )
    target, folder = occupied_target
    before = (target.read_bytes(), files_of(folder))

    with pytest.raises(CommandError, match=r"newer version of Waypoint.*core\.9999_from_the_future"):
        restore(small_site, "--replace")
    assert_unchanged(target, folder, before)


def test_a_non_empty_target_is_refused_without_replace(
    small_site: Path, occupied_target: tuple[Path, Path]
) -> None:
    target, folder = occupied_target
    before = (target.read_bytes(), files_of(folder))
    with pytest.raises(CommandError, match=r"is not empty.*--replace"):
        restore(small_site)
    assert_unchanged(target, folder, before)

    report = restore(small_site, "--replace")
    assert "run `waypoint migrate`" in report  # the backup has one migration of many
    assert sqlite_snapshot(target)["marks"][0] == 2
    assert "kept" not in sqlite_snapshot(target)
    assert files_of(folder) == UPLOADS


def test_an_existing_archive_is_kept_without_force(small_site: Path, tmp_path: Path) -> None:
    existing = tmp_path / "existing.tar"
    existing.write_bytes(b"an older backup")
    source = sqlite_config(tmp_path / "small.sqlite3")

    with database_alias(SOURCE, source):
        with pytest.raises(CommandError, match=r"already exists\. Pass --force"):
            backup(existing)
        assert existing.read_bytes() == b"an older backup"

        backup(existing, "--force")
        folder = tmp_path / "dated"
        folder.mkdir()
        backup(folder)
    assert "is intact" in restore(existing, "--check")
    assert [path.name.startswith("waypoint-backup-") for path in folder.iterdir()] == [True]


def test_a_failed_backup_leaves_no_file(tmp_path: Path, media: Callable[[str], Path]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    missing = sqlite_config(tmp_path / "missing.sqlite3")
    with database_alias(SOURCE, missing), pytest.raises(CommandError, match="does not exist"):
        backup(out / "backup.tar")
    assert list(out.iterdir()) == []
    assert not (tmp_path / "missing.sqlite3").exists()
