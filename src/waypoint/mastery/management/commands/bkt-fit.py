"""`waypoint bkt-fit CSV [--json] [--skip-blank-skills]`: fit BKT parameters per skill; writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.mastery.bkt import KTDataError, fit, read_pybkt_csv


class Command(BaseCommand):
    help = (
        "Fit Bayesian Knowledge Tracing parameters (prior, learn, guess, slip) for every skill in a practice "
        "log in pyBKT's CSV format (user_id, skill_name, correct, optionally order_id) and print them. "
        "Nothing is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="Print {skill: {prior, learn, guess, slip}}.")
        parser.add_argument(
            "--skip-blank-skills",
            action="store_true",
            help="Drop rows without a skill instead of refusing the file.",
        )

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            attempts = read_pybkt_csv(file, skip_blank_skills=options["skip_blank_skills"])
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except KTDataError as error:
            raise CommandError(f"{file} cannot be fitted:\n" + "\n".join(error.problems)) from error
        fitted = fit(attempts)
        table = {
            skill: {name: round(getattr(params, name), 6) for name in ("prior", "learn", "guess", "slip")}
            for skill, params in sorted(fitted.items())
        }
        if options["json"]:
            self.stdout.write(json.dumps(table, indent=2, ensure_ascii=False))
            return
        names = {skill: _shortened(skill) for skill in table}
        width = max([len("skill"), *(len(name) for name in names.values())])
        self.stdout.write(f"{'skill':<{width}}  {'prior':>8}  {'learn':>8}  {'guess':>8}  {'slip':>8}")
        for skill, values in table.items():
            self.stdout.write(
                f"{names[skill]:<{width}}  " + "  ".join(f"{value:>8.4f}" for value in values.values())
            )


def _shortened(skill: str, limit: int = 40) -> str:
    """The skill's name cut to `limit` characters, so that one long name (DataShop joins a step's knowledge
    components with ~~) does not push the numbers off the screen; --json has the full names."""
    return skill if len(skill) <= limit else skill[: limit - 1] + "…"
