"""The schedule: every app's declared jobs, each started once per due time however many workers look, a
missed one caught up within `CATCH_UP`, and the jobs the apps declare today."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.operations import samples
from tests.operations.runner import run_queued
from waypoint.operations.models import ScheduledRun, TaskRun
from waypoint.operations.schedule import Job, daily, nightly, scheduled_jobs
from waypoint.operations.services import scheduled_runs_start

pytestmark = pytest.mark.django_db
SEVEN_THIRTY = daily(samples.idempotent, "07:30", name="sample")


def _local(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=timezone.get_default_timezone())


def test_the_due_time_is_the_latest_at_or_before_now() -> None:
    assert SEVEN_THIRTY.due_at(_local(10, 7, 30)) == _local(10, 7, 30)
    assert SEVEN_THIRTY.due_at(_local(10, 9)) == _local(10, 7, 30)
    assert SEVEN_THIRTY.due_at(_local(10, 7, 29)) == _local(9, 7, 30)


def test_nightly_is_the_deployments_nightly_time(settings: object) -> None:
    settings.WAYPOINT_NIGHTLY_AT = "01:15"  # type: ignore[attr-defined]
    assert nightly(samples.idempotent).at == datetime.time(1, 15)


def test_a_due_job_starts_once_for_two_workers() -> None:
    now = _local(10, 8)
    first = scheduled_runs_start(jobs=[SEVEN_THIRTY], worker="worker-a", now=now)
    second = scheduled_runs_start(
        jobs=[SEVEN_THIRTY], worker="worker-b", now=now + datetime.timedelta(seconds=5)
    )
    assert len(first) == 1
    assert second == []
    run = first[0]
    assert (run.kind, run.district_id, run.started_by_id, run.status) == (
        "again",
        None,
        None,
        TaskRun.Status.QUEUED,
    )
    claim = ScheduledRun.objects.get(job="sample")
    assert (claim.due_at, claim.claimed_by, claim.run_id) == (_local(10, 7, 30), "worker-a", run.pk)
    # The next day's due time is a new claim.
    assert len(scheduled_runs_start(jobs=[SEVEN_THIRTY], worker="worker-b", now=_local(11, 8))) == 1


def test_a_job_missed_too_long_ago_waits_for_its_next_due_time() -> None:
    assert scheduled_runs_start(jobs=[SEVEN_THIRTY], worker="w", now=_local(10, 20)) == []
    assert not ScheduledRun.objects.filter(job="sample").exists()


def test_the_apps_declare_the_nightly_and_daily_jobs() -> None:
    names = {job.name: job for job in scheduled_jobs()}
    expected = {
        "audit-partitions",
        "insights-refresh-all",
        "progress-nightly",
        "start-paths",
        "notification-digest",
    }
    assert expected <= set(names)
    assert all(isinstance(job, Job) for job in names.values())
    assert names["insights-refresh-all"].at > names["progress-nightly"].at  # the figures read the paces


def test_every_scheduled_job_runs_to_its_end_on_the_demo() -> None:
    """Each app's job, started as the schedule starts it and run by a worker, ends succeeded with its
    summary (the nightly and daily work of the demo's districts)."""
    now = timezone.now()
    runs = scheduled_runs_start(
        jobs=[
            Job(name=job.name, work=job.work, at=timezone.localtime(now).time()) for job in scheduled_jobs()
        ],
        worker="w",
        now=now,
    )
    assert run_queued() == len(runs) == len(scheduled_jobs())
    for run in runs:
        run.refresh_from_db()
        assert run.status == TaskRun.Status.SUCCEEDED, (run.kind, run.message)
        assert run.message, run.kind
