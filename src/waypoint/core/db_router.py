"""Reads from a PostgreSQL streaming replica where they can afford to be a moment old; the rest from the
primary.

With `WAYPOINT_REPLICA_URL` set, settings add the `replica` database alias, and `ReplicaReadsMiddleware`
decides, once at the start of each request, where its reads may go; `ReplicaRouter` applies that decision to
every query. Without it, the middleware does nothing and the router sends every query to the primary
(`default`).

A request's reads go to the replica only when all of these hold:

- its method is GET or HEAD (a read-only page, or one of the API's GETs);
- the person wrote nothing in the last `WAYPOINT_REPLICA_PIN_SECONDS`: every request that writes, and every
  POST, PUT, PATCH or DELETE, answers with a short-lived signed cookie that pins the browser's next requests
  to the primary, so a person reads their own writes although the replica may lag behind;
- the replica answers (a replica that is down costs one warning in the log and sends reads to the primary
  for `RETRY_SECONDS`, never a 500).

Even then, these reads go to the primary: the session (sign-in would break right after a login the replica
has not yet received); every read after the request's first write (any statement on the primary but a read,
raw SQL included), so a page reads what it has just written; every read inside `transaction.atomic()` (a
service validates against the rows it is about to change, and `select_for_update` is routed as a write).
Writes always go to the primary, including the request's audit insert. Code outside a request (commands,
workers, the demo) reads and writes the primary.

Why a signed cookie rather than the session for the pin: the session is itself read from the primary, but
keeping the pin in it would add a session write to every request that writes, and API clients that
authenticate with a token have no session. The cookie costs no query, names no one, and carries a signed
timestamp, so the server checks its age itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})
PIN_COOKIE = "waypoint_primary"
PIN_SALT = "waypoint.core.db_router.pin"
# Read from the primary in every request: Django's sessions (see the module's docstring).
PRIMARY_ONLY_APPS = frozenset({"sessions"})
# How the statements that change nothing begin; any other statement on the primary counts as a write. (Asking
# the router is no sign of one: Django asks `db_for_write` when an unsaved object is merely given a related
# object.)
READING_STATEMENTS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW")
# How long a process reads the primary after the replica failed to answer: a replica host that does not
# answer at all would otherwise cost every read-only request the whole connect timeout.
RETRY_SECONDS = 30.0


@dataclass
class _RequestReads:
    """Where one request's reads may go: to the replica or not, and what since changed that."""

    replica: bool
    # Atomic blocks open on the primary when the request began: 0 in production, a test's own transaction
    # otherwise (as `waypoint.core.audit` counts them), so a read inside a block the request opened is told
    # apart.
    depth: int
    wrote: bool = False

    def note_write(self, execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any) -> Any:
        """An execute wrapper on the primary's connection: remembers that the request wrote."""
        if not (isinstance(sql, str) and sql.lstrip()[:9].upper().startswith(READING_STATEMENTS)):
            self.wrote = True
        return execute(sql, params, many, context)


_request_reads: ContextVar[_RequestReads | None] = ContextVar("waypoint_request_reads", default=None)


class ReplicaRouter:
    """Django's database router for the primary and its replica (`DATABASE_ROUTERS`). It answers for every
    model, so no instance hint (an object read from the replica) can send a read or a write anywhere the
    request's decision does not allow."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        reads = _request_reads.get()
        if (
            reads is None
            or not reads.replica
            or reads.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or len(connections[PRIMARY].atomic_blocks) > reads.depth
        ):
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read from one may point to an object of the other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        # The replica replays the primary's migrations through its WAL; it cannot run any itself.
        return False if db == REPLICA else None


class _ReplicaHealth:
    """Whether the replica answers, asked at the start of each read-only request, and remembered per process
    for `RETRY_SECONDS` when it does not. The one thing a web process keeps between requests here: it
    concerns no one's data, and a process that starts afresh only tries the replica again sooner."""

    def __init__(self) -> None:
        self.retry_at = 0.0

    def answers(self) -> bool:
        if time.monotonic() < self.retry_at:
            return False
        replica = connections[REPLICA]
        try:
            # Django's request_started handler does this for every alias; doing it here too checks a kept
            # connection (CONN_MAX_AGE, CONN_HEALTH_CHECKS) before the page's first query, wherever that
            # handler runs, and a new connection is opened now, so a replica that is down shows here.
            replica.close_if_unusable_or_obsolete()
            replica.close_if_health_check_failed()
            replica.ensure_connection()
        except DatabaseError:
            logger.warning(
                "The read replica did not answer; reads go to the primary for %d s",
                RETRY_SECONDS,
                exc_info=True,
            )
            self.retry_at = time.monotonic() + RETRY_SECONDS
            return False
        return True


replica_health = _ReplicaHealth()


class ReplicaReadsMiddleware:
    """Decide where a request's reads go (see the module's docstring) and pin a person who wrote to the
    primary. It sits below `AuditBatchMiddleware`, so the request's audit insert, made after the decision is
    dropped, neither reads the replica nor pins anyone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Settings add the `replica` alias exactly when this is set.
        self.replica_configured = bool(settings.WAYPOINT_REPLICA_URL)
        self.pin_seconds: int = settings.WAYPOINT_REPLICA_PIN_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.replica_configured:
            return self.get_response(request)
        reads = _RequestReads(
            replica=self._may_read_replica(request), depth=len(connections[PRIMARY].atomic_blocks)
        )
        # Only a request that reads the replica needs to notice its writes: any other reads the primary, and
        # pins the person by its method.
        noticing = connections[PRIMARY].execute_wrapper(reads.note_write) if reads.replica else nullcontext()
        token = _request_reads.set(reads)
        try:
            with noticing:
                response = self.get_response(request)
        finally:
            _request_reads.reset(token)
        if reads.wrote or request.method not in READ_ONLY_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=self.pin_seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def _may_read_replica(self, request: HttpRequest) -> bool:
        return (
            request.method in READ_ONLY_METHODS
            and request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT, max_age=self.pin_seconds)
            is None
            and replica_health.answers()
        )
