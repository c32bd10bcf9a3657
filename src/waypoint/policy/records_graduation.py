"""Graduation rules and the diploma.

- A district's graduation rule sets are changed by its district administrators and read by every staff
  member of the district (teachers, advisors, school and district administrators).
- A student's diploma check is read by whoever may read the student's record (`visible_students`): the
  student, a linked guardian, the staff who teach, advise or administer the student. A mentor and the state
  analyst read no student's record, so no diploma check.
- A diploma is awarded and revoked by a district administrator of the student's district.
"""

from __future__ import annotations

import datetime

from django.db.models import Model

from waypoint.core.models import Organization, Role, Student, User
from waypoint.policy.actions import Action
from waypoint.policy.base import districts_where, has_role
from waypoint.policy.people import visible_students
from waypoint.policy.registry import rule
from waypoint.records.models import Diploma, GraduationRuleSet

GRADUATION_ACTIONS = frozenset(
    {
        Action.MANAGE_GRADUATION_RULES,
        Action.VIEW_GRADUATION_RULES,
        Action.VIEW_DIPLOMA_CHECK,
        Action.AWARD_DIPLOMA,
    }
)
RULE_READERS = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def _district_rule(user: User, action: Action, district_id: int, on: datetime.date) -> bool:
    if action in (Action.MANAGE_GRADUATION_RULES, Action.AWARD_DIPLOMA):
        return district_id in districts_where(user, Role.DISTRICT_ADMIN, on=on)
    if action is Action.VIEW_GRADUATION_RULES:
        return district_id in districts_where(user, *RULE_READERS, on=on)
    return False


def _student_rule(user: User, action: Action, student: Student, on: datetime.date) -> bool:
    if action is Action.VIEW_DIPLOMA_CHECK:
        return visible_students(user, on).filter(pk=student.pk).exists()
    if action is Action.AWARD_DIPLOMA:
        return student.district_id in districts_where(user, Role.DISTRICT_ADMIN, on=on)
    return False


@rule("records", actions=GRADUATION_ACTIONS)
def graduation_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the graduation actions (the user is active; `can()` checked it)."""
    if isinstance(obj, Student):
        return _student_rule(user, action, obj, on)
    if isinstance(obj, Diploma):
        return action is Action.AWARD_DIPLOMA and obj.district_id in districts_where(
            user, Role.DISTRICT_ADMIN, on=on
        )
    if isinstance(obj, GraduationRuleSet):
        return _district_rule(user, action, obj.district_id, on)
    if isinstance(obj, Organization):
        return _district_rule(user, action, obj.pk, on)
    if obj is not None:
        return False
    if action is Action.VIEW_GRADUATION_RULES:
        return has_role(user, *RULE_READERS, on=on)
    if action in (Action.MANAGE_GRADUATION_RULES, Action.AWARD_DIPLOMA):
        return has_role(user, Role.DISTRICT_ADMIN, on=on)
    return False
