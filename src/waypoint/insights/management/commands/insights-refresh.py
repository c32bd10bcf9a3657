"""`waypoint insights-refresh [--district SLUG] [--on YYYY-MM-DD]`: rebuild the insights aggregates of one
district, or of every district (run it nightly, after `progress-nightly`, whose statuses and paces it reads).
Each district is one transaction; the command prints each district's rows and seconds."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from waypoint.core.models import Organization
from waypoint.insights.models import AggregateRefresh
from waypoint.insights.services.refresh import refresh_all, refresh_district


class Command(BaseCommand):
    help = "Rebuild the insights aggregates of one district, or of every district (run nightly)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--district", default=None, help="The district's slug; every district by default."
        )
        parser.add_argument(
            "--on",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the aggregates are as of (YYYY-MM-DD); today by default.",
        )

    def handle(self, *args: Any, district: str | None, on: datetime.date | None, **options: Any) -> None:
        if district is None:
            refreshes = refresh_all(on=on)
        else:
            found = Organization.objects.filter(slug=district, kind=Organization.Kind.DISTRICT).first()
            if found is None:
                raise CommandError(_("No district has the slug “%(slug)s”.") % {"slug": district})
            refreshes = [refresh_district(district_id=found.pk, on=on)]
        for refresh in refreshes:
            self.stdout.write(self._line(refresh))

    @staticmethod
    def _line(refresh: AggregateRefresh) -> str:
        return _("%(district)s: %(rows)s rows as of %(day)s in %(seconds).1f s") % {
            "district": refresh.district.slug,
            "rows": refresh.rows,
            "day": refresh.as_of.isoformat(),
            "seconds": refresh.seconds,
        }
