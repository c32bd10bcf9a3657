"""`waypoint export-case FRAMEWORK_ID`: print a framework version as a CASE CFPackage (JSON) on stdout: CASE
1.0 unless `--case-version 1.1` (which also carries what 1.0 has no place for: frameworkType, item subjects,
association notes, extensions)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.frameworks.case import CaseVersion
from waypoint.frameworks.models import Framework, VersionStatus
from waypoint.frameworks.selectors import case_export


class Command(BaseCommand):
    help = "Print a framework as a CASE CFPackage: its published version, or --framework-version N."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("framework_id", type=int)
        parser.add_argument(
            "--framework-version", type=int, dest="number", help="The version number (default: published)."
        )
        parser.add_argument("--indent", type=int, default=None)
        parser.add_argument(
            "--case-version",
            choices=["1.0", "1.1"],
            default="1.0",
            help="The version of CASE (default: 1.0).",
        )

    def handle(
        self,
        *args: Any,
        framework_id: int,
        number: int | None,
        indent: int | None,
        case_version: CaseVersion,
        **options: Any,
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
        exported = case_export(version, case_version=case_version)
        self.stdout.write(json.dumps(exported, indent=indent, ensure_ascii=False))
