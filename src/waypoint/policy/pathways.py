"""The access policy for multiple paths of study: profiles, success plans, the catalog and paths.

The rules, each dated like the rest of the policy:
- A learner profile, success plan, path or recommendation list is read by whoever may read the student
  (`visible_students`). The profile is edited only by the student; staff who guide the student comment on
  it. The plan is edited by the student and by the staff who guide them; those staff record its reviews;
  a linked guardian acknowledges it.
- Staff who guide a student are those who see the student through teaching, a caseload or administration,
  never through their own record or their own child: a teacher who is also a parent does not approve their
  child's path.
- A student proposes paths only for themselves. Only staff who guide the student approve, request changes,
  start or complete a path; the student or those staff withdraw it.
- An external mentor sees a path (and, through the evidence rules, its evidence) only while it is active,
  within its dates, and only while the mentor still holds a role in the path's district. A mentor sees no
  student record, profile or plan.
- The catalog is not student data: everyone with a role, a student record or a linked child in a district
  reads its opportunities. Teachers, school administrators and district administrators curate it; an
  opportunity is edited by its author or by its district's administrators. Curators of every district
  read the opportunities a district shares as best-practice templates, and copy them.
- The staff of an opportunity's district see who takes part in it, limited to the students they may read.
- The equal access report is for school administrators (their school) and district administrators (their
  district and its schools).
"""

from __future__ import annotations

import datetime

from django.db.models import Model, Q, QuerySet

from waypoint.core.models import GuardianLink, Organization, Role, Student, User
from waypoint.pathways.models import Opportunity, PathProposal, PathStatus, Provider
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
from waypoint.policy.people import visible_students
from waypoint.policy.registry import rule

CURATOR_ROLES = (Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)
STAFF_ROLES = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)
REPORT_ROLES = (Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def guided_students(user: Actor, on: datetime.date | None = None) -> QuerySet[Student]:
    """The students whose plans and paths the user guides as staff: visible through teaching, a caseload or
    administration, leaving out the user's own record and own children."""
    actor = active_user(user)
    if actor is None or not has_role(actor, *STAFF_ROLES, on=on):
        return Student.objects.none()
    on = on or today()
    children = GuardianLink.objects.filter(active_on(on), guardian=actor).values("student_id")
    return visible_students(actor, on).exclude(user=actor).exclude(id__in=children)


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


def decidable_paths(user: Actor, on: datetime.date | None = None) -> QuerySet[PathProposal]:
    """The paths the user may approve, send back for changes, start or complete."""
    return PathProposal.objects.filter(student__in=guided_students(user, on))


def catalog_districts(user: Actor, on: datetime.date | None = None) -> set[int]:
    """The districts whose catalog the user reads: where they hold a role, study, or have a linked child."""
    actor = active_user(user)
    if actor is None:
        return set()
    on = on or today()
    districts = {g.district_id for g in grants(actor, on) if g.district_id is not None}
    districts.update(Student.objects.filter(user=actor).values_list("district_id", flat=True))
    districts.update(
        GuardianLink.objects.filter(active_on(on), guardian=actor).values_list(
            "student__district_id", flat=True
        )
    )
    return districts


def curated_districts(user: Actor, on: datetime.date | None = None) -> set[int]:
    """The districts whose catalog the user curates (teachers and administrators)."""
    on = on or today()
    return districts_where(user, *CURATOR_ROLES, on=on)


def visible_opportunities(user: Actor, on: datetime.date | None = None) -> QuerySet[Opportunity]:
    """The opportunities the user may read: their districts' catalogs, and for curators the best-practice
    templates every district shares."""
    actor = active_user(user)
    if actor is None:
        return Opportunity.objects.none()
    scope = Q(district_id__in=catalog_districts(actor, on))
    if curated_districts(actor, on):
        scope |= Q(shared_as_template=True)
    return Opportunity.objects.filter(scope)


def visible_providers(user: Actor, on: datetime.date | None = None) -> QuerySet[Provider]:
    """The providers, with their contacts, that the user may read and edit: those of the catalogs they
    curate."""
    return Provider.objects.filter(district_id__in=curated_districts(user, on))


def mentor_candidates(district: Organization, on: datetime.date | None = None) -> QuerySet[User]:
    """Who may mentor a path in a district: its external mentors and its teachers, today."""
    on = on or today()
    return User.objects.filter(
        active_on(on, prefix="role_assignments__"),
        is_active=True,
        role_assignments__district=district,
        role_assignments__role__in=[Role.MENTOR, Role.TEACHER],
    ).distinct()


def report_scopes(user: Actor, on: datetime.date | None = None) -> tuple[set[int], set[int]]:
    """The districts and the schools whose equal access report the user may read."""
    on = on or today()
    return districts_where(user, Role.DISTRICT_ADMIN, on=on), organizations_where(
        user, Role.SCHOOL_ADMIN, on=on
    )


def _student_rule(user: User, action: Action, student: Student, on: datetime.date) -> bool:
    is_self = student.user_id is not None and student.user_id == user.pk
    if action in (Action.EDIT_PROFILE, Action.PROPOSE_PATH):
        return is_self
    if action is Action.ACKNOWLEDGE_PLAN:
        return GuardianLink.objects.filter(active_on(on), guardian=user, student=student).exists()
    guides = guided_students(user, on).filter(pk=student.pk).exists()
    if action in (Action.COMMENT_PROFILE, Action.REVIEW_PLAN):
        return guides
    if action is Action.EDIT_PLAN:
        return is_self or guides
    return False


def _path_rule(user: User, action: Action, path: PathProposal, on: datetime.date) -> bool:
    if action is Action.VIEW_PATH:
        return visible_paths(user, on).filter(pk=path.pk).exists()
    is_student = path.student.user_id is not None and path.student.user_id == user.pk
    if action is Action.REVISE_PATH:
        return is_student
    guides = decidable_paths(user, on).filter(pk=path.pk).exists()
    if action is Action.DECIDE_PATH:
        return guides
    return action is Action.WITHDRAW_PATH and (is_student or guides)


def _opportunity_rule(user: User, action: Action, opportunity: Opportunity, on: datetime.date) -> bool:
    if action is Action.VIEW_OPPORTUNITY:
        return visible_opportunities(user, on).filter(pk=opportunity.pk).exists()
    if action is Action.EDIT_OPPORTUNITY:
        administers = opportunity.district_id in districts_where(
            user, Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, on=on
        )
        authored = opportunity.created_by_id == user.pk and opportunity.district_id in curated_districts(
            user, on
        )
        return administers or authored
    if action is Action.VIEW_PARTICIPANTS:
        return opportunity.district_id in districts_where(user, *STAFF_ROLES, on=on)
    if action is Action.COPY_OPPORTUNITY:
        return bool(curated_districts(user, on)) and (
            opportunity.shared_as_template or opportunity.district_id in curated_districts(user, on)
        )
    return False


def _organization_rule(user: User, action: Action, organization: Organization, on: datetime.date) -> bool:
    districts, schools = report_scopes(user, on)
    if action is Action.VIEW_ACCESS_REPORT:
        return (
            organization.pk in districts
            or organization.pk in schools
            or (organization.kind == Organization.Kind.SCHOOL and organization.parent_id in districts)
        )
    if action is Action.CURATE_CATALOG:
        return organization.pk in curated_districts(user, on)
    return False


@rule("pathways")
def pathways_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the pathways actions (the user is active; `can()` checked it)."""
    if isinstance(obj, Student):
        return _student_rule(user, action, obj, on)
    if isinstance(obj, PathProposal):
        return _path_rule(user, action, obj, on)
    if isinstance(obj, Opportunity):
        return _opportunity_rule(user, action, obj, on)
    if isinstance(obj, Organization):
        return _organization_rule(user, action, obj, on)
    if action is Action.CURATE_CATALOG:
        return bool(curated_districts(user, on))
    if action is Action.VIEW_ACCESS_REPORT:
        return has_role(user, *REPORT_ROLES, on=on)
    if action is Action.VIEW_APPROVAL_QUEUE:
        return has_role(user, *STAFF_ROLES, on=on)
    if action is Action.PROPOSE_PATH:
        return Student.objects.filter(user=user).exists()
    return False
