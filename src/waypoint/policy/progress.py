"""The access policy for pace, advancement, test readiness, alerts, supports, conferences and the repository.

The rules, each dated like the rest of the policy:
- A student's pace and trajectory are read by whoever may read the student (`visible_students`): the
  student, linked guardians, and staff through teaching, a caseload or administration. A mentor and a state
  analyst read no student's pace.
- An advancement is recorded by a teacher with a current certification who teaches the student today.
- A teacher who teaches the student marks them ready for a test. The testing coordinator records the sitting
  and reads the lists: Waypoint has no coordinator role; a school's administrators coordinate its testing
  (they already read every student enrolled at the school), and district administrators every school's.
- Supports and conferences are opened by the staff who guide the student (`guided_students`: not their own
  record or child). A support's owner must guide the student too.
- Conference notes are read by the staff who guide the student, by the student, and by a linked guardian
  only once the notes were shared with them.
- District administrators set advancement rules and the inquiry settings, and publish to the repository;
  school administrators work their school's support plan tasks. Every staff role, the state analyst
  included, browses the repository: it holds no student data.
"""

from __future__ import annotations

import datetime

from django.db.models import Model

from waypoint.core.models import GuardianLink, Organization, Role, Student, StudentEnrollment, User
from waypoint.policy.actions import Action
from waypoint.policy.base import active_on, districts_where, has_role, organizations_where
from waypoint.policy.people import current_certification, visible_students
from waypoint.policy.profiles import guided_students
from waypoint.policy.registry import rule
from waypoint.progress.models import Conference, SchoolSupportTask

ALL_STAFF = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN, Role.STATE_ANALYST)


def teaches(user: User, student: Student, on: datetime.date) -> bool:
    """Whether the student is on the roster of a section the user teaches on the date."""
    if not has_role(user, Role.TEACHER, on=on):
        return False
    return student.section_enrollments.filter(
        active_on(on),
        active_on(on, prefix="section__teacher_assignments__"),
        section__teacher_assignments__teacher=user,
        district_id__in=districts_where(user, Role.TEACHER, on=on),
    ).exists()


def coordinates_testing(user: User, student: Student, on: datetime.date) -> bool:
    """A school administrator of a school the student is enrolled at, or a district administrator."""
    if student.district_id in districts_where(user, Role.DISTRICT_ADMIN, on=on):
        return True
    schools = organizations_where(user, Role.SCHOOL_ADMIN, on=on)
    return (
        bool(schools)
        and StudentEnrollment.objects.filter(
            active_on(on, start="entry_date", end="exit_date"), student=student, school_id__in=schools
        ).exists()
    )


def administered_schools(user: User, on: datetime.date) -> set[int]:
    """The schools whose support plan tasks the user works: as school admin, or every school of the
    district as district admin."""
    schools = organizations_where(user, Role.SCHOOL_ADMIN, on=on)
    districts = districts_where(user, Role.DISTRICT_ADMIN, on=on)
    if districts:
        schools |= set(
            Organization.objects.filter(kind=Organization.Kind.SCHOOL, parent_id__in=districts).values_list(
                "id", flat=True
            )
        )
    return schools


def _guides(user: User, student: Student, on: datetime.date) -> bool:
    return guided_students(user, on).filter(pk=student.pk).exists()


def _student_rule(user: User, action: Action, student: Student, on: datetime.date) -> bool:
    if action is Action.VIEW_PROGRESS:
        return visible_students(user, on).filter(pk=student.pk).exists()
    if action is Action.ADVANCE_STUDENT:
        return current_certification(user, on) is not None and teaches(user, student, on)
    if action is Action.MARK_TEST_READY:
        return teaches(user, student, on)
    if action is Action.RECORD_TEST_SITTING:
        return coordinates_testing(user, student, on)
    if action in (Action.MANAGE_SUPPORT, Action.HOLD_CONFERENCE):
        return _guides(user, student, on)
    return False


def _conference_rule(user: User, action: Action, conference: Conference, on: datetime.date) -> bool:
    if action is not Action.READ_CONFERENCE_NOTES:
        return False
    student = conference.student
    if student.user_id is not None and student.user_id == user.pk:
        return True
    if _guides(user, student, on):
        return True
    linked = GuardianLink.objects.filter(active_on(on), guardian=user, student=student).exists()
    return linked and conference.shares.filter(guardian=user).exists()


def _organization_rule(user: User, action: Action, org: Organization, on: datetime.date) -> bool:
    if action in (Action.MANAGE_ADVANCEMENT_RULES, Action.MANAGE_INQUIRY, Action.PUBLISH_REPOSITORY):
        return org.pk in districts_where(user, Role.DISTRICT_ADMIN, on=on)
    if action is Action.WORK_SCHOOL_TASKS:
        return org.pk in administered_schools(user, on)
    return False


@rule("progress")
def progress_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the progress actions (the user is active; `can()` checked it)."""
    if isinstance(obj, Student):
        return _student_rule(user, action, obj, on)
    if isinstance(obj, Conference):
        return _conference_rule(user, action, obj, on)
    if isinstance(obj, SchoolSupportTask):
        return action is Action.WORK_SCHOOL_TASKS and obj.school_id in administered_schools(user, on)
    if isinstance(obj, Organization):
        return _organization_rule(user, action, obj, on)
    if obj is not None:
        return False
    if action is Action.VIEW_PROGRESS_CASELOAD:
        return has_role(user, Role.ADVISOR, on=on)
    if action is Action.VIEW_TEST_LISTS:
        return has_role(user, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN, on=on)
    if action is Action.WORK_SCHOOL_TASKS:
        return has_role(user, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN, on=on)
    if action is Action.VIEW_REPOSITORY:
        return has_role(user, *ALL_STAFF, on=on)
    if action in (Action.MANAGE_ADVANCEMENT_RULES, Action.MANAGE_INQUIRY, Action.PUBLISH_REPOSITORY):
        return has_role(user, Role.DISTRICT_ADMIN, on=on)
    if action is Action.ADVANCE_STUDENT:
        return current_certification(user, on) is not None
    return False
