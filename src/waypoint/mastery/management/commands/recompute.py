"""`waypoint recompute [--district SLUG] [--knowledge]`: recompute mastery levels from the counted scores."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.core.models import Organization
from waypoint.mastery.services import recompute


class Command(BaseCommand):
    help = (
        "Recompute every mastery level (of one district, or all) from the counted scores with the vectorized "
        "path; with --knowledge, also refit knowledge tracing from practice attempts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", help="The district's slug (default: every district).")
        parser.add_argument(
            "--knowledge", action="store_true", help="Also refit BKT and refresh the practice estimates."
        )

    def handle(self, *args: Any, district: str | None, knowledge: bool, **options: Any) -> None:
        chosen = None
        if district is not None:
            chosen = Organization.objects.filter(slug=district, kind=Organization.Kind.DISTRICT).first()
            if chosen is None:
                raise CommandError(f"No district with the slug {district!r}.")
        summary = recompute(district=chosen)
        self.stdout.write(
            f"{summary.districts} district(s): {summary.scores:,} counted scores → "
            f"{summary.levels:,} levels, "
            f"{summary.changed:,} changed, in {summary.seconds:.2f} s."
        )
        if knowledge:
            from waypoint.mastery.knowledge import knowledge_refresh

            districts = [chosen] if chosen else Organization.objects.filter(kind=Organization.Kind.DISTRICT)
            for each in districts:
                fitted = knowledge_refresh(district=each)
                self.stdout.write(
                    f"{each.slug}: knowledge tracing fitted for {fitted.competencies} competencies from "
                    f"{fitted.attempts:,} attempts by {fitted.students:,} students."
                )
