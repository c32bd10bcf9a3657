"""Background runs: starting one queues it with its audit row (and nothing when the caller's transaction rolls
back), a worker runs it with progress, a refusal or an error ends it failed with a reason in words, and the
reaper ends the runs of a dead worker (failed, or queued once more when the work is safe to retry)."""

from __future__ import annotations

import datetime
import io
import signal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.conftest import Demo
from tests.operations import samples
from tests.operations.runner import TEST_WORKER, run_queued
from waypoint.core.audit import RequestContext
from waypoint.core.models import AuditAction, AuditEvent, Organization
from waypoint.operations.models import TaskRun, WorkerHeartbeat
from waypoint.operations.services import (
    WORKER_STOPPED,
    WORKER_STOPPED_RETRIED,
    runs_left_by,
    runs_reap,
    start_task,
)

pytestmark = pytest.mark.django_db
STALE = datetime.timedelta(seconds=30)


def _start(demo: Demo, work: object = samples.count_to, **arguments: object) -> TaskRun:
    admin = demo.users["district-admin"]
    return start_task(
        context=RequestContext(user=admin),
        district=demo.riverside,
        work=work,
        arguments=arguments,  # type: ignore[arg-type]
    )


def test_a_started_run_is_queued_with_its_audit_row(demo: Demo) -> None:
    run = _start(demo, total=3)
    assert run.status == TaskRun.Status.QUEUED
    assert (run.kind, run.work, run.arguments) == ("count", "tests.operations.samples.count_to", {"total": 3})
    queued = DBTaskResult.objects.get(pk=run.result_id)
    assert queued.status == TaskResultStatus.READY
    assert queued.args_kwargs == {"args": [run.pk], "kwargs": {}}
    event = AuditEvent.objects.get(object_type="task-run", object_id=str(run.pk))
    assert (event.action, event.district_id, event.reason) == (AuditAction.CREATE, demo.riverside.pk, "count")
    assert event.actor == demo.users["district-admin"]


def test_a_start_rolled_back_with_its_caller_queues_nothing(demo: Demo) -> None:
    before = DBTaskResult.objects.count()

    def start_then_fail() -> None:
        with transaction.atomic():
            _start(demo, total=1)
            raise RuntimeError("the caller's write failed")

    with pytest.raises(RuntimeError):
        start_then_fail()
    assert DBTaskResult.objects.count() == before
    assert not demo.added(TaskRun).exists()


def test_a_worker_runs_it_with_progress_and_its_outcome(demo: Demo) -> None:
    run = _start(demo, total=4)
    assert run_queued() == 1
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED
    assert (run.progress_done, run.progress_total, run.percent) == (4, 4, 100)
    assert (run.message, run.result_url) == ("Counted to 4.", "/")
    assert (run.worker, run.attempts) == (TEST_WORKER, 1)
    assert run.started_at is not None
    assert run.finished_at is not None
    assert DBTaskResult.objects.get(pk=run.result_id).status == TaskResultStatus.SUCCESSFUL


def test_progress_inside_the_works_own_transaction(demo: Demo) -> None:
    """Reported inside the work's transaction, progress is written on a connection of its own (PostgreSQL)
    and is seen there only once committed, i.e. never here, where the test's transaction holds the run; on
    SQLite it is skipped. Either way the work's write and the end are kept."""
    run = _start(demo, samples.rename_district, district_id=demo.riverside.pk, name="Riverside Renamed")
    run_queued()
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED
    assert Organization.objects.get(pk=demo.riverside.pk).name == "Riverside Renamed"
    # The apart write could not see the uncommitted run row: the progress the page shows is the end's.
    assert (run.progress_done, run.progress_total) == (0, 0)


def test_a_refusal_ends_the_run_failed_with_its_reason(demo: Demo) -> None:
    run = _start(demo, samples.refuse)
    run_queued()
    run.refresh_from_db()
    assert run.status == TaskRun.Status.FAILED
    assert run.message == "users.csv:7: role: not a role"
    # The work did its job (it refused): the queue's row is no error.
    assert DBTaskResult.objects.get(pk=run.result_id).status == TaskResultStatus.SUCCESSFUL


def test_an_error_ends_the_run_failed_in_plain_words_and_the_queue_keeps_the_traceback(demo: Demo) -> None:
    run = _start(demo, samples.explode)
    run_queued()
    run.refresh_from_db()
    assert run.status == TaskRun.Status.FAILED
    assert run.message == "The work stopped with an error (RuntimeError); nothing of it was kept."
    queued = DBTaskResult.objects.get(pk=run.result_id)
    assert queued.status == TaskResultStatus.FAILED
    assert "boom" in queued.traceback


def _running(demo: Demo, work: object, worker: str, minutes_ago: int = 5, **arguments: object) -> TaskRun:
    """A run a worker claimed `minutes_ago` and has not finished."""
    run = _start(demo, work, **arguments)
    started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskRun.Status.RUNNING, worker=worker, started_at=started, attempts=1
    )
    DBTaskResult.objects.filter(pk=run.result_id).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=[worker]
    )
    run.refresh_from_db()
    return run


def test_the_reaper_fails_a_dead_workers_run_visibly(demo: Demo) -> None:
    WorkerHeartbeat.objects.create(name="dead", host="h", pid=1, seen_at=timezone.now() - STALE * 3)
    run = _running(demo, samples.tidy, "dead", marker="left behind")
    assert runs_reap(stale_after=STALE, reaper="me") == [run]
    run.refresh_from_db()
    assert (run.status, run.message) == (TaskRun.Status.FAILED, WORKER_STOPPED)
    assert run.finished_at is not None
    queued = DBTaskResult.objects.get(pk=run.result_id)
    assert queued.status == TaskResultStatus.FAILED
    assert samples.SEEN["marker"] == "left behind"  # the work's `abandoned` tidied what it left
    # A failed run is never picked up again.
    assert run_queued() == 0


def test_the_reaper_queues_a_retry_safe_run_once_then_fails_it(demo: Demo) -> None:
    run = _running(demo, samples.idempotent, "vanished")  # no heartbeat ever
    runs_reap(stale_after=STALE, reaper="me")
    run.refresh_from_db()
    assert (run.status, run.message, run.worker) == (TaskRun.Status.QUEUED, WORKER_STOPPED_RETRIED, "")
    assert DBTaskResult.objects.get(pk=run.result_id).status == TaskResultStatus.READY
    # Claimed again and lost again: the second time it fails.
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskRun.Status.RUNNING, worker="vanished", attempts=2, started_at=timezone.now() - STALE * 2
    )
    runs_reap(stale_after=STALE, reaper="me")
    run.refresh_from_db()
    assert (run.status, run.message) == (TaskRun.Status.FAILED, WORKER_STOPPED)


def test_the_reaper_leaves_live_workers_and_its_own_runs_alone(demo: Demo) -> None:
    WorkerHeartbeat.objects.create(name="alive", host="h", pid=1, seen_at=timezone.now())
    WorkerHeartbeat.objects.create(name="me", host="h", pid=2, seen_at=timezone.now() - STALE * 3)
    alive = _running(demo, samples.count_to, "alive", total=1)
    own = _running(demo, samples.count_to, "me", total=1)
    just_claimed = _running(demo, samples.count_to, "newcomer", minutes_ago=0, total=1)
    assert runs_reap(stale_after=STALE, reaper="me") == []
    for run in (alive, own, just_claimed):
        run.refresh_from_db()
        assert run.status == TaskRun.Status.RUNNING


def test_a_run_the_reaper_ended_is_not_started_by_a_late_claim(demo: Demo) -> None:
    """The queue's claim and the run's start are two steps: a run failed between them stays failed."""
    run = _start(demo, total=1)
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRun.Status.FAILED, message=WORKER_STOPPED)
    run_queued()
    run.refresh_from_db()
    assert (run.status, run.message, run.attempts) == (TaskRun.Status.FAILED, WORKER_STOPPED, 0)


def test_the_work_runs_in_the_runs_district_scope(demo: Demo) -> None:
    """On PostgreSQL the connection's row-security scope is the run's district while the work runs, and the
    system scope again afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level security scopes exist on PostgreSQL only")
    _start(demo, samples.look_at_scope)
    run_queued()
    assert samples.SEEN["scope"] == str(demo.riverside.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('waypoint.district_ids', true)")
        assert cursor.fetchone()[0] in ("", None)


def test_a_run_whose_work_is_gone_fails_rather_than_stays_running(demo: Demo) -> None:
    run = _start(demo, total=1)
    TaskRun.objects.filter(pk=run.pk).update(work="tests.operations.samples.no_such_work")
    run_queued()
    run.refresh_from_db()
    assert (run.status, run.message) == (
        TaskRun.Status.FAILED,
        "The work this task names no longer exists; nothing was done.",
    )
    assert DBTaskResult.objects.get(pk=run.result_id).status == TaskResultStatus.FAILED


def test_a_worker_started_again_under_its_name_ends_what_it_left_running(demo: Demo) -> None:
    """Its fresh heartbeat would otherwise keep every reaper off its former self's runs."""
    WorkerHeartbeat.objects.create(name="worker-1", host="h", pid=1, seen_at=timezone.now())
    left = _running(demo, samples.count_to, "worker-1", total=1)
    other = _running(demo, samples.count_to, "worker-2", total=1)
    assert runs_left_by(worker="worker-1") == [left]
    left.refresh_from_db()
    other.refresh_from_db()
    assert (left.status, left.message) == (TaskRun.Status.FAILED, WORKER_STOPPED)
    assert other.status == TaskRun.Status.RUNNING


def test_the_worker_command_runs_the_queue_and_beats(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    """`waypoint worker --batch` in this process: django_tasks_db's own loop claims and runs the queued run,
    and the worker's heartbeat is written before its first task. (PostgreSQL: on SQLite the loop opens an
    exclusive transaction of its own, which cannot nest in the test's; the subprocess proof runs it there.)"""
    if connection.vendor != "postgresql":
        pytest.skip("django_tasks_db's loop opens BEGIN EXCLUSIVE on SQLite, which cannot nest in a test")
    # The loop's `close_old_connections` would close the test's connection: it takes the open transaction
    # for a broken one.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    run = _start(demo, total=2)
    handlers = {
        number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    try:
        call_command(
            "worker", "--batch", "--no-schedule", "--name", "batch-1", "--beat", "60", stdout=io.StringIO()
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    run.refresh_from_db()
    assert (run.status, run.worker, run.progress_done) == (TaskRun.Status.SUCCEEDED, "batch-1", 2)
    assert WorkerHeartbeat.objects.filter(name="batch-1").exists()
