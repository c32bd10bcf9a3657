"""The access policy for accountability figures. Every figure here is an aggregate; who may read which:

- A school's dashboard and its action plans: the school's administrators and the district's administrators.
  Plans are written by the same people.
- The district's dashboard (every school), its graduation rates, its self-study, refreshing its figures and
  exporting its tables: the district's administrators. A school administrator exports their school's tables.
- The state view (every district of the state, compared): the state's analysts. They also read each
  district's graduation rates and self-study, as aggregates. No insights route shows a student, so nothing
  here ever grants a student row.

The object is the organization the figures are about (a school, a district, or the state); a plan is checked
through its school.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Model

from waypoint.core.models import Organization, Role, User
from waypoint.insights.models import ActionPlan
from waypoint.policy.actions import Action
from waypoint.policy.base import Actor, active_user, districts_where, grants, organizations_where, today
from waypoint.policy.registry import rule


@dataclass(frozen=True)
class InsightsScope:
    """The organizations whose figures a user reads: districts in full, single schools, and states."""

    districts: frozenset[int]
    schools: frozenset[int]
    states: frozenset[int]

    @property
    def empty(self) -> bool:
        return not (self.districts or self.schools or self.states)


def insights_scope(user: Actor, on: datetime.date | None = None) -> InsightsScope:
    """Where the user reads dashboards: the districts they administer, the schools they administer (outside
    those districts too), and the states they analyse."""
    on = on or today()
    if active_user(user) is None:
        return InsightsScope(frozenset(), frozenset(), frozenset())
    return InsightsScope(
        districts=frozenset(districts_where(user, Role.DISTRICT_ADMIN, on=on)),
        schools=frozenset(organizations_where(user, Role.SCHOOL_ADMIN, on=on)),
        states=frozenset(
            grant.organization_id for grant in grants(user, on) if grant.role == Role.STATE_ANALYST
        ),
    )


def _reads_school(scope: InsightsScope, school: Organization) -> bool:
    return school.pk in scope.schools or school.parent_id in scope.districts


def _analyses(scope: InsightsScope, district: Organization) -> bool:
    return district.parent_id in scope.states


@rule("insights")
def insights_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the insights actions (the user is active; `can()` checked it)."""
    scope = insights_scope(user, on)
    if isinstance(obj, ActionPlan):
        obj = obj.school
    if obj is None:
        # May the user open the area at all (a navigation link, an index page)?
        if action is Action.VIEW_STATE_INSIGHTS:
            return bool(scope.states)
        if action in (
            Action.VIEW_DASHBOARD,
            Action.EXPORT_INSIGHTS,
            Action.VIEW_ACTION_PLANS,
            Action.MANAGE_ACTION_PLAN,
        ):
            return bool(scope.districts or scope.schools)
        if action in (Action.VIEW_GRADUATION_RATES, Action.VIEW_SELF_STUDY):
            return bool(scope.districts or scope.states)
        return action is Action.REFRESH_INSIGHTS and bool(scope.districts)
    if not isinstance(obj, Organization):
        return False
    if obj.kind == Organization.Kind.STATE:
        return action is Action.VIEW_STATE_INSIGHTS and obj.pk in scope.states
    if obj.kind == Organization.Kind.SCHOOL:
        if action in (
            Action.VIEW_DASHBOARD,
            Action.EXPORT_INSIGHTS,
            Action.VIEW_ACTION_PLANS,
            Action.MANAGE_ACTION_PLAN,
        ):
            return _reads_school(scope, obj)
        return False
    # A district.
    if action in (Action.VIEW_DASHBOARD, Action.EXPORT_INSIGHTS, Action.REFRESH_INSIGHTS):
        return obj.pk in scope.districts
    if action in (Action.VIEW_GRADUATION_RATES, Action.VIEW_SELF_STUDY):
        return obj.pk in scope.districts or _analyses(scope, obj)
    return False
