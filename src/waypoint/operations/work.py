"""What a domain app hands to the background: a function declared with `@background(kind=...)` in the app's
`tasks.py`, started with `operations.services.start_task`, run by a worker inside its district's row
security scope (`operations.tasks.perform`).

A work function takes a `Progress` first and keyword arguments that JSON can carry (ids, dates as ISO
strings), and returns an `Outcome` (the sentence and the link its status page shows) or None:

    @background(kind="insights-refresh", title=gettext_lazy("Refresh of the figures"), retry_safe=True)
    def refresh(progress: Progress, *, district_id: int) -> Outcome: ...

`retry_safe`: the work may run again from its start when its worker died half-way (it is all-or-nothing, or
idempotent); otherwise such a run ends failed, visibly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

from waypoint.core.errors import NotPermitted
from waypoint.core.models import User
from waypoint.operations.models import TaskRun


@dataclass(frozen=True)
class Outcome:
    """How a run ended: a sentence in plain words and, when there is one, the page of its result. Work that
    ran to its end but refused what it was given (a roster with bad rows) ends not `succeeded`, with the page
    that lists why."""

    message: str = ""
    url: str = ""
    succeeded: bool = True


@dataclass(frozen=True)
class Work:
    """A function the background runs, under a kind in the domain's words."""

    function: Callable[..., Outcome | None]
    kind: str
    # What the work is, for the person following it ("Roster import"), translatable.
    title: str | Promise
    retry_safe: bool
    # Called by the reaper, with the run's arguments, when the worker died during the work and it will not
    # run again: what the work recorded outside its transaction (a "running" row) says it failed.
    abandoned: Callable[[dict[str, Any]], None] | None = None

    @property
    def path(self) -> str:
        """The dotted path of the module attribute holding this `Work` (what a worker imports again)."""
        return f"{self.function.__module__}.{self.function.__qualname__}"


def background(
    *,
    kind: str,
    title: str | Promise,
    retry_safe: bool = False,
    abandoned: Callable[[dict[str, Any]], None] | None = None,
) -> Callable[[Callable[..., Outcome | None]], Work]:
    """Declare a module-level function as background work (see the module's docstring)."""

    def declare(function: Callable[..., Outcome | None]) -> Work:
        if "<locals>" in function.__qualname__:
            raise ValueError("Background work must be a module-level function: a worker imports it by name.")
        return Work(function=function, kind=kind, title=title, retry_safe=retry_safe, abandoned=abandoned)

    return declare


APART_EVERY_SECONDS = 1.0


class Progress:
    """The handle a running work function reports through: how much is done of how much, and what it is doing.

    A report is its own short write, so the status page sees it while the work's long transaction is still
    open: outside that transaction it is written on the worker's connection; inside it, on a second
    connection of its own (`_write_apart`). SQLite allows one writer at a time, and the work's open
    transaction is that writer, so there a report made inside it is skipped: the page shows the last report
    made outside, and the end."""

    def __init__(self, run: TaskRun) -> None:
        self.run_id = run.pk
        self.district_id = run.district_id
        self.started_by_id = run.started_by_id
        # Atomic blocks open when the work began (a test's own transaction, otherwise none): deeper ones are
        # the work's own.
        self._depth = len(connection.atomic_blocks)
        self._last_apart = 0.0

    def starter(self) -> User:
        """The person who started the run, for work done in their name (the policy asked again, the audit
        row theirs); refused when the schedule started it or their account is gone."""
        user = None
        if self.started_by_id is not None:
            user = User.objects.filter(pk=self.started_by_id, is_active=True).first()
        if user is None:
            raise NotPermitted(gettext("The person who started this task can no longer act."))
        return user

    def report(self, done: int, total: int, message: str = "") -> None:
        inside_work = len(connection.atomic_blocks) > self._depth
        if inside_work:
            # Each report written apart opens a connection: at most one a second (the page polls every two).
            now = time.monotonic()
            if now - self._last_apart < APART_EVERY_SECONDS and done < total:
                return
            self._last_apart = now
        report_progress(self.run_id, done, total, message, inside_work=inside_work)


def report_progress(
    run_id: int, done: int, total: int, message: str = "", *, inside_work: bool = False
) -> None:
    """Record how far run `run_id` has come; `inside_work` when the caller holds a transaction of its own
    that the report must not wait for."""
    fields: dict[str, Any] = {
        "progress_done": max(0, min(done, total)),
        "progress_total": max(0, total),
        "updated_at": timezone.now(),
    }
    if message:
        fields["message"] = message[:300]
    if not inside_work:
        TaskRun.objects.filter(pk=run_id, status=TaskRun.Status.RUNNING).update(**fields)
    elif connection.vendor != "sqlite":
        _write_apart(run_id, fields)


def _write_apart(run_id: int, fields: dict[str, Any]) -> None:
    """The update on a connection of its own, committed at once: Django gives each thread its own
    connection, so the write runs in a short-lived thread, which closes its connection when done."""

    def write() -> None:
        try:
            TaskRun.objects.filter(pk=run_id, status=TaskRun.Status.RUNNING).update(**fields)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write, name=f"progress-{run_id}")
    writer.start()
    writer.join()
