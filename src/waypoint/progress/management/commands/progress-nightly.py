"""`waypoint progress-nightly`: recompute every student's pace, projection and status, then run the inquiry
rules (the student rules and the subgroup rules) over each district. Run it nightly (cron, or a scheduled
task); a student's own rules also run after each of their scores (`waypoint.progress.hooks`)."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from waypoint.progress.services import nightly


class Command(BaseCommand):
    help = "Recompute pace and projections and run the inquiry rules over every district (run nightly)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--on",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day to compute for (YYYY-MM-DD); today by default.",
        )

    def handle(self, *args: Any, on: datetime.date | None, **options: Any) -> None:
        started = time.perf_counter()
        results = nightly(on=on)
        opened = sum(result.opened for result in results.values())
        closed = sum(result.closed for result in results.values())
        still = sum(result.still_open for result in results.values())
        self.stdout.write(
            f"{len(results)} districts in {time.perf_counter() - started:.1f} s: "
            f"{opened} alerts opened, {closed} closed, {still} open."
        )
