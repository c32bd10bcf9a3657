"""Backups of a Waypoint installation: one tar archive with the database and the uploaded files.

The archive holds `database/waypoint.pgdump` (PostgreSQL, `pg_dump --format=custom`) or
`database/waypoint.sqlite3` (SQLite, a copy made with SQLite's online backup API), the uploaded files under
`media/`, and last `manifest.json`: the format version, the engine, the applied Django migrations per app,
when it was made, and the size and SHA-256 of every other member. The manifest comes last so that the files
are hashed in the same pass that writes them: a file that changes while the backup runs is recorded as it
was written.

This module knows no Django: the management commands `waypoint backup` and `waypoint restore` hand it the
connection settings, the media folder and the migrations the code knows.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

import psycopg
import psycopg.conninfo

FORMAT = "waypoint-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_MEMBER = {"postgresql": "database/waypoint.pgdump", "sqlite": "database/waypoint.sqlite3"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
_ENGINES = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}
# Connection options of Django's PostgreSQL settings that libpq also reads from the environment, so that
# pg_dump and pg_restore connect exactly as the application does (TLS above all).
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}
_CHUNK = 1024 * 1024
# A manifest lists one line per file; even a million uploads stay far below this.
_MANIFEST_MAX_BYTES = 256 * 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on. The message is for the operator, in plain words."""


Migrations = dict[str, list[str]]


@dataclass(frozen=True)
class Database:
    """The connection settings of one database, read from Django's `DATABASES` entry."""

    engine: str  # "postgresql" or "sqlite"
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    options: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Database:
        engine = _ENGINES.get(str(settings.get("ENGINE", "")))
        if engine is None:
            raise BackupError(f"Backups support PostgreSQL and SQLite, not {settings.get('ENGINE')!r}.")
        options = settings.get("OPTIONS") or {}
        return cls(
            engine=engine,
            name=str(settings.get("NAME") or ""),
            host=str(settings.get("HOST") or ""),
            port=str(settings.get("PORT") or ""),
            user=str(settings.get("USER") or ""),
            password=str(settings.get("PASSWORD") or ""),
            options={key: str(value) for key, value in options.items() if key in _LIBPQ_OPTIONS},
        )

    @property
    def label(self) -> str:
        where = f" on {self.host}" if self.engine == "postgresql" and self.host else ""
        return f"{ENGINE_NAMES[self.engine]} database {self.name}{where}"

    def pg_environment(self) -> dict[str, str]:
        """The environment of a pg_dump or pg_restore child: the password travels here, never on the
        command line, where any local user could read it in the process list."""
        environment = dict(os.environ)
        for variable, value in [
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGDATABASE", self.name),
        ] + [(_LIBPQ_OPTIONS[key], value) for key, value in self.options.items()]:
            if value:
                environment[variable] = value
        return environment

    def pg_connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        keywords = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.name,
            **self.options,
        }
        try:
            return psycopg.connect(_conninfo(keywords))
        except psycopg.Error as error:
            raise BackupError(f"Cannot connect to the {self.label}: {error}".strip()) from error


def _conninfo(keywords: Mapping[str, str]) -> str:
    """A libpq connection string; psycopg quotes each value (a password may hold spaces or quotes)."""
    return psycopg.conninfo.make_conninfo(**{key: value for key, value in keywords.items() if value})


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    engine: str
    database_bytes: int
    media_files: int
    media_bytes: int
    skipped: list[str]  # entries of the media folder that are not regular files (links, sockets)


@dataclass(frozen=True)
class RestoreSummary:
    engine: str
    created_at: str
    apps: int
    media_files: int
    media_bytes: int
    pending_migrations: list[str]  # migrations the code has and the backup does not: `waypoint migrate`


def human_size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    size = float(count)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


def default_archive_name(now: datetime) -> str:
    return f"waypoint-backup-{now.astimezone(UTC):%Y%m%d-%H%M%S}.tar"


# Backup


def create_backup(out: Path, *, database: Database, media_root: Path, force: bool) -> BackupSummary:
    """Write the backup to `out` (or, if `out` is a directory, to a dated file in it) through a temporary
    file beside it, renamed into place only once complete: a failure leaves no partial archive."""
    now = datetime.now(UTC)
    out = out.absolute()
    if out.is_dir():
        out = out / default_archive_name(now)
    media_root = media_root.absolute()
    if out.is_relative_to(media_root):
        raise BackupError(f"Write the backup outside the uploaded files' folder ({media_root}).")
    if not out.parent.is_dir():
        raise BackupError(f"The folder {out.parent} does not exist.")
    if out.exists() and not force:
        raise BackupError(f"{out} already exists. Pass --force to overwrite it.")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as error:
        raise BackupError(f"Cannot write in {out.parent}: {error.strerror}.") from error
    try:
        dump = staging / "database"
        migrations = _dump_database(database, dump)
        members: list[Member] = []
        skipped: list[str] = []
        partial = staging / "archive.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            members.append(_add_file(tar, DATABASE_MEMBER[database.engine], dump))
            for relative, path in _media_files(media_root, skipped):
                members.append(_add_file(tar, MEDIA_PREFIX + relative, path))
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "engine": database.engine,
                "created_at": now.isoformat(timespec="seconds"),
                "migrations": migrations,
                "members": [member.__dict__ for member in members],
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
        with partial.open("rb+") as written:
            os.fsync(written.fileno())
        if out.exists() and not force:
            raise BackupError(f"{out} appeared while the backup ran. Pass --force to overwrite it.")
        os.replace(partial, out)
        _fsync_directory(out.parent)
    except OSError as error:
        raise BackupError(f"The backup failed and nothing was written to {out}: {error}") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    media = [member for member in members if member.name.startswith(MEDIA_PREFIX)]
    return BackupSummary(
        path=out,
        engine=database.engine,
        database_bytes=members[0].size,
        media_files=len(media),
        media_bytes=sum(member.size for member in media),
        skipped=skipped,
    )


def _dump_database(database: Database, target: Path) -> Migrations:
    """Copy the database to `target`; return the migrations applied in exactly the state copied."""
    if database.engine == "sqlite":
        return _dump_sqlite(database, target)
    return _dump_postgresql(database, target)


def _dump_sqlite(database: Database, target: Path) -> Migrations:
    source_path = Path(database.name)
    if not source_path.is_file():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    try:
        # Read-only, so that a wrong path can never create an empty database.
        source = sqlite3.connect(f"{source_path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(target)
            try:
                # One step (all pages at once) copies one consistent snapshot while the application
                # keeps reading and writing.
                source.backup(copy)
                # The copy stands alone in one file, with no write-ahead log beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
                rows = copy.execute("SELECT app, name FROM django_migrations").fetchall()
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"Cannot back up the SQLite database {source_path}: {error}.") from error
    return _group_migrations(rows)


def _dump_postgresql(database: Database, target: Path) -> Migrations:
    with database.pg_connect() as connection:
        # pg_dump reads the snapshot this transaction exports, so the migrations recorded in the manifest
        # are those of the very state dumped, even if `waypoint migrate` runs meanwhile.
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        try:
            snapshot = _scalar(connection, "SELECT pg_export_snapshot()")
            rows = connection.execute("SELECT app, name FROM django_migrations").fetchall()
        except psycopg.Error as error:
            raise BackupError(f"Cannot read the {database.label}: {error}".strip()) from error
        # Policies on (pg_dump turns them off by default, which a table owner held to them by FORCE ROW
        # LEVEL SECURITY is refused): pg_dump's session has no district scope, so it reads every row.
        command = ["pg_dump", "--format=custom", "--enable-row-security", f"--snapshot={snapshot}"]
        _run_pg_tool([*command, f"--file={target}"], database)
    return _group_migrations(rows)


def _scalar(connection: psycopg.Connection[tuple[Any, ...]], query: str) -> Any:
    row = connection.execute(query).fetchone()
    assert row is not None  # noqa: S101 — an aggregate or a function call always answers one row
    return row[0]


def _run_pg_tool(command: list[str], database: Database) -> None:
    try:
        # A fixed program and arguments built here, without a shell.
        result = subprocess.run(  # noqa: S603
            command, env=database.pg_environment(), capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} is not installed (it comes with the PostgreSQL client tools, e.g. the Debian "
            "package postgresql-client)."
        ) from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed on the {database.label}:\n{result.stderr.strip()}")


def _group_migrations(rows: list[tuple[Any, ...]]) -> Migrations:
    grouped: Migrations = {}
    for app, name in sorted(rows):
        grouped.setdefault(str(app), []).append(str(name))
    return grouped


def _media_files(media_root: Path, skipped: list[str]) -> Iterator[tuple[str, Path]]:
    """Every regular file under the media folder, in a stable order, with its path inside the folder."""
    if not media_root.is_dir():
        return
    for folder, directories, files in os.walk(media_root):
        directories.sort()
        for name in sorted(files):
            path = Path(folder, name)
            relative = path.relative_to(media_root).as_posix()
            # Storage writes only regular files; a link could point anywhere on the server.
            if path.is_symlink() or not path.is_file():
                skipped.append(relative)
                continue
            yield relative, path


class _HashingReader:
    """Hashes what tarfile reads, so a file is hashed and archived in one pass."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> Member:
    with path.open("rb") as raw:
        info = tar.gettarinfo(fileobj=raw, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(raw)
        # tarfile reads exactly `info.size` bytes: a file that grows meanwhile is cut at the size it had,
        # one that shrinks fails the backup.
        tar.addfile(info, reader)
    return Member(name=name, size=info.size, sha256=reader.sha256.hexdigest())


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o644
    with tempfile.SpooledTemporaryFile() as buffer:
        buffer.write(content)
        buffer.seek(0)
        tar.addfile(info, buffer)


def _fsync_directory(path: Path) -> None:
    """Make a rename durable: the new directory entry reaches the disk, not only the file's bytes."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# Restore


def restore_backup(
    archive: Path,
    *,
    database: Database,
    media_root: Path,
    known_migrations: set[tuple[str, str]],
    replace: bool,
) -> RestoreSummary:
    """Restore `archive` into the configured database and media folder.

    Everything is unpacked into a staging folder and checked first (every checksum, the format, the engine,
    the migrations, an empty target); only then is the database restored, in one transaction, and the media
    folder swapped for the unpacked one. A refusal changes nothing."""
    media_root = media_root.absolute()
    if not archive.is_file():
        raise BackupError(f"There is no backup file at {archive}.")
    if media_root.exists() and os.path.ismount(media_root):
        raise BackupError(
            f"The uploaded files' folder {media_root} is a mount point, so it cannot be swapped for the "
            "restored one. Mount the volume one level up and point WAYPOINT_MEDIA_DIR to a folder in it."
        )
    staging_parent = _nearest_existing(media_root.parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=".waypoint-restore-", dir=staging_parent))
    except OSError as error:
        raise BackupError(f"Cannot write in {staging_parent}: {error.strerror}.") from error
    try:
        manifest, members = _unpack(archive, staging)
        _check_manifest(manifest, members, database)
        applied = {(app, name) for app, names in manifest["migrations"].items() for name in names}
        unknown = sorted(applied - known_migrations)
        if unknown:
            raise BackupError(
                "This backup was made by a newer version of Waypoint: its database has migrations this "
                f"version does not know ({_listing(f'{app}.{name}' for app, name in unknown)}). Install the "
                "version that made it, or a later one, and restore again."
            )
        if not replace:
            _refuse_non_empty(database, media_root)
        staged_database = staging / "database"
        staged_media = staging / "media"
        staged_media.mkdir(exist_ok=True)
        if database.engine == "postgresql":
            _restore_postgresql(database, staged_database, clean=replace)
        else:
            _restore_sqlite(database, staged_database)
        _swap_media(staged_media, media_root, staging / "previous-media")
    except OSError as error:
        raise BackupError(f"The restore failed: {error}") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    media = [member for member in manifest["members"] if member["name"].startswith(MEDIA_PREFIX)]
    return RestoreSummary(
        engine=database.engine,
        created_at=manifest["created_at"],
        apps=len(manifest["migrations"]),
        media_files=len(media),
        media_bytes=sum(int(member["size"]) for member in media),
        pending_migrations=sorted(f"{app}.{name}" for app, name in known_migrations - applied),
    )


def verify_backup(archive: Path) -> dict[str, Any]:
    """Unpack `archive` into a temporary folder and check every checksum; return its manifest."""
    if not archive.is_file():
        raise BackupError(f"There is no backup file at {archive}.")
    staging = Path(tempfile.mkdtemp(prefix="waypoint-verify-"))
    try:
        manifest, members = _unpack(archive, staging)
        _check_members(manifest, members)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _nearest_existing(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


def _unpack(archive: Path, staging: Path) -> tuple[dict[str, Any], dict[str, Member]]:
    """Unpack every member into `staging` (the database as `database`, the files under `media/`), hashing
    as it goes; return the manifest and what was found. Only plain files with safe relative names are
    accepted, and nothing is written outside `staging`."""
    manifest_bytes: bytes | None = None
    found: dict[str, Member] = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for info in tar:
                if info.name == MANIFEST:
                    source = tar.extractfile(info)
                    if info.size > _MANIFEST_MAX_BYTES or source is None:
                        raise BackupError(f"{archive} is not a Waypoint backup: its manifest is unreadable.")
                    manifest_bytes = source.read()
                    continue
                target = _staged_path(info, staging, archive)
                if info.name in found:
                    raise BackupError(f"{archive} holds {info.name} twice; it is not a Waypoint backup.")
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(info)
                assert source is not None  # noqa: S101 — _staged_path accepts regular files only
                digest = hashlib.sha256()
                with target.open("xb") as written:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        written.write(chunk)
                found[info.name] = Member(name=info.name, size=info.size, sha256=digest.hexdigest())
    except (tarfile.TarError, EOFError) as error:
        raise BackupError(f"{archive} is damaged or truncated ({error}). Nothing was restored.") from error
    if manifest_bytes is None:
        raise BackupError(f"{archive} has no manifest: it is truncated or not a Waypoint backup.")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise BackupError(f"{archive} has a damaged manifest. Nothing was restored.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a Waypoint backup.")
    return manifest, found


def _staged_path(info: tarfile.TarInfo, staging: Path, archive: Path) -> Path:
    name = PurePosixPath(info.name)
    safe = (
        info.isreg()
        and not name.is_absolute()
        and ".." not in name.parts
        and (info.name in DATABASE_MEMBER.values() or info.name.startswith(MEDIA_PREFIX))
    )
    if not safe:
        raise BackupError(f"{archive} holds an unexpected entry {info.name!r}; it is not a Waypoint backup.")
    if info.name in DATABASE_MEMBER.values():
        return staging / "database"
    return staging.joinpath("media", *name.parts[1:])


def _check_members(manifest: dict[str, Any], found: dict[str, Member]) -> None:
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {version}; this version of Waypoint reads up to "
            f"{FORMAT_VERSION}. Restore it with a newer version of Waypoint."
        )
    listed = {str(entry["name"]): entry for entry in manifest.get("members", [])}
    missing = sorted(listed.keys() - found.keys())
    extra = sorted(found.keys() - listed.keys())
    damaged = sorted(
        name
        for name in listed.keys() & found.keys()
        if (int(listed[name]["size"]), listed[name]["sha256"]) != (found[name].size, found[name].sha256)
    )
    if missing or extra or damaged:
        problems = [
            f"{label}: {_listing(names)}"
            for label, names in [("missing", missing), ("not in the manifest", extra), ("damaged", damaged)]
            if names
        ]
        raise BackupError(
            "The backup does not match its manifest (" + "; ".join(problems) + "). Nothing was restored."
        )


def _check_manifest(manifest: dict[str, Any], found: dict[str, Member], database: Database) -> None:
    _check_members(manifest, found)
    engine = manifest.get("engine")
    if engine != database.engine:
        made_on = ENGINE_NAMES.get(str(engine), str(engine))
        raise BackupError(
            f"This backup is of a {made_on} database, and the configured database is "
            f"{ENGINE_NAMES[database.engine]}. Restore it into a {made_on} database. Nothing was restored."
        )
    if DATABASE_MEMBER[database.engine] not in found:
        raise BackupError("The backup holds no database. Nothing was restored.")


def _listing(names: Any, shown: int = 5) -> str:
    items = list(names)
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


def _refuse_non_empty(database: Database, media_root: Path) -> None:
    tables = _table_count(database)
    if tables:
        raise BackupError(
            f"The {database.label} is not empty ({tables} tables). Restore into a new, empty database, or "
            "pass --replace to replace what it holds."
        )
    if media_root.is_dir() and any(path.is_file() for path in media_root.rglob("*")):
        raise BackupError(
            f"The uploaded files' folder {media_root} is not empty. Pass --replace to replace what it holds."
        )


def _table_count(database: Database) -> int:
    if database.engine == "postgresql":
        with database.pg_connect() as connection:
            return int(
                _scalar(
                    connection,
                    "SELECT count(*) FROM pg_catalog.pg_tables "
                    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
                )
            )
    path = Path(database.name)
    if not path.exists():
        return 0
    try:
        reader = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            row = reader.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()
        finally:
            reader.close()
    except sqlite3.Error as error:
        raise BackupError(f"Cannot read the SQLite database {path}: {error}.") from error
    return int(row[0])


def _restore_postgresql(database: Database, dump: Path, *, clean: bool) -> None:
    # One transaction: if any statement fails, the database is left as it was.
    command = ["pg_restore", "--single-transaction", "--no-owner", f"--dbname={database.name}"]
    if clean:
        command += ["--clean", "--if-exists"]
    _run_pg_tool([*command, str(dump)], database)


def _restore_sqlite(database: Database, staged: Path) -> None:
    """Copy the staged file into the configured database with SQLite's backup API, in one step.

    The copy replaces the whole content in one write transaction of the target, so it is atomic like a
    rename, and unlike renaming a file over the database it keeps SQLite's own locks and write-ahead log
    coherent: a stale `-wal` file beside a renamed database would be replayed into it."""
    target = Path(database.name)
    try:
        source = sqlite3.connect(staged)
        try:
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"Cannot restore into the SQLite database {target}: {error}.") from error


def _swap_media(staged: Path, media_root: Path, previous: Path) -> None:
    """Put the unpacked media folder in place of the current one: two renames on one file system, and
    the current folder is put back if the second one fails."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    if not media_root.exists():
        os.replace(staged, media_root)
        return
    os.replace(media_root, previous)
    try:
        os.replace(staged, media_root)
    except OSError:
        os.replace(previous, media_root)
        raise
