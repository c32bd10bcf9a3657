"""`waypoint bkt-fit CSV [--json] [--skip-blank-skills]`: fit BKT parameters per skill; writes nothing.

The console script runs `waypoint.mastery.bkt_cli` directly, without Django's start-up; this command gives
`call_command("bkt-fit", ...)` and `manage.py`-style runs the same arguments and output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.mastery.bkt_cli import HELP, FitRefused, add_arguments, fitted_lines


class Command(BaseCommand):
    help = HELP
    # Fitting a file touches neither the database nor anything the checks look at.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            lines = fitted_lines(
                file, as_json=options["json"], skip_blank_skills=options["skip_blank_skills"]
            )
        except FitRefused as error:
            raise CommandError(str(error)) from error
        for line in lines:
            self.stdout.write(line)
