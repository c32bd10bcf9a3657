"""`waypoint worker`: django_tasks_db's worker loop, with a beat beside it.

The loop (`django_tasks_db`'s `Worker`, reused as it is) claims queued tasks and runs them one at a time. The
beat is a thread of the same process that, every `beat` seconds and on a database connection of its own:

1. writes the worker's heartbeat (`WorkerHeartbeat`): `/readyz` and the other workers read it;
2. reaps: fails, or queues again, the runs of workers whose heartbeat stopped (`services.runs_reap`), and
   forgets workers silent for a week (`services.heartbeats_prune`);
3. starts the scheduled jobs that are due (`services.scheduled_runs_start`), once per due time however many
   workers run.

The beat runs while a long task runs, so a busy worker never looks dead; a killed process stops both, so its
runs are reaped by any other worker, or by itself when it starts again under the same name."""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
from dataclasses import dataclass

from django.db import DatabaseError, close_old_connections, connections
from django_tasks.utils import get_random_id
from django_tasks_db.management.commands.db_worker import Worker

from waypoint.operations import services
from waypoint.operations.schedule import scheduled_jobs

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BeatSettings:
    name: str
    every: datetime.timedelta
    stale_after: datetime.timedelta
    schedule: bool = True


def worker_name() -> str:
    """Unique across the pool, and readable in the heartbeat table: the host, the pid and a random tail."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_id()[:8]}"


def beat_once(settings: BeatSettings) -> None:
    """One beat (see the module's docstring). A database that does not answer is logged, not raised: the
    next beat tries again, and the loop beside it keeps its own retries."""
    try:
        services.worker_heartbeat(name=settings.name, host=socket.gethostname(), pid=os.getpid())
        services.runs_reap(stale_after=settings.stale_after, reaper=settings.name)
        services.heartbeats_prune()
        if settings.schedule:
            services.scheduled_runs_start(jobs=scheduled_jobs(), worker=settings.name)
    except DatabaseError:
        logger.warning("Worker %s: the beat could not reach the database", settings.name, exc_info=True)
        close_old_connections()


class Beat(threading.Thread):
    """The beat, as a daemon thread: it ends with the process."""

    def __init__(self, settings: BeatSettings) -> None:
        super().__init__(name=f"beat-{settings.name}", daemon=True)
        self.settings = settings
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.settings.every.total_seconds()):
                beat_once(self.settings)
        finally:
            connections.close_all()


def run_worker(*, settings: BeatSettings, interval: float, batch: bool = False) -> None:
    """End the runs an earlier worker of the same name left "running", beat once (so `/readyz` sees the
    worker before its first task), start the beat thread, and run the queue's loop in this thread until a
    signal stops it (or, with `batch`, until the queue is empty)."""
    services.runs_left_by(worker=settings.name)
    beat_once(settings)
    beat = Beat(settings)
    beat.start()
    loop = Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=settings.name,
    )
    loop.configure_signals()
    try:
        loop.run()
    finally:
        beat.stopped.set()
        loop.reset_signals()
