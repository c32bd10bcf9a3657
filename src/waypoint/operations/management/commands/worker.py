"""`waypoint worker`: run background tasks and the schedule (see `waypoint.operations.worker`). Start one or
more beside the web processes; `make serve` and `make demo` start one."""

from __future__ import annotations

import datetime
import logging
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from waypoint.operations.worker import BeatSettings, run_worker, worker_name


class Command(BaseCommand):
    help = "Run queued background tasks, beat a heartbeat, reap dead workers' tasks and start scheduled jobs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--name", default="", help="The worker's name (unique in the pool; default: host-pid-random)."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue (default 1)."
        )
        parser.add_argument(
            "--beat",
            type=float,
            default=settings.WAYPOINT_WORKER_BEAT_SECONDS,
            help="Seconds between heartbeats (default: WAYPOINT_WORKER_BEAT_SECONDS, 5).",
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=settings.WAYPOINT_WORKER_STALE_SECONDS,
            help="A worker silent this many seconds is dead: its tasks are failed or retried (default 30).",
        )
        parser.add_argument(
            "--no-schedule", action="store_true", help="Run tasks only; start no scheduled job."
        )
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("django_tasks", "django_tasks_db", "waypoint.operations"):
            logging.getLogger(name).setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
        beat = BeatSettings(
            name=options["name"] or worker_name(),
            every=datetime.timedelta(seconds=options["beat"]),
            stale_after=datetime.timedelta(seconds=options["stale_after"]),
            schedule=not options["no_schedule"],
        )
        self.stdout.write(
            f"Worker {beat.name}: beat every {options['beat']} s, stale after {options['stale_after']} s"
        )
        run_worker(settings=beat, interval=options["interval"], batch=options["batch"])
