"""`waypoint export-case FRAMEWORK_ID`: print a framework version as a CASE 1.0 CFPackage (JSON) on stdout."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.frameworks.models import Framework, VersionStatus
from waypoint.frameworks.selectors import case_export


class Command(BaseCommand):
    help = "Print a framework as a CASE 1.0 CFPackage: its published version, or --framework-version N."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("framework_id", type=int)
        parser.add_argument(
            "--framework-version", type=int, dest="number", help="The version number (default: published)."
        )
        parser.add_argument("--indent", type=int, default=None)

    def handle(
        self, *args: Any, framework_id: int, number: int | None, indent: int | None, **options: Any
    ) -> None:
        framework = Framework.objects.filter(pk=framework_id).first()
        if framework is None:
            raise CommandError(f"No framework with id {framework_id}.")
        versions = framework.versions.all()
        if number is not None:
            version = versions.filter(number=number).first()
        else:
            version = (
                versions.filter(status=VersionStatus.PUBLISHED).first()
                or versions.order_by("-number").first()
            )
        if version is None:
            raise CommandError(f"“{framework.title}” has no version {number}.")
        self.stdout.write(json.dumps(case_export(version), indent=indent, ensure_ascii=False))
