"""The one task the queue knows: `perform(run_id)` runs the work a `TaskRun` names, inside the run's district
scope, and records how it went. Every piece of background work goes through it, so every run gets the same
status, progress, failure reasons and row security whatever app it belongs to."""

from __future__ import annotations

import logging

from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskContext, task

from waypoint.core.errors import Refusal
from waypoint.core.row_security import district_scope
from waypoint.operations.models import TaskRun
from waypoint.operations.work import Outcome, Progress, Work

logger = logging.getLogger(__name__)


@task(takes_context=True)
def perform(context: TaskContext, run_id: int) -> None:
    """Run the work of run `run_id`. A refusal (the work found the district's data invalid, or the person may
    no longer do it) ends the run failed with its reason; any other error ends it failed with a plain
    sentence (the traceback goes to the log and the queue's own row) and is raised again for the queue."""
    worker_ids = context.task_result.worker_ids
    run = _claimed(run_id, worker_ids[-1] if worker_ids else "")
    if run is None:
        return
    try:
        work = import_string(run.work)
    except ImportError:
        # Code deployed since the run was queued no longer has its work: a failure, not a run left running.
        _failed(run, "The work this task names no longer exists; nothing was done.")
        raise
    if not isinstance(work, Work):
        _failed(run, "The work this task names no longer exists; nothing was done.")
        raise TypeError(f"{run.work} is not background work")
    try:
        with district_scope([run.district_id] if run.district_id is not None else None):
            outcome = work.function(Progress(run), **run.arguments)
    except Refusal as refusal:
        _failed(run, refusal.reason)
        return
    except BaseException as error:
        logger.exception("Background run %s (%s) failed", run.pk, run.kind)
        _failed(run, f"The work stopped with an error ({type(error).__name__}); nothing of it was kept.")
        raise
    _ended(run, outcome or Outcome())


def _claimed(run_id: int, worker: str) -> TaskRun | None:
    """The run, now running on `worker`; None when it is gone or already ended (the reaper failed it
    between the queue's claim and this start)."""
    now = timezone.now()
    claimed = TaskRun.objects.filter(pk=run_id, status__in=[TaskRun.Status.QUEUED, TaskRun.Status.RUNNING])
    updated = claimed.update(
        status=TaskRun.Status.RUNNING,
        worker=worker[:64],
        started_at=now,
        updated_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
    )
    if not updated:
        logger.warning("Background run %s is no longer waiting; not started", run_id)
        return None
    return TaskRun.objects.get(pk=run_id)


def _ended(run: TaskRun, outcome: Outcome) -> None:
    now = timezone.now()
    status = TaskRun.Status.SUCCEEDED if outcome.succeeded else TaskRun.Status.FAILED
    fields: dict[str, object] = {"status": status, "finished_at": now, "updated_at": now}
    if outcome.message:
        fields["message"] = outcome.message[:300]
    if outcome.url:
        fields["result_url"] = outcome.url[:300]
    if outcome.succeeded:
        # The work is done, whatever it last reported.
        fields["progress_done"] = F("progress_total")
    TaskRun.objects.filter(pk=run.pk).update(**fields)


def _failed(run: TaskRun, reason: str) -> None:
    now = timezone.now()
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskRun.Status.FAILED, message=reason[:300], finished_at=now, updated_at=now
    )
