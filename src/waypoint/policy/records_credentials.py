"""Verifiable credentials: who issues, downloads and revokes a student's signed record.

The rules, each dated like the rest of the policy:
- A student's credentials (the CLR and the badges it bundles) are issued by the administrators who reach the
  student (the district's, or a school's where the student is enrolled) and by the student's advisor (the
  student in their caseload today).
- They are downloaded (and listed) by the student, a linked guardian, and those same staff. A teacher reads
  the student but neither issues nor downloads a credential (403); a mentor, the state analyst and another
  district's staff do not reach the student at all (404, from `visible_students`).
- An issued credential is revoked, with a reason, only by an administrator of the district that issued it.
- Verifying a credential, the district's public keys and its revocation list are public: no rule.
"""

from __future__ import annotations

import datetime

from django.db.models import Model

from waypoint.core.models import AdvisorAssignment, Role, Student, User
from waypoint.policy.actions import Action
from waypoint.policy.base import active_on, districts_where, has_role
from waypoint.policy.people import administers, is_self_or_guardian
from waypoint.policy.registry import rule
from waypoint.records.models import IssuedCredential

ACTIONS = frozenset({Action.ISSUE_CREDENTIAL, Action.DOWNLOAD_CREDENTIAL, Action.REVOKE_CREDENTIAL})


def advises(user: User, student: Student, on: datetime.date) -> bool:
    """The student is in the user's caseload on the date, as advisor in the student's district."""
    if student.district_id not in districts_where(user, Role.ADVISOR, on=on):
        return False
    return AdvisorAssignment.objects.filter(active_on(on), advisor=user, student=student).exists()


def issues_credentials(user: User, student: Student, on: datetime.date) -> bool:
    return administers(user, student, on) or advises(user, student, on)


def _student_rule(user: User, action: Action, student: Student, on: datetime.date) -> bool:
    if action is Action.ISSUE_CREDENTIAL:
        return issues_credentials(user, student, on)
    if action is Action.DOWNLOAD_CREDENTIAL:
        return is_self_or_guardian(user, student, on) or issues_credentials(user, student, on)
    if action is Action.REVOKE_CREDENTIAL:
        return student.district_id in districts_where(user, Role.DISTRICT_ADMIN, on=on)
    return False


def _credential_rule(user: User, action: Action, credential: IssuedCredential, on: datetime.date) -> bool:
    if action is Action.REVOKE_CREDENTIAL:
        return credential.district_id in districts_where(user, Role.DISTRICT_ADMIN, on=on)
    # A credential whose student record was disposed of is no one's to download.
    return credential.student is not None and _student_rule(user, action, credential.student, on)


@rule("records", actions=ACTIONS)
def credentials_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the credential actions (the user is active; `can()` checked it). Without an object:
    whether the user issues or revokes anyone's credentials at all."""
    if isinstance(obj, IssuedCredential):
        return _credential_rule(user, action, obj, on)
    if isinstance(obj, Student):
        return _student_rule(user, action, obj, on)
    if obj is None and action is Action.ISSUE_CREDENTIAL:
        return has_role(user, Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, Role.ADVISOR, on=on)
    if obj is None and action is Action.REVOKE_CREDENTIAL:
        return has_role(user, Role.DISTRICT_ADMIN, on=on)
    return False
