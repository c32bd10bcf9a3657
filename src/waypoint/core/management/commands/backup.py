"""`waypoint backup OUT.tar [--force] [--database ALIAS]`: the database and the uploaded files in one archive
(waypoint.core.backup). OUT may be a folder: the archive is then named by the time it is made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from waypoint.core.backup import ENGINE_NAMES, BackupError, Database, create_backup, human_size


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, an online copy on SQLite) and the uploaded files into "
        "one tar archive with a manifest of checksums. OUT may be a folder, which receives "
        "waypoint-backup-YYYYMMDD-HHMMSS.tar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="The archive to write, or a folder to write it in.")
        parser.add_argument("--force", action="store_true", help="Overwrite OUT if it exists.")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database to back up (default: default)."
        )

    def handle(self, *args: Any, out: Path, force: bool, database: str, **options: Any) -> None:
        if database not in settings.DATABASES:
            raise CommandError(f"No database named {database!r} in the settings.")
        try:
            summary = create_backup(
                out,
                database=Database.from_settings(settings.DATABASES[database]),
                media_root=Path(settings.MEDIA_ROOT),
                force=force,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Wrote the backup to {summary.path}:")
        self.stdout.write(f"  database: {ENGINE_NAMES[summary.engine]}, {human_size(summary.database_bytes)}")
        media = f"{summary.media_files} from {settings.MEDIA_ROOT}, {human_size(summary.media_bytes)}"
        self.stdout.write(f"  uploaded files: {media}")
        for name in summary.skipped:
            self.stderr.write(f"  left out {name}: not a regular file")
