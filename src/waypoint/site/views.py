"""The site's own pages: the home page, made of every app's panels for the user, and the liveness and
readiness checks."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db import Error as DatabaseError
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from waypoint.core.home import PROGRESS, TODAY, HomePanel
from waypoint.core.http import user_of
from waypoint.operations.models import WorkerHeartbeat
from waypoint.site.contributions import contributions


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers without touching the database or any student data."""
    return JsonResponse({"status": "ok"})


logger = logging.getLogger(__name__)
# A load balancer's probe gives up after a few seconds; the database must answer well within that.
READY_DATABASE_TIMEOUT_MS = 2000
# The databases whose migrations this process has found applied. Reading the migration graph takes far longer
# than a probe should, and a process that has seen them applied stays right until the next deploy, which
# starts new processes.
_migrated_databases: set[str] = set()
# The worker answers that keep a process ready: a worker beats, or none is expected. A stale heartbeat fails
# the check only where a worker is expected (`make serve`, production): a laptop that once ran `make demo`
# keeps old heartbeat rows, and its plain `waypoint runserver` must still answer ready.
WORKER_READY = {"ok", "not configured"}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers and orchestrators: 200 when this process can serve pages, 503 with the
    failing check's reason when it cannot, and never a 500 or a hang over a database that is down.

    Checks: the database answers `SELECT 1` within `READY_DATABASE_TIMEOUT_MS` (PostgreSQL's statement
    timeout; connecting is bounded by the connection's own `connect_timeout`), and no migration is left
    unapplied, and a background worker beat lately (`worker_check`). Touches no student data, no session and
    no audit row; the database's error is logged, not sent, since the page is public."""
    checks = {"database": _database_check(), "migrations": "not checked", "worker": "not checked"}
    if checks["database"] == "ok":
        checks["migrations"] = _migrations_check()
        checks["worker"] = worker_check()
    worker_ready = checks["worker"] in WORKER_READY or (
        checks["worker"] == "stale" and not settings.WAYPOINT_EXPECT_WORKER
    )
    ready = checks["database"] == "ok" and checks["migrations"] == "ok" and worker_ready
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503
    )


def _database_check() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        if connection.vendor == "postgresql":
            # SET LOCAL lasts only as long as this transaction, which is rolled back: nothing is written, and
            # the timeout never reaches the requests that reuse the connection.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = %s", [READY_DATABASE_TIMEOUT_MS])
                cursor.execute("SELECT 1")
                transaction.set_rollback(True)
        else:
            # No transaction on SQLite: its transactions begin IMMEDIATE (settings), which would queue the
            # probe behind every writer.
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Readiness: the database did not answer", exc_info=True)
        return "unavailable"
    return "ok"


def worker_check() -> str:
    """ "ok" when a worker's heartbeat (`waypoint worker`) is fresher than `WAYPOINT_WORKER_STALE_SECONDS`;
    "stale" when the newest is older: background work and the nightly jobs have stopped, and the check fails
    where a worker is expected;
    "not configured" when no worker has ever beaten and none is expected (`WAYPOINT_EXPECT_WORKER` off: a
    laptop running only the web server), "missing" when one is expected. One indexed query."""
    try:
        newest = WorkerHeartbeat.objects.aggregate(newest=Max("seen_at"))["newest"]
    except DatabaseError:
        logger.warning("Readiness: the worker heartbeat could not be read", exc_info=True)
        return "unavailable"
    if newest is None:
        return "missing" if settings.WAYPOINT_EXPECT_WORKER else "not configured"
    stale_after = datetime.timedelta(seconds=settings.WAYPOINT_WORKER_STALE_SECONDS)
    return "ok" if timezone.now() - newest <= stale_after else "stale"


def _migrations_check() -> str:
    if DEFAULT_DB_ALIAS in _migrated_databases:
        return "ok"
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        logger.warning("Readiness: the applied migrations could not be read", exc_info=True)
        return "unavailable"
    if plan:
        migration = plan[0][0]
        return f"{len(plan)} unapplied, from {migration.app_label}.{migration.name}"
    _migrated_databases.add(DEFAULT_DB_ALIAS)
    return "ok"


@dataclass(frozen=True)
class ShownPanel:
    """A panel as the home page draws it: the panel, and the body its own template rendered, if any."""

    panel: HomePanel
    body: SafeString | None = None


def _idle(panel: HomePanel) -> bool:
    """A panel of today's work with nothing in it: it keeps its empty state ("every plan is acknowledged"),
    but below the panels that have something, so it never takes the top of the page from them."""
    return TODAY <= panel.order < PROGRESS and not panel.items and not panel.template


def home_panels(request: HttpRequest) -> list[HomePanel]:
    """Every app's panels for the signed-in person, what needs them first (by `order`, then `key`), and the
    action panels with nothing waiting after the rest."""
    user = user_of(request)
    panels = [panel for offer in contributions("home") for panel in offer(request, user)]
    return sorted(panels, key=lambda panel: (_idle(panel), panel.order, panel.key))


def _shown(request: HttpRequest, panel: HomePanel) -> ShownPanel:
    if not panel.template:
        return ShownPanel(panel)
    return ShownPanel(panel, render_to_string(panel.template, {**panel.context, "panel": panel}, request))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What needs the person today, then how their learning or their students are doing, then reference."""
    shown = [_shown(request, panel) for panel in home_panels(request)]
    waiting = [item.panel for item in shown if item.panel.tone == "action" and item.panel.waiting]
    return render(request, "site/home.html", {"panels": shown, "waiting_panels": waiting})
