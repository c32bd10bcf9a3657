"""The access policy for paths of study, recommendations and the equal access report.

The rules, each dated like the rest of the policy:
- A path or a recommendation list is read by whoever may read the student (`visible_students`).
- A student proposes paths only for themselves. Only staff who guide the student (`policy/profiles.py`:
  through teaching, a caseload or administration, never their own record or their own child) approve,
  request changes, start or complete a path; the student or those staff withdraw it.
- An external mentor sees a path (and, through the evidence rules, its evidence) only while it is active,
  within its dates, and only while the mentor still holds a role in the path's district. A mentor sees no
  student record, profile or plan.
- Work is added to a path from its page while the path takes evidence (approved or active): the student adds
  their own work; the external mentor records observations while the path is active and theirs (as
  feedback: a mentor's judgement never sets a level, `policy/evidence.py`). Staff record observations from
  the student's evidence page, not the path's.
- The equal access report is for school administrators (their school) and district administrators (their
  district and its schools).

The catalog's rules (who reads, curates and copies opportunities, who sees their participants) are in
`policy/catalog.py`; the profiles' and plans' in `policy/profiles.py`.
"""

from __future__ import annotations

import datetime

from django.db.models import Model, Q, QuerySet

from waypoint.core.models import Organization, Role, Student, User
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.policy.actions import Action
from waypoint.policy.base import (
    Actor,
    active_on,
    active_user,
    districts_where,
    grants,
    has_role,
    organizations_where,
    today,
)
from waypoint.policy.catalog import STAFF_ROLES
from waypoint.policy.people import visible_students
from waypoint.policy.profiles import guided_students
from waypoint.policy.registry import rule

REPORT_ROLES = (Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def mentor_active_paths(user: Actor, on: datetime.date | None = None) -> QuerySet[PathProposal]:
    """The paths the user mentors that are active on a date (today by default): status active, the date
    within the path's dates, and the mentor still holding a role in the path's district."""
    actor = active_user(user)
    if actor is None:
        return PathProposal.objects.none()
    on = on or today()
    districts = {g.district_id for g in grants(actor, on) if g.district_id is not None}
    if not districts:
        return PathProposal.objects.none()
    return PathProposal.objects.filter(
        active_on(on),
        status=PathStatus.ACTIVE,
        mentor=actor,
        district_id__in=districts,
    )


def visible_paths(user: Actor, on: datetime.date | None = None) -> QuerySet[PathProposal]:
    """The paths the user may read: those of the students they may read, and those they mentor while
    active."""
    actor = active_user(user)
    if actor is None:
        return PathProposal.objects.none()
    on = on or today()
    return PathProposal.objects.filter(
        Q(student__in=visible_students(actor, on)) | Q(id__in=mentor_active_paths(actor, on).values("id"))
    )


def paths_taking_evidence(
    user: Actor, student: Student, on: datetime.date | None = None
) -> QuerySet[PathProposal]:
    """The student's paths the user reads that take evidence now (approved or active): the evidence form's."""
    return visible_paths(user, on).filter(
        student=student, status__in=(PathStatus.APPROVED, PathStatus.ACTIVE)
    )


def decidable_paths(user: Actor, on: datetime.date | None = None) -> QuerySet[PathProposal]:
    """The paths the user may approve, send back for changes, start or complete."""
    return PathProposal.objects.filter(student__in=guided_students(user, on))


def report_scopes(user: Actor, on: datetime.date | None = None) -> tuple[set[int], set[int]]:
    """The districts and the schools whose equal access report the user may read."""
    on = on or today()
    return districts_where(user, Role.DISTRICT_ADMIN, on=on), organizations_where(
        user, Role.SCHOOL_ADMIN, on=on
    )


def _path_rule(user: User, action: Action, path: PathProposal, on: datetime.date) -> bool:
    if action is Action.VIEW_PATH:
        return visible_paths(user, on).filter(pk=path.pk).exists()
    is_student = path.student.user_id is not None and path.student.user_id == user.pk
    if action is Action.REVISE_PATH:
        return is_student
    if action is Action.ADD_PATH_EVIDENCE:
        return path.takes_evidence and (
            is_student or mentor_active_paths(user, on).filter(pk=path.pk).exists()
        )
    guides = decidable_paths(user, on).filter(pk=path.pk).exists()
    if action is Action.DECIDE_PATH:
        return guides
    return action is Action.WITHDRAW_PATH and (is_student or guides)


def _organization_rule(user: User, action: Action, organization: Organization, on: datetime.date) -> bool:
    if action is not Action.VIEW_ACCESS_REPORT:
        return False
    districts, schools = report_scopes(user, on)
    return (
        organization.pk in districts
        or organization.pk in schools
        or (organization.kind == Organization.Kind.SCHOOL and organization.parent_id in districts)
    )


@rule("pathways")
def pathways_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the pathways actions (the user is active; `can()` checked it)."""
    if isinstance(obj, Student):
        return action is Action.PROPOSE_PATH and obj.user_id is not None and obj.user_id == user.pk
    if isinstance(obj, PathProposal):
        return _path_rule(user, action, obj, on)
    if isinstance(obj, Organization):
        return _organization_rule(user, action, obj, on)
    if obj is not None:
        return False
    if action is Action.VIEW_ACCESS_REPORT:
        return has_role(user, *REPORT_ROLES, on=on)
    if action is Action.VIEW_APPROVAL_QUEUE:
        return has_role(user, *STAFF_ROLES, on=on)
    if action is Action.PROPOSE_PATH:
        return Student.objects.filter(user=user).exists()
    return False
