"""The access policy for competency transcripts.

The rules, each dated like the rest of the policy:
- A student's transcript is read by whoever may read the student (`visible_students`): the student, linked
  guardians, and staff through teaching, a caseload or administration. A mentor and a state analyst read no
  student's transcript.
- An official transcript is issued by the school administrators of a school the student is enrolled at, the
  district's administrators, and the student's advisor (the student is in their caseload today): the people
  a college or employer would call about the record.
- An official transcript is requested (for a college, an employer, a scholarship) by the student, a linked
  guardian, or anyone who may issue one.
"""

from __future__ import annotations

import datetime

from django.db.models import Model, Q, QuerySet

from waypoint.core.models import AdvisorAssignment, Role, RoleAssignment, Student, StudentEnrollment, User
from waypoint.policy.actions import Action
from waypoint.policy.base import Actor, active_on, active_user, districts_where, organizations_where, today
from waypoint.policy.people import is_self_or_guardian, visible_students
from waypoint.policy.registry import rule

TRANSCRIPT_ACTIONS = frozenset({Action.VIEW_TRANSCRIPT, Action.ISSUE_TRANSCRIPT})


def transcript_issuers_students(user: Actor, on: datetime.date | None = None) -> QuerySet[Student]:
    """The students whose official transcripts the user may issue on a date: the district's as district
    administrator, those enrolled at the user's schools as school administrator, and the advisor's
    caseload."""
    actor = active_user(user)
    if actor is None:
        return Student.objects.none()
    on = on or today()
    scopes: list[Q] = []
    admin_districts = districts_where(actor, Role.DISTRICT_ADMIN, on=on)
    if admin_districts:
        scopes.append(Q(district_id__in=admin_districts))
    admin_schools = organizations_where(actor, Role.SCHOOL_ADMIN, on=on)
    if admin_schools:
        enrolled = StudentEnrollment.objects.filter(
            active_on(on, start="entry_date", end="exit_date"), school_id__in=admin_schools
        )
        scopes.append(
            Q(
                district_id__in=districts_where(actor, Role.SCHOOL_ADMIN, on=on),
                id__in=enrolled.values("student_id"),
            )
        )
    advisor_districts = districts_where(actor, Role.ADVISOR, on=on)
    if advisor_districts:
        caseload = AdvisorAssignment.objects.filter(
            active_on(on), advisor=actor, district_id__in=advisor_districts
        )
        scopes.append(Q(district_id__in=advisor_districts, id__in=caseload.values("student_id")))
    if not scopes:
        return Student.objects.none()
    combined = scopes[0]
    for scope in scopes[1:]:
        combined |= scope
    # Never the issuer's own record or own child: an official record is not issued about oneself.
    return Student.objects.filter(combined).exclude(user=actor)


def transcript_issuers(student: Student, on: datetime.date | None = None) -> QuerySet[User]:
    """The people who may issue the student's official transcript on a date: told when one is requested."""
    on = on or today()
    schools = StudentEnrollment.objects.filter(
        active_on(on, start="entry_date", end="exit_date"), student=student
    ).values("school_id")
    admins = RoleAssignment.objects.filter(active_on(on), district_id=student.district_id).filter(
        Q(role=Role.DISTRICT_ADMIN) | Q(role=Role.SCHOOL_ADMIN, organization_id__in=schools)
    )
    advisors = AdvisorAssignment.objects.filter(
        active_on(on), student=student, district_id=student.district_id
    )
    return (
        User.objects.filter(
            Q(pk__in=admins.values("user_id")) | Q(pk__in=advisors.values("advisor_id")), is_active=True
        )
        .exclude(pk=student.user_id or 0)
        .order_by("pk")
    )


def may_request_transcript(user: Actor, student: Student, on: datetime.date | None = None) -> bool:
    """Whether the user may ask for an official transcript of the student."""
    actor = active_user(user)
    if actor is None:
        return False
    on = on or today()
    if is_self_or_guardian(actor, student, on):
        return True
    return transcript_issuers_students(actor, on).filter(pk=student.pk).exists()


@rule("records", actions=TRANSCRIPT_ACTIONS)
def transcripts_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the transcript actions (the user is active; `can()` checked it). Without a student,
    ISSUE_TRANSCRIPT asks whether the user issues anyone's transcripts (the requests list)."""
    if isinstance(obj, Student):
        if action is Action.VIEW_TRANSCRIPT:
            return visible_students(user, on).filter(pk=obj.pk).exists()
        if action is Action.ISSUE_TRANSCRIPT:
            return transcript_issuers_students(user, on).filter(pk=obj.pk).exists()
        return False
    if obj is None and action is Action.ISSUE_TRANSCRIPT:
        return bool(districts_where(user, Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, Role.ADVISOR, on=on))
    return False
