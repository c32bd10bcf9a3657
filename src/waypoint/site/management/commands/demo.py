"""`waypoint demo`: load the demo state (two districts) once; running it again changes nothing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from waypoint.core.demo import DEMO_PASSWORD, DEMO_STATE_SOURCED_ID, FIXED_ACCOUNTS
from waypoint.core.models import Organization
from waypoint.frameworks.demo import default_ccss_path, load_demo_frameworks
from waypoint.site.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo state, districts, schools, students and fixed accounts (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Fraction of the full student count, in (0, 1]."
        )
        parser.add_argument(
            "--ccss",
            type=Path,
            default=default_ccss_path(),
            help="A CASE file of Common Core Math to import and align to (default: the shared sample data, "
            "if "
            "it sits beside the project).",
        )

    def handle(self, *args: Any, scale: float, ccss: Path | None, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo district is never loaded into a production database.")
        started = time.perf_counter()
        try:
            summary = load_demo(scale=scale, ccss_path=ccss)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if summary.loaded:
            figures = ", ".join(f"{count} {name}" for name, count in summary.counts.items())
            self.stdout.write(f"Loaded the demo state in {time.perf_counter() - started:.1f} s: {figures}.")
        else:
            # A demo loaded before frameworks existed gets them now; otherwise nothing changes.
            state = Organization.objects.get(sourced_id=DEMO_STATE_SOURCED_ID)
            districts = list(Organization.objects.filter(parent=state, kind=Organization.Kind.DISTRICT))
            added = load_demo_frameworks(
                state=state, districts=districts, today=timezone.localdate(), ccss_path=ccss
            )
            if added:
                self.stdout.write(f"Added the demo frameworks: {added}.")
            else:
                self.stdout.write("The demo state is already loaded; nothing changed.")
        self.stdout.write(f"Demo sign-ins (password {DEMO_PASSWORD}): {', '.join(FIXED_ACCOUNTS)}")
