"""`waypoint start-paths`: start every approved path whose start date has come. Run it daily (cron, or a
scheduled task): approval starts a path at once only when its start date has already come."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandParser

from waypoint.core.audit import RequestContext
from waypoint.pathways.services import paths_start_due


class Command(BaseCommand):
    help = "Start every approved path whose start date has come (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--on",
            type=datetime.date.fromisoformat,
            default=None,
            help="The date to start paths for (YYYY-MM-DD).",
        )

    def handle(self, *args: Any, on: datetime.date | None, **options: Any) -> None:
        # No user: the paths' history and the audit log say Waypoint started them.
        started = paths_start_due(context=RequestContext(user=AnonymousUser()), on=on)
        self.stdout.write(f"Started {started} path{'' if started == 1 else 's'}.")
