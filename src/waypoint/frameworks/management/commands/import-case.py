"""`waypoint import-case FILE [--district SLUG]`: import a CASE 1.0 package or OpenSALT CSV, all or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from waypoint.core.models import Organization
from waypoint.frameworks.case import CasePackageError
from waypoint.frameworks.models import FrameworkKind
from waypoint.frameworks.services import FrameworkError, case_import, case_parse


class Command(BaseCommand):
    help = (
        "Import a CASE 1.0 CFPackage JSON file, or OpenSALT's CSV item list, as a framework of the state "
        "(default) or of a district. Importing the same package again updates it instead of duplicating it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--district", help="The slug of the district that owns the framework.")
        parser.add_argument("--kind", choices=FrameworkKind.values, default=FrameworkKind.STANDARDS)
        parser.add_argument("--title", default="", help="The framework's title (CSV files have none).")
        parser.add_argument("--publish", action="store_true", help="Publish the imported version.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args: Any, file: Path, district: str | None, **options: Any) -> None:
        owner = self._owner(district)
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            package = case_parse(raw=raw, file_name=file.name, title=options["title"])
        except CasePackageError as error:
            raise CommandError(str(error)) from error
        bar = None if options["no_progress"] else tqdm(total=len(package.items), unit="item", leave=False)

        def progress(stage: str, done: int, total: int) -> None:
            if bar is not None:
                bar.set_description(stage)
                bar.total = total
                bar.n = done
                bar.refresh()

        try:
            result = case_import(
                package=package,
                owner=owner,
                file_name=file.name,
                content=raw,
                kind=options["kind"],
                publish=options["publish"],
                progress=progress,
            )
        except FrameworkError as error:
            raise CommandError(
                "The import was refused; nothing was written:\n" + "\n".join(error.problems)
            ) from error
        finally:
            if bar is not None:
                bar.close()
        version = result.version
        self.stdout.write(
            f"{version.framework.title}: {result.outcome.replace('_', ' ')}; version {version.number} "
            f"({version.get_status_display().lower()}), framework id {version.framework_id}, "
            f"{result.items} items, {result.associations} associations."
        )
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")

    def _owner(self, district: str | None) -> Organization:
        if district:
            owner = Organization.objects.filter(slug=district, kind=Organization.Kind.DISTRICT).first()
            if owner is None:
                raise CommandError(f"No district with the slug {district!r}.")
            return owner
        state = Organization.objects.filter(kind=Organization.Kind.STATE).first()
        if state is None:
            raise CommandError(
                "There is no state organization yet; load one (e.g. `waypoint demo`) or pass --district."
            )
        return state
