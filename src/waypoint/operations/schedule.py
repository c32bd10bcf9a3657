"""The schedule: apps declare their nightly and daily jobs on their AppConfig, as the dotted path of a list of
`Job`s (`scheduled_jobs = "waypoint.insights.tasks.SCHEDULE"`), the way they offer home panels to the site;
every worker reads them (`scheduled_jobs()`) and starts what is due (`services.scheduled_runs_start`).

Times are the district's wall clock (`TIME_ZONE`). A job missed while no worker ran is started when one comes
back, if its due time is less than `CATCH_UP` old; an older one waits for its next due time."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from waypoint.operations.work import Work

CATCH_UP = datetime.timedelta(hours=12)


@dataclass(frozen=True)
class Job:
    """Work the schedule starts every day at `at` (local time), for no district in particular (a system
    job: its work goes through every district itself)."""

    name: str
    work: Work
    at: datetime.time

    def due_at(self, now: datetime.datetime) -> datetime.datetime:
        """The latest due time at or before `now`."""
        local = timezone.localtime(now)
        due = timezone.make_aware(datetime.datetime.combine(local.date(), self.at))
        if due > now:
            due = timezone.make_aware(
                datetime.datetime.combine(local.date() - datetime.timedelta(days=1), self.at)
            )
        return due


def daily(work: Work, at: str, *, name: str = "") -> Job:
    """`work` every day at `at` ("HH:MM")."""
    return Job(name=name or work.kind, work=work, at=datetime.time.fromisoformat(at))


def nightly(work: Work, *, name: str = "") -> Job:
    """`work` every night, at the deployment's nightly time (`WAYPOINT_NIGHTLY_AT`, 02:00 by default)."""
    return daily(work, settings.WAYPOINT_NIGHTLY_AT, name=name)


@cache
def scheduled_jobs() -> tuple[Job, ...]:
    """Every app's declared jobs, in INSTALLED_APPS order."""
    found: list[Job] = []
    for config in apps.get_app_configs():
        path = getattr(config, "scheduled_jobs", None)
        if path:
            found.extend(import_string(path))
    return tuple(found)
