"""Every write of background work: starting a run, a worker's heartbeat, and the reaper that ends the runs of
a worker that died.

Starting is transactional by the queue's own design: the database backend queues a task as a row
(`django_tasks_db.DBTaskResult`) written on the caller's connection, so inside the caller's transaction the
task exists for the workers only once that transaction commits, and not at all if it rolls back. A page that
writes something and starts work on it therefore never starts work on a write that did not happen."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.models import AuditAction, Organization
from waypoint.operations.models import ScheduledRun, TaskRun, WorkerHeartbeat
from waypoint.operations.schedule import CATCH_UP, Job
from waypoint.operations.tasks import perform
from waypoint.operations.work import Work

logger = logging.getLogger(__name__)
AUDIT_OBJECT = "task-run"
# Who starts the scheduled jobs, in the audit log.
SCHEDULER_CONTEXT = RequestContext(user=AnonymousUser(), path="scheduler")
WORKER_STOPPED = "The worker stopped while it ran; nothing of it was kept."
# How long a silent worker's heartbeat row is kept: long enough to read why a task failed last week.
HEARTBEATS_KEPT = datetime.timedelta(days=7)
WORKER_STOPPED_RETRIED = "The worker stopped while it ran; it starts again from the beginning."


def start_task(
    *,
    context: RequestContext | None,
    district: Organization | None,
    work: Work,
    arguments: dict[str, Any] | None = None,
    message: str = "",
) -> TaskRun:
    """Queue `work(progress, **arguments)` for a worker and return its run, audited; inside the caller's
    transaction when there is one (see the module's docstring). `context` None is the schedule.
    `arguments` must be what JSON carries (ids, not objects)."""
    context = context or SCHEDULER_CONTEXT
    with transaction.atomic():
        run = TaskRun.objects.create(
            district=district,
            started_by=context.actor,
            kind=work.kind,
            work=work.path,
            arguments=arguments or {},
            retry_safe=work.retry_safe,
            message=message[:300],
        )
        result = perform.enqueue(run.pk)
        run.result_id = result.id
        run.save(update_fields=["result_id"])
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            object_type=AUDIT_OBJECT,
            object_id=str(run.pk),
            district_id=district.pk if district is not None else None,
            reason=work.kind,
        )
    return run


def worker_heartbeat(*, name: str, host: str, pid: int) -> None:
    """Say that worker `name` is alive now."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(name=name).update(seen_at=now, host=host[:255], pid=pid)
    if not updated:
        WorkerHeartbeat.objects.create(name=name, host=host[:255], pid=pid, started_at=now, seen_at=now)


def heartbeats_prune(*, kept: datetime.timedelta = HEARTBEATS_KEPT) -> int:
    """Delete the heartbeats of workers silent for longer than `kept` (every worker process ever started has
    its own row); their runs were reaped long before. Returns how many went."""
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - kept).delete()
    return deleted


def runs_reap(
    *, stale_after: datetime.timedelta, reaper: str = "", now: datetime.datetime | None = None
) -> list[TaskRun]:
    """End the runs held by workers whose heartbeat is older than `stale_after` (or never came), never the
    reaping worker's own (`reaper`: alive, since it is reaping; on SQLite its heartbeat waits behind its own
    long transaction and may look stale): a run safe to retry that has not been retried goes back to the
    queue, from its start; any other is failed with the reason. The queue's own row follows, so no worker ever
    picks up a failed run or leaves one "running". Returns the runs it ended or queued again."""
    now = now or timezone.now()
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=now - stale_after).values_list("name", flat=True)
    with transaction.atomic():
        orphans = list(
            TaskRun.objects.select_for_update(skip_locked=True)
            .filter(status=TaskRun.Status.RUNNING)
            .exclude(worker__in=[*alive, reaper])
            # A run claimed a moment ago by a worker that has not yet beaten once is not an orphan.
            .filter(started_at__lt=now - stale_after)
        )
        for run in orphans:
            _reap(run, now)
    return orphans


def runs_left_by(*, worker: str, now: datetime.datetime | None = None) -> list[TaskRun]:
    """End the runs a worker of this name left running, as `runs_reap` does: called when a worker starts,
    before it claims anything, since a worker started again under the same name (`--name`) beats at once and
    would otherwise look alive to every reaper while its former self's runs stayed "running"."""
    now = now or timezone.now()
    with transaction.atomic():
        left = list(
            TaskRun.objects.select_for_update(skip_locked=True).filter(
                status=TaskRun.Status.RUNNING, worker=worker
            )
        )
        for run in left:
            _reap(run, now)
    return left


def _reap(run: TaskRun, now: datetime.datetime) -> None:
    queued = DBTaskResult.objects.filter(pk=run.result_id) if run.result_id else DBTaskResult.objects.none()
    if run.retry_safe and run.attempts < 2:
        run.status = TaskRun.Status.QUEUED
        run.message = WORKER_STOPPED_RETRIED
        run.worker = ""
        queued.update(status=TaskResultStatus.READY, started_at=None)
    else:
        run.status = TaskRun.Status.FAILED
        run.message = WORKER_STOPPED
        run.finished_at = now
        _abandon(run)
        queued.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="waypoint.operations.WorkerStopped",
            traceback=WORKER_STOPPED,
        )
    logger.warning("Run %s (%s) held by worker %r: %s", run.pk, run.kind, run.worker, run.message)
    run.updated_at = now
    run.save(update_fields=["status", "message", "worker", "finished_at", "updated_at"])


def scheduled_runs_start(
    *, jobs: Sequence[Job], worker: str, now: datetime.datetime | None = None
) -> list[TaskRun]:
    """Start every job whose latest due time has come (and is not older than `CATCH_UP`) and that no worker
    has started for that due time yet. The claim is a unique row per job and due time, inserted in the same
    transaction as the start: of two workers looking at once, the second waits for the first's commit, then
    finds the row taken and starts nothing."""
    now = now or timezone.now()
    started = []
    for job in jobs:
        due = job.due_at(now)
        if now - due > CATCH_UP:
            continue
        try:
            with transaction.atomic():
                claim = ScheduledRun.objects.create(job=job.name, due_at=due, claimed_by=worker[:64])
                run = start_task(context=None, district=None, work=job.work)
                claim.run = run
                claim.save(update_fields=["run"])
        except IntegrityError:
            continue
        logger.info("Scheduled job %s due %s started as run %s", job.name, due, run.pk)
        started.append(run)
    return started


def _abandon(run: TaskRun) -> None:
    """Let the work say it failed where it recorded something outside its transaction (`Work.abandoned`)."""
    try:
        work = import_string(run.work)
    except ImportError:
        logger.warning("Run %s: its work %s is gone; nothing to tidy", run.pk, run.work)
        return
    if isinstance(work, Work) and work.abandoned is not None:
        work.abandoned(run.arguments)
