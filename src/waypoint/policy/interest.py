"""Why a user may read a student's record: the legitimate interest written to the audit log and shown in the
student's record of disclosures."""

from __future__ import annotations

import datetime

from waypoint.core.models import AdvisorAssignment, GuardianLink, Role, SectionEnrollment, Student, User
from waypoint.policy.base import Actor, active_on, districts_where, grants, has_role, today
from waypoint.policy.pathways import mentor_active_paths

ROLE_INTERESTS: dict[Role, str] = {
    Role.DISTRICT_ADMIN: "District administrator",
    Role.SCHOOL_ADMIN: "School administrator",
    Role.TEACHER: "Teacher",
    Role.ADVISOR: "Advisor or counselor",
    Role.STATE_ANALYST: "State analyst",
    Role.MENTOR: "External mentor",
}


def legitimate_interest(user: Actor, student: Student | None = None, on: datetime.date | None = None) -> str:
    """With a student: the first basis that holds, most specific first ("Teacher of Algebra 1 (A)",
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
    if student.district_id in districts_where(user, Role.DISTRICT_ADMIN, on=on):
        return ROLE_INTERESTS[Role.DISTRICT_ADMIN]
    if has_role(user, Role.SCHOOL_ADMIN, on=on):
        return ROLE_INTERESTS[Role.SCHOOL_ADMIN]
    if has_role(user, Role.MENTOR, on=on) and mentor_active_paths(user, on).filter(student=student).exists():
        return "External mentor of an active path"
    return ""
