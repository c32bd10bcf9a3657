"""The one access policy: who may see which student, and who may do what.

Nothing else in Waypoint filters students by role. Views, API endpoints, exports and reports ask
`visible_students(user)` for the rows a user may read and `can(user, action, obj)` for everything else.

The rules (DESIGN.md §2), each limited to the district of the role that grants it:
- a student sees their own record; a guardian sees the records of linked children;
- a teacher sees the students on the rosters of sections they teach;
- an advisor or counselor sees their caseload;
- a school administrator sees the students enrolled at their school; a district administrator, the district;
- a state analyst and an external mentor see no student rows (mentors gain access through approved paths
  later).
Competency frameworks are not student data: every signed-in user reads published and retired versions; a
draft is read and edited only by the district administrators of the district that owns the framework, who
also import, publish and adopt frameworks and edit their district's proficiency scales. Teachers and
administrators write rubrics for their district; a rubric is edited by its author or its district's
administrators.
Evidence, scores and mastery levels follow the student's record; the rules for submitting, revising and
judging evidence and for assessments are in `waypoint.core.access.evidence`.
Every grant is dated: a role, teaching assignment, roster place, caseload place or guardian link counts only
while it is active.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from waypoint.core.models import (
    AdvisorAssignment,
    GuardianLink,
    Organization,
    Role,
    RoleAssignment,
    Section,
    SectionEnrollment,
    Student,
    StudentEnrollment,
    TeacherCertification,
    User,
)
from waypoint.evidence.models import Assessment, Evidence
from waypoint.frameworks.models import Framework, FrameworkVersion, ProficiencyScale, Rubric, VersionStatus
from waypoint.pathways.models import Opportunity, PathProposal

Actor: TypeAlias = User | AnonymousUser

STUDENT_ROLE = "student"
GUARDIAN_ROLE = "guardian"


class Action(StrEnum):
    VIEW_STUDENT = "student.view"
    VIEW_DEMOGRAPHICS = "student.view_demographics"
    VIEW_DISCLOSURES = "student.view_disclosures"
    LIST_SECTIONS = "section.list"
    VIEW_SECTION = "section.view"
    VIEW_CASELOAD = "caseload.view"
    VIEW_DISTRICT_AUDIT = "district.view_audit"
    VIEW_FRAMEWORK = "framework.view"
    EDIT_FRAMEWORK = "framework.edit"
    MANAGE_FRAMEWORKS = "district.manage_frameworks"
    EDIT_SCALE = "scale.edit"
    CREATE_RUBRIC = "rubric.create"
    VIEW_EVIDENCE = "evidence.view"
    SUBMIT_EVIDENCE = "evidence.submit"
    REVISE_EVIDENCE = "evidence.revise"
    JUDGE_EVIDENCE = "evidence.judge"
    REQUEST_REVISION = "evidence.request_revision"
    RECORD_OBSERVATION = "evidence.record_observation"
    WORK_EVIDENCE_INBOX = "evidence.inbox"
    VIEW_ASSESSMENT = "assessment.view"
    EDIT_ASSESSMENT = "assessment.edit"
    CREATE_ASSESSMENT = "assessment.create"
    MANAGE_CALCULATION = "district.manage_calculation"
    # Multiple paths of study (rules in core/access/pathways.py): every value starts with "pathways.".
    EDIT_PROFILE = "pathways.profile_edit"
    COMMENT_PROFILE = "pathways.profile_comment"
    EDIT_PLAN = "pathways.plan_edit"
    REVIEW_PLAN = "pathways.plan_review"
    ACKNOWLEDGE_PLAN = "pathways.plan_acknowledge"
    PROPOSE_PATH = "pathways.propose"
    VIEW_PATH = "pathways.path_view"
    REVISE_PATH = "pathways.path_revise"
    DECIDE_PATH = "pathways.path_decide"
    WITHDRAW_PATH = "pathways.path_withdraw"
    VIEW_APPROVAL_QUEUE = "pathways.approval_queue"
    VIEW_OPPORTUNITY = "pathways.opportunity_view"
    CURATE_CATALOG = "pathways.catalog_curate"
    EDIT_OPPORTUNITY = "pathways.opportunity_edit"
    COPY_OPPORTUNITY = "pathways.opportunity_copy"
    VIEW_PARTICIPANTS = "pathways.participants"
    VIEW_ACCESS_REPORT = "pathways.access_report"


@dataclass(frozen=True)
class Grant:
    """One active role assignment, reduced to what the policy needs."""

    role: Role
    organization_id: int
    district_id: int | None


def today() -> datetime.date:
    return timezone.localdate()


def active_on(on: datetime.date, *, prefix: str = "", start: str = "starts_on", end: str = "ends_on") -> Q:
    """Rows whose inclusive date span (an open end means "still") contains `on`; `prefix` reaches a related
    row, e.g. "roster__"."""
    return Q(**{f"{prefix}{start}__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": on})
    )


def grants(user: Actor, on: datetime.date | None = None) -> list[Grant]:
    """The user's active role assignments on a date (today by default), read once per user object."""
    if not isinstance(user, User) or not user.is_active:
        return []
    on = on or today()
    cache: dict[datetime.date, list[Grant]] = user.__dict__.setdefault("_waypoint_grants", {})
    if on not in cache:
        cache[on] = [
            Grant(role=Role(role), organization_id=organization_id, district_id=district_id)
            for role, organization_id, district_id in RoleAssignment.objects.filter(
                active_on(on), user=user
            ).values_list("role", "organization_id", "district_id")
        ]
    return cache[on]


def _districts(user: Actor, role: Role, on: datetime.date) -> set[int]:
    return {g.district_id for g in grants(user, on) if g.role == role and g.district_id is not None}


def _organizations(user: Actor, role: Role, on: datetime.date) -> set[int]:
    return {g.organization_id for g in grants(user, on) if g.role == role}


def roles(user: Actor, on: datetime.date | None = None) -> list[str]:
    """Every role the user acts in today: assigned staff roles, plus student and guardian from the records."""
    if not isinstance(user, User) or not user.is_active:
        return []
    on = on or today()
    found = {g.role.value for g in grants(user, on)}
    if Student.objects.filter(user=user).exists():
        found.add(STUDENT_ROLE)
    if GuardianLink.objects.filter(active_on(on), guardian=user).exists():
        found.add(GUARDIAN_ROLE)
    return sorted(found)


def visible_students(user: Actor, on: datetime.date | None = None) -> QuerySet[Student]:
    """The students whose records the user may read on a date (today by default)."""
    if not isinstance(user, User) or not user.is_active:
        return Student.objects.none()
    on = on or today()
    scopes: list[Q] = [
        Q(user=user),
        Q(id__in=GuardianLink.objects.filter(active_on(on), guardian=user).values("student_id")),
    ]
    teacher_districts = _districts(user, Role.TEACHER, on)
    if teacher_districts:
        # One filter() call, so the teacher and the dates refer to the same teaching assignment. The tenant
        # guard is on the student row below; repeating it here would make SQLite scan the district's rosters.
        taught = SectionEnrollment.objects.filter(
            active_on(on),
            active_on(on, prefix="section__teacher_assignments__"),
            section__teacher_assignments__teacher=user,
        )
        scopes.append(Q(district_id__in=teacher_districts, id__in=taught.values("student_id")))
    advisor_districts = _districts(user, Role.ADVISOR, on)
    if advisor_districts:
        caseload = AdvisorAssignment.objects.filter(
            active_on(on), advisor=user, district_id__in=advisor_districts
        )
        scopes.append(Q(district_id__in=advisor_districts, id__in=caseload.values("student_id")))
    admin_schools = _organizations(user, Role.SCHOOL_ADMIN, on)
    if admin_schools:
        enrolled = StudentEnrollment.objects.filter(
            active_on(on, start="entry_date", end="exit_date"), school_id__in=admin_schools
        )
        scopes.append(
            Q(district_id__in=_districts(user, Role.SCHOOL_ADMIN, on), id__in=enrolled.values("student_id"))
        )
    admin_districts = _districts(user, Role.DISTRICT_ADMIN, on)
    if admin_districts:
        scopes.append(Q(district_id__in=admin_districts))
    combined = scopes[0]
    for scope in scopes[1:]:
        combined |= scope
    return Student.objects.filter(combined)


def visible_sections(user: Actor, on: datetime.date | None = None) -> QuerySet[Section]:
    """The sections whose rosters the user may read: own sections for teachers, the school's or district's
    for administrators."""
    if not isinstance(user, User) or not user.is_active:
        return Section.objects.none()
    on = on or today()
    scopes: list[Q] = []
    teacher_districts = _districts(user, Role.TEACHER, on)
    if teacher_districts:
        scopes.append(
            Q(district_id__in=teacher_districts, teacher_assignments__teacher=user)
            & active_on(on, prefix="teacher_assignments__")
        )
    admin_schools = _organizations(user, Role.SCHOOL_ADMIN, on)
    if admin_schools:
        scopes.append(Q(school_id__in=admin_schools))
    admin_districts = _districts(user, Role.DISTRICT_ADMIN, on)
    if admin_districts:
        scopes.append(Q(district_id__in=admin_districts))
    if not scopes:
        return Section.objects.none()
    combined = scopes[0]
    for scope in scopes[1:]:
        combined |= scope
    return Section.objects.filter(id__in=Section.objects.filter(combined).values("id"))


def _is_self_or_guardian(user: User, student: Student, on: datetime.date) -> bool:
    if student.user_id is not None and student.user_id == user.pk:
        return True
    return GuardianLink.objects.filter(active_on(on), guardian=user, student=student).exists()


def _administers(user: User, student: Student, on: datetime.date) -> bool:
    if student.district_id in _districts(user, Role.DISTRICT_ADMIN, on):
        return True
    admin_schools = _organizations(user, Role.SCHOOL_ADMIN, on)
    return (
        bool(admin_schools)
        and StudentEnrollment.objects.filter(
            active_on(on, start="entry_date", end="exit_date"), student=student, school_id__in=admin_schools
        ).exists()
    )


def current_certification(user: Actor, on: datetime.date | None = None) -> TeacherCertification | None:
    """The teacher's certification in force on a date, the one expiring last; None means "not certified".

    Only a teacher with one may set a mastery level; everyone else's judgement counts as feedback."""
    if not isinstance(user, User) or not has_role(user, Role.TEACHER, on=on):
        return None
    on = on or today()
    return (
        TeacherCertification.objects.filter(teacher=user, issued_on__lte=on, expires_on__gte=on)
        .order_by("-expires_on")
        .first()
    )


def has_role(user: Actor, *wanted: Role, on: datetime.date | None = None) -> bool:
    return any(g.role in wanted for g in grants(user, on))


def framework_districts(user: Actor, on: datetime.date | None = None) -> set[int]:
    """The districts whose frameworks, drafts and scales the user manages."""
    return _districts(user, Role.DISTRICT_ADMIN, on or today())


def visible_framework_versions(user: Actor, on: datetime.date | None = None) -> QuerySet[FrameworkVersion]:
    """The framework versions the user may read: every published or retired one, and the drafts of
    frameworks their district owns when they manage its frameworks."""
    if not isinstance(user, User) or not user.is_active:
        return FrameworkVersion.objects.none()
    drafts = Q(status=VersionStatus.DRAFT, framework__owner_id__in=framework_districts(user, on))
    return FrameworkVersion.objects.filter(~Q(status=VersionStatus.DRAFT) | drafts)


def visible_evidence(user: Actor, on: datetime.date | None = None) -> QuerySet[Evidence]:
    """The evidence the user may read (see `waypoint.core.access.evidence`)."""
    from waypoint.core.access import evidence as evidence_rules

    return evidence_rules.visible_evidence(user, on)


def _framework_rule(
    user: User,
    action: Action,
    obj: Framework | FrameworkVersion | ProficiencyScale | Rubric,
    on: datetime.date,
) -> bool:
    managed = framework_districts(user, on)
    if isinstance(obj, FrameworkVersion):
        if action is Action.VIEW_FRAMEWORK:
            return obj.status != VersionStatus.DRAFT or obj.framework.owner_id in managed
        return action is Action.EDIT_FRAMEWORK and obj.framework.owner_id in managed
    if isinstance(obj, Framework):
        return action is Action.EDIT_FRAMEWORK and obj.owner_id in managed
    if isinstance(obj, Rubric):
        if action is Action.VIEW_FRAMEWORK:
            return True
        # A rubric is edited by the teacher who wrote it or by its district's administrators.
        return action is Action.EDIT_FRAMEWORK and (obj.owner_id in managed or obj.created_by_id == user.pk)
    return action is Action.EDIT_SCALE and obj.owner_id in managed


def can(
    user: Actor,
    action: Action,
    obj: Student
    | Section
    | Organization
    | Framework
    | FrameworkVersion
    | ProficiencyScale
    | Rubric
    | Evidence
    | Assessment
    | Opportunity
    | PathProposal
    | None = None,
    on: datetime.date | None = None,
) -> bool:
    """Whether the user may take the action on the object (a student, a section, a district, a framework,
    a framework version, a scale, a rubric, a piece of evidence, an assessment, or none)."""
    if not isinstance(user, User) or not user.is_active:
        return False
    on = on or today()
    if isinstance(obj, Framework | FrameworkVersion | ProficiencyScale | Rubric):
        return _framework_rule(user, action, obj, on)
    if isinstance(obj, Opportunity | PathProposal) or action.value.startswith("pathways."):
        # Imported here: the pathways rules build on this module's functions.
        from waypoint.core.access.pathways import pathways_rule

        return pathways_rule(user, action, obj, on)
    # Imported here: the evidence rules build on this module's functions.
    from waypoint.core.access import evidence as evidence_rules

    if isinstance(obj, Evidence):
        return evidence_rules.evidence_rule(user, action, obj, on)
    if isinstance(obj, Assessment):
        return evidence_rules.assessment_rule(user, action, obj, on)
    if isinstance(obj, Student) and action in (Action.SUBMIT_EVIDENCE, Action.RECORD_OBSERVATION):
        return evidence_rules.student_rule(user, action, obj, on)
    if isinstance(obj, Student):
        if not visible_students(user, on).filter(pk=obj.pk).exists():
            return False
        if action is Action.VIEW_STUDENT:
            return True
        if action in (Action.VIEW_DEMOGRAPHICS, Action.VIEW_DISCLOSURES):
            return _is_self_or_guardian(user, obj, on) or _administers(user, obj, on)
        return False
    if isinstance(obj, Section):
        return action is Action.VIEW_SECTION and visible_sections(user, on).filter(pk=obj.pk).exists()
    if isinstance(obj, Organization):
        return action in (
            Action.VIEW_DISTRICT_AUDIT,
            Action.MANAGE_FRAMEWORKS,
            Action.MANAGE_CALCULATION,
        ) and obj.pk in _districts(user, Role.DISTRICT_ADMIN, on)
    if action is Action.LIST_SECTIONS:
        return has_role(user, Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN, on=on)
    if action is Action.VIEW_CASELOAD:
        return has_role(user, Role.ADVISOR, on=on)
    if action in (Action.VIEW_DISTRICT_AUDIT, Action.MANAGE_FRAMEWORKS, Action.MANAGE_CALCULATION):
        return has_role(user, Role.DISTRICT_ADMIN, on=on)
    if action is Action.CREATE_ASSESSMENT:
        return evidence_rules.may_create_assessment(user, on)
    if action is Action.WORK_EVIDENCE_INBOX:
        return evidence_rules.may_work_inbox(user, on)
    if action is Action.CREATE_RUBRIC:
        return user.district_id is not None and has_role(
            user, Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN, on=on
        )
    return action is Action.VIEW_FRAMEWORK


def audit_districts(user: Actor, on: datetime.date | None = None) -> set[int]:
    """The districts whose audit log the user may read."""
    return _districts(user, Role.DISTRICT_ADMIN, on or today())


ROLE_INTERESTS: dict[Role, str] = {
    Role.DISTRICT_ADMIN: "District administrator",
    Role.SCHOOL_ADMIN: "School administrator",
    Role.TEACHER: "Teacher",
    Role.ADVISOR: "Advisor or counselor",
    Role.STATE_ANALYST: "State analyst",
    Role.MENTOR: "External mentor",
}


def legitimate_interest(user: Actor, student: Student | None = None, on: datetime.date | None = None) -> str:
    """Why the user may read a student's record, for the audit log and the record of disclosures.

    With a student: the first basis that holds, most specific first ("Teacher of Algebra 1 (A)",
    "Advisor (caseload)", "Guardian", "Own record", then the administrator roles). Without one (list pages):
    the roles the user acts in."""
    if not isinstance(user, User):
        return ""
    on = on or today()
    if student is None:
        labels = sorted({ROLE_INTERESTS[g.role] for g in grants(user, on)})
        return ", ".join(labels) or "Own or own child's record"
    if student.user_id is not None and student.user_id == user.pk:
        return "Own record"
    if has_role(user, Role.TEACHER, on=on):
        section_title = (
            SectionEnrollment.objects.filter(
                active_on(on),
                active_on(on, prefix="section__teacher_assignments__"),
                student=student,
                section__teacher_assignments__teacher=user,
            )
            .values_list("section__title", flat=True)
            .first()
        )
        if section_title:
            return f"Teacher of {section_title}"
    if has_role(user, Role.ADVISOR, on=on) and (
        AdvisorAssignment.objects.filter(active_on(on), advisor=user, student=student).exists()
    ):
        return "Advisor (caseload)"
    if GuardianLink.objects.filter(active_on(on), guardian=user, student=student).exists():
        return "Guardian"
    if student.district_id in _districts(user, Role.DISTRICT_ADMIN, on):
        return ROLE_INTERESTS[Role.DISTRICT_ADMIN]
    if has_role(user, Role.SCHOOL_ADMIN, on=on):
        return ROLE_INTERESTS[Role.SCHOOL_ADMIN]
    if has_role(user, Role.MENTOR, on=on):
        from waypoint.core.access.pathways import mentor_active_paths

        if mentor_active_paths(user, on).filter(student=student).exists():
            return "External mentor of an active path"
    return ""
