"""The evidence and assessment rules of the access policy (the `evidence.*` actions).

- Evidence, its files, feedback, scores and mastery levels belong to the student's record: whoever may read
  the student (`visible_students`) reads them.
- A student submits evidence for themself only, and revises only the latest version of their own work.
- Teachers and administrators judge the evidence of students in their scope, request revisions and record
  observations; the student judges their own work (a self-assessment). An external mentor reads, judges and
  records observations only on the evidence of a path they mentor, and only while it is active. Which
  judgements count toward mastery is not an access question: only a current certification makes a score
  count (`current_certification`).
- Evidence that names no competency (work answering an assessment that named none, or loaded that way) is
  given its competencies by the staff who judge the student, so it can be scored: never by the student or a
  mentor (that it is the latest version and names none yet are the service's checks: conflicts).
- Assessments are not student data: every user of the district reads them; teachers and administrators
  create them; the author or a district administrator edits one.
"""

from __future__ import annotations

import datetime

from django.db.models import Model, Q, QuerySet

from waypoint.core.models import Role, Student, User
from waypoint.evidence.models import Assessment, Evidence, EvidenceKind
from waypoint.policy.actions import Action
from waypoint.policy.base import Actor, has_role, today
from waypoint.policy.frameworks import framework_districts
from waypoint.policy.pathways import mentor_active_paths
from waypoint.policy.people import is_self, visible_students
from waypoint.policy.registry import rule

STAFF_JUDGES = (Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def visible_evidence(user: Actor, on: datetime.date | None = None) -> QuerySet[Evidence]:
    """The evidence the user may read: every piece belonging to a student they may read, and, for an
    external mentor, the evidence of the paths they mentor while those are active (nothing else)."""
    if not isinstance(user, User) or not user.is_active:
        return Evidence.objects.none()
    on = on or today()
    scope = Q(student_id__in=visible_students(user, on).values("id"))
    if has_role(user, Role.MENTOR, on=on):
        scope |= Q(path_id__in=mentor_active_paths(user, on).values("id"))
    return Evidence.objects.filter(scope)


def _mentors(user: User, evidence: Evidence, on: datetime.date) -> bool:
    return evidence.path_id is not None and mentor_active_paths(user, on).filter(pk=evidence.path_id).exists()


def _staff_in_scope(user: User, student: Student, on: datetime.date) -> bool:
    return has_role(user, *STAFF_JUDGES, on=on) and visible_students(user, on).filter(pk=student.pk).exists()


def student_rule(user: User, action: Action, student: Student, on: datetime.date) -> bool:
    """Evidence actions on a student: submitting (self only) and recording an observation (staff)."""
    if action is Action.SUBMIT_EVIDENCE:
        return is_self(user, student)
    if action is Action.RECORD_OBSERVATION:
        return _staff_in_scope(user, student, on)
    return False


def evidence_rule(user: User, action: Action, evidence: Evidence, on: datetime.date) -> bool:
    """Reading, revising, judging and asking for a revision of one piece of evidence."""
    if not visible_evidence(user, on).filter(pk=evidence.pk).exists():
        return False
    if action is Action.VIEW_EVIDENCE:
        return True
    student = evidence.student
    if action is Action.REVISE_EVIDENCE:
        return (
            is_self(user, student)
            and evidence.kind == EvidenceKind.SUBMISSION
            and not Evidence.objects.filter(revision_of=evidence).exists()
        )
    if action is Action.JUDGE_EVIDENCE:
        return is_self(user, student) or _staff_in_scope(user, student, on) or _mentors(user, evidence, on)
    if action is Action.REQUEST_REVISION:
        return _staff_in_scope(user, student, on)
    if action is Action.ADD_EVIDENCE_COMPETENCIES:
        return (
            _staff_in_scope(user, student, on) and not Evidence.objects.filter(revision_of=evidence).exists()
        )
    return False


def assessment_rule(user: User, action: Action, assessment: Assessment, on: datetime.date) -> bool:
    if action is Action.VIEW_ASSESSMENT:
        return user.district_id == assessment.district_id
    if action is Action.EDIT_ASSESSMENT:
        return assessment.created_by_id == user.pk or assessment.district_id in framework_districts(user, on)
    return False


def may_create_assessment(user: User, on: datetime.date) -> bool:
    return user.district_id is not None and has_role(user, *STAFF_JUDGES, on=on)


def may_work_inbox(user: User, on: datetime.date) -> bool:
    """The evidence inbox is for the staff who score."""
    return has_role(user, *STAFF_JUDGES, on=on)


@rule("evidence")
def evidence_actions_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    if isinstance(obj, Evidence):
        return evidence_rule(user, action, obj, on)
    if isinstance(obj, Assessment):
        return assessment_rule(user, action, obj, on)
    if isinstance(obj, Student):
        return student_rule(user, action, obj, on)
    if obj is not None:
        return False
    if action is Action.CREATE_ASSESSMENT:
        return may_create_assessment(user, on)
    return action is Action.WORK_EVIDENCE_INBOX and may_work_inbox(user, on)
