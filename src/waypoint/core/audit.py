"""Writing the append-only audit log: who did what to which student record, when, from where, and why.

One insert per request
----------------------
A page that shows ten students used to commit ten audit rows one by one, each its own transaction. Inside a
request (`audit_batched`, entered by `AuditBatchMiddleware` around every request) the events wait in a
buffer kept for that request and are stored by one `bulk_create` when the response is ready, before it is
sent: the audit stays synchronous (no response leaves before its events are stored, and a failed insert
turns the response into a 500) and complete. Which events wait, and which are written at once:

- A *disclosure* (`DISCLOSURES`: a read, a refusal, a sign-in) happened whatever becomes of any
  transaction around it: it always waits in the buffer, which is stored even when the response is an error
  (a 404, a 409, a 500) and even when a transaction it was recorded in rolls back. Before, a refusal
  recorded inside a service's transaction was lost with the rollback the refusal caused.
- A *change* (create, update, delete, export) claims that something was written or sent. Recorded inside
  a transaction the request opened (a service's `transaction.atomic`), it is inserted at once, in that
  transaction: it commits with the write it describes, or rolls back with it, so the log never claims a
  write that did not happen, and a crash between the two can lose neither alone. (Django offers no hook
  that runs just before a commit, so a change cannot wait for the request's insert without leaving its
  transaction.) Recorded outside any transaction (autocommit: the write is already stored), it waits.
- Outside a request (a command, the demo, a test calling a service), nothing waits: every event is
  inserted at once, as it always was.

"Inside a transaction the request opened" counts the atomic blocks open when the request began, so a test
that wraps the request in its own transaction batches exactly as production does. A waiting event has no id
yet, and a page that reads the log (the disclosures list, the district's audit log) lists its own visit from
the next request on, unless it stores them first (`audit_flush`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest

from waypoint.core.logging import current_request_id
from waypoint.core.models import AuditAction, AuditEvent, Student, User


@dataclass(frozen=True)
class RequestContext:
    """Who is acting and from where: what every selector and service needs to decide and to audit."""

    user: User | AnonymousUser
    client_address: str | None = None
    path: str = ""
    # The district the person acts for in this request, by the policy's one rule (`policy.request_context`);
    # a context built outside a request (a command, a test) acts for the user's home district.
    acting_district_id: int | None = None
    # The request's id (`RequestIdMiddleware`), written into its audit rows; "" outside a request.
    request_id: str = ""

    @property
    def actor(self) -> User | None:
        return self.user if isinstance(self.user, User) else None

    @property
    def district_id(self) -> int | None:
        """The district this context acts for."""
        if self.acting_district_id is not None:
            return self.acting_district_id
        return self.actor.district_id if self.actor else None


def audit_context(request: HttpRequest) -> RequestContext:
    """The acting user, client address and request id of a request (REMOTE_ADDR: a proxy must set it to the
    client), without the acting district: what the audit of a sign-in needs, before any policy applies."""
    # Requests built outside the middleware stack (the test client's force_login, a RequestFactory's) carry
    # no user and no request id.
    user = getattr(request, "user", None)
    request_id = getattr(request, "request_id", "")
    return RequestContext(
        user=user if isinstance(user, User) else AnonymousUser(),
        client_address=request.META.get("REMOTE_ADDR") or None,
        path=request.path[:300],
        request_id=request_id if isinstance(request_id, str) else "",
    )


# What a person saw or tried: true whatever becomes of a transaction around it.
DISCLOSURES = frozenset({AuditAction.VIEW, AuditAction.DENIED, AuditAction.LOGIN, AuditAction.LOGIN_FAILED})
INSERT_BATCH = 500


@dataclass
class _RequestAudit:
    """The events of one request waiting for its one insert, and how many atomic blocks were open when the
    request began (0 in production; a test's own transaction otherwise)."""

    depth: int
    events: list[AuditEvent] = field(default_factory=list)


_request_audit: ContextVar[_RequestAudit | None] = ContextVar("waypoint_request_audit", default=None)


@contextmanager
def audit_batched() -> Iterator[None]:
    """Collect the audit events recorded inside the block (see the module's docstring for which) and store
    them in one insert when it ends, whether it ends with a response or an exception. Nested blocks join
    the outer one."""
    if _request_audit.get() is not None:
        yield
        return
    batch = _RequestAudit(depth=len(connection.atomic_blocks))
    token = _request_audit.set(batch)
    try:
        yield
    finally:
        _request_audit.reset(token)
        AuditEvent.objects.bulk_create(batch.events, batch_size=INSERT_BATCH)


def audit_flush() -> None:
    """Store the request's waiting events now: for a page that reads the log and promises to list its own
    visit (the district's audit log opens with its own opening)."""
    batch = _request_audit.get()
    if batch is not None and batch.events:
        AuditEvent.objects.bulk_create(batch.events, batch_size=INSERT_BATCH)
        batch.events.clear()


def _store(events: list[AuditEvent]) -> None:
    """Into the request's batch when the events may wait (see the module's docstring), else inserted now."""
    batch = _request_audit.get()
    if batch is not None and (
        len(connection.atomic_blocks) <= batch.depth or all(event.action in DISCLOSURES for event in events)
    ):
        batch.events.extend(events)
    elif len(events) == 1:
        events[0].save()
    else:
        AuditEvent.objects.bulk_create(events, batch_size=INSERT_BATCH)


def _event(
    context: RequestContext,
    action: AuditAction,
    *,
    object_type: str,
    object_id: str,
    student: Student | None,
    district_id: int | None,
    reason: str,
) -> AuditEvent:
    actor = context.actor
    return AuditEvent(
        actor=actor,
        actor_username=actor.username if actor else "",
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        student=student,
        district_id=district_id if district_id is not None else (student.district_id if student else None),
        client_address=context.client_address,
        path=context.path,
        reason=reason[:300],
        # A context built by hand inside a request (a public link's read) still carries the request's id.
        request_id=(context.request_id or current_request_id())[:64],
    )


def audit_record(
    *,
    context: RequestContext,
    action: AuditAction,
    object_type: str,
    object_id: str = "",
    student: Student | None = None,
    district_id: int | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event; the district defaults to the student's."""
    event = _event(
        context,
        action,
        object_type=object_type,
        object_id=object_id,
        student=student,
        district_id=district_id,
        reason=reason,
    )
    _store([event])
    return event


def audit_record_students(
    *,
    context: RequestContext,
    action: AuditAction,
    object_type: str,
    students: Iterable[Student],
    reason: str = "",
) -> int:
    """Append one event per student in a single insert (a list page, a roster, a bulk write)."""
    events = [
        _event(
            context,
            action,
            object_type=object_type,
            object_id=str(student.pk),
            student=student,
            district_id=None,
            reason=reason,
        )
        for student in students
    ]
    _store(events)
    return len(events)


def audit_student(
    context: RequestContext,
    action: AuditAction,
    object_type: str,
    object_id: int,
    student: Student,
    reason: str = "",
) -> None:
    """An event on one object of a student's record (a profile, a goal, a path), in the student's district."""
    audit_record(
        context=context,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        student=student,
        reason=reason,
    )
