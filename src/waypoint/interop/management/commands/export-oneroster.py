"""`waypoint export-oneroster --district SLUG OUT.zip [--as USERNAME]`: a district's roster as OneRoster
1.1 CSV, written as its administrator would download it (audited, within the hourly allowance)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from waypoint.core.audit import RequestContext
from waypoint.core.errors import Refusal
from waypoint.core.models import Organization, Role, RoleAssignment, User
from waypoint.interop.services.roster_export import export_rows, roster_export
from waypoint.policy import active_on


class Command(BaseCommand):
    help = (
        "Export a district's roster as a OneRoster 1.1 CSV zip, acting as its first district administrator "
        "(or --as USERNAME)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="The zip file to write.")
        parser.add_argument("--district", required=True, help="The district's slug.")
        parser.add_argument("--as", dest="username", help="The district administrator the export is made as.")

    def handle(self, *args: Any, out: Path, district: str, username: str | None, **options: Any) -> None:
        organization = Organization.objects.filter(slug=district, kind=Organization.Kind.DISTRICT).first()
        if organization is None:
            raise CommandError(f"No district with the slug {district!r}.")
        actor = self._actor(organization, username)
        context = RequestContext(
            user=actor,
            path=f"waypoint export-oneroster (run by {getpass.getuser()} on the server)",
            acting_district_id=organization.pk,
        )
        try:
            content = roster_export(context=context, district=organization)
        except Refusal as refusal:
            raise CommandError(f"The export was refused: {refusal.reason}") from refusal
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}.") from error
        self.stdout.write(f"Wrote the roster of {organization.name} to {out} (OneRoster 1.1 CSV, bulk):")
        for name, count in export_rows(content).items():
            self.stdout.write(f"  {name}: {count} rows")

    def _actor(self, district: Organization, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user named {username!r}.")
            return user
        admin = (
            User.objects.filter(
                is_active=True,
                role_assignments__in=RoleAssignment.objects.filter(
                    active_on(timezone.localdate()), role=Role.DISTRICT_ADMIN, district=district
                ),
            )
            .order_by("pk")
            .first()
        )
        if admin is None:
            raise CommandError(
                f"{district.name} has no active district administrator to act as; pass --as USERNAME."
            )
        return admin
