"""`waypoint demo`: load the demo state (two districts) once; running it again changes nothing."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.core.demo import DEMO_PASSWORD, FIXED_ACCOUNTS, load_demo


class Command(BaseCommand):
    help = "Load the demo state, districts, schools, students and fixed accounts (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Fraction of the full student count, in (0, 1]."
        )

    def handle(self, *args: Any, scale: float, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo district is never loaded into a production database.")
        started = time.perf_counter()
        try:
            summary = load_demo(scale=scale)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if summary.loaded:
            figures = ", ".join(f"{count} {name}" for name, count in summary.counts.items())
            self.stdout.write(f"Loaded the demo state in {time.perf_counter() - started:.1f} s: {figures}.")
        else:
            self.stdout.write("The demo state is already loaded; nothing changed.")
        self.stdout.write(f"Demo sign-ins (password {DEMO_PASSWORD}): {', '.join(FIXED_ACCOUNTS)}")
