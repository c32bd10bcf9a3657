"""`waypoint audit-partitions`: create the audit log's coming monthly partitions and dispose of the months
past `WAYPOINT_AUDIT_RETENTION_MONTHS` (PostgreSQL; see `waypoint.core.audit_partitions`). It is the daily
job's work, for a first run, a check (`--dry-run`) or a server without the scheduler."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from waypoint.core.audit_partitions import audit_partitions_daily, is_partitioned


class Command(BaseCommand):
    help = (
        "Create the audit log's partitions for the coming months and dispose of the months past the "
        "retention (WAYPOINT_AUDIT_RETENTION_MONTHS; unset keeps every month). PostgreSQL only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say which months would be created and disposed of (with their events), change nothing.",
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        if not is_partitioned():
            self.stdout.write("The audit log is one table here (SQLite): no partitions, nothing disposed of.")
            return
        report = audit_partitions_daily(dry_run=dry_run)
        self.stdout.write(report.summary())
