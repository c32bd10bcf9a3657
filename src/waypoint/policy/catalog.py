"""The access policy for the opportunity catalog: providers, opportunities and best-practice templates.

The rules, each dated like the rest of the policy:
- The catalog is not student data: everyone with a role, a student record or a linked child in a district
  reads its opportunities. Teachers, school administrators and district administrators curate it; an
  opportunity is edited by its author or by its district's administrators. Curators of every district
  read the opportunities a district shares as best-practice templates, and copy them.
- The staff of an opportunity's district see who takes part in it (the paths on it), limited to the
  students they may read.
- An opportunity's or a path's mentor is one of its district's external mentors or teachers.
"""

from __future__ import annotations

import datetime

from django.db.models import Model, Q, QuerySet

from waypoint.catalog.models import Opportunity, Provider
from waypoint.core.models import GuardianLink, Organization, Role, Student, User
from waypoint.policy.actions import Action
from waypoint.policy.base import Actor, active_on, active_user, districts_where, grants, today
from waypoint.policy.registry import rule

CURATOR_ROLES = (Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)
# The staff of a district: they see who takes part in its opportunities, and guide its students.
STAFF_ROLES = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


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


@rule("catalog")
def catalog_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the catalog actions (the user is active; `can()` checked it)."""
    if isinstance(obj, Opportunity):
        return _opportunity_rule(user, action, obj, on)
    if isinstance(obj, Organization):
        return action is Action.CURATE_CATALOG and obj.pk in curated_districts(user, on)
    if obj is None:
        return action is Action.CURATE_CATALOG and bool(curated_districts(user, on))
    return False
