"""`waypoint import-oneroster PATH [--district SLUG] [--delta] [--as USERNAME]`: import a OneRoster 1.1 or
1.2 CSV set (a folder or a zip) into a district, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from waypoint.core.audit import RequestContext
from waypoint.core.errors import Invalid, NotPermitted
from waypoint.core.models import Organization, Role, User
from waypoint.interop.models import RosterImport
from waypoint.interop.oneroster.records import Problem
from waypoint.interop.services.roster_import import ROSTER_FILES, problem_sentence, roster_import


class Command(BaseCommand):
    help = (
        "Import a OneRoster 1.1 or 1.2 CSV set (a folder or a .zip) into a district: all of it, or nothing "
        "with every problem listed. Importing the same set again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The folder or .zip of the set.")
        parser.add_argument(
            "--district", help="The slug of the district to import into (needed when there are several)."
        )
        parser.add_argument(
            "--delta", action="store_true", help="Treat the set as a delta even if its manifest says bulk."
        )
        parser.add_argument(
            "--as",
            dest="as_username",
            help="The district administrator the import is recorded under (default: the district's first).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not draw progress bars.")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"There is no folder or file at {path}.")
        district = self._district(options["district"])
        actor = self._actor(district, options["as_username"])
        bars: dict[str, tqdm[Any]] = {}

        def progress(file: str, done: int, total: int) -> None:
            if options["no_progress"]:
                return
            bar = bars.get(file)
            if bar is None:
                bar = bars[file] = tqdm(total=total, desc=file, unit="row", file=sys.stderr, leave=False)
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            run = roster_import(
                context=RequestContext(user=actor),
                district=district,
                source=path,
                source_name=path.name,
                mode="delta" if options["delta"] else None,
                progress=progress,
            )
        except NotPermitted as refusal:
            raise CommandError(refusal.reason) from refusal
        except Invalid as refusal:
            # Each problem reads `file:line: column: reason`.
            raise CommandError(
                f"The roster was refused; nothing was written "
                f"({len(refusal.problems)} problem{'' if len(refusal.problems) == 1 else 's'}):\n"
                + "\n".join(refusal.problems)
            ) from refusal
        finally:
            for bar in bars.values():
                bar.close()
        self._report(run)

    def _report(self, run: RosterImport) -> None:
        self.stdout.write(
            f"Imported {run.source_name} into {run.district.name} "
            f"(OneRoster {run.version}, {run.get_mode_display().lower()}; run {run.pk})."
        )
        width = max(len(file) for file in ROSTER_FILES)
        self.stdout.write(
            f"{'file':<{width}}  {'rows':>8} {'created':>8} {'updated':>8} {'ended':>8} "
            f"{'unchanged':>9} {'ignored':>8}"
        )
        for file in ROSTER_FILES:
            counts = run.counts.get(file, {})
            self.stdout.write(
                f"{file:<{width}}  {counts.get('rows', 0):>8} {counts.get('created', 0):>8} "
                f"{counts.get('updated', 0):>8} {counts.get('ended', 0):>8} {counts.get('unchanged', 0):>9} "
                f"{counts.get('ignored', 0):>8}"
            )
        for warning in run.warnings:
            problem = Problem(warning["file"], warning["line"], warning["column"], warning["reason"])
            self.stderr.write(f"warning: {problem_sentence(problem)}")

    def _district(self, slug: str | None) -> Organization:
        districts = Organization.objects.filter(kind=Organization.Kind.DISTRICT)
        if slug:
            district = districts.filter(slug=slug).first()
            if district is None:
                raise CommandError(f"No district with the slug {slug!r}.")
            return district
        found = list(districts[:2])
        if not found:
            raise CommandError("There is no district yet: create one with `waypoint setup` first.")
        if len(found) > 1:
            raise CommandError("There are several districts: name one with --district SLUG.")
        return found[0]

    def _actor(self, district: Organization, username: str | None) -> User:
        """The person the import is recorded under: the one named, else the district's first administrator."""
        if username:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"No account with the username {username!r}.")
            return actor
        actor = (
            User.objects.filter(
                is_active=True,
                role_assignments__role=Role.DISTRICT_ADMIN,
                role_assignments__organization=district,
                role_assignments__ends_on__isnull=True,
            )
            .order_by("pk")
            .first()
        )
        if actor is None:
            raise CommandError(
                f"{district.name} has no district administrator to record the import under: "
                "pass --as USERNAME."
            )
        return actor
