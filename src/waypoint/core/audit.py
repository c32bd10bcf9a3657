"""Writing the append-only audit log: who did what to which student record, when, from where, and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

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
    """The acting user and client address of a request (REMOTE_ADDR: a proxy must set it to the client),
    without the acting district: what the audit of a sign-in needs, before any policy applies."""
    # Requests built outside the middleware stack (the test client's force_login) carry no user.
    user = getattr(request, "user", None)
    return RequestContext(
        user=user if isinstance(user, User) else AnonymousUser(),
        client_address=request.META.get("REMOTE_ADDR") or None,
        path=request.path[:300],
    )


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
    event.save()
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
    AuditEvent.objects.bulk_create(events, batch_size=500)
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
