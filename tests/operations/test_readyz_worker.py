"""/readyz's worker check: "ok" while a heartbeat is fresh, "stale" once the newest is older than the stale
time (503 where a worker is expected), "not configured" when no worker ever ran and none is expected,
"missing" (503) when one is."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from waypoint.operations.models import WorkerHeartbeat
from waypoint.operations.services import heartbeats_prune, worker_heartbeat

pytestmark = pytest.mark.django_db


def _worker(client: Client) -> tuple[int, str]:
    response = client.get("/readyz")
    return response.status_code, response.json()["checks"]["worker"]


def test_no_worker_ever_and_none_expected_is_not_configured(client: Client, settings: Any) -> None:
    settings.WAYPOINT_EXPECT_WORKER = False
    assert _worker(client) == (200, "not configured")


def test_no_worker_ever_but_one_expected_is_missing(client: Client, settings: Any) -> None:
    settings.WAYPOINT_EXPECT_WORKER = True
    assert _worker(client) == (503, "missing")


def test_a_fresh_heartbeat_is_ok_and_an_old_one_stale(client: Client, settings: Any) -> None:
    settings.WAYPOINT_EXPECT_WORKER = True
    settings.WAYPOINT_WORKER_STALE_SECONDS = 30
    worker_heartbeat(name="w1", host="here", pid=42)
    assert _worker(client) == (200, "ok")
    WorkerHeartbeat.objects.filter(name="w1").update(seen_at=timezone.now() - datetime.timedelta(seconds=31))
    assert _worker(client) == (503, "stale")
    # Another worker's fresh beat makes the process ready again: the newest heartbeat counts.
    worker_heartbeat(name="w2", host="there", pid=43)
    assert _worker(client) == (200, "ok")


def test_a_stale_heartbeat_fails_only_where_a_worker_is_expected(client: Client, settings: Any) -> None:
    """A laptop that once ran `make demo` (a worker) and now runs only the web server keeps its old rows."""
    settings.WAYPOINT_WORKER_STALE_SECONDS = 30
    worker_heartbeat(name="w1", host="here", pid=42)
    WorkerHeartbeat.objects.filter(name="w1").update(seen_at=timezone.now() - datetime.timedelta(minutes=5))
    settings.WAYPOINT_EXPECT_WORKER = False
    assert _worker(client) == (200, "stale")
    settings.WAYPOINT_EXPECT_WORKER = True
    assert _worker(client) == (503, "stale")


def test_a_heartbeat_updates_its_own_row(db: None) -> None:
    worker_heartbeat(name="w1", host="here", pid=42)
    first = WorkerHeartbeat.objects.get(name="w1")
    worker_heartbeat(name="w1", host="here", pid=42)
    again = WorkerHeartbeat.objects.get(name="w1")
    assert again.seen_at >= first.seen_at
    assert again.started_at == first.started_at
    assert WorkerHeartbeat.objects.filter(name="w1").count() == 1


def test_heartbeats_of_workers_silent_for_a_week_are_forgotten(db: None) -> None:
    WorkerHeartbeat.objects.create(
        name="old", host="h", pid=1, seen_at=timezone.now() - datetime.timedelta(days=8)
    )
    WorkerHeartbeat.objects.create(
        name="recent", host="h", pid=2, seen_at=timezone.now() - datetime.timedelta(days=6)
    )
    assert heartbeats_prune() == 1
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["recent"]
