"""The access policy for learner profiles and Student Success Plans.

The rules, each dated like the rest of the policy:
- A learner profile or a success plan is read by whoever may read the student (`visible_students`). The
  profile is edited only by the student; staff who guide the student comment on it. The plan is edited by
  the student and by the staff who guide them; those staff record its reviews; a linked guardian
  acknowledges it.
- Staff who guide a student are those who see the student through teaching, a caseload or administration,
  never through their own record or their own child: a teacher who is also a parent does not review their
  child's plan (nor, in `policy/pathways.py`, approve their child's path).
- An external mentor sees no profile and no plan.
"""

from __future__ import annotations

import datetime

from django.db.models import Model, QuerySet

from waypoint.core.models import GuardianLink, Student, User
from waypoint.policy.actions import Action
from waypoint.policy.base import Actor, active_on, active_user, has_role, today
from waypoint.policy.catalog import STAFF_ROLES
from waypoint.policy.people import visible_students
from waypoint.policy.registry import rule


def guided_students(user: Actor, on: datetime.date | None = None) -> QuerySet[Student]:
    """The students whose plans and paths the user guides as staff: visible through teaching, a caseload or
    administration, leaving out the user's own record and own children."""
    actor = active_user(user)
    if actor is None or not has_role(actor, *STAFF_ROLES, on=on):
        return Student.objects.none()
    on = on or today()
    children = GuardianLink.objects.filter(active_on(on), guardian=actor).values("student_id")
    return visible_students(actor, on).exclude(user=actor).exclude(id__in=children)


def _student_rule(user: User, action: Action, student: Student, on: datetime.date) -> bool:
    is_self = student.user_id is not None and student.user_id == user.pk
    if action is Action.EDIT_PROFILE:
        return is_self
    if action is Action.ACKNOWLEDGE_PLAN:
        return GuardianLink.objects.filter(active_on(on), guardian=user, student=student).exists()
    guides = guided_students(user, on).filter(pk=student.pk).exists()
    if action in (Action.COMMENT_PROFILE, Action.REVIEW_PLAN):
        return guides
    if action is Action.EDIT_PLAN:
        return is_self or guides
    return False


@rule("profiles")
def profiles_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the profile and plan actions, all taken on a student (the user is active; `can()`
    checked it)."""
    if isinstance(obj, Student):
        return _student_rule(user, action, obj, on)
    return False
