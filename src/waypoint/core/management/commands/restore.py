"""`waypoint restore IN.tar [--replace] [--check] [--database ALIAS]`: a backup made by `waypoint backup`,
checked in full before anything is changed (waypoint.core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.db.migrations.loader import MigrationLoader

from waypoint.core.backup import (
    ENGINE_NAMES,
    BackupError,
    Database,
    human_size,
    restore_backup,
    verify_backup,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `waypoint backup`: the database and the uploaded files. Every checksum is "
        "checked first; the target database and the uploaded files' folder must be empty unless --replace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The backup archive (.tar).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace what the database and the uploaded files' folder hold now.",
        )
        parser.add_argument(
            "--check", action="store_true", help="Only check the archive's checksums; change nothing."
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database to restore into (default: default)."
        )

    def handle(
        self, *args: Any, archive: Path, replace: bool, check: bool, database: str, **options: Any
    ) -> None:
        try:
            if check:
                manifest = verify_backup(archive)
                self.stdout.write(
                    f"{archive} is intact: a {ENGINE_NAMES.get(manifest['engine'], manifest['engine'])} "
                    f"backup made at {manifest['created_at']}, {len(manifest['members'])} files checked."
                )
                return
            if database not in settings.DATABASES:
                raise CommandError(f"No database named {database!r} in the settings.")
            summary = restore_backup(
                archive,
                database=Database.from_settings(settings.DATABASES[database]),
                media_root=Path(settings.MEDIA_ROOT),
                known_migrations=_known_migrations(),
                replace=replace,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        target = settings.DATABASES[database]
        self.stdout.write(f"Restored the backup made at {summary.created_at}:")
        self.stdout.write(
            f"  database: {ENGINE_NAMES[summary.engine]} {target['NAME']}, the tables of {summary.apps} apps"
        )
        media = f"{summary.media_files} into {settings.MEDIA_ROOT}, {human_size(summary.media_bytes)}"
        self.stdout.write(f"  uploaded files: {media}")
        if summary.pending_migrations:
            self.stdout.write(
                f"The backup is older than this version of Waypoint ({len(summary.pending_migrations)} "
                "migrations to apply): run `waypoint migrate` before starting the application."
            )


def _known_migrations() -> set[tuple[str, str]]:
    """The migrations this code has on disk, read without a database connection."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
