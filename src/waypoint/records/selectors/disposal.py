"""Reads of disposal requests, for a district's administrators: scoped by the access policy and audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Role, Student
from waypoint.people.selectors import student_get
from waypoint.policy import Action
from waypoint.policy.base import districts_where
from waypoint.records.models import DisposalRequest, DisposalStatus


@dataclass(frozen=True)
class DisposalRow:
    request: DisposalRequest
    overdue: bool
    days_left: int


def _refuse(context: RequestContext, object_type: str) -> NotPermitted:
    reason = gettext("Your role may not %(action)s.") % {"action": Action.DISPOSE_RECORD.label}
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        district_id=context.district_id,
        reason=reason,
    )
    return NotPermitted(reason)


def _row(request: DisposalRequest) -> DisposalRow:
    today = timezone.localdate()
    waiting = request.status == DisposalStatus.REQUESTED
    return DisposalRow(
        request=request, overdue=waiting and request.due_on < today, days_left=(request.due_on - today).days
    )


def disposal_list(*, context: RequestContext) -> list[DisposalRow]:
    """The requests of the districts the reader administers: open ones first, by due date (so the overdue
    lead), then the completed ones, latest first."""
    if not policy.can(context.user, Action.DISPOSE_RECORD):
        raise _refuse(context, "disposal-list")
    districts = districts_where(context.user, Role.DISTRICT_ADMIN, on=policy.today())
    found = (
        DisposalRequest.objects.filter(district_id__in=districts)
        .select_related("student", "recorded_by", "completed_by")
        .annotate(
            done=Case(
                When(status=DisposalStatus.COMPLETED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("done", "due_on", "pk")
    )
    rows = [_row(request) for request in found]
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="disposal-list",
        students=[row.request.student for row in rows if row.request.student is not None],
        reason=policy.legitimate_interest(context.user),
    )
    return rows


def disposal_student(*, context: RequestContext, student_id: int) -> Student:
    """The student whose record a district administrator disposes of (404 out of scope, 403 for another
    role), audited as read."""
    return student_get(
        context=context, student_id=student_id, action=Action.DISPOSE_RECORD, audit_as="disposal"
    )


def open_disposal(student: Student) -> DisposalRequest | None:
    """The student's request still to complete, if any."""
    return DisposalRequest.objects.filter(student=student, status=DisposalStatus.REQUESTED).first()


def disposal_get(*, context: RequestContext, disposal_id: int) -> DisposalRequest:
    """One request of a district the reader administers (else 404, audited as denied)."""
    request = DisposalRequest.objects.select_related("student").filter(pk=disposal_id).first()
    if request is None or not policy.can(context.user, Action.DISPOSE_RECORD, request):
        audit_record(
            context=context, action=AuditAction.DENIED, object_type="disposal", object_id=str(disposal_id)
        )
        raise NotVisible(f"No disposal request {disposal_id} is visible to this user.")
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="disposal",
        object_id=str(request.pk),
        student=request.student,
        district_id=request.district_id,
        reason=policy.legitimate_interest(context.user, request.student) if request.student else "",
    )
    return request
