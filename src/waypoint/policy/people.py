"""Who may see which student, section, caseload and district audit log.

- a student sees their own record; a guardian sees the records of linked children;
- a teacher sees the students on the rosters of sections they teach;
- an advisor or counselor sees their caseload;
- a school administrator sees the students enrolled at their school; a district administrator, the district;
- a state analyst and an external mentor see no student rows (a mentor reads only the evidence of an active
  path, see `waypoint.policy.evidence`).
Each grant counts only in the district of the role that gives it, and only while it is active.
"""

from __future__ import annotations

import datetime

from django.db.models import Model, Q, QuerySet

from waypoint.core.models import (
    AdvisorAssignment,
    GuardianLink,
    Organization,
    Role,
    Section,
    SectionEnrollment,
    Student,
    StudentEnrollment,
    TeacherCertification,
    User,
)
from waypoint.policy.actions import Action
from waypoint.policy.base import Actor, active_on, districts_where, has_role, organizations_where, today
from waypoint.policy.registry import rule


def visible_students(user: Actor, on: datetime.date | None = None) -> QuerySet[Student]:
    """The students whose records the user may read on a date (today by default)."""
    if not isinstance(user, User) or not user.is_active:
        return Student.objects.none()
    on = on or today()
    scopes: list[Q] = [
        Q(user=user),
        Q(id__in=GuardianLink.objects.filter(active_on(on), guardian=user).values("student_id")),
    ]
    teacher_districts = districts_where(user, Role.TEACHER, on=on)
    if teacher_districts:
        # One filter() call, so the teacher and the dates refer to the same teaching assignment. The tenant
        # guard is on the student row below; repeating it here would make SQLite scan the district's rosters.
        taught = SectionEnrollment.objects.filter(
            active_on(on),
            active_on(on, prefix="section__teacher_assignments__"),
            section__teacher_assignments__teacher=user,
        )
        scopes.append(Q(district_id__in=teacher_districts, id__in=taught.values("student_id")))
    advisor_districts = districts_where(user, Role.ADVISOR, on=on)
    if advisor_districts:
        caseload = AdvisorAssignment.objects.filter(
            active_on(on), advisor=user, district_id__in=advisor_districts
        )
        scopes.append(Q(district_id__in=advisor_districts, id__in=caseload.values("student_id")))
    admin_schools = organizations_where(user, Role.SCHOOL_ADMIN, on=on)
    if admin_schools:
        enrolled = StudentEnrollment.objects.filter(
            active_on(on, start="entry_date", end="exit_date"), school_id__in=admin_schools
        )
        scopes.append(
            Q(
                district_id__in=districts_where(user, Role.SCHOOL_ADMIN, on=on),
                id__in=enrolled.values("student_id"),
            )
        )
    admin_districts = districts_where(user, Role.DISTRICT_ADMIN, on=on)
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
    teacher_districts = districts_where(user, Role.TEACHER, on=on)
    if teacher_districts:
        scopes.append(
            Q(district_id__in=teacher_districts, teacher_assignments__teacher=user)
            & active_on(on, prefix="teacher_assignments__")
        )
    admin_schools = organizations_where(user, Role.SCHOOL_ADMIN, on=on)
    if admin_schools:
        scopes.append(Q(school_id__in=admin_schools))
    admin_districts = districts_where(user, Role.DISTRICT_ADMIN, on=on)
    if admin_districts:
        scopes.append(Q(district_id__in=admin_districts))
    if not scopes:
        return Section.objects.none()
    combined = scopes[0]
    for scope in scopes[1:]:
        combined |= scope
    return Section.objects.filter(id__in=Section.objects.filter(combined).values("id"))


def is_self(user: User, student: Student) -> bool:
    return student.user_id is not None and student.user_id == user.pk


def is_self_or_guardian(user: User, student: Student, on: datetime.date) -> bool:
    if is_self(user, student):
        return True
    return GuardianLink.objects.filter(active_on(on), guardian=user, student=student).exists()


def administers(user: User, student: Student, on: datetime.date) -> bool:
    if student.district_id in districts_where(user, Role.DISTRICT_ADMIN, on=on):
        return True
    admin_schools = organizations_where(user, Role.SCHOOL_ADMIN, on=on)
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


def audit_districts(user: Actor, on: datetime.date | None = None) -> set[int]:
    """The districts whose audit log the user may read."""
    return districts_where(user, Role.DISTRICT_ADMIN, on=on or today())


@rule("people")
def people_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """Reading a student's record, demographics and disclosures; sections, caseloads and the audit log."""
    if isinstance(obj, Student):
        if not visible_students(user, on).filter(pk=obj.pk).exists():
            return False
        if action is Action.VIEW_STUDENT:
            return True
        if action in (Action.VIEW_DEMOGRAPHICS, Action.VIEW_DISCLOSURES):
            return is_self_or_guardian(user, obj, on) or administers(user, obj, on)
        return False
    if isinstance(obj, Section):
        return action is Action.VIEW_SECTION and visible_sections(user, on).filter(pk=obj.pk).exists()
    if isinstance(obj, Organization):
        return action is Action.VIEW_DISTRICT_AUDIT and obj.pk in audit_districts(user, on)
    if obj is not None:
        return False
    if action is Action.LIST_SECTIONS:
        return has_role(user, Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN, on=on)
    if action is Action.VIEW_CASELOAD:
        return has_role(user, Role.ADVISOR, on=on)
    if action is Action.VIEW_DISTRICT_AUDIT:
        return has_role(user, Role.DISTRICT_ADMIN, on=on)
    return False
